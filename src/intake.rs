//! Registering units: parse the request against the catalog and the dealer's defaults, plan the
//! reminders, and store everything in one transaction. Shared by the API, the batch endpoint and
//! the CLI.

use std::sync::Arc;

use uuid::Uuid;

use crate::clock::Clock;
use crate::domain::FieldError;
use crate::domain::catalog::{Period, ProductTerms, WarrantyStart};
use crate::domain::contact::{Locale, TimeZone};
use crate::domain::plan::{PlanInput, SendWindow, plan_reminders};
use crate::domain::registration::{
    NewRegistration, RegistrationContext, RegistrationRequest, requested_sku,
};
use chrono::{DateTime, Duration, Utc};

use crate::domain::incentives::{ProgramDefinition, earnings, period_of};
use crate::store::{
    AccrualPlan, ConsentGrant, CurrentConsent, CustomerRecord, DuplicateSerial, Party,
    ProductRecord, ProgramVersion, RegistrationRecord, ReminderRecord, Render, Store, StoreError,
};

/// A submission's identity for the scorecard: the same request sent again (a retry, an import run
/// again) is the same submission.
fn fingerprint(req: &RegistrationRequest) -> String {
    use sha2::Digest;
    let bytes = serde_json::to_vec(req).expect("plain data serializes");
    hex::encode(sha2::Sha256::digest(&bytes))
}

/// The dealer on whose behalf a unit is registered.
#[derive(Debug, Clone)]
pub struct DealerContext {
    pub id: Uuid,
    pub code: String,
    pub locale: String,
    pub time_zone: String,
    /// The dealer's own send window, if it overrides the deployment's.
    pub send_window: Option<String>,
}

impl From<crate::store::DealerRecord> for DealerContext {
    fn from(d: crate::store::DealerRecord) -> Self {
        Self {
            id: d.id,
            code: d.code,
            locale: d.locale,
            time_zone: d.time_zone,
            send_window: d.send_window,
        }
    }
}

/// The dealer behind an API key, as read with the key.
pub enum KeyDealer {
    /// A staff key.
    None,
    Active(DealerContext),
    /// The dealer is deactivated (or its row is missing): the key may not act.
    Refused,
}

