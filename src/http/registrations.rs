//! Dealer endpoints for registrations: create (with Idempotency-Key), batch (JSON or CSV), list,
//! read and void. A dealer only ever sees its own registrations; others' are 404.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::auth::DealerKey;
use super::body::{
    Body, Query, decode_json, decode_json_unchecked, is_json, media_type, nul_fields,
    optional_json, shape_error,
};
use super::error::{ApiError, Problem};
use crate::domain::FieldError;
use crate::domain::field::clean_text;
use crate::domain::registration::{ConsentRequest, CustomerRequest, RegistrationRequest};
use crate::workflows::registration::IntakeError;
use crate::store::IncentiveLine;
use crate::store::{IdempotencyBegin, ListFilter, RegistrationRecord, StoreError};

pub const MAX_BATCH_ROWS: usize = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationResponse {
    pub id: Uuid,
    /// Normalized: upper case, separators removed.
    pub serial_number: String,
    /// The serial as it was typed, as people are shown it.
    pub serial_number_as_typed: String,
    pub sku: String,
    pub purchase_date: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub external_ref: Option<String>,
    pub warranty_starts_on: NaiveDate,
    /// `purchase`, `delivery` or `installation`: the event the warranty runs from.
    pub warranty_start_basis: String,
    /// The last day covered.
    pub warranty_expires_on: NaiveDate,
    /// `active` or `voided`.
    pub status: String,
    pub void_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub customer: CustomerView,
    /// The customer's current consent, derived from the consent log (on single reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentView>,
    pub reminders: Vec<ReminderView>,
    /// What the registration earned for the dealer (on single reads and creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incentive: Option<IncentiveView>,
}

/// The dealer's incentive for a registration: the total, and one line per program rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncentiveView {
    /// Sum of the lines in the first line's currency, held amounts included.
    pub amount_minor: i64,
    /// ISO 4217; absent when no program applies.
    pub currency: Option<String>,
    /// Whether any program pays for this registration.
    pub eligible: bool,
    /// `no_program`, `held_until_verified`, `capped`, `on_time`, `clawed_back`.
    pub reasons: Vec<String>,
    pub lines: Vec<IncentiveLineView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncentiveLineView {
    pub program_id: String,
    pub program_version: i32,
    pub rule_id: String,
    /// `registration`, `on_time_bonus`, `clawback`.
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Held until the customer confirms the registration; not owed yet.
    pub held: bool,
    pub reason: Option<String>,
}

