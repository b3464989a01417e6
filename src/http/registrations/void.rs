//! `POST /v1/registrations/{id}/void`: a dealer voids its own registration (a return or a
//! mistake), with an optional reason; its pending reminders are cancelled.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::RegistrationResponse;
use crate::domain::field::clean_text;
use crate::http::AppState;
use crate::http::auth::DealerKey;
use crate::http::body::{Body, optional_json};
use crate::http::error::{ApiError, Problem};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// Why the registration is voided (e.g. "returned"), at most 500 characters.
    pub reason: Option<String>,
}

/// Void an own registration (a return or a mistake).
///
/// Cancels its pending reminders. Voiding an already voided registration changes nothing.
#[utoipa::path(
    post,
    path = "/v1/registrations/{id}/void",
    tag = "registrations",
    params(("id" = Uuid, Path)),
    request_body(content = Option<VoidRequest>, description = "Optional reason"),
    responses(
        (status = 200, description = "The voided registration", body = RegistrationResponse),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration of this dealer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn void_registration(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<axum::Json<RegistrationResponse>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let req: VoidRequest = optional_json(&headers, &body)?.unwrap_or_default();
    let reason = match req.reason.as_deref() {
        Some(raw) => Some(
            clean_text(raw, 500)
                .map_err(|(code, message)| ApiError::field("reason", code, message))?,
        ),
        None => None,
    };
    let record = state
        .intake
        .void(&dealer, id, reason.as_deref())
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(registration_id = %record.id, status = %record.status, "registration voided");
    Ok(axum::Json(RegistrationResponse::from(&record)))
}
