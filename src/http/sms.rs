//! Webhooks of the SMS provider: status callbacks and inbound texts, each verified as the provider
//! signs it (Twilio: `X-Twilio-Signature` over the URL and the form; Vonage: a JWT in
//! `Authorization` with the body's hash) before anything is recorded. Only the configured
//! provider's paths answer; an unverifiable request is 403 and changes nothing.

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::body::Body;
use super::error::{ApiError, Problem};
use crate::domain::sms::Keyword;
use crate::sms::{InboundText, StatusReport, Text, twilio, vonage};
use crate::workflows::texts;

/// Twilio expects TwiML back; an empty response sends nothing.
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

fn configured(state: &AppState, provider: &str) -> Result<(), ApiError> {
    if state.config.sms_provider.as_deref() == Some(provider) {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The form of a Twilio webhook, once its signature is verified.
fn twilio_params(
    state: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, ApiError> {
    configured(state, "twilio")?;
    let params: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    let url = format!(
        "{}{}",
        state.config.public_url.trim_end_matches('/'),
        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
    );
    let token = state
        .config
        .sms_auth_token
        .as_ref()
        .map(|t| t.expose())
        .unwrap_or_default();
    let signature = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if token.is_empty() || !twilio::verify(token, &url, &params, signature) {
        tracing::warn!(
            provider = "twilio",
            "SMS webhook refused: signature does not verify"
        );
        return Err(ApiError::Forbidden);
    }
    Ok(params)
}

/// A Vonage webhook's body, once its token is verified.
fn vonage_verified(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    configured(state, "vonage")?;
    let secret = state
        .config
        .sms_signature_secret
        .as_ref()
        .map(|t| t.expose())
        .unwrap_or_default();
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = state.clock.now().timestamp();
    if secret.is_empty() || !vonage::verify(secret, authorization, body, now) {
        tracing::warn!(
            provider = "vonage",
            "SMS webhook refused: signature does not verify"
        );
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

fn unreadable() -> ApiError {
    ApiError::Malformed("not a webhook of this provider".into())
}

async fn status(state: &AppState, provider: &str, report: StatusReport) -> Result<(), ApiError> {
    let effect = texts::record_status(&state.store, provider, &report, state.clock.now()).await?;
    tracing::info!(provider, status = report.status.as_str(), effect = ?effect, "SMS status recorded");
    Ok(())
}

async fn inbound(state: &AppState, provider: &str, text: InboundText) -> Result<(), ApiError> {
    let keyword = texts::record_inbound(&state.store, provider, &text, state.clock.now()).await?;
    tracing::info!(
        provider,
        keyword = keyword.map(Keyword::as_str),
        "inbound SMS recorded"
    );
    if keyword == Some(Keyword::Help) {
        help(state, &text).await;
    }
    Ok(())
}

/// Answers HELP with the contact of the dealer whose texts the number gets (or the
/// manufacturer's name), in the customer's language. A failure to answer is logged, not retried:
/// the person can ask again.
async fn help(state: &AppState, text: &InboundText) {
    let facts = match state.store.help_facts(&text.from).await {
        Ok(facts) => facts,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read who to name in a HELP answer");
            None
        }
    };
    let (dealer, lang) = match facts {
        Some((name, phone, email, customer_locale, dealer_locale)) => (
            crate::mail::templates::DealerView {
                name,
                phone,
                email,
                address: None,
            },
            crate::templating::language([customer_locale.as_str(), dealer_locale.as_str()]),
        ),
        None => (
            crate::mail::templates::DealerView {
                name: state.config.manufacturer_name.clone(),
                phone: None,
                email: None,
                address: None,
            },
            "en",
        ),
    };
    let links = crate::sms::templates::TextLinks {
        verify: None,
        booking: None,
    };
    let ctx = crate::sms::templates::text_context(
        lang,
        &dealer,
        "",
        state.clock.now().date_naive(),
        &links,
    );
    let body = match state.texts.render("help", lang, &ctx) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "cannot render the HELP answer");
            return;
        }
    };
    let answer = Text {
        to: &text.from,
        from: if text.to.len() > 1 {
            &text.to
        } else {
            &state.sms.from
        },
        body: &body,
        reference: uuid::Uuid::now_v7(),
    };
    if let Err(e) = state.sms.send(&answer).await {
        tracing::warn!(error = %e, "the HELP answer was not sent");
    }
}

fn twiml() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml")],
        EMPTY_TWIML,
    )
        .into_response()
}

/// Twilio's status callback for a text (form-encoded, signed).
#[utoipa::path(post, path = "/v1/sms/twilio/status", tag = "operations",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Twilio's status callback parameters (MessageSid, MessageStatus, ErrorCode, To, ...)"),
    responses(
        (status = 200, description = "Recorded", content_type = "text/xml", body = String),
        (status = 400, description = "Not a status callback", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The signature does not verify: nothing recorded", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Twilio is not the configured SMS provider", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn twilio_status(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let params = twilio_params(&state, &uri, &headers, &body)?;
    let report = twilio::status_report(&params).ok_or_else(unreadable)?;
    status(&state, "twilio", report).await?;
    Ok(twiml())
}

/// Twilio's inbound text webhook (form-encoded, signed): STOP, START, HELP and the rest.
#[utoipa::path(post, path = "/v1/sms/twilio/inbound", tag = "operations",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Twilio's inbound message parameters (From, To, Body, ...)"),
    responses(
        (status = 200, description = "Recorded", content_type = "text/xml", body = String),
        (status = 400, description = "Not an inbound message", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The signature does not verify: nothing recorded", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Twilio is not the configured SMS provider", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn twilio_inbound(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let params = twilio_params(&state, &uri, &headers, &body)?;
    let text = twilio::inbound(&params).ok_or_else(unreadable)?;
    inbound(&state, "twilio", text).await?;
    Ok(twiml())
}

/// Vonage's message status webhook (JSON, signed).
#[utoipa::path(post, path = "/v1/sms/vonage/status", tag = "operations",
    request_body(content = String, content_type = "application/json", description = "Vonage's message status (message_uuid, status, error, ...)"),
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Not a status webhook", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The signature does not verify: nothing recorded", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Vonage is not the configured SMS provider", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn vonage_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    vonage_verified(&state, &headers, &body)?;
    let report = vonage::status_report(&body).ok_or_else(unreadable)?;
    status(&state, "vonage", report).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Vonage's inbound message webhook (JSON, signed): STOP, START, HELP and the rest.
#[utoipa::path(post, path = "/v1/sms/vonage/inbound", tag = "operations",
    request_body(content = String, content_type = "application/json", description = "Vonage's inbound message (from, to, text, ...)"),
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Not an inbound message", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The signature does not verify: nothing recorded", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Vonage is not the configured SMS provider", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn vonage_inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    vonage_verified(&state, &headers, &body)?;
    let text = vonage::inbound(&body).ok_or_else(unreadable)?;
    inbound(&state, "vonage", text).await?;
    Ok(StatusCode::NO_CONTENT)
}
