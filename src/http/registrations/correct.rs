//! `PATCH /v1/registrations/{id}` (the selling dealer, within `correction_days`) and
//! `PATCH /v1/admin/registrations/{id}` (an admin, any time): correct a registration without
//! voiding it. `If-Match` with the ETag of a read makes a concurrent correction a 412 instead of
//! a lost update.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::RegistrationResponse;
use crate::http::AppState;
use crate::http::auth::{AdminKey, DealerKey};
use crate::http::body::Json;
use crate::http::error::{ApiError, Problem};
use crate::store::RegistrationRecord;
use crate::workflows::correction::{CorrectionRequest, Corrector, etag};

/// The registration with its ETag.
pub fn with_etag(record: &RegistrationRecord) -> Response {
    let mut response = axum::Json(RegistrationResponse::from(record)).into_response();
    if let Ok(tag) = HeaderValue::from_str(&etag(record)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Correct an own registration.
///
/// Customer details, purchase, delivery and installation dates, and the reference; an absent
/// field stays, an empty one is cleared (where it may be empty). Reminders not sent yet are planned
/// again; what the registration earns is reversed and accrued again if it changes. Allowed within
/// `correction_days` of registering.
#[utoipa::path(
    patch,
    path = "/v1/registrations/{id}",
    tag = "registrations",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "The ETag of the registration as read: a 412 if it changed since")),
    request_body = CorrectionRequest,
    responses(
        (status = 200, description = "The corrected registration", body = RegistrationResponse, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration of this dealer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Voided, or past the correction window", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn correct_registration(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<CorrectionRequest>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = state
        .intake
        .correct(
            Corrector::Dealer(&dealer),
            id,
            if_match(&headers).as_deref(),
            &req,
        )
        .await?;
    Ok(with_etag(&record))
}

/// Correct any registration (admin).
#[utoipa::path(
    patch,
    path = "/v1/admin/registrations/{id}",
    tag = "admin",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "The ETag of the registration as read: a 412 if it changed since")),
    request_body = CorrectionRequest,
    responses(
        (status = 200, description = "The corrected registration", body = RegistrationResponse, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Voided", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn admin_correct_registration(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<CorrectionRequest>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = state
        .intake
        .correct(
            Corrector::Admin {
                actor: Some(admin.key_id),
            },
            id,
            if_match(&headers).as_deref(),
            &req,
        )
        .await?;
    Ok(with_etag(&record))
}
