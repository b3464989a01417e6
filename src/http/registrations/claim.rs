//! `POST /v1/claims`: the selling dealer claims a unit its customer registered alone through the
//! unit's address, with the sale's reference; it becomes the dealer's registration.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::RegistrationResponse;
use crate::http::AppState;
use crate::http::auth::DealerKey;
use crate::http::body::Json;
use crate::http::error::{ApiError, Problem};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The unit's serial number.
    #[schema(example = "SN-2026-000123")]
    pub serial_number: String,
    /// The sale's reference (invoice or order number), kept as the registration's reference.
    #[schema(example = "INV-2026-0042")]
    pub reference: String,
}

/// Claim a sale the customer registered alone.
///
/// Within `claim_days` of the owner's registration through the unit's public address. The
/// registration is made as the API makes one (same validation, reminders in your name,
/// incentives; channel `owner_web`); the owner confirms it by the link in your confirmation
/// email. A unit another dealer claimed is refused (409) and raised as a fraud signal.
#[utoipa::path(
    post,
    path = "/v1/claims",
    tag = "registrations",
    request_body = ClaimRequest,
    responses(
        (status = 201, description = "Claimed: the registration, now yours", body = RegistrationResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No owner's registration of this serial is waiting", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Past the claim window, already claimed, or registered otherwise", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn claim(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Json(req): Json<ClaimRequest>,
) -> Result<Response, ApiError> {
    let record = state
        .intake
        .claim(&dealer, &req.serial_number, &req.reference)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(RegistrationResponse::from(&record)),
    )
        .into_response())
}
