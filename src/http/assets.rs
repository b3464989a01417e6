//! The pages' shared stylesheet and script (embedded in the binary), and the error page people see
//! instead of a problem document when a page request fails.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::AppState;
use super::pages::{SCRIPT, STYLESHEET};
use super::session;

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// A request a person makes in a browser (not the API, not operations endpoints).
pub fn is_page_request(req: &Request) -> bool {
    let path = req.uri().path();
    let api = ["/v1/", "/openapi.json", "/healthz", "/readyz", "/metrics"]
        .iter()
        .any(|p| path.starts_with(p));
    let html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    !api && html
}

/// The error page for `status`, in the browser's language.
pub fn error_page(state: &AppState, headers: &HeaderMap, status: StatusCode) -> Response {
    let status = if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        status
    };
    session::public_page(
        state,
        headers,
        status,
        "error.html.j2",
        context! { status => status.as_u16(), home => "/" },
    )
}