impl KeyDealer {
    pub fn of(key: &crate::store::KeyRecord) -> Self {
        match (
            key.dealer_id,
            &key.dealer_code,
            &key.dealer_locale,
            &key.dealer_time_zone,
        ) {
            (None, ..) => Self::None,
            (Some(id), Some(code), Some(locale), Some(time_zone))
                if key.dealer_active == Some(true) =>
            {
                Self::Active(DealerContext {
                    id,
                    code: code.clone(),
                    locale: locale.clone(),
                    time_zone: time_zone.clone(),
                    send_window: key.dealer_send_window.clone(),
                })
            }
            _ => Self::Refused,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("invalid registration")]
    Invalid(Vec<FieldError>),
    /// The serial is actively registered; `own` is the existing id when it is this dealer's.
    #[error("serial number already registered")]
    Duplicate { own: Option<Uuid> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct Intake {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub window: SendWindow,
    pub expiry_notice_days: u32,
    pub catch_up_days: u32,
    /// The manufacturer's time zone: it decides which period an amount accrues in.
    pub manufacturer_tz: chrono_tz::Tz,
    /// Share of registrations in the reminder holdout.
    pub holdout_share: f64,
}

/// Whether a registration falls in the holdout: decided by its id, so the choice is deterministic
/// and recorded, not random at read time.
pub fn in_holdout(id: Uuid, share: f64) -> bool {
    use sha2::Digest;
    if share <= 0.0 {
        return false;
    }
    let digest = sha2::Sha256::digest(id.as_bytes());
    let value = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    (value as f64 / u64::MAX as f64) < share
}

impl Intake {
    /// Registers a unit. With `answer` (an Idempotency-Key and how to render the response), the
    /// response is rendered from the stored registration and saved in the same transaction.
    pub async fn register(
        &self,
        dealer: &DealerContext,
        req: &RegistrationRequest,
        answer: Option<(&str, Render<'_>)>,
    ) -> Result<(RegistrationRecord, Option<(u16, String)>), IntakeError> {
        let now = self.clock.now();
        let submission = fingerprint(req);
        let dealer_tz =
            TimeZone::parse(&dealer.time_zone).map_err(|_| corrupt("dealer time zone"))?;
        let ctx = RegistrationContext {
            dealer_locale: Locale::parse(&dealer.locale).map_err(|_| corrupt("dealer locale"))?,
            dealer_time_zone: dealer_tz,
            today: now.with_timezone(&dealer_tz.0).date_naive(),
        };
        let (product, programs) = match requested_sku(req) {
            Some(sku) => match self.store.product_and_programs(&sku).await? {
                Some((product, programs)) => (Some(product), programs),
                None => (None, Vec::new()),
            },
            None => (None, Vec::new()),
        };
        let terms = product.as_ref().map(product_terms).transpose()?;
        let new = match NewRegistration::parse(req, &ctx, terms.as_ref()) {
            Ok(new) => new,
            Err(errors) => {
                self.store
                    .record_rejection(dealer.id, "invalid", &submission, now)
                    .await?;
                crate::telemetry_metrics::registration_rejected("invalid");
                return Err(IntakeError::Invalid(errors));
            }
        };
        let (product, terms) = (product.expect("parsed"), terms.expect("parsed"));

        let window = self.window.overridden_by(dealer.send_window.as_deref());
        let mut plan = plan_reminders(&PlanInput {
            now,
            tz: new.customer.time_zone.0,
            warranty_starts_on: new.warranty_starts_on,
            warranty_expires_on: new.warranty_expires_on,
            service_plan: &terms.service_plan,
            expiry_notice_days: self.expiry_notice_days,
            catch_up_days: self.catch_up_days,
            window: &window,
        });
        let id = Uuid::now_v7();
        let holdout = in_holdout(id, self.holdout_share);
        if holdout {
            // The holdout gets its confirmation and warranty notice, but no service reminders.
            for p in plan
                .iter_mut()
                .filter(|p| p.kind == crate::domain::plan::ReminderKind::ServiceDue)
            {
                p.status = crate::domain::plan::PlannedStatus::Skipped;
            }
        }
        // The order reads return them in.
        plan.sort_by(|a, b| {
            (a.due_at, a.kind.as_str(), a.occurrence).cmp(&(
                b.due_at,
                b.kind.as_str(),
                b.occurrence,
            ))
        });
        let mut record = RegistrationRecord {
            id,
            dealer_id: dealer.id,
            product_id: product.id,
            customer_id: Uuid::nil(),
            sku: product.sku.clone(),
            serial_number: new.serial_number.as_str().to_owned(),
            serial_display: Some(new.serial_number.as_typed().to_owned()),
            submission_fingerprint: Some(submission.clone()),
            purchase_date: new.purchase_date,
            delivered_on: new.delivered_on,
            installed_on: new.installed_on,
            warranty_starts_on: new.warranty_starts_on,
            warranty_start_basis: new.warranty_start_basis.as_str().to_owned(),
            warranty_expires_on: new.warranty_expires_on,
            external_ref: new.external_ref.clone(),
            status: "active".into(),
            void_reason: None,
            created_at: now,
            updated_at: now,
            voided_at: None,
            holdout,
            customer: CustomerRecord {
                name: Some(new.customer.name.clone()),
                email: new.customer.email.as_ref().map(|e| e.as_str().to_owned()),
                phone: new.customer.phone.as_ref().map(|p| p.as_str().to_owned()),
                locale: new.customer.locale.as_str().to_owned(),
                time_zone: new.customer.time_zone.name().to_owned(),
                country: new.customer.country.as_ref().map(|c| c.as_str().to_owned()),
                postal_code: new.customer.postal_code.clone(),
            },
            reminders: plan
                .iter()
                .map(|p| ReminderRecord {
                    id: Uuid::now_v7(),
                    registration_id: id,
                    kind: p.kind.as_str().to_owned(),
                    occurrence: p.occurrence as i32,
                    nominal_date: p.nominal_date,
                    due_at: p.due_at,
                    status: p.status.as_str().to_owned(),
                    outcome: (p.status == crate::domain::plan::PlannedStatus::Skipped).then(|| {
                        if holdout && p.kind == crate::domain::plan::ReminderKind::ServiceDue {
                            "holdout".to_owned()
                        } else {
                            "past_due".to_owned()
                        }
                    }),
                })
                .collect(),
            consent: Some(CurrentConsent {
                service_reminders: Some(new.consent.service_reminders),
                marketing: Some(new.consent.marketing),
                manufacturer_marketing: new.consent.manufacturer_marketing,
            }),
            incentive: None,
        };
        let mut consents = vec![
            ConsentGrant {
                party: Party::Dealer,
                purpose: "service_reminders",
                granted: new.consent.service_reminders,
            },
            ConsentGrant {
                party: Party::Dealer,
                purpose: "marketing",
                granted: new.consent.marketing,
            },
        ];
        if let Some(granted) = new.consent.manufacturer_marketing {
            consents.push(ConsentGrant {
                party: Party::Manufacturer,
                purpose: "marketing",
                granted,
            });
        }
        let accruals = self.accruals(&programs, &product, &new, now, ctx.today)?;
        match self
            .store
            .insert_registration(
                &record,
                &new.customer.contact_key(),
                &consents,
                &accruals,
                answer,
            )
            .await?
        {
            Ok(inserted) => {
                record.customer_id = inserted.customer_id;
                record.incentive = Some(inserted.incentive);
                crate::telemetry_metrics::registration_accepted();
                tracing::info!(registration_id = %record.id, dealer = %dealer.code, sku = %record.sku, "registration accepted");
                Ok((record, inserted.answer))
            }
            Err(DuplicateSerial {
                existing_dealer_id,
                existing_registration_id,
                existing_fingerprint,
            }) => {
                let own = (existing_dealer_id == Some(dealer.id))
                    .then_some(existing_registration_id)
                    .flatten();
                if own.is_none() {
                    // Another dealer holds this unit: worth an admin's look, never shown to this dealer.
                    self.store
                        .record_fraud_signal(
                            "serial_held_by_other_dealer",
                            dealer.id,
                            Some(&record.serial_number),
                            existing_registration_id,
                            now,
                        )
                        .await?;
                }
                // The very submission that created this dealer's registration, sent again (a retry,
                // a resumed import), is told so but is no new duplicate on the scorecard.
                let retry =
                    own.is_some() && existing_fingerprint.as_deref() == Some(submission.as_str());
                if !retry {
                    self.store
                        .record_rejection(dealer.id, "duplicate", &submission, now)
                        .await?;
                }
                crate::telemetry_metrics::registration_rejected("duplicate");
                tracing::info!(dealer = %dealer.code, own_duplicate = own.is_some(), "registration refused: serial already registered");
                Err(IntakeError::Duplicate { own })
            }
        }
    }
}

impl Intake {
    /// What the registration earns under every current program, before caps (applied when stored).
    fn accruals(
        &self,
        programs: &[ProgramVersion],
        product: &ProductRecord,
        new: &NewRegistration,
        now: DateTime<Utc>,
        registered_on: chrono::NaiveDate,
    ) -> Result<Vec<AccrualPlan>, IntakeError> {
        let period = period_of(now, self.manufacturer_tz);
        let mut plans = Vec::new();
        for program in programs {
            let definition: ProgramDefinition = serde_json::from_str(&program.definition)
                .map_err(|_| corrupt(&format!("program {}", program.program_id)))?;
            for earning in earnings(
                &definition,
                &product.sku,
                &product.category,
                new.purchase_date,
                registered_on,
            ) {
                plans.push(AccrualPlan {
                    program_id: program.program_id.clone(),
                    program_version: program.version,
                    rule_id: earning.rule_id,
                    kind: earning.kind,
                    currency: definition.currency.clone(),
                    amount_minor: earning.amount_minor,
                    held: earning.held,
                    release_after: now + Duration::days(i64::from(earning.verification_days)),
                    cap_minor: definition.cap_per_dealer_per_period_minor,
                    clawback_until: now + Duration::days(i64::from(definition.clawback_days)),
                    period: period.clone(),
                });
            }
        }
        Ok(plans)
    }
}

fn corrupt(what: &str) -> IntakeError {
    IntakeError::Store(StoreError::Corrupt(format!("stored {what} is invalid")))
}

/// A catalog row as the rules need it.
pub fn product_terms(p: &ProductRecord) -> Result<ProductTerms, StoreError> {
    let bad = |what: &str| StoreError::Corrupt(format!("product {}: {what}", p.sku));
    let plan: Vec<String> =
        serde_json::from_str(&p.service_plan).map_err(|_| bad("service plan"))?;
    Ok(ProductTerms {
        warranty_months: u32::try_from(p.warranty_months).map_err(|_| bad("warranty months"))?,
        warranty_start: WarrantyStart::parse(&p.warranty_start)
            .ok_or_else(|| bad("warranty start"))?,
        service_plan: plan
            .iter()
            .map(|s| Period::parse(s).map_err(|_| bad("service plan")))
            .collect::<Result<_, _>>()?,
        registration_window_days: u32::try_from(p.registration_window_days)
            .map_err(|_| bad("registration window"))?,
    })
}
