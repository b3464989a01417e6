//! Admin endpoints for incentive programs: create or change one (each change is a new version;
//! entries already made keep the version that produced them) and read every version of one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::admin::check_code;
use super::auth::AdminKey;
use super::body::Json;
use super::error::{ApiError, Problem};
use crate::domain::incentives::ProgramDefinition;
use crate::workflows::ledger;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramView {
    pub id: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub definition: ProgramDefinition,
}

/// Create or change an incentive program. A change creates a new version; entries already made keep
/// the version that produced them.
#[utoipa::path(put, path = "/v1/admin/programs/{id}", tag = "admin", params(("id" = String, Path)), request_body = ProgramDefinition,
    responses((status = 200, description = "Unchanged or new version", body = ProgramView), (status = 201, description = "Created", body = ProgramView),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn put_program(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(id): Path<String>,
    Json(definition): Json<ProgramDefinition>,
) -> Result<(StatusCode, axum::Json<ProgramView>), ApiError> {
    check_code("id", &id)?;
    definition.validate().map_err(ApiError::Validation)?;
    let json = serde_json::to_string(&definition).expect("serializes");
    let now = state.clock.now();
    let (version, changed) =
        ledger::save_program(&state.store, &id, &json, Some(admin.key_id), now).await?;
    tracing::info!(program = %id, version, changed, "program saved");
    let status = if changed && version == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let created_at = state
        .store
        .program_versions(&id)
        .await?
        .last()
        .map_or(now, |v| v.created_at);
    Ok((
        status,
        axum::Json(ProgramView {
            id,
            version,
            created_at,
            definition,
        }),
    ))
}

/// Every version of a program, oldest first.
#[utoipa::path(get, path = "/v1/admin/programs/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ProgramView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get_program(
    State(state): State<AppState>,
    _: AdminKey,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<ProgramView>>, ApiError> {
    let versions = state.store.program_versions(&id).await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound);
    }
    let views = versions
        .into_iter()
        .map(|v| {
            let definition = serde_json::from_str(&v.definition).map_err(ApiError::internal)?;
            Ok(ProgramView {
                id: v.program_id,
                version: v.version,
                created_at: v.created_at,
                definition,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(axum::Json(views))
}
