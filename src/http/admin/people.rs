//! Admin endpoints for people: the manufacturer's view of one person across dealers (found by
//! email or phone, with each dealer's record, consent and registrations), and erasure of a person's
//! personal data, by customer record or by email and phone.

use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::contact::{Email, Phone};
use crate::domain::field::Errors;
use crate::http::AppState;
use crate::http::auth::AdminKey;
use crate::http::body::{Json, Query};
use crate::http::error::{ApiError, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Erased {
    /// The record named in the request (by-id erasure only).
    pub customer_id: Option<Uuid>,
    /// Every record of the person that was erased, at every dealer.
    pub customer_ids: Vec<Uuid>,
    /// The person's emails removed from the outbox (when no SMTP server is configured).
    pub outbox_files_removed: usize,
}

/// Erase a person's personal data: this customer record and every other record of the same person
/// (found by its email and phone, at every dealer). Registrations, consent events, the ledger and
/// statements stay, pointing at pseudonymous customer ids; pending reminders stop.
#[utoipa::path(post, path = "/v1/admin/customers/{id}/erase", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Erased),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn erase_customer(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(id): Path<String>,
) -> Result<axum::Json<Erased>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let erased = crate::workflows::erasure::erase(
        &state.store,
        &state.proof_files,
        &state.config.outbox_dir,
        &state.config.sms_outbox_dir,
        &crate::workflows::erasure::PersonId::Record(id),
        Some(admin.key_id),
        state.clock.now(),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    tracing::info!(customer_id = %id, records = erased.customer_ids.len(), actor_key = %admin.key_id, "customer erased");
    Ok(axum::Json(Erased {
        customer_id: Some(id),
        customer_ids: erased.customer_ids,
        outbox_files_removed: erased.outbox_files_removed,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
}

/// Erase a person found by email and/or phone: every record of them at every dealer.
#[utoipa::path(post, path = "/v1/admin/people/erase", tag = "admin", request_body = EraseRequest,
    responses(
        (status = 200, body = Erased),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody with these identifiers", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither email nor phone, or an invalid one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn erase_person(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Json(req): Json<EraseRequest>,
) -> Result<axum::Json<Erased>, ApiError> {
    let (email, phone) = parse_person_query(&PersonQuery {
        email: req.email,
        phone: req.phone,
    })?;
    let erased = crate::workflows::erasure::erase(
        &state.store,
        &state.proof_files,
        &state.config.outbox_dir,
        &state.config.sms_outbox_dir,
        &crate::workflows::erasure::PersonId::Contact {
            email: email.map(|e| e.as_str().to_owned()),
            phone: phone.map(|p| p.as_str().to_owned()),
        },
        Some(admin.key_id),
        state.clock.now(),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    tracing::info!(records = erased.customer_ids.len(), actor_key = %admin.key_id, "person erased");
    Ok(axum::Json(Erased {
        customer_id: None,
        customer_ids: erased.customer_ids,
        outbox_files_removed: erased.outbox_files_removed,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// The person's email address.
    pub email: Option<String>,
    /// The person's phone number (E.164).
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    /// One record per dealer that captured this person (each dealer sees only its own).
    pub records: Vec<PersonRecordView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRecordView {
    pub customer_id: Uuid,
    /// The dealer that captured this record.
    pub dealer_code: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
    pub consent: PartyConsentView,
    pub registrations: Vec<PersonRegistrationView>,
}

/// Consent per party and purpose (`null`: never asked).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyConsentView {
    pub dealer: DealerConsentView,
    pub manufacturer: ManufacturerConsentView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealerConsentView {
    pub service_reminders: Option<bool>,
    pub marketing: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManufacturerConsentView {
    pub marketing: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRegistrationView {
    pub id: Uuid,
    pub serial_number: String,
    pub sku: String,
    pub purchase_date: chrono::NaiveDate,
    pub status: String,
}

/// The manufacturer's view of one person across dealers, found by email or phone: each dealer's
/// record with its consent and registrations. Only admin keys may ask; no dealer ever sees a record
/// another dealer captured.
#[utoipa::path(get, path = "/v1/admin/people", tag = "admin", params(PersonQuery),
    responses(
        (status = 200, body = PersonView),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither email nor phone, or an invalid one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn person(
    State(state): State<AppState>,
    _: AdminKey,
    Query(query): Query<PersonQuery>,
) -> Result<axum::Json<PersonView>, ApiError> {
    let (ids, _, _) = find(&state, &query).await?;
    let records = state.store.person_records(&ids).await?;
    Ok(axum::Json(PersonView {
        records: records
            .into_iter()
            .map(|r| PersonRecordView {
                customer_id: r.customer_id,
                dealer_code: r.dealer_code,
                name: r.name,
                email: r.email,
                phone: r.phone,
                locale: r.locale,
                country: r.country,
                postal_code: r.postal_code,
                erased_at: r.erased_at,
                consent: PartyConsentView {
                    dealer: DealerConsentView {
                        service_reminders: r.consent.service_reminders,
                        marketing: r.consent.marketing,
                    },
                    manufacturer: ManufacturerConsentView {
                        marketing: r.consent.manufacturer_marketing,
                    },
                },
                registrations: r
                    .registrations
                    .into_iter()
                    .map(|g| PersonRegistrationView {
                        id: g.id,
                        serial_number: g.serial_number,
                        sku: g.sku,
                        purchase_date: g.purchase_date,
                        status: g.status,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// Everything held about one person (a subject-access request), found by email or phone across
/// dealers: their customer records, consent events, registrations, messages, clicks, visits,
/// proofs of purchase, corrections, transfers, units they registered alone, texts they sent in and
/// suppressions. Only admin keys may ask.
#[utoipa::path(get, path = "/v1/admin/people/export", tag = "admin", params(PersonQuery),
    responses(
        (status = 200, body = crate::store::subject_access::SubjectAccess),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing is held about this person", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither email nor phone, or an invalid one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn export_person(
    State(state): State<AppState>,
    admin: AdminKey,
    Query(query): Query<PersonQuery>,
) -> Result<axum::Json<crate::store::subject_access::SubjectAccess>, ApiError> {
    let (ids, email, phone) = find(&state, &query).await?;
    let (email, phone) = (
        email.as_ref().map(Email::as_str),
        phone.as_ref().map(Phone::as_str),
    );
    let held = state.store.subject_access(&ids, email, phone).await?;
    if held.customers.is_empty()
        && held.own_registrations.is_empty()
        && held.texts_received.is_empty()
    {
        return Err(ApiError::NotFound);
    }
    tracing::info!(records = held.customers.len(), actor_key = %admin.0.key_id, "subject-access export");
    Ok(axum::Json(held))
}

/// The customer records of the person the query names, with its email and phone as parsed.
async fn find(
    state: &AppState,
    query: &PersonQuery,
) -> Result<(Vec<Uuid>, Option<Email>, Option<Phone>), ApiError> {
    let (email, phone) = parse_person_query(query)?;
    let ids = state
        .store
        .find_person(
            email.as_ref().map(Email::as_str),
            phone.as_ref().map(Phone::as_str),
        )
        .await?;
    Ok((ids, email, phone))
}

/// An email and/or a phone that identify a person; at least one.
pub fn parse_person_query(query: &PersonQuery) -> Result<(Option<Email>, Option<Phone>), ApiError> {
    let mut e = Errors::default();
    let email = query
        .email
        .as_deref()
        .and_then(|v| e.take("email", Email::parse(v)));
    let phone = query
        .phone
        .as_deref()
        .and_then(|v| e.take("phone", Phone::parse(v)));
    if query.email.is_none() && query.phone.is_none() {
        e.push("email", "required", "give the person's email or phone");
    }
    if !e.is_empty() {
        return Err(ApiError::Validation(e.0));
    }
    Ok((email, phone))
}
