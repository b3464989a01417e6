//! Dealer endpoints for registrations: create (with Idempotency-Key), batch (JSON or CSV), list,
//! read and void. A dealer only ever sees its own registrations; others' are 404.
//!
//! This module holds what the handlers share: the registration as the API shows it
//! (`RegistrationResponse` and its parts, `IncentiveView`) and the JSON answer with its `Location`.
//! The handlers are in `create`, `list` (list and read), `void` and `batch`; the CSV format of a
//! batch is `crate::registration_csv`.

pub mod batch;
pub mod claim;
pub mod correct;
pub mod create;
pub mod list;
pub mod proof;
pub mod transfer;
pub mod void;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{IncentiveLine, RegistrationRecord};

/// Kept here for the dealer pages, which name CSV columns as the batch does.

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
    /// How it arrived: `dealer_api`, `dealer_counter` (the counter page), `owner_qr` (the owner,
    /// through the dealer's QR code) or `owner_web`.
    pub channel: String,
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
    /// Held until a proof of purchase is attached (a rule with `requires_proof`).
    pub awaiting_proof: bool,
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
                    awaiting_proof: l.needs_proof,
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
    /// `email` or `sms`, when the customer said how they prefer to hear from the dealer.
    pub preferred_channel: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    /// Given to the selling dealer.
    pub service_reminders: Option<bool>,
    /// Given to the selling dealer.
    pub marketing: Option<bool>,
    /// Given to the manufacturer (`null`: not asked).
    pub manufacturer_marketing: Option<bool>,
    /// The manufacturer's satisfaction surveys (`null`: not asked).
    pub surveys: Option<bool>,
    /// Registered for safety messages only: nothing else is sent.
    pub safety_only: bool,
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
    /// `email` or `sms`: a step planned for both channels has a reminder for each.
    pub channel: String,
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
            channel: r.channel.clone(),
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
                preferred_channel: r.customer.preferred_channel.clone(),
            },
            consent: r.consent.map(|c| ConsentView {
                service_reminders: c.service_reminders,
                marketing: c.marketing,
                manufacturer_marketing: c.manufacturer_marketing,
                surveys: c.surveys,
                safety_only: r.safety_only,
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
                    channel: m.channel.clone(),
                })
                .collect(),
        }
    }
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
