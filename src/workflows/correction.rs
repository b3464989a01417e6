//! Correcting a registration without voiding it: the customer's details, the purchase, delivery
//! and installation dates, the reference. In one transaction, with the registration locked:
//! the corrected facts pass the same validation as a new registration; the reminders not sent yet
//! are planned again from them (sent ones stay); when what the registration earns changes, its
//! earnings are reversed and accrued again (never edited); the correction is kept as an event with
//! who, when, before and after. A dealer corrects its own registrations within
//! `correction_days` of registering them; an admin corrects any, at any time.

use chrono::Duration;
use uuid::Uuid;

use super::DealerContext;
use super::registration::{Intake, product_terms};
use crate::domain::contact::{Locale, TimeZone};
use crate::domain::field::FieldError;
use crate::domain::ledger::AccountingMonth;
use crate::domain::registration::{
    ConsentRequest, CustomerRequest, NewRegistration, RegistrationContext, RegistrationRequest,
};
use crate::store::registrations;
use crate::store::{RegistrationRecord, StoreError, entries};

/// What may be corrected; an absent field stays as it is, an empty one is cleared (where it may
/// be empty).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    #[schema(format = Date)]
    pub purchase_date: Option<String>,
    #[schema(format = Date)]
    pub delivered_on: Option<String>,
    #[schema(format = Date)]
    pub installed_on: Option<String>,
    pub external_ref: Option<String>,
    pub customer: Option<CustomerCorrection>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerCorrection {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    /// `email` or `sms` (the customer must have that contact); empty removes the preference.
    #[serde(default)]
    pub preferred_channel: Option<String>,
}

/// Who corrects.
pub enum Corrector<'a> {
    /// The selling dealer (its own registrations, within the window).
    Dealer(&'a DealerContext),
    /// The manufacturer's admin (any registration, any time).
    Admin { actor: Option<Uuid> },
}

#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    #[error("no such registration")]
    NotFound,
    #[error("a voided registration cannot be corrected")]
    Voided,
    #[error("registrations can be corrected within {0} days of registering them")]
    TooLate(i64),
    /// `If-Match` names another version.
    #[error("the registration changed since it was read")]
    Stale,
    #[error("invalid correction")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The version of a registration a client read (its ETag): a digest of its correctable facts,
/// its status and its last change, so any correction or void gives a new one.
pub fn etag(record: &RegistrationRecord) -> String {
    use sha2::{Digest, Sha256};
    let seen = format!(
        "{}|{}|{}",
        facts(record),
        record.status,
        record.updated_at.timestamp_micros()
    );
    format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(seen.as_bytes()))[..20]
    )
}

/// `old`, or the correction: `Some("")` clears it.
fn merged(old: Option<String>, new: Option<&String>) -> Option<String> {
    match new {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.clone()),
        None => old,
    }
}

/// The facts a client sees before and after.
fn facts(r: &RegistrationRecord) -> serde_json::Value {
    serde_json::json!({
        "purchase_date": r.purchase_date, "delivered_on": r.delivered_on, "installed_on": r.installed_on,
        "warranty_starts_on": r.warranty_starts_on, "warranty_expires_on": r.warranty_expires_on,
        "external_ref": r.external_ref,
        "customer": {"name": r.customer.name, "email": r.customer.email, "phone": r.customer.phone,
            "locale": r.customer.locale, "country": r.customer.country, "postal_code": r.customer.postal_code,
            "preferred_channel": r.customer.preferred_channel},
    })
}

