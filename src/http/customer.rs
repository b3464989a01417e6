//! Customer pages reached from emails, all by signed tokens: unsubscribe (a page, and RFC 8058
//! one-click POST), the tracked booking redirect, and the registration confirmation. Bad tokens get a
//! plain 404 page that changes nothing.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::AppState;
use super::error::ApiError;
use crate::domain::consent::UnsubscribeScope;
use crate::domain::ledger::AccountingMonth;
use crate::tokens::Purpose;
use crate::workflows::consent;

fn page(state: &AppState, status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    match state.pages.page(name, &ctx) {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            // Pages carry tokens in their URL: keep them out of caches and referrers.
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            headers.insert(
                "content-security-policy",
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                ),
            );
            response
        }
        Err(e) => ApiError::internal(anyhow::anyhow!("page {name}: {e:#}")).into_response(),
    }
}

fn not_found(state: &AppState) -> Response {
    page(
        state,
        StatusCode::NOT_FOUND,
        "not_found.html.j2",
        context! { lang => "en" },
    )
}

/// A genuine link past its lifetime: 410, in the customer's language; nothing changes.
fn expired(state: &AppState, locale: &str) -> Response {
    let lang = crate::templating::language([locale]);
    page(
        state,
        StatusCode::GONE,
        "not_found.html.j2",
        context! { lang },
    )
}

fn too_old(state: &AppState, sent_at: chrono::DateTime<chrono::Utc>, days: i64) -> bool {
    state.clock.now() > sent_at + chrono::Duration::days(days)
}

/// `c•••@example.com`: enough for the customer to recognize the address, not enough to harvest it.
fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}•••@{domain}", local.chars().next().unwrap_or('•')),
        None => "•••".into(),
    }
}

/// What a post to the unsubscribe page asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Withdraw(UnsubscribeScope),
    Resubscribe,
}

async fn unsubscribe_page(
    state: &AppState,
    token: &str,
    apply: Option<Choice>,
) -> Result<Response, ApiError> {
    let Some(reminder_id) = state.signer.verify(Purpose::Unsubscribe, token) else {
        return Ok(not_found(state));
    };
    let Some(target) = state.store.link_target(reminder_id).await? else {
        return Ok(not_found(state));
    };
    if too_old(state, target.sent_at, crate::tokens::UNSUBSCRIBE_LINK_DAYS) {
        return Ok(expired(state, &target.customer_locale));
    }
    match apply {
        Some(Choice::Withdraw(scope)) => {
            if consent::unsubscribe(&state.store, &target, scope, state.clock.now()).await? {
                tracing::info!(customer_id = %target.customer_id, %reminder_id, ?scope, "customer unsubscribed");
            }
        }
        Some(Choice::Resubscribe) => {
            consent::resubscribe(&state.store, &target, state.clock.now()).await?;
            tracing::info!(customer_id = %target.customer_id, %reminder_id, "customer resubscribed");
        }
        None => {}
    }
    let lang = crate::templating::language([target.customer_locale.as_str()]);
    let withdrawn = match apply {
        Some(Choice::Withdraw(UnsubscribeScope::Sender)) => "service_reminders",
        Some(Choice::Withdraw(UnsubscribeScope::SenderAll)) => "sender_all",
        Some(Choice::Withdraw(UnsubscribeScope::All)) => "all",
        _ => "",
    };
    let ctx = context! {
        lang, done => matches!(apply, Some(Choice::Withdraw(_))), resubscribed => apply == Some(Choice::Resubscribe),
        withdrawn, all => withdrawn == "all",
        dealer_name => target.dealer_name,
        email_masked => target.customer_email.as_deref().map(mask_email).unwrap_or_default(),
        action => format!("/u/{token}"),
    };
    Ok(page(state, StatusCode::OK, "unsubscribe.html.j2", ctx))
}

/// Unsubscribe page: asks for confirmation (a GET never changes anything: mail scanners follow links).
#[utoipa::path(get, path = "/u/{token}", tag = "customer", params(("token" = String, Path)),
    responses((status = 200, description = "Confirmation page", content_type = "text/html"), (status = 404, description = "Invalid link", content_type = "text/html"), (status = 410, description = "Expired link", content_type = "text/html")))]
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    unsubscribe_page(&state, &token, None).await
}

/// The unsubscribe form. RFC 8058 one-click sends `List-Unsubscribe=One-Click` (service reminders
/// from this dealer); the page sends `marketing=on` to withdraw the dealer's offers too,
/// `scope=all` for everything from every sender, or `action=resubscribe` to take it back.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct UnsubscribeForm {
    /// `all`: withdraw every purpose from every sender.
    pub scope: Option<String>,
    /// `on`: also withdraw the dealer's offers.
    pub marketing: Option<String>,
    /// `resubscribe`: receive service reminders again.
    pub action: Option<String>,
    #[serde(rename = "List-Unsubscribe")]
    pub list_unsubscribe: Option<String>,
}

