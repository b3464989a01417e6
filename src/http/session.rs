//! Web sessions for the finance and dealer pages: sign in with an API key of the page's role; the
//! session is a signed cookie (HttpOnly, SameSite=Strict, 8 hours, scoped to the pages' path) that
//! names the key, which is re-checked on every request, so revoking the key ends the session. Every
//! form carries a CSRF token bound to the session.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::Value;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use crate::intake::{DealerContext, KeyDealer};
use crate::keys::{self, Role};

const SESSION_HOURS: i64 = 8;

/// Which pages a session is for.
#[derive(Clone, Copy)]
pub struct Area {
    pub role: Role,
    pub cookie: &'static str,
    pub path: &'static str,
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

/// The signed-in session of `area`, if its cookie is authentic, unexpired, and its key still valid.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
    area: Area,
) -> Result<Option<Session>, ApiError> {
    let Some(cookie) = cookie_value(headers, area.cookie) else {
        return Ok(None);
    };
    let Some(key_id) = state
        .signer
        .verify_session(&cookie, state.clock.now().timestamp())
    else {
        return Ok(None);
    };
    let Some(key) = state.store.key_by_id(key_id).await? else {
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
        key_id,
        cookie,
        dealer,
    }))
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
    {
        tracing::info!(key_id = %key.id, "web sign-in refused");
        return Ok(None);
    }
    let expires = state.clock.now().timestamp() + SESSION_HOURS * 3600;
    let cookie = state.signer.sign_session(key.id, expires);
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let set = format!(
        "{}={cookie}; Path={}; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        area.cookie,
        area.path,
        SESSION_HOURS * 3600
    );
    tracing::info!(key_id = %key.id, "signed in to the web pages");
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&set).map_err(ApiError::internal)?,
    );
    Ok(Some(response))
}

/// A redirect to the sign-in page that also clears the cookie.
pub fn sign_out(area: Area) -> Response {
    let mut response = Redirect::to(&format!("{}/login", area.path)).into_response();
    let clear = format!(
        "{}=; Path={}; HttpOnly; SameSite=Strict; Max-Age=0",
        area.cookie, area.path
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&clear).expect("ascii"),
    );
    response
}

pub fn csrf_ok(state: &AppState, session: &Session, token: &str) -> bool {
    state.signer.csrf_matches(&session.cookie, token)
}

/// Renders a page with the headers every signed-in page carries.
pub fn render(state: &AppState, status: StatusCode, name: &str, ctx: Value) -> Response {
    match state.renderer.page(name, &ctx) {
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
    if let Some(session) = current(state, headers, area).await?
        && !csrf_ok(state, &session, &form.csrf)
    {
        return Err(ApiError::Forbidden);
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
}

/// Signs in to `area` with the posted key and goes to `to`; a wrong key gets the sign-in page
/// `template` again (401) with `error`.
pub async fn login(
    state: &AppState,
    area: Area,
    form: &LoginForm,
    to: &str,
    template: &str,
    error: &str,
) -> Result<Response, ApiError> {
    match sign_in(state, area, &form.key, to).await? {
        Some(response) => Ok(response),
        None => {
            let area_name = area.path.trim_start_matches('/');
            let ctx = minijinja::context! { area => area_name, signed_in => false, error => error };
            Ok(render(state, StatusCode::UNAUTHORIZED, template, ctx))
        }
    }
}
