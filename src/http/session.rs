//! Web sessions for the finance and dealer pages: sign in with an API key of the page's role. The
//! session lives on the server (`web_sessions`); the cookie (HttpOnly, SameSite=Strict, 8 hours,
//! scoped to the pages' path) is a random token of which only a hash is stored. Signing out ends
//! the session at once; the key is re-checked on every request, so revoking it (or deactivating
//! its dealer) ends its sessions too. Every form carries a CSRF token bound to the session, and the
//! sign-in form one bound to a pre-session cookie, with an Origin/Referer check (no login CSRF).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::Value;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use crate::keys::{self, Role};
use crate::workflows::{DealerContext, KeyDealer};

const SESSION_HOURS: i64 = 8;

/// Which pages a session is for.
#[derive(Clone, Copy)]
pub struct Area {
    pub role: Role,
    pub cookie: &'static str,
    pub path: &'static str,
}

impl Area {
    /// `finance` or `dealer`.
    pub fn name(&self) -> &'static str {
        self.path.trim_start_matches('/')
    }
}

pub const FINANCE: Area = Area {
    role: Role::Finance,
    cookie: "wd_finance",
    path: "/finance",
};
pub const DEALER: Area = Area {
    role: Role::Dealer,
    cookie: "wd_dealer",
    path: "/dealer",
};

pub struct Session {
    pub key_id: Uuid,
    pub cookie: String,
    /// For dealer sessions.
    pub dealer: Option<DealerContext>,
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(&format!("{name}="))
                .map(str::to_owned)
        })
}

/// The signed-in session of `area`, if its cookie names a live session and its key is still valid.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
    area: Area,
) -> Result<Option<Session>, ApiError> {
    let Some(cookie) = cookie_value(headers, area.cookie) else {
        return Ok(None);
    };
    if cookie.len() > 64 {
        return Ok(None);
    }
    let Some(key) = state
        .store
        .web_session_key(&keys::hash_secret(&cookie), area.name(), state.clock.now())
        .await?
    else {
        return Ok(None);
    };
    if key.revoked_at.is_some() || Role::parse(&key.role) != Some(area.role) {
        return Ok(None);
    }
    let dealer = match KeyDealer::of(&key) {
        KeyDealer::None => None,
        KeyDealer::Active(dealer) => Some(dealer),
        KeyDealer::Refused => return Ok(None),
    };
    Ok(Some(Session {
        key_id: key.id,
        cookie,
        dealer,
    }))
}

/// A new random token (cookies: session, sign-in form).
fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn cookie_attributes(state: &AppState) -> &'static str {
    if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// Checks a presented key for `area`; on success, a redirect to `to` that sets the session cookie.
pub async fn sign_in(
    state: &AppState,
    area: Area,
    presented: &str,
    to: &str,
) -> Result<Option<Response>, ApiError> {
    let Some((prefix, secret)) = keys::split(presented.trim()) else {
        return Ok(None);
    };
    let Some(key) = state.store.key_by_prefix(prefix).await? else {
        return Ok(None);
    };
    if key.revoked_at.is_some()
        || Role::parse(&key.role) != Some(area.role)
        || !keys::secret_matches(secret, &key.secret_hash)
        || matches!(KeyDealer::of(&key), KeyDealer::Refused)
    {
        tracing::info!(key_id = %key.id, "web sign-in refused");
        return Ok(None);
    }
    let now = state.clock.now();
    let token = random_token();
    state
        .store
        .create_web_session(
            &keys::hash_secret(&token),
            key.id,
            area.name(),
            now,
            now + chrono::Duration::hours(SESSION_HOURS),
        )
        .await?;
    let set = format!(
        "{}={token}; Path={}; HttpOnly; SameSite=Strict; Max-Age={}{}",
        area.cookie,
        area.path,
        SESSION_HOURS * 3600,
        cookie_attributes(state)
    );
    tracing::info!(key_id = %key.id, "signed in to the web pages");
    let mut response = Redirect::to(to).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&set).map_err(ApiError::internal)?,
    );
    headers.append(header::SET_COOKIE, clear_cookie(SIGN_IN_COOKIE, area.path));
    Ok(Some(response))
}

fn clear_cookie(name: &str, path: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path={path}; HttpOnly; SameSite=Strict; Max-Age=0"
    ))
    .expect("ascii")
}

/// A redirect to the sign-in page that also clears the cookie.
pub fn sign_out(area: Area) -> Response {
    let mut response = Redirect::to(&format!("{}/login", area.path)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(area.cookie, area.path));
    response
}