impl IncentiveView {
    pub fn from_lines(lines: &[IncentiveLine]) -> Self {
        let currency = lines.first().map(|l| l.currency.clone());
        let mut reasons = Vec::new();
        let mut reason = |r: &str| {
            if !reasons.iter().any(|x: &String| x == r) {
                reasons.push(r.to_owned());
            }
        };
        if lines.is_empty() {
            reason("no_program");
        }
        for line in lines {
            if line.held {
                reason("held_until_verified");
            }
            if line.reason.as_deref() == Some("capped") {
                reason("capped");
            }
            if line.kind == "on_time_bonus" {
                reason("on_time");
            }
            if line.kind == "clawback" {
                reason("clawed_back");
            }
        }
        Self {
            amount_minor: lines
                .iter()
                .filter(|l| Some(&l.currency) == currency.as_ref())
                .map(|l| l.amount_minor)
                .sum(),
            eligible: !lines.is_empty(),
            currency,
            reasons,
            lines: lines
                .iter()
                .map(|l| IncentiveLineView {
                    program_id: l.program_id.clone(),
                    program_version: l.program_version,
                    rule_id: l.rule_id.clone(),
                    kind: l.kind.clone(),
                    amount_minor: l.amount_minor,
                    currency: l.currency.clone(),
                    held: l.held,
                    reason: l.reason.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub time_zone: String,
    pub country: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    /// Given to the selling dealer.
    pub service_reminders: Option<bool>,
    /// Given to the selling dealer.
    pub marketing: Option<bool>,
    /// Given to the manufacturer (`null`: not asked).
    pub manufacturer_marketing: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderView {
    pub id: Uuid,
    /// `registration_confirmation`, `service_due` or `warranty_expiring`.
    pub kind: String,
    /// The service-plan step for `service_due` (1-based), else 0.
    pub occurrence: i32,
    /// The date the reminder is about, in the customer's calendar.
    pub nominal_date: NaiveDate,
    /// When it will be sent: the first send-window slot on or after the nominal date, in the customer's time zone.
    pub due_at: DateTime<Utc>,
    /// `pending`, `skipped` (too late when registered) or `cancelled` (voided).
    pub status: String,
}

impl From<&RegistrationRecord> for RegistrationResponse {
    fn from(r: &RegistrationRecord) -> Self {
        Self {
            id: r.id,
            serial_number: r.serial_number.clone(),
            serial_number_as_typed: r
                .serial_display
                .clone()
                .unwrap_or_else(|| r.serial_number.clone()),
            sku: r.sku.clone(),
            purchase_date: r.purchase_date,
            delivered_on: r.delivered_on,
            installed_on: r.installed_on,
            external_ref: r.external_ref.clone(),
            warranty_starts_on: r.warranty_starts_on,
            warranty_start_basis: r.warranty_start_basis.clone(),
            warranty_expires_on: r.warranty_expires_on,
            status: r.status.clone(),
            void_reason: r.void_reason.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            voided_at: r.voided_at,
            customer: CustomerView {
                name: r.customer.name.clone(),
                email: r.customer.email.clone(),
                phone: r.customer.phone.clone(),
                locale: r.customer.locale.clone(),
                time_zone: r.customer.time_zone.clone(),
                country: r.customer.country.clone(),
                postal_code: r.customer.postal_code.clone(),
            },
            consent: r.consent.map(|c| ConsentView {
                service_reminders: c.service_reminders,
                marketing: c.marketing,
                manufacturer_marketing: c.manufacturer_marketing,
            }),
            incentive: r.incentive.as_deref().map(IncentiveView::from_lines),
            reminders: r
                .reminders
                .iter()
                .map(|m| ReminderView {
                    id: m.id,
                    kind: m.kind.clone(),
                    occurrence: m.occurrence,
                    nominal_date: m.nominal_date,
                    due_at: m.due_at,
                    status: m.status.clone(),
                })
                .collect(),
        }
    }
}

fn created(record: &RegistrationRecord) -> (u16, String) {
    (
        201,
        serde_json::to_string(&RegistrationResponse::from(record)).expect("serializes"),
    )
}

fn json_response(status: u16, body: String, location: Option<Uuid>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(id) = location
        && let Ok(value) = HeaderValue::from_str(&format!("/v1/registrations/{id}"))
    {
        headers.insert(header::LOCATION, value);
    }
    response
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
        (status = 200, description = "The registration", body = RegistrationResponse),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration of this dealer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn get_registration(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Path(id): Path<String>,
) -> Result<axum::Json<RegistrationResponse>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = state
        .store
        .registration_for_dealer(dealer.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(RegistrationResponse::from(&record)))
}

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
        .void(dealer.id, id, reason.as_deref())
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(registration_id = %record.id, status = %record.status, "registration voided");
    Ok(axum::Json(RegistrationResponse::from(&record)))
}

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

/// The CSV columns of a batch, in any order; unknown columns are refused.
pub const CSV_COLUMNS: [&str; 16] = [
    "serial_number",
    "sku",
    "purchase_date",
    "delivered_on",
    "installed_on",
    "external_ref",
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_locale",
    "customer_time_zone",
    "customer_country",
    "customer_postal_code",
    "consent_service_reminders",
    "consent_marketing",
    "consent_manufacturer_marketing",
];

/// Columns `warrantyd export registrations` writes beside the registration's own, which a batch
/// or an import accepts and ignores, so that an export imports again.
pub const EXPORT_ONLY_COLUMNS: [&str; 5] = [
    "id",
    "dealer_code",
    "warranty_expires_on",
    "status",
    "created_at",
];

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

fn check_row_count(n: usize) -> Result<(), ApiError> {
    match n {
        0 => Err(ApiError::field("rows", "empty", "the batch has no rows")),
        n if n > MAX_BATCH_ROWS => Err(ApiError::field(
            "rows",
            "too_many_rows",
            format!("at most {MAX_BATCH_ROWS} rows per batch, got {n}"),
        )),
        _ => Ok(()),
    }
}

/// Parses a CSV batch; structural problems (header, row count) refuse the whole batch, a bad value
/// only its row.
pub fn parse_csv(
    body: &[u8],
) -> Result<Vec<Result<RegistrationRequest, Vec<FieldError>>>, ApiError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body); // spreadsheet BOM
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body);
    let header = csv_header(&mut reader)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        if rows.len() >= MAX_BATCH_ROWS {
            return Err(ApiError::field(
                "rows",
                "too_many_rows",
                format!("at most {MAX_BATCH_ROWS} rows per batch"),
            ));
        }
        rows.push(csv_row(&header, record));
    }
    check_row_count(rows.len())?;
    Ok(rows)
}

