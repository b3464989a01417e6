//! Admin endpoints for dealers: create or update a dealer's profile (checked by `parse_dealer`,
//! which the CLI uses too), including its authorization to service units other dealers sold;
//! list and read dealers. A changed send window re-plans the dealer's pending reminders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::catalog_input::{DealerRequest, ServicingRequest, parse_dealer};
use crate::http::AppState;
use crate::http::auth::AdminKey;
use crate::http::body::Json;
use crate::http::error::{ApiError, Problem};
use crate::store::DealerRecord;

#[derive(Debug, Serialize, ToSchema)]
pub struct DealerResponse {
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub time_zone: String,
    pub country: Option<String>,
    pub booking_url: Option<String>,
    pub address: Option<String>,
    pub send_window: Option<String>,
    pub active: bool,
    /// Its authorization to service units other dealers sold (`null`: only its own).
    pub authorized_servicer: Option<ServicingRequest>,
    /// `auto`, `email`, `sms` or `both` (`null`: the product's choice).
    pub message_channels: Option<String>,
    /// The sender of its customers' texts (`null`: the deployment's).
    pub sms_sender_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DealerRecord> for DealerResponse {
    fn from(d: DealerRecord) -> Self {
        Self {
            code: d.code,
            name: d.name,
            email: d.email,
            phone: d.phone,
            locale: d.locale,
            time_zone: d.time_zone,
            country: d.country,
            booking_url: d.booking_url,
            address: d.address,
            send_window: d.send_window,
            active: d.active,
            authorized_servicer: d
                .authorized_servicer
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            message_channels: d.message_channels,
            sms_sender_id: d.sms_sender_id,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// Create or update a dealer.
#[utoipa::path(
    put,
    path = "/v1/admin/dealers/{code}",
    tag = "admin",
    params(("code" = String, Path)),
    request_body = DealerRequest,
    responses(
        (status = 200, description = "Updated", body = DealerResponse),
        (status = 201, description = "Created", body = DealerResponse),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn put_dealer(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(code): Path<String>,
    Json(req): Json<DealerRequest>,
) -> Result<(StatusCode, axum::Json<DealerResponse>), ApiError> {
    let (record, created) = save_dealer(&state, &code, &req, Some(admin.key_id)).await?;
    tracing::info!(dealer = %record.code, created, actor_key = %admin.key_id, "dealer saved");
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        axum::Json(record.into()),
    ))
}

/// List dealers.
#[utoipa::path(get, path = "/v1/admin/dealers", tag = "admin",
    responses((status = 200, body = Vec<DealerResponse>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list_dealers(
    State(state): State<AppState>,
    _: AdminKey,
) -> Result<axum::Json<Vec<DealerResponse>>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .list_dealers()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Read a dealer.
#[utoipa::path(get, path = "/v1/admin/dealers/{code}", tag = "admin", params(("code" = String, Path)),
    responses((status = 200, body = DealerResponse), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get_dealer(
    State(state): State<AppState>,
    _: AdminKey,
    Path(code): Path<String>,
) -> Result<axum::Json<DealerResponse>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .dealer_by_code(&code)
            .await?
            .ok_or(ApiError::NotFound)?
            .into(),
    ))
}

/// Creates or updates a dealer (the API and the admin pages): a changed send window of the
/// dealer's own re-plans every reminder not yet sent.
pub async fn save_dealer(
    state: &AppState,
    code: &str,
    req: &DealerRequest,
    actor: Option<uuid::Uuid>,
) -> Result<(crate::store::DealerRecord, bool), ApiError> {
    let dealer = parse_dealer(code, req).map_err(ApiError::Validation)?;
    let before = state.store.dealer_by_code(code).await?;
    let now = state.clock.now();
    let (record, created) = state.store.upsert_dealer(&dealer, actor, now).await?;
    if let Some(before) = before
        && before.send_window != record.send_window
    {
        let replanned = crate::jobs::upkeep::replan_pending(
            &state.store,
            &state.settings.reminders.window,
            Some(record.id),
            now,
        )
        .await?;
        tracing::info!(dealer = %record.code, reminders = replanned, "dealer send window changed: reminders re-planned");
    }
    Ok((record, created))
}
