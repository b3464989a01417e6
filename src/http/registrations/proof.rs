//! Proof of purchase through the API: the selling dealer uploads one
//! (`PUT /v1/registrations/{id}/proof`, the file as the body, its kind read from its bytes) and
//! reads it back; admins read any (`GET /v1/admin/registrations/{id}/proof`). The file is served
//! as a download that no browser runs (`nosniff`, a sandboxing CSP).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::AppState;
use crate::http::auth::{AdminKey, DealerKey};
use crate::http::error::{ApiError, Problem};
use crate::store::proofs::ProofRecord;
use crate::workflows::proof::{Uploader, attach};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProofResponse {
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// `application/pdf`, `image/jpeg`, `image/png` or `image/heic`, read from the bytes.
    pub content_type: String,
    pub size_bytes: i64,
    /// `owner`, `dealer` or `admin`.
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<ProofRecord> for ProofResponse {
    fn from(p: ProofRecord) -> Self {
        Self {
            sha256: p.sha256,
            content_type: p.content_type,
            size_bytes: p.size_bytes,
            uploaded_by: p.uploaded_by,
            uploaded_at: p.created_at,
        }
    }
}

/// Reads a request body of at most `max` bytes (413 beyond, before reading it all when the
/// length is declared).
pub async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Vec<u8>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ApiError::TooLarge);
    }
    axum::body::to_bytes(body, max)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| ApiError::TooLarge)
}

/// A proof as a download nothing runs.
pub async fn serve(
    state: &AppState,
    proof: ProofRecord,
    serial: &str,
) -> Result<Response, ApiError> {
    let bytes = match state.store.proof_content(&proof.sha256).await? {
        Some(bytes) => bytes,
        None => state
            .proof_files
            .get(&proof.sha256)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot read a proof of purchase from the object store");
                ApiError::Unavailable
            })?
            .ok_or(ApiError::NotFound)?,
    };
    let extension = match proof.content_type.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "heic",
    };
    let safe: String = serial
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&proof.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"proof-of-purchase-{safe}.{extension}\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// Attach a proof of purchase to an own registration.
///
/// The file is the request body: a PDF, JPEG, PNG or HEIC image, recognised by its bytes (the
/// declared type is not trusted). A file that is also another format, a PDF with active content
/// or an image of more than 100 megapixels is refused (415). At most `proof_max_bytes` (413).
#[utoipa::path(
    put,
    path = "/v1/registrations/{id}/proof",
    tag = "registrations",
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, description = "Attached", body = ProofResponse),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such active registration of this dealer", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than proof_max_bytes", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a PDF, JPEG, PNG or HEIC file, or refused (polyglot, active content, too many pixels)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn put_proof(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = state
        .store
        .registration_for_dealer(dealer.id, id)
        .await?
        .filter(|r| r.status == "active")
        .ok_or(ApiError::NotFound)?;
    let max = state.config.proof_max_bytes;
    let bytes = read_body(&headers, body, max).await?;
    let proof = attach(
        &state.store,
        &state.proof_files,
        id,
        record.customer_id,
        Uploader::Dealer(dealer.actor),
        &bytes,
        max,
        state.settings.ledger.manufacturer_tz,
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(ProofResponse::from(proof))).into_response())
}

/// The newest proof of purchase of an own registration (a download).
#[utoipa::path(
    get,
    path = "/v1/registrations/{id}/proof",
    tag = "registrations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file (PDF, JPEG, PNG or HEIC)", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration of this dealer, or no proof", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn get_proof(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    download(&state, &id, Some(dealer.id)).await
}

/// The newest proof of a registration (of `dealer`'s only, when given), as a download.
pub async fn download(
    state: &AppState,
    id: &str,
    dealer: Option<Uuid>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let serial = state
        .store
        .registration_serial(id, dealer)
        .await?
        .ok_or(ApiError::NotFound)?;
    let proof = state
        .store
        .latest_proof(id, None)
        .await?
        .ok_or(ApiError::NotFound)?;
    serve(state, proof, &serial).await
}

/// The newest proof of purchase of any registration (admin; a download).
#[utoipa::path(
    get,
    path = "/v1/admin/registrations/{id}/proof",
    tag = "admin",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file (PDF, JPEG, PNG or HEIC)", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or no proof", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn admin_get_proof(
    State(state): State<AppState>,
    _admin: AdminKey,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    download(&state, &id, None).await
}