/// The sign-in form's own CSRF defence: a random cookie, and a token derived from it in the form.
const SIGN_IN_COOKIE: &str = "wd_signin";

fn sign_in_csrf(state: &AppState, nonce: &str) -> String {
    state.signer.csrf_token(&format!("sign-in:{nonce}"))
}

/// The sign-in page of `area`, with a fresh form token (and its cookie).
pub fn login_page(
    state: &AppState,
    area: Area,
    status: StatusCode,
    template: &str,
    error: Option<&str>,
) -> Response {
    let nonce = random_token();
    let ctx = minijinja::context! {
        area => area.name(), signed_in => false, error => error, csrf => sign_in_csrf(state, &nonce),
    };
    let mut response = render(state, status, template, ctx);
    let set = format!(
        "{SIGN_IN_COOKIE}={nonce}; Path={}; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        area.path,
        cookie_attributes(state)
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&set).expect("ascii"),
    );
    response
}

/// Whether a form post came from this site: its `Origin` (or, without one, its `Referer`) is the
/// public URL's origin or the origin of the host it was sent to.
pub fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let mut allowed: Vec<String> = Vec::new();
    if let Ok(public) = url::Url::parse(&state.config.public_url) {
        allowed.push(public.origin().ascii_serialization());
    }
    if let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        allowed.push(format!("http://{host}"));
        allowed.push(format!("https://{host}"));
    }
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match (header_text(header::ORIGIN), header_text(header::REFERER)) {
        (Some(origin), _) => allowed.iter().any(|a| a == origin),
        (None, Some(referer)) => url::Url::parse(referer)
            .is_ok_and(|r| allowed.contains(&r.origin().ascii_serialization())),
        (None, None) => false,
    }
}

pub fn csrf_ok(state: &AppState, session: &Session, token: &str) -> bool {
    state.signer.csrf_matches(&session.cookie, token)
}

/// Renders a page with the headers every signed-in page carries.
pub fn render(state: &AppState, status: StatusCode, name: &str, ctx: Value) -> Response {
    match state.pages.page(name, &ctx) {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
            headers.insert(
                "content-security-policy",
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'"),
            );
            response
        }
        Err(e) => ApiError::internal(anyhow::anyhow!("page {name}: {e:#}")).into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// Signs out of `area` (a form post carrying the session's CSRF token).
pub async fn logout(
    state: &AppState,
    headers: &HeaderMap,
    area: Area,
    form: &CsrfForm,
) -> Result<Response, ApiError> {
    if let Some(session) = current(state, headers, area).await? {
        if !csrf_ok(state, &session, &form.csrf) {
            return Err(ApiError::Forbidden);
        }
        state
            .store
            .end_web_session(&keys::hash_secret(&session.cookie), state.clock.now())
            .await?;
        tracing::info!(key_id = %session.key_id, "signed out of the web pages");
    }
    Ok(sign_out(area))
}

/// A CSV download: RFC 4180 with CRLF, UTF-8, as an attachment named `filename`.
pub fn csv_download(filename: &str, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .expect("an ASCII file name");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    pub key: String,
    #[serde(default)]
    pub csrf: String,
}

/// Signs in to `area` with the posted key and goes to `to`. A post that did not come from this
/// site's own sign-in form gets the page again (403); a wrong key gets it with `error` (401).
pub async fn login(
    state: &AppState,
    headers: &HeaderMap,
    area: Area,
    form: &LoginForm,
    to: &str,
    template: &str,
    error: &str,
) -> Result<Response, ApiError> {
    let genuine = cookie_value(headers, SIGN_IN_COOKIE).is_some_and(|nonce| {
        state
            .signer
            .csrf_matches(&format!("sign-in:{nonce}"), &form.csrf)
    }) && same_origin(state, headers);
    if !genuine {
        tracing::info!("web sign-in refused: not from this site's form");
        return Ok(login_page(
            state,
            area,
            StatusCode::FORBIDDEN,
            template,
            Some(EXPIRED_FORM),
        ));
    }
    match sign_in(state, area, &form.key, to).await? {
        Some(response) => Ok(response),
        None => Ok(login_page(
            state,
            area,
            StatusCode::UNAUTHORIZED,
            template,
            Some(error),
        )),
    }
}

const EXPIRED_FORM: &str =
    "This sign-in form expired or did not come from this site. Please enter your key again.";
