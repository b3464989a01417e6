//! `POST /v1/registrations`: one registration, made safe to retry by an `Idempotency-Key` (the same
//! key and body replay the first answer; the answer is saved in the registration's transaction).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::{RegistrationResponse, json_response};
use crate::domain::registration::RegistrationRequest;
use crate::http::AppState;
use crate::http::auth::DealerKey;
use crate::http::body::{Body, decode_json, is_json, media_type};
use crate::http::error::{ApiError, Problem};
use crate::store::{IdempotencyBegin, RegistrationRecord};
use crate::workflows::registration::IntakeError;

fn created(record: &RegistrationRecord) -> (u16, String) {
    (
        201,
        serde_json::to_string(&RegistrationResponse::from(record)).expect("serializes"),
    )
}

/// Reads and checks the Idempotency-Key header: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()));
    key.map(|k| Some(k.to_owned())).ok_or_else(|| {
        ApiError::field(
            "Idempotency-Key",
            "invalid",
            "must be 1 to 255 visible ASCII characters",
        )
    })
}

/// A hash of the request's meaning: the JSON value with keys sorted, so whitespace and key order
/// do not make a retry "different".
fn request_hash(body: &[u8]) -> Result<String, ApiError> {
    let value: serde_json::Value = decode_json(body)?;
    Ok(hex::encode(Sha256::digest(
        serde_json::to_vec(&value).expect("value serializes"),
    )))
}

/// Register a unit.
///
/// Stores the registration, its customer, its planned reminders and the consent given, in one
/// transaction. With an `Idempotency-Key`, a retry of the same body replays the first answer.
#[utoipa::path(
    post,
    path = "/v1/registrations",
    tag = "registrations",
    request_body = RegistrationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    responses(
        (status = 201, description = "Registered", body = RegistrationResponse, headers(("Location" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Serial already registered, or the same Idempotency-Key is in flight", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn create_registration(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    if !is_json(media_type(&headers).as_deref()) {
        return Err(ApiError::UnsupportedMediaType(
            "send the registration as application/json".into(),
        ));
    }
    let key = idempotency_key(&headers)?;
    let req: RegistrationRequest = decode_json(&body)?;
    let Some(key) = key else {
        let record = state.intake.register_and_commit(&dealer, &req).await?;
        let (status, body) = created(&record);
        return Ok(json_response(status, body, Some(record.id)));
    };
    let hash = request_hash(&body)?;
    match state
        .store
        .idempotency_begin(dealer.id, &key, &hash, state.clock.now())
        .await?
    {
        IdempotencyBegin::Replay { status, body } => {
            let location = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    v.get("id")
                        .and_then(|id| id.as_str())
                        .and_then(|id| id.parse().ok())
                });
            let mut response = json_response(status, body, location);
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        IdempotencyBegin::Mismatch => Err(ApiError::IdempotencyMismatch),
        IdempotencyBegin::InFlight => Err(ApiError::Conflict {
            code: "idempotency-key-in-flight",
            detail: "a request with this Idempotency-Key is still being processed; retry shortly"
                .into(),
            existing_registration_id: None,
        }),
        IdempotencyBegin::Claimed => {
            // Claim → register → save the answer in the registration's transaction → commit.
            let registered = async {
                let mut registered = state.intake.register(&dealer, &req).await?;
                let (status, body) = created(&registered.record);
                registered
                    .save_answer(dealer.id, &key, status, &body)
                    .await?;
                let record = registered.commit().await?;
                Ok::<_, IntakeError>((record.id, status, body))
            };
            match registered.await {
                Ok((id, status, body)) => Ok(json_response(status, body, Some(id))),
                Err(e) => {
                    // Nothing was stored: free the key so a corrected retry can use it.
                    if let Err(release) = state.store.idempotency_release(dealer.id, &key).await {
                        tracing::warn!(error = %release, "could not release idempotency key");
                    }
                    Err(e.into())
                }
            }
        }
    }
}