impl Intake {
    /// Corrects a registration; returns it as it is now.
    pub async fn correct(
        &self,
        who: Corrector<'_>,
        id: Uuid,
        if_match: Option<&str>,
        req: &CorrectionRequest,
    ) -> Result<RegistrationRecord, CorrectionError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        let Some(mut record) = registrations::lock_for_correction(&mut tx, id).await? else {
            return Err(CorrectionError::NotFound);
        };
        let actor = match who {
            Corrector::Dealer(dealer) => {
                if record.dealer_id != dealer.id {
                    return Err(CorrectionError::NotFound);
                }
                let days = self.settings.correction_days;
                if now > record.created_at + Duration::days(days) {
                    return Err(CorrectionError::TooLate(days));
                }
                dealer.actor
            }
            Corrector::Admin { actor } => actor,
        };
        if record.status != "active" {
            return Err(CorrectionError::Voided);
        }
        if if_match.is_some_and(|tag| tag.trim() != "*" && tag.trim() != etag(&record)) {
            return Err(CorrectionError::Stale);
        }
        let dealer = self
            .store
            .dealer_by_id(record.dealer_id)
            .await?
            .ok_or(CorrectionError::NotFound)?;
        let (product, programs) = self
            .store
            .product_and_programs(&record.sku)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("product {}", record.sku)))?;
        let terms = product_terms(&product)?;
        let dealer_tz = TimeZone(TimeZone::stored(&dealer.time_zone));
        let ctx = RegistrationContext {
            dealer_locale: Locale::parse(&dealer.locale)
                .map_err(|_| StoreError::Corrupt("dealer locale".into()))?,
            dealer_time_zone: dealer_tz,
            today: now.with_timezone(&dealer_tz.0).date_naive(),
        };
        let c = req.customer.clone().unwrap_or_default();
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        // The registration as it would be sent now, with the corrections: the same validation.
        let full = RegistrationRequest {
            serial_number: Some(record.serial_number.clone()),
            sku: Some(record.sku.clone()),
            purchase_date: merged(date(Some(record.purchase_date)), req.purchase_date.as_ref()),
            delivered_on: merged(date(record.delivered_on), req.delivered_on.as_ref()),
            installed_on: merged(date(record.installed_on), req.installed_on.as_ref()),
            external_ref: merged(record.external_ref.clone(), req.external_ref.as_ref()),
            customer: Some(CustomerRequest {
                // A preference kept from before goes with the contact it needs.
                preferred_channel: match (
                    merged(
                        record.customer.preferred_channel.clone(),
                        c.preferred_channel.as_ref(),
                    ),
                    c.preferred_channel.is_some(),
                ) {
                    (Some(p), false)
                        if (p == "sms"
                            && merged(record.customer.phone.clone(), c.phone.as_ref())
                                .is_none())
                            || (p == "email"
                                && merged(record.customer.email.clone(), c.email.as_ref())
                                    .is_none()) =>
                    {
                        None
                    }
                    (p, _) => p,
                },
                name: merged(record.customer.name.clone(), c.name.as_ref()),
                email: merged(record.customer.email.clone(), c.email.as_ref()),
                phone: merged(record.customer.phone.clone(), c.phone.as_ref()),
                locale: merged(Some(record.customer.locale.clone()), c.locale.as_ref()),
                time_zone: Some(record.customer.time_zone.clone()),
                country: merged(record.customer.country.clone(), c.country.as_ref()),
                postal_code: merged(record.customer.postal_code.clone(), c.postal_code.as_ref()),
            }),
            // Consent is the customer's to change, not a correction's: kept as it is.
            consent: Some(ConsentRequest {
                surveys: None,
                safety_only: Some(record.safety_only),
                service_reminders: Some(false),
                marketing: Some(false),
                manufacturer_marketing: None,
            }),
        };
        let new = NewRegistration::parse(&full, &ctx, Some(&terms)).map_err(|errors| {
            // The consent placeholder cannot be wrong; every other field names itself.
            CorrectionError::Invalid(errors)
        })?;
        let before = facts(&record);
        record.purchase_date = new.purchase_date;
        record.delivered_on = new.delivered_on;
        record.installed_on = new.installed_on;
        record.warranty_starts_on = new.warranty_starts_on;
        record.warranty_start_basis = new.warranty_start_basis.as_str().to_owned();
        record.warranty_expires_on = new.warranty_expires_on;
        record.external_ref = new.external_ref.clone();
        record.customer.name = Some(new.customer.name.clone());
        record.customer.email = new.customer.email.as_ref().map(|e| e.as_str().to_owned());
        record.customer.phone = new.customer.phone.as_ref().map(|p| p.as_str().to_owned());
        record.customer.locale = new.customer.locale.as_str().to_owned();
        record.customer.country = new.customer.country.as_ref().map(|c| c.as_str().to_owned());
        record.customer.postal_code = new.customer.postal_code.clone();
        record.customer.preferred_channel = new
            .customer
            .preferred_channel
            .map(|c| c.as_str().to_owned());
        let after = facts(&record);
        if before == after {
            // Nothing changed: nothing is written, and the answer is the registration as it is.
            drop(tx);
            return self
                .store
                .registration_for_dealer(record.dealer_id, id)
                .await?
                .ok_or(CorrectionError::NotFound);
        }
        registrations::update_facts(&mut tx, &record, now).await?;
        registrations::update_customer(
            &mut tx,
            record.customer_id,
            &new.customer.contact_key(),
            &record.customer,
            now,
        )
        .await?;
        // The reminders not sent yet, planned again from the corrected facts.
        let again = self.reminder_rows(
            dealer.send_window.as_deref(),
            crate::domain::sms::ChannelPolicy::of(
                dealer.message_channels.as_deref(),
                product.message_channels.as_deref(),
            ),
            &new,
            &terms,
            id,
            record.holdout,
            now,
        );
        registrations::replan_unsent(&mut tx, id, &record.reminders, &again, now).await?;
        // What it earns: reversed and accrued again only when it changes.
        let registered_on = record.created_at.with_timezone(&dealer_tz.0).date_naive();
        let accruals = self
            .accruals(
                &programs,
                &product,
                &new,
                &record.channel,
                now,
                registered_on,
            )
            .map_err(|e| match e {
                super::registration::IntakeError::Invalid(errors) => {
                    CorrectionError::Invalid(errors)
                }
                super::registration::IntakeError::Store(e) => CorrectionError::Store(e),
                super::registration::IntakeError::Duplicate { .. } => CorrectionError::NotFound,
            })?;
        let earning = |kind: &str| kind == "registration" || kind == "on_time_bonus";
        let current = self.store.incentive_lines(id).await?;
        let mut was: Vec<(String, String, String, i64)> = current
            .iter()
            .filter(|l| earning(&l.kind) && l.reason.as_deref() != Some("capped"))
            .map(|l| {
                (
                    l.program_id.clone(),
                    l.rule_id.clone(),
                    l.kind.clone(),
                    l.amount_minor,
                )
            })
            .collect();
        let mut will: Vec<(String, String, String, i64)> = accruals
            .iter()
            .map(|a| {
                (
                    a.program_id.clone(),
                    a.rule_id.clone(),
                    a.kind.to_owned(),
                    a.amount_minor,
                )
            })
            .collect();
        was.sort();
        will.sort();
        if was != will {
            let period = AccountingMonth::of(now, self.settings.ledger.manufacturer_tz);
            super::ledger::reverse_earnings(
                &mut tx,
                record.dealer_id,
                id,
                period,
                "corrected",
                now,
            )
            .await?;
            for plan in &accruals {
                super::ledger::accrue(&mut tx, record.dealer_id, id, None, plan, now).await?;
            }
        }
        registrations::insert_correction(&mut tx, id, actor, &before, &after, now).await?;
        entries::audit(
            &mut tx,
            actor,
            "registration.corrected",
            "registration",
            &id.to_string(),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(registration_id = %id, changed_earnings = (was != will), "registration corrected");
        self.store
            .registration_for_dealer(record.dealer_id, id)
            .await?
            .ok_or(CorrectionError::NotFound)
    }
}
