//! `POST /v1/registrations/batch`: up to 1,000 registrations as a JSON array or CSV
//! (`crate::registration_csv`), each row in its own transaction, with a result per row.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::RegistrationResponse;
use crate::domain::FieldError;
use crate::domain::registration::RegistrationRequest;
use crate::http::AppState;
use crate::http::auth::DealerKey;
use crate::http::body::{
    Body, decode_json_unchecked, is_json, media_type, nul_fields, shape_error,
};
use crate::http::error::{ApiError, Problem};
use crate::registration_csv::{CsvError, check_row_count, csv_field_name, parse_csv};
use crate::store::StoreError;
use crate::workflows::registration::IntakeError;

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    pub created: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub rows: Vec<BatchRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchRow {
    /// 1-based position in the array, or the CSV data row (the header is row 0).
    pub row: usize,
    /// `created`, `duplicate` or `rejected`.
    pub status: String,
    /// The registration's id (`created`), or your existing registration of this serial (`duplicate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration: Option<RegistrationResponse>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Register up to 1,000 units at once.
///
/// A JSON array of registrations, or `text/csv` with a header row naming the columns
/// (`serial_number, sku, purchase_date, delivered_on, installed_on, external_ref, customer_name,
/// customer_email, customer_phone, customer_locale, customer_time_zone, customer_country,
/// customer_postal_code, consent_service_reminders, consent_marketing, consent_manufacturer_marketing`).
/// Each row is stored in its
/// own transaction: a bad row never blocks the good ones. Re-sending a batch is safe: rows already
/// registered by you come back as `duplicate` with their id.
#[utoipa::path(
    post,
    path = "/v1/registrations/batch",
    tag = "registrations",
    request_body(content(
        (Vec<RegistrationRequest> = "application/json"),
        (String = "text/csv")
    )),
    responses(
        (status = 200, description = "Per-row results", body = BatchResult),
        (status = 400, description = "Malformed JSON or CSV", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor CSV", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty batch, too many rows or unknown CSV columns", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn batch_registrations(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<axum::Json<BatchResult>, ApiError> {
    let media = media_type(&headers);
    let is_csv = media.as_deref() == Some("text/csv");
    let rows: Vec<Result<RegistrationRequest, Vec<FieldError>>> = match media.as_deref() {
        m if is_json(m) => {
            let values: Vec<serde_json::Value> = decode_json_unchecked(&body)?;
            check_row_count(values.len())?;
            values
                .into_iter()
                .map(|v| {
                    let unstorable = nul_fields(&v, "");
                    if !unstorable.is_empty() {
                        return Err(unstorable);
                    }
                    serde_path_to_error::deserialize(v).map_err(|e| {
                        vec![shape_error(
                            &e.path().to_string(),
                            &e.into_inner().to_string(),
                        )]
                    })
                })
                .collect()
        }
        Some("text/csv") => parse_csv(&body)?,
        _ => {
            return Err(ApiError::UnsupportedMediaType(
                "send application/json (an array) or text/csv".into(),
            ));
        }
    };
    let mut result = BatchResult {
        created: 0,
        duplicates: 0,
        rejected: 0,
        rows: Vec::with_capacity(rows.len()),
    };
    for (index, row) in rows.into_iter().enumerate() {
        let outcome = match row {
            Err(errors) => Err(IntakeError::Invalid(errors)),
            Ok(req) => state.intake.register_and_commit(&dealer, &req).await,
        };
        let row = index + 1;
        let entry = match outcome {
            Ok(record) => {
                result.created += 1;
                BatchRow {
                    row,
                    status: "created".into(),
                    registration_id: Some(record.id),
                    registration: Some(RegistrationResponse::from(&record)),
                    errors: vec![],
                }
            }
            Err(IntakeError::Duplicate { own }) => {
                result.duplicates += 1;
                let errors = vec![FieldError::new(
                    "serial_number",
                    "already_registered",
                    if own.is_some() {
                        "you have already registered this serial number"
                    } else {
                        "this serial number is already registered"
                    },
                )];
                BatchRow {
                    row,
                    status: "duplicate".into(),
                    registration_id: own,
                    registration: None,
                    errors,
                }
            }
            Err(IntakeError::Invalid(mut errors)) => {
                result.rejected += 1;
                if is_csv {
                    // Name the CSV column, not the JSON path.
                    for e in &mut errors {
                        e.field = csv_field_name(&e.field);
                    }
                }
                BatchRow {
                    row,
                    status: "rejected".into(),
                    registration_id: None,
                    registration: None,
                    errors,
                }
            }
            // The database being unreachable is not the row's fault: stop, the client retries the
            // batch (rows already stored come back as duplicates).
            Err(IntakeError::Store(e @ StoreError::Unavailable(_))) => return Err(e.into()),
            // Anything else the store refused is this row's problem: the other rows go on.
            Err(IntakeError::Store(e)) => {
                tracing::error!(error = %e, row, "batch row not stored");
                result.rejected += 1;
                BatchRow {
                    row,
                    status: "rejected".into(),
                    registration_id: None,
                    registration: None,
                    errors: vec![FieldError::new(
                        "row",
                        "not_stored",
                        "this row could not be stored; the other rows were processed",
                    )],
                }
            }
        };
        result.rows.push(entry);
    }
    tracing::info!(dealer = %dealer.code, created = result.created, duplicates = result.duplicates, rejected = result.rejected, "batch processed");
    Ok(axum::Json(result))
}

/// A refused CSV batch answers as it always has: 400 `malformed` or 422 `validation`.
impl From<CsvError> for ApiError {
    fn from(e: CsvError) -> Self {
        match e {
            CsvError::Malformed(detail) => Self::Malformed(detail),
            CsvError::Validation(errors) => Self::Validation(errors),
        }
    }
}
