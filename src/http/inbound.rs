//! `POST /v1/inbound/email`: where the mail server delivers what comes back to the sending
//! address — bounces after acceptance (DSN), complaint reports (ARF) and mailto unsubscribes. The
//! operator routes the bounce and unsubscribe addresses to it (e.g. a Postfix pipe running curl)
//! with the `inbound_token` as a bearer token.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::body::Body;
use super::error::{ApiError, Problem};
use crate::domain::consent::UnsubscribeScope;
use crate::mail::inbound::{self, Report};
use crate::tokens::Purpose;
use crate::workflows::consent::{self, ReportEffect};

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundResult {
    /// `bounced` (address suppressed), `delayed`, `complained` (address suppressed, consent
    /// withdrawn), `unsubscribed`, or `ignored` (not about a message of this service).
    pub result: &'static str,
}

/// Receive one email (RFC 5322, as delivered) sent back to the service.
#[utoipa::path(post, path = "/v1/inbound/email", tag = "operations",
    request_body(content = String, content_type = "text/plain", description = "The message as delivered (RFC 5322); any media type is accepted, e.g. `message/rfc822`"),
    responses(
        (status = 200, body = InboundResult),
        (status = 401, description = "Not the inbound token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No inbound token is configured", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<axum::Json<InboundResult>, ApiError> {
    let Some(token) = &state.config.inbound_token else {
        return Err(ApiError::NotFound);
    };
    if !super::auth::bearer_matches(&headers, token) {
        return Err(ApiError::Unauthenticated);
    }
    let now = state.clock.now();
    let report = inbound::read(&body);
    // What a delivery report says about a reminder: the attempt to record, and the answer.
    let noted = match &report {
        Report::Bounce {
            reminder_id,
            status,
            smtp_code,
            permanent: true,
        } => Some((
            *reminder_id,
            "bounced",
            *smtp_code,
            format!("after acceptance: {status}"),
            "bounced",
        )),
        Report::Bounce {
            reminder_id,
            status,
            smtp_code,
            permanent: false,
        } => Some((
            *reminder_id,
            "delayed",
            *smtp_code,
            format!("after acceptance: {status}"),
            "delayed",
        )),
        Report::Delayed {
            reminder_id,
            status,
        } => Some((
            *reminder_id,
            "delayed",
            None,
            format!("delayed: {status}"),
            "delayed",
        )),
        Report::Complaint {
            reminder_id,
            feedback_type,
        } => Some((
            *reminder_id,
            "complaint",
            None,
            format!("feedback report: {feedback_type}"),
            "complained",
        )),
        Report::Unsubscribe { .. } | Report::Unrelated => None,
    };
    let result = match (noted, report) {
        (Some((reminder_id, outcome, smtp_code, detail, answer)), _) => {
            match consent::record_report(
                &state.store,
                reminder_id,
                outcome,
                smtp_code,
                &detail,
                now,
            )
            .await?
            {
                ReportEffect::Unknown => "ignored",
                _ => answer,
            }
        }
        (None, Report::Unsubscribe { token }) => {
            match state.signer.verify(Purpose::Unsubscribe, &token) {
                Some(reminder_id) => match state.store.link_target(reminder_id).await? {
                    Some(target) => {
                        consent::unsubscribe(&state.store, &target, UnsubscribeScope::Sender, now)
                            .await?;
                        "unsubscribed"
                    }
                    None => "ignored",
                },
                None => "ignored",
            }
        }
        (None, _) => "ignored",
    };
    tracing::info!(result, "inbound email processed");
    Ok(axum::Json(InboundResult { result }))
}