/// Reads and checks the header row: known columns (see `CSV_COLUMNS`), each at most once.
pub fn csv_header<R: std::io::Read>(reader: &mut csv::Reader<R>) -> Result<Vec<String>, ApiError> {
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::Malformed(format!("the CSV header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut errors = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if !CSV_COLUMNS.contains(&name.as_str()) && !EXPORT_ONLY_COLUMNS.contains(&name.as_str()) {
            errors.push(FieldError::new(
                format!("columns[{i}]"),
                "unknown_column",
                format!("unknown column {name:?}"),
            ));
        } else if header[..i].contains(name) {
            errors.push(FieldError::new(
                format!("columns[{i}]"),
                "duplicate_column",
                format!("column {name:?} appears twice"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(header)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// One CSV row as a registration request (errors name the CSV columns).
pub fn csv_row(
    header: &[String],
    record: csv::Result<csv::StringRecord>,
) -> Result<RegistrationRequest, Vec<FieldError>> {
    let record = record.map_err(|e| {
        vec![FieldError::new(
            "row",
            "unreadable",
            format!("the row cannot be read: {e}"),
        )]
    })?;
    if record.len() != header.len() {
        return Err(vec![FieldError::new(
            "row",
            "wrong_column_count",
            format!("has {} values for {} columns", record.len(), header.len()),
        )]);
    }
    let unstorable: Vec<FieldError> = header
        .iter()
        .zip(record.iter())
        .filter(|(_, value)| value.contains('\0'))
        .map(|(name, _)| FieldError::new(name, "invalid_text", "must not contain a NUL character"))
        .collect();
    if !unstorable.is_empty() {
        return Err(unstorable);
    }
    let get = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            // An exported cell neutralized against spreadsheet formulas imports as it was.
            .map(|i| crate::csv_safe::restore(&record[i]).to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut errors = Vec::new();
    let mut flag = |name: &str| match get(name).map(|v| v.to_ascii_lowercase()) {
        None => None,
        Some(v) if matches!(v.as_str(), "true" | "yes" | "y" | "1") => Some(true),
        Some(v) if matches!(v.as_str(), "false" | "no" | "n" | "0") => Some(false),
        Some(_) => {
            errors.push(FieldError::new(
                name,
                "invalid_boolean",
                "must be true or false",
            ));
            None
        }
    };
    let consent = ConsentRequest {
        service_reminders: flag("consent_service_reminders"),
        marketing: flag("consent_marketing"),
        manufacturer_marketing: flag("consent_manufacturer_marketing"),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RegistrationRequest {
        serial_number: get("serial_number"),
        sku: get("sku"),
        purchase_date: get("purchase_date"),
        delivered_on: get("delivered_on"),
        installed_on: get("installed_on"),
        external_ref: get("external_ref"),
        customer: Some(CustomerRequest {
            name: get("customer_name"),
            email: get("customer_email"),
            phone: get("customer_phone"),
            locale: get("customer_locale"),
            time_zone: get("customer_time_zone"),
            country: get("customer_country"),
            postal_code: get("customer_postal_code"),
        }),
        consent: Some(consent),
    })
}

/// JSON paths of registration fields as CSV column names.
pub fn csv_field_name(field: &str) -> String {
    field
        .replace("customer.", "customer_")
        .replace("consent.", "consent_")
}
