//! Admin endpoints for API keys: create a dealer's key or a staff (admin, finance) key, shown once;
//! list keys (never their secrets); revoke one. Keys are made by `crate::keys::issue_key`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::field::clean_text;
use crate::http::AppState;
use crate::http::auth::AdminKey;
use crate::http::body::{Body, Json, optional_json};
use crate::http::error::{ApiError, Problem};
use crate::keys::{self, IssuedKey, Role};
use crate::store::{DealerRecord, KeyRecord, StoreError};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealerKeyRequest {
    /// What the key is for, e.g. "counter PC 2".
    pub label: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffKeyRequest {
    /// `admin` or `finance`.
    pub role: String,
    pub label: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyResponse {
    pub id: Uuid,
    /// The public part of the key, to recognize it in lists.
    pub prefix: String,
    pub role: String,
    pub dealer_code: Option<String>,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewKeyResponse {
    /// The key itself. It is shown this once and cannot be recovered.
    pub key: String,
    #[serde(flatten)]
    pub details: KeyResponse,
}

impl From<KeyRecord> for KeyResponse {
    fn from(k: KeyRecord) -> Self {
        Self {
            id: k.id,
            prefix: k.prefix,
            role: k.role,
            dealer_code: k.dealer_code,
            label: k.label,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

impl From<IssuedKey> for NewKeyResponse {
    fn from(k: IssuedKey) -> Self {
        Self {
            key: k.plaintext,
            details: KeyResponse {
                id: k.stored.id,
                prefix: k.stored.prefix,
                role: k.stored.role,
                dealer_code: k.dealer_code,
                label: k.stored.label,
                created_at: k.created_at,
                revoked_at: None,
            },
        }
    }
}

fn parse_label(label: Option<&str>) -> Result<Option<String>, ApiError> {
    label
        .map(|l| {
            clean_text(l, 100).map_err(|(code, message)| ApiError::field("label", code, message))
        })
        .transpose()
}

/// `crate::keys::issue_key` at the state's clock, as the API shows the new key (used by the
/// handlers below and by the CLI).
pub async fn issue_key(
    state: &AppState,
    role: Role,
    dealer: Option<&DealerRecord>,
    label: Option<String>,
) -> Result<NewKeyResponse, StoreError> {
    let issued = keys::issue_key(&state.store, role, dealer, label, state.clock.now()).await?;
    Ok(issued.into())
}

/// Create a key for a dealer.
#[utoipa::path(
    post,
    path = "/v1/admin/dealers/{code}/keys",
    tag = "admin",
    params(("code" = String, Path)),
    request_body(content = Option<DealerKeyRequest>),
    responses(
        (status = 201, description = "The new key, shown once", body = NewKeyResponse),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dealer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn create_dealer_key(
    State(state): State<AppState>,
    _: AdminKey,
    Path(code): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<(StatusCode, axum::Json<NewKeyResponse>), ApiError> {
    let req: DealerKeyRequest = optional_json(&headers, &body)?.unwrap_or_default();
    let dealer = state
        .store
        .dealer_by_code(&code)
        .await?
        .ok_or(ApiError::NotFound)?;
    let label = parse_label(req.label.as_deref())?;
    let created = issue_key(&state, Role::Dealer, Some(&dealer), label).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Create an admin or finance key.
#[utoipa::path(
    post,
    path = "/v1/admin/keys",
    tag = "admin",
    request_body = StaffKeyRequest,
    responses(
        (status = 201, description = "The new key, shown once", body = NewKeyResponse),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn create_staff_key(
    State(state): State<AppState>,
    _: AdminKey,
    Json(req): Json<StaffKeyRequest>,
) -> Result<(StatusCode, axum::Json<NewKeyResponse>), ApiError> {
    let role = match Role::parse(&req.role) {
        Some(role @ (Role::Admin | Role::Finance)) => role,
        _ => {
            return Err(ApiError::field(
                "role",
                "invalid_role",
                "must be admin or finance (dealer keys are created per dealer)",
            ));
        }
    };
    let label = parse_label(req.label.as_deref())?;
    Ok((
        StatusCode::CREATED,
        axum::Json(issue_key(&state, role, None, label).await?),
    ))
}

/// List keys (never their secrets).
#[utoipa::path(get, path = "/v1/admin/keys", tag = "admin",
    responses((status = 200, body = Vec<KeyResponse>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list_keys(
    State(state): State<AppState>,
    _: AdminKey,
) -> Result<axum::Json<Vec<KeyResponse>>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .list_keys()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Revoke a key; it stops working at once.
#[utoipa::path(post, path = "/v1/admin/keys/{id}/revoke", tag = "admin", params(("id" = Uuid, Path)),
    responses((status = 200, body = KeyResponse), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(id): Path<String>,
) -> Result<axum::Json<KeyResponse>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = state.store.revoke_key(id, state.clock.now()).await?;
    tracing::info!(key_id = %id, actor_key = %admin.key_id, "key revoked");
    Ok(axum::Json(record.into()))
}
