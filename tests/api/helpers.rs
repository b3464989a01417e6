//! The test harness: `spawn_app(backend)` gives each test its own database (a SQLite file in a temp
//! dir, or a fresh PostgreSQL database), a manual clock, an admin key and helpers per endpoint.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::Connection;
use tower::ServiceExt;
use warrantyd::clock::ManualClock;
use warrantyd::config::Config;
use warrantyd::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn name(backend: Backend)` once per backend, as `sqlite::name` and
/// `postgres::name`. PostgreSQL tests fail (never skip) when the server is missing.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}

/// Friday 27 November 2026, 10:00 UTC: inside the default send window in Europe.
pub const START: &str = "2026-11-27T10:00:00Z";

pub struct TestApp {
    pub state: warrantyd::http::AppState,
    pub router: Router,
    pub store: Store,
    pub clock: ManualClock,
    pub admin_key: String,
    pub database_url: String,
    /// Sign-in links and invitations sent to people.
    pub notices: Arc<std::sync::Mutex<Vec<warrantyd::mail::Outgoing>>>,
    /// Keeps the SQLite file and data dir alive as long as the app.
    _dir: tempfile::TempDir,
}

/// Like the test harness of crates.io's registry: a test that claimed reminders for sending and
/// left them unfinished (queued or sending) fails, so no test passes on work it never completed.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let url = self.database_url.clone();
        // Its own thread and runtime: this drop may run inside the test's runtime.
        let left = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let store = Store::connect(&url, 1).await.ok()?;
                let left = store.unfinished_reminders().await.ok();
                store.close().await;
                left
            })
        })
        .join()
        .unwrap_or_default()
        .unwrap_or_default();
        assert!(
            left.is_empty(),
            "the test left {} reminders queued or sending (claimed and never finished): {left:?}; \
             send them (TestApp::finish_claimed) or assert why they stay",
            left.len()
        );
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
    /// The body as received (images, files).
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The (field, code) pairs of a validation problem.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.json["status"].as_u64(), Some(u64::from(status)));
        assert!(
            self.json["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:warrantyd:problem:"))
        );
        assert!(self.json["title"].is_string() && self.json["detail"].is_string());
    }
}

/// Issues a key for dealer `code` through the admin API of a running `warrantyd` at `base`.
pub async fn issue_dealer_key(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    code: &str,
) -> String {
    let issued: Value = http
        .post(format!("{base}/v1/admin/dealers/{code}/keys"))
        .bearer_auth(admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    issued["key"].as_str().unwrap().to_owned()
}

pub fn pg_admin_url() -> String {
    std::env::var("WARRANTYD_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new, empty database URL for `backend`.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin_url} is required for the postgres tests: {e}")
                });
            let name = format!("wd_test_{}", uuid::Uuid::now_v7().simple());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base.to_owned())
                .unwrap();
            format!("{base}/{name}")
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(backend, dir.path()).await;
    let mut config = Config {
        data_dir: dir.path().join("data"),
        outbox_dir: dir.path().join("outbox"),
        sms_outbox_dir: dir.path().join("sms-outbox"),
        public_url: "https://warranty.test".into(),
        mail_from: "reminders@oem.test".into(),
        dispatch_interval_ms: 50,
        send_timeout_secs: 2,
        lease_secs: 30,
        // Tests send several messages to one customer in a row; the spacing has its own test.
        min_spacing_days: 0,
        ..Config::default()
    };
    configure(&mut config);
    let store = Store::connect(&database_url, 8).await.expect("connect");
    let url = database_url.clone();
    store.migrate().await.expect("migrate");
    let clock = ManualClock::new(START.parse().unwrap());
    let mut state = warrantyd::app::state(config, store.clone(), Arc::new(clock.clone())).unwrap();
    let (notices, sent_notices) = warrantyd::mail::notices::Notices::memory(&state.config).unwrap();
    state.notices = Arc::new(notices);
    let router = warrantyd::http::router(state.clone());
    let (admin_key, key) = warrantyd::keys::generate(warrantyd::keys::Role::Admin, None, None);
    store.insert_key(&key, clock_now(&clock)).await.unwrap();
    let app = TestApp {
        state,
        router,
        store,
        clock,
        admin_key,
        database_url: url,
        notices: sent_notices,
        _dir: dir,
    };
    app.put_product("MOWER-500", json!({
        "name": "Robotic mower", "category": "garden", "warranty_months": 24, "warranty_start": "purchase",
        "service_plan": ["P6M", "P12M"], "registration_window_days": 30
    }))
    .await;
    app.put_product("BOILER-24", json!({
        "name": "Boiler", "category": "heating", "warranty_months": 60, "warranty_start": "installation",
        "service_plan": ["P12M"], "registration_window_days": 30
    }))
    .await;
    app
}

fn clock_now(clock: &ManualClock) -> DateTime<Utc> {
    use warrantyd::clock::Clock;
    clock.now()
}

/// Workers running in the background of a test; stopped (gracefully) on drop of `stop`.
pub struct Workers {
    pub stop: tokio::sync::oneshot::Sender<()>,
    pub handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Workers {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.handle.await.unwrap().unwrap();
    }
}

impl TestApp {
    /// The sending side, sharing this app's store, clock and signing key.
    pub fn sender(&self, mailer: warrantyd::mail::Mailer) -> warrantyd::jobs::Sender {
        warrantyd::jobs::Sender::new(
            self.state.config.clone(),
            self.store.clone(),
            Arc::new(self.clock.clone()),
            self.state.signer.clone(),
            mailer,
        )
        .unwrap()
    }

    pub fn smtp_sender(&self, url: &str) -> warrantyd::jobs::Sender {
        let mut config = (*self.state.config).clone();
        config.smtp_url = Some(warrantyd::config::Secret::new(url));
        self.sender(warrantyd::jobs::Sender::mailer_from(&config).unwrap())
    }

    /// Runs the real dispatcher and apalis send workers in the background.
    pub fn start_workers(&self, sender: warrantyd::jobs::Sender) -> Workers {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let handle = tokio::spawn(warrantyd::jobs::run(Arc::new(sender), async {
            let _ = stopped.await;
        }));
        Workers { stop, handle }
    }

    /// Finishes every reminder a dispatcher claimed and no one sent (after a test has asserted on
    /// the ones it looks at), as the queue's workers would: the leftover check then passes.
    pub async fn finish_claimed(&self) {
        let sender = self.sender(warrantyd::mail::Mailer::Memory(Default::default()));
        for id in self.store.unfinished_reminders().await.unwrap() {
            sender.send_reminder(id).await.unwrap();
        }
        assert!(self.store.unfinished_reminders().await.unwrap().is_empty());
    }

    /// Voids a registration as its dealer.
    pub async fn void(&self, key: &str, registration_id: &str, reason: Option<&str>) -> Resp {
        let body = match reason {
            Some(reason) => json!({ "reason": reason }),
            None => json!({}),
        };
        self.post_json(
            &format!("/v1/registrations/{registration_id}/void"),
            Some(key),
            &body,
        )
        .await
    }

    /// Posts a form (application/x-www-form-urlencoded), with a `Cookie` header when given.
    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Resp {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Method::POST,
            path,
            None,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &cookie.map(|c| vec![("cookie", c)]).unwrap_or_default(),
        )
        .await
    }

    pub fn now(&self) -> DateTime<Utc> {
        clock_now(&self.clock)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        self.send_from(None, method, path, key, content_type, body, extra)
            .await
    }

    /// As `send`, from a connection with this peer address (as the accept loop records it).
    #[allow(clippy::too_many_arguments)]
    pub async fn send_from(
        &self,
        peer: Option<std::net::SocketAddr>,
        method: Method,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(peer) = peer {
            builder = builder.extension(axum::extract::ConnectInfo(peer));
        }
        if let Some(key) = key {
            builder = builder.header("authorization", format!("Bearer {key}"));
        }
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(builder.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
            body: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> Resp {
        self.send(Method::GET, path, key, None, Vec::new(), &[])
            .await
    }

    pub async fn post_json(&self, path: &str, key: Option<&str>, body: &Value) -> Resp {
        self.send(
            Method::POST,
            path,
            key,
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
            &[],
        )
        .await
    }

    pub async fn put_json(&self, path: &str, key: Option<&str>, body: &Value) -> Resp {
        self.send(
            Method::PUT,
            path,
            key,
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
            &[],
        )
        .await
    }

    /// Creates a person's account (as an invitation would) and returns their email.
    pub async fn person(
        &self,
        email: &str,
        name: &str,
        role: &str,
        dealer: Option<&str>,
    ) -> String {
        let dealer_id = match dealer {
            Some(code) => Some(
                self.store
                    .dealer_by_code(code)
                    .await
                    .unwrap()
                    .expect("dealer")
                    .id,
            ),
            None => None,
        };
        let account = warrantyd::store::NewAccount {
            id: uuid::Uuid::now_v7(),
            email: email.to_lowercase(),
            name: name.into(),
            role: role.into(),
            dealer_id,
            language: "en".into(),
            invited_by: None,
        };
        assert!(
            self.store
                .insert_account(&account, self.now())
                .await
                .unwrap()
        );
        email.to_lowercase()
    }

    /// The sign-in link of the last notice sent to `email`.
    pub fn last_link_to(&self, email: &str) -> String {
        self.notice_link(email, "https://warranty.test/sign-in/")
    }

    /// The text of the last notice sent to `email`.
    pub fn notice_text(&self, email: &str) -> String {
        let sent = self.notices.lock().unwrap();
        let message = sent
            .iter()
            .rev()
            .find(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(email)))
            .unwrap_or_else(|| panic!("no notice to {email}"));
        let parsed = mail_parser::MessageParser::default()
            .parse(message.raw.as_bytes())
            .unwrap();
        parsed.body_text(0).unwrap().to_string()
    }

    /// The first link starting with `prefix` in the last notice sent to `email`.
    pub fn notice_link(&self, email: &str, prefix: &str) -> String {
        let sent = self.notices.lock().unwrap();
        let message = sent
            .iter()
            .rev()
            .find(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(email)))
            .unwrap_or_else(|| panic!("no notice to {email}"));
        let parsed = mail_parser::MessageParser::default()
            .parse(message.raw.as_bytes())
            .unwrap();
        let text = parsed.body_text(0).unwrap().to_string();
        let at = text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix} in: {text}"));
        text[at..].split_whitespace().next().unwrap().to_owned()
    }

    /// Asks for a sign-in link for `email` as a browser would (form token and cookie first).
    pub async fn ask_link(&self, email: &str) -> Resp {
        let page = self.get("/sign-in", None).await;
        let nonce = set_cookie(&page, "wd_signin").expect("the sign-in page sets its form cookie");
        let csrf = hidden_csrf(&page.text);
        let cookie = format!("wd_signin={nonce}");
        self.form_from_site("/sign-in", &cookie, &[("email", email), ("csrf", &csrf)])
            .await
    }

    /// Uses a sign-in link as a browser would: opens it, then continues. Returns the answer to
    /// the continue step (a redirect with the session cookie when the link is good).
    pub async fn use_link(&self, link: &str) -> Resp {
        let path = link.trim_start_matches("https://warranty.test");
        let page = self.get(path, None).await;
        let Some(nonce) = set_cookie(&page, "wd_signin") else {
            return page;
        };
        let csrf = hidden_csrf(&page.text);
        let cookie = format!("wd_signin={nonce}");
        let action = path.split('?').next().unwrap();
        self.form_from_site(action, &cookie, &[("csrf", &csrf)])
            .await
    }

    /// Signs `email` in through an emailed link; returns the session's `Cookie` header value.
    pub async fn sign_in(&self, email: &str) -> String {
        let asked = self.ask_link(email).await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
        let link = self.last_link_to(email);
        let used = self.use_link(&link).await;
        assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.text);
        format!(
            "wd_session={}",
            set_cookie(&used, "wd_session").expect("a session cookie")
        )
    }

    /// Posts a form with `cookie`, from this site (Origin).
    pub async fn form_from_site(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Resp {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish()
            .into_bytes();
        self.send(
            Method::POST,
            path,
            None,
            Some("application/x-www-form-urlencoded"),
            body,
            &[("cookie", cookie), ("origin", "https://warranty.test")],
        )
        .await
    }

    /// A page as a signed-in browser gets it.
    pub async fn page(&self, path: &str, cookie: &str) -> Resp {
        self.send(
            Method::GET,
            path,
            None,
            None,
            Vec::new(),
            &[("cookie", cookie), ("accept", "text/html")],
        )
        .await
    }

    pub async fn register(&self, key: &str, body: &Value) -> Resp {
        self.post_json("/v1/registrations", Some(key), body).await
    }

    pub async fn register_with_key(&self, key: &str, idempotency_key: &str, body: &Value) -> Resp {
        self.send(
            Method::POST,
            "/v1/registrations",
            Some(key),
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
            &[("idempotency-key", idempotency_key)],
        )
        .await
    }

    pub async fn put_product(&self, sku: &str, body: Value) -> Resp {
        let resp = self
            .put_json(
                &format!("/v1/admin/products/{sku}"),
                Some(&self.admin_key.clone()),
                &body,
            )
            .await;
        assert!(resp.status.is_success(), "product {sku}: {}", resp.text);
        resp
    }

    /// A fresh key for the existing dealer `code`.
    pub async fn dealer_key(&self, code: &str) -> String {
        let resp = self
            .post_json(
                &format!("/v1/admin/dealers/{code}/keys"),
                Some(&self.admin_key.clone()),
                &json!({}),
            )
            .await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text);
        resp.json["key"].as_str().unwrap().to_owned()
    }

    /// Creates dealer `code` in `time_zone` and returns a fresh key for it.
    pub async fn dealer(&self, code: &str, time_zone: &str) -> String {
        let admin = self.admin_key.clone();
        let resp = self
            .put_json(
                &format!("/v1/admin/dealers/{code}"),
                Some(&admin),
                &json!({"name": format!("Dealer {code}"), "locale": "fr-FR", "time_zone": time_zone, "email": "shop@dealer.example"}),
            )
            .await;
        assert!(resp.status.is_success(), "dealer {code}: {}", resp.text);
        let resp = self
            .post_json(
                &format!("/v1/admin/dealers/{code}/keys"),
                Some(&admin),
                &json!({"label": "test"}),
            )
            .await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text);
        resp.json["key"].as_str().unwrap().to_owned()
    }
}

/// The value a response's `Set-Cookie` gives cookie `name` (the first one, if several).
pub fn set_cookie(resp: &Resp, name: &str) -> Option<String> {
    resp.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .and_then(|pair| pair.strip_prefix(&format!("{name}=")))
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        })
}

/// The CSRF token of the first form on a page.
pub fn hidden_csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

/// A valid registration body for `serial`.
pub fn registration(serial: &str) -> Value {
    json!({
        "serial_number": serial,
        "sku": "MOWER-500",
        "purchase_date": "2026-11-20",
        "customer": {
            "name": "Camille Martin",
            "email": format!("{}@customer.example", serial.to_lowercase()),
            "locale": "fr-FR",
            "time_zone": "Europe/Paris",
            "country": "FR"
        },
        "consent": {"service_reminders": true, "marketing": false}
    })
}
