//! People's web sessions. A person asks for a sign-in link by email (`/sign-in`); the link works
//! once and for 15 minutes, and opens a session: a random cookie (`wd_session`: HttpOnly,
//! SameSite=Strict, 8 hours) of which only a hash is kept on the server. Every request re-reads the
//! account, so disabling it (or deactivating its dealer) ends its sessions at the next request;
//! signing out ends the session at once. Every form carries a CSRF token bound to the session (the
//! sign-in form one bound to a pre-session cookie), and every post must come from this site
//! (Origin, else Referer).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Value, context};

use super::AppState;
use super::error::ApiError;
use crate::domain::account::{Area, StaffRole};
use crate::keys;
use crate::store::AccountRecord;
use crate::workflows::DealerContext;

pub const SESSION_HOURS: i64 = 8;
pub const LINK_MINUTES: i64 = 15;
pub const SESSION_COOKIE: &str = "wd_session";
/// The sign-in form's own CSRF defence: a random cookie, and a token derived from it in the form.
const SIGN_IN_COOKIE: &str = "wd_signin";

/// A signed-in person.
#[derive(Clone)]
pub struct Session {
    pub account: AccountRecord,
    pub role: StaffRole,
    pub cookie: String,
    /// For dealer roles: the dealer the person works for.
    pub dealer: Option<DealerContext>,
}

impl Session {
    pub fn csrf(&self, state: &AppState) -> String {
        state.signer.csrf_token(&self.cookie)
    }

    /// The page language: the person's own.
    pub fn lang(&self) -> &'static str {
        crate::templating::language([self.account.language.as_str()])
    }

    pub fn dealer(&self) -> &DealerContext {
        self.dealer.as_ref().expect("dealer sessions have a dealer")
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
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

/// The signed-in person, if the cookie names a live session of an enabled account.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, ApiError> {
    let Some(cookie) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    if cookie.len() > 64 {
        return Ok(None);
    }
    let Some(account) = state
        .store
        .session_account(&keys::hash_secret(&cookie), state.clock.now())
        .await?
    else {
        return Ok(None);
    };
    let Some(role) = StaffRole::parse(&account.role) else {
        return Ok(None);
    };
    let dealer = if role.is_dealer() {
        match (
            account.dealer_id,
            &account.dealer_code,
            &account.dealer_locale,
            &account.dealer_time_zone,
        ) {
            (Some(id), Some(code), Some(locale), Some(time_zone))
                if account.dealer_active == Some(true) =>
            {
                Some(DealerContext {
                    id,
                    code: code.clone(),
                    locale: locale.clone(),
                    time_zone: time_zone.clone(),
                    send_window: account.dealer_send_window.clone(),
                    message_channels: account.dealer_message_channels.clone(),
                    actor: Some(account.id),
                    channel: "dealer_counter",
                })
            }
            // A deactivated dealer's people cannot act.
            _ => return Ok(None),
        }
    } else {
        None
    };
    Ok(Some(Session {
        account,
        role,
        cookie,
        dealer,
    }))
}

/// A random token (cookies, sign-in links, form nonces).
pub fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn secure(state: &AppState) -> &'static str {
    if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

fn clear_cookie(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    ))
    .expect("ascii")
}

/// A redirect that sets the session cookie.
pub fn start(state: &AppState, token: &str, to: &str) -> Response {
    let set = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_HOURS * 3600,
        secure(state)
    );
    let mut response = Redirect::to(to).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&set).expect("ascii"),
    );
    headers.append(header::SET_COOKIE, clear_cookie(SIGN_IN_COOKIE));
    response
}

/// A redirect to the sign-in page that also clears the session cookie.
pub fn sign_out_redirect() -> Response {
    let mut response = Redirect::to("/sign-in?signed_out=1").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
    response
}

/// A fresh sign-in form token and the cookie it is bound to.
pub fn sign_in_form_token(state: &AppState) -> (String, HeaderValue) {
    let nonce = random_token();
    let set = format!(
        "{SIGN_IN_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        secure(state)
    );
    (
        state.signer.csrf_token(&format!("sign-in:{nonce}")),
        HeaderValue::from_str(&set).expect("ascii"),
    )
}

/// Whether a sign-in form post carries the token of this browser's sign-in cookie.
pub fn sign_in_form_genuine(state: &AppState, headers: &HeaderMap, token: &str) -> bool {
    cookie_value(headers, SIGN_IN_COOKIE).is_some_and(|nonce| {
        state
            .signer
            .csrf_matches(&format!("sign-in:{nonce}"), token)
    }) && same_origin(state, headers)
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
    // A browser told not to send referrers posts with `Origin: null`; its `Sec-Fetch-Site` (which
    // pages cannot set) still says whether the post came from this site.
    let same_site_fetch =
        header_text(HeaderName::from_static("sec-fetch-site")) == Some("same-origin");
    match (header_text(header::ORIGIN), header_text(header::REFERER)) {
        (Some("null"), _) => same_site_fetch,
        (Some(origin), _) => allowed.iter().any(|a| a == origin),
        (None, Some(referer)) => url::Url::parse(referer)
            .is_ok_and(|r| allowed.contains(&r.origin().ascii_serialization())),
        (None, None) => same_site_fetch,
    }
}

