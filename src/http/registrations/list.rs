//! `GET /v1/registrations` (a dealer's registrations, page by page, with a keyset cursor over last
//! change and id) and `GET /v1/registrations/{id}` (one of them with its reminders).

use axum::extract::{Path, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::RegistrationResponse;
use crate::domain::FieldError;
use crate::http::AppState;
use crate::http::auth::DealerKey;
use crate::http::body::Query;
use crate::http::error::{ApiError, Problem};
use crate::store::ListFilter;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only registrations changed at or after this instant (RFC 3339).
    pub updated_since: Option<String>,
    /// `active` or `voided`.
    pub status: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationPage {
    pub items: Vec<RegistrationResponse>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn encode_cursor(updated_at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}|{id}",
        updated_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    ))
}

fn decode_cursor(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (at, id) = raw.split_once('|')?;
    Some((
        DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id.parse().ok()?,
    ))
}

/// List own registrations.
///
/// Ordered by last change then id, so that a client can sync with `updated_since` and follow
/// `next_cursor` until it is absent.
#[utoipa::path(
    get,
    path = "/v1/registrations",
    tag = "registrations",
    params(ListParams),
    responses(
        (status = 200, description = "A page of registrations", body = RegistrationPage),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn list_registrations(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Query(params): Query<ListParams>,
) -> Result<axum::Json<RegistrationPage>, ApiError> {
    let mut errors = Vec::new();
    let limit = match params.limit.as_deref().map(str::parse::<i64>) {
        None => 50,
        Some(Ok(n)) if (1..=200).contains(&n) => n,
        Some(_) => {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                "must be an integer from 1 to 200",
            ));
            50
        }
    };
    let updated_since =
        params
            .updated_since
            .as_deref()
            .and_then(|s| match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => {
                    errors.push(FieldError::new(
                        "updated_since",
                        "invalid_timestamp",
                        "must be an RFC 3339 timestamp",
                    ));
                    None
                }
            });
    let after = params.cursor.as_deref().and_then(|c| {
        let decoded = decode_cursor(c);
        if decoded.is_none() {
            errors.push(FieldError::new(
                "cursor",
                "invalid_cursor",
                "must be a next_cursor value from a previous page",
            ));
        }
        decoded
    });
    if let Some(status) = &params.status
        && !matches!(status.as_str(), "active" | "voided")
    {
        errors.push(FieldError::new(
            "status",
            "invalid_status",
            "must be active or voided",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // One extra row tells whether another page exists.
    let filter = ListFilter {
        updated_since,
        after,
        status: params.status,
        limit: limit + 1,
    };
    let mut records = state.store.list_registrations(dealer.id, &filter).await?;
    let more = records.len() as i64 > limit;
    records.truncate(limit as usize);
    let next_cursor = more
        .then(|| records.last().map(|r| encode_cursor(r.updated_at, r.id)))
        .flatten();
    Ok(axum::Json(RegistrationPage {
        items: records.iter().map(RegistrationResponse::from).collect(),
        next_cursor,
    }))
}

/// Read one own registration with its reminders.
#[utoipa::path(
    get,
    path = "/v1/registrations/{id}",
    tag = "registrations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The registration", body = RegistrationResponse, headers(("ETag" = String, description = "Its version, for If-Match on a correction"))),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration of this dealer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn get_registration(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = state
        .store
        .registration_for_dealer(dealer.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(super::correct::with_etag(&record))
}