/// Unsubscribe: RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the page's first button
/// withdraws service reminders from the dealer whose message carried the link; the page's second
/// button (`scope=all`) withdraws every purpose from every sender.
#[utoipa::path(post, path = "/u/{token}", tag = "customer", params(("token" = String, Path)),
    request_body(content = UnsubscribeForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Unsubscribed", content_type = "text/html"), (status = 404, description = "Invalid link", content_type = "text/html"), (status = 410, description = "Expired link", content_type = "text/html")))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let has = |field: &str, wanted: Option<&str>| {
        form_urlencoded::parse(&body)
            .any(|(name, value)| name == field && wanted.is_none_or(|w| value == w))
    };
    let choice = if has("action", Some("resubscribe")) {
        Choice::Resubscribe
    } else if has("scope", Some("all")) {
        Choice::Withdraw(UnsubscribeScope::All)
    } else if has("marketing", None) {
        Choice::Withdraw(UnsubscribeScope::SenderAll)
    } else {
        Choice::Withdraw(UnsubscribeScope::Sender)
    };
    unsubscribe_page(&state, &token, Some(choice)).await
}

/// The booking link of a reminder: records the click, then redirects to the dealer's booking page.
#[utoipa::path(get, path = "/r/{token}", tag = "customer", params(("token" = String, Path)),
    responses((status = 303, description = "To the dealer's booking page"), (status = 404, description = "Invalid link", content_type = "text/html"), (status = 410, description = "Expired link", content_type = "text/html")))]
pub async fn booking(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let Some(reminder_id) = state.signer.verify(Purpose::Booking, &token) else {
        return Ok(not_found(&state));
    };
    let Some(target) = state.store.link_target(reminder_id).await? else {
        return Ok(not_found(&state));
    };
    if too_old(&state, target.sent_at, crate::tokens::BOOKING_LINK_DAYS) {
        return Ok(expired(&state, &target.customer_locale));
    }
    let campaign = format!("{}-{}", target.kind, target.occurrence);
    let Some(url) = target
        .dealer_booking_url
        .as_deref()
        .map(|u| {
            crate::domain::contact::booking_link(u, &target.serial_number, &target.sku, &campaign)
        })
        .and_then(|u| HeaderValue::from_str(&u).ok())
    else {
        return Ok(not_found(&state));
    };
    state
        .store
        .record_click(reminder_id, state.clock.now())
        .await?;
    tracing::info!(%reminder_id, "booking link clicked");
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, url),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
    )
        .into_response())
}

async fn verify_page(state: &AppState, token: &str, apply: bool) -> Result<Response, ApiError> {
    let Some(registration_id) = state.signer.verify(Purpose::Verify, token) else {
        return Ok(not_found(state));
    };
    let Some(target) = state.store.verify_target(registration_id).await? else {
        return Ok(not_found(state));
    };
    if too_old(state, target.created_at, crate::tokens::VERIFY_LINK_DAYS) {
        return Ok(expired(state, &target.customer_locale));
    }
    let voided = target.status == "voided";
    if apply && !voided && target.verified_at.is_none() {
        let now = state.clock.now();
        // Amounts held until verification become owed now (the periodic settle job retries this).
        let period = AccountingMonth::of(now, state.settings.ledger.manufacturer_tz);
        consent::verify(&state.store, registration_id, period, now).await?;
        tracing::info!(%registration_id, "registration verified by the customer");
    }
    let lang = crate::templating::language([target.customer_locale.as_str()]);
    let ctx = context! {
        lang, voided, done => !voided && (apply || target.verified_at.is_some()), dealer_name => target.dealer_name,
        product_name => target.product_name, serial_number => target.serial_number, action => format!("/v/{token}"),
    };
    Ok(page(state, StatusCode::OK, "verify.html.j2", ctx))
}

/// Registration confirmation page (with a button; a GET changes nothing).
#[utoipa::path(get, path = "/v/{token}", tag = "customer", params(("token" = String, Path)),
    responses((status = 200, description = "Confirmation page", content_type = "text/html"), (status = 404, description = "Invalid link", content_type = "text/html"), (status = 410, description = "Expired link", content_type = "text/html")))]
pub async fn verify_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    verify_page(&state, &token, false).await
}

/// The customer confirms the registration.
#[utoipa::path(post, path = "/v/{token}", tag = "customer", params(("token" = String, Path)),
    responses((status = 200, description = "Confirmed", content_type = "text/html"), (status = 404, description = "Invalid link", content_type = "text/html"), (status = 410, description = "Expired link", content_type = "text/html")))]
pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    verify_page(&state, &token, true).await
}