/// Checks a signed-in form post: its CSRF token and its origin.
pub fn check_post(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    token: &str,
) -> Result<(), ApiError> {
    if state.signer.csrf_matches(&session.cookie, token) && same_origin(state, headers) {
        Ok(())
    } else {
        tracing::info!(account = %session.account.id, "form post refused: CSRF token or origin");
        Err(ApiError::Forbidden)
    }
}

/// The headers of every page: no caching, no framing, and a policy allowing only this site's own
/// stylesheet and script.
pub fn page_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
}

/// Renders a template with `ctx`; an error in a template is a 500 page, never a stack trace.
pub fn render(state: &AppState, status: StatusCode, name: &str, ctx: Value) -> Response {
    match state.pages.page(name, &ctx) {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            page_headers(&mut response);
            response
        }
        Err(e) => {
            tracing::error!(page = name, error = %format!("{e:#}"), "page template failed");
            let mut response = (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>Error</title><p>Something went wrong on our side. Please try again.</p>"),
            )
                .into_response();
            page_headers(&mut response);
            response
        }
    }
}

/// What every signed-in page's layout needs: the person, their area, the CSRF token, the language,
/// the manufacturer's name and the current path (for the navigation).
pub fn layout(state: &AppState, s: &Session, path: &str) -> Value {
    context! {
        lang => s.lang(),
        manufacturer => &state.config.manufacturer_name,
        area => s.role.area().as_str(),
        role => s.role.as_str(),
        person => context! { name => &s.account.name, email => &s.account.email },
        dealer_name => &s.account.dealer_name,
        manages => s.role.manages_dealer(),
        approver => s.role.may_approve(),
        csrf => s.csrf(state),
        path => path,
        signed_in => true,
    }
}

/// Renders a signed-in page: the layout's context plus the page's own.
pub fn page(
    state: &AppState,
    s: &Session,
    path: &str,
    status: StatusCode,
    name: &str,
    ctx: Value,
) -> Response {
    let ctx = context! { ..ctx, ..layout(state, s, path) };
    render(state, status, name, ctx)
}

/// The page language for someone not signed in: the browser's preference.
pub fn browser_lang(headers: &HeaderMap) -> &'static str {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    crate::templating::language(
        accept
            .split(',')
            .map(|p| p.split(';').next().unwrap_or("").trim()),
    )
}

/// A page for someone not signed in (sign-in, landing, not found).
pub fn public_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    name: &str,
    ctx: Value,
) -> Response {
    let ctx = context! { ..ctx, ..context! {
        lang => browser_lang(headers), manufacturer => &state.config.manufacturer_name, signed_in => false,
    }};
    render(state, status, name, ctx)
}

/// Why a page refused someone.
pub enum Refusal {
    /// Not signed in: to the sign-in page, then back here.
    SignIn(String),
    /// Signed in, but the page is for another area: a page saying so.
    Page(Response),
    Error(ApiError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn(next) => {
                let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Redirect::to(&format!("/sign-in?next={next}")).into_response()
            }
            Self::Page(page) => page,
            Self::Error(e) => e.into_response(),
        }
    }
}

/// The page for someone signed in whose role does not reach this page: their home is one click.
fn not_for_role(state: &AppState, s: &Session) -> Response {
    render(
        state,
        StatusCode::FORBIDDEN,
        "error.html.j2",
        context! {
            status => 403, home => s.role.area().home(), lang => s.lang(),
            manufacturer => &state.config.manufacturer_name, signed_in => true,
        },
    )
}

async fn require(parts: &Parts, state: &AppState, area: Area) -> Result<Session, Refusal> {
    match current(state, &parts.headers).await {
        Ok(Some(s)) if s.role.area() == area => Ok(s),
        Ok(Some(s)) => Err(Refusal::Page(not_for_role(state, &s))),
        Ok(None) => {
            let next = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            Err(Refusal::SignIn(next))
        }
        Err(e) => Err(Refusal::Error(e)),
    }
}

macro_rules! area_extractor {
    ($name:ident, $area:expr, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub Session);

        impl FromRequestParts<AppState> for $name {
            type Rejection = Refusal;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                require(parts, state, $area).await.map($name)
            }
        }
    };
}

area_extractor!(DealerUser, Area::Dealer, "A signed-in dealer person.");
area_extractor!(FinanceUser, Area::Finance, "A signed-in finance person.");
area_extractor!(AdminUser, Area::Admin, "A signed-in admin.");

/// Any signed-in person.
pub struct AnyUser(pub Session);

impl FromRequestParts<AppState> for AnyUser {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match current(state, &parts.headers).await {
            Ok(Some(s)) => Ok(AnyUser(s)),
            Ok(None) => Err(Refusal::SignIn(parts.uri.path().to_owned())),
            Err(e) => Err(Refusal::Error(e)),
        }
    }
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
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// A posted form's values as the person typed them (to show again), without its CSRF token.
pub fn typed(
    form: &std::collections::HashMap<String, String>,
) -> std::collections::HashMap<String, String> {
    let mut values = form.clone();
    values.remove("csrf");
    values
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}
