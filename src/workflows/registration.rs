//! Registering a unit and voiding a registration. `register` parses the request against the
//! catalog and the dealer's defaults, plans the reminders (`domain::plan`) and the earnings
//! (`domain::incentives`), and writes everything in one transaction that it leaves open: the
//! caller saves its idempotent answer in it (`Registered::save_answer`) and commits. Shared by the
//! API, the batch endpoint, the counter page and the CLI's import.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::DealerContext;
use crate::clock::Clock;
use crate::config::settings::Settings;
use crate::domain::FieldError;
use crate::domain::catalog::{Period, ProductTerms, WarrantyStart};
use crate::domain::consent::{ConsentGrant, CurrentConsent, Party, Purpose, source};
use crate::domain::contact::{Locale, TimeZone};
use crate::domain::holdout::{finish_plan, in_holdout, skip_reason};
use crate::domain::incentives::{ProgramDefinition, earnings};
use crate::domain::ledger::{AccountingMonth, AccrualPlan};
use crate::domain::plan::{PlanInput, plan_reminders};
use crate::domain::registration::{
    NewRegistration, RegistrationContext, RegistrationRequest, requested_sku,
};
use crate::domain::sms::{ChannelPolicy, Reach, channels};
use crate::store::consent::EventContext;
use crate::store::{
    CustomerRecord, ProductRecord, ProgramVersion, RegistrationRecord, ReminderRecord, Store,
    StoreError, WriteTx, consent, idempotency, registrations,
};

/// A submission's identity for the scorecard: the same request sent again (a retry, an import run
/// again) is the same submission.
fn fingerprint(req: &RegistrationRequest) -> String {
    use sha2::Digest;
    let bytes = serde_json::to_vec(req).expect("plain data serializes");
    hex::encode(sha2::Sha256::digest(&bytes))
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
    pub settings: Arc<Settings>,
}

impl Intake {
    /// Registers a unit: everything is written in one transaction, left open for the caller to
    /// save its answer in and commit (`Registered`). A duplicate serial is refused (and counted).
    pub async fn register(
        &self,
        dealer: &DealerContext,
        req: &RegistrationRequest,
    ) -> Result<Registered, IntakeError> {
        let now = self.clock.now();
        let submission = fingerprint(req);
        let dealer_tz = TimeZone(TimeZone::stored(&dealer.time_zone));
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

        let id = Uuid::now_v7();
        let holdout = in_holdout(id, self.settings.reminders.holdout_share);
        let reminders = self.reminder_rows(
            dealer.send_window.as_deref(),
            ChannelPolicy::of(
                dealer.message_channels.as_deref(),
                product.message_channels.as_deref(),
            ),
            &new,
            &terms,
            id,
            holdout,
            now,
        );
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
            registered_by: dealer.actor,
            voided_by: None,
            channel: dealer.channel.to_owned(),
            holdout,
            safety_only: new.consent.safety_only,
            customer: CustomerRecord {
                name: Some(new.customer.name.clone()),
                email: new.customer.email.as_ref().map(|e| e.as_str().to_owned()),
                phone: new.customer.phone.as_ref().map(|p| p.as_str().to_owned()),
                locale: new.customer.locale.as_str().to_owned(),
                time_zone: new.customer.time_zone.name().to_owned(),
                country: new.customer.country.as_ref().map(|c| c.as_str().to_owned()),
                postal_code: new.customer.postal_code.clone(),
                preferred_channel: new
                    .customer
                    .preferred_channel
                    .map(|c| c.as_str().to_owned()),
            },
            reminders,
            consent: Some(CurrentConsent {
                service_reminders: Some(new.consent.service_reminders),
                marketing: Some(new.consent.marketing),
                manufacturer_marketing: new.consent.manufacturer_marketing,
                surveys: new.consent.surveys,
                safety: new.consent.safety_only.then_some(true),
            }),
            incentive: None,
        };
        let consents = consent_grants(&new.consent);
        let accruals = self.accruals(&programs, &product, &new, dealer.channel, now, ctx.today)?;
        let faults = self.store.faults();
        let mut tx = self.store.begin_write().await?;
        record.customer_id = registrations::upsert_customer(
            &mut tx,
            dealer.id,
            &new.customer.contact_key(),
            &record.customer,
            now,
        )
        .await?;
        faults.check("after_customer")?;
        if !registrations::insert_registration(&mut tx, &record).await? {
            drop(tx);
            return Err(self
                .refuse_duplicate(dealer, &record, &submission, now)
                .await);
        }
        faults.check("after_registration")?;
        registrations::insert_reminders(&mut tx, &record.reminders, now).await?;
        faults.check("after_reminders")?;
        let context = EventContext {
            source: source::DEALER_REGISTRATION,
            dealer_id: Some(dealer.id),
            registration_id: Some(record.id),
            at: now,
        };
        consent::insert_events(&mut tx, record.customer_id, &consents, &context).await?;
        faults.check("after_consent")?;
        let mut incentive = Vec::with_capacity(accruals.len());
        for plan in &accruals {
            incentive
                .push(super::ledger::accrue(&mut tx, dealer.id, record.id, None, plan, now).await?);
        }
        faults.check("after_incentives")?;
        record.incentive = Some(incentive);
        Ok(Registered {
            tx,
            record,
            dealer_code: dealer.code.clone(),
        })
    }

    /// Registers and commits at once (no idempotent answer to save with it).
    pub async fn register_and_commit(
        &self,
        dealer: &DealerContext,
        req: &RegistrationRequest,
    ) -> Result<RegistrationRecord, IntakeError> {
        Ok(self.register(dealer, req).await?.commit().await?)
    }

    /// A duplicate serial: counted as a rejected submission unless it is the very submission that
    /// created this dealer's registration sent again; another dealer's unit raises a signal that
    /// only admins see.
    async fn refuse_duplicate(
        &self,
        dealer: &DealerContext,
        record: &RegistrationRecord,
        submission: &str,
        now: DateTime<Utc>,
    ) -> IntakeError {
        let outcome = async {
            let holder = self
                .store
                .active_serial_holder(&record.serial_number)
                .await?;
            let own = holder
                .as_ref()
                .filter(|(_, dealer_id, _)| *dealer_id == dealer.id)
                .map(|(id, _, _)| *id);
            if own.is_none() {
                self.store
                    .record_fraud_signal(
                        "serial_held_by_other_dealer",
                        dealer.id,
                        Some(&record.serial_number),
                        holder.as_ref().map(|(id, _, _)| *id),
                        now,
                    )
                    .await?;
            }
            let retry = own.is_some()
                && holder.as_ref().and_then(|(_, _, f)| f.as_deref()) == Some(submission);
            if !retry {
                self.store
                    .record_rejection(dealer.id, "duplicate", submission, now)
                    .await?;
            }
            crate::telemetry_metrics::registration_rejected("duplicate");
            tracing::info!(dealer = %dealer.code, own_duplicate = own.is_some(), "registration refused: serial already registered");
            Ok::<_, StoreError>(IntakeError::Duplicate { own })
        };
        outcome.await.unwrap_or_else(IntakeError::Store)
    }

    /// Voids a dealer's active registration: pending reminders cancelled, earnings within their
    /// clawback window reversed in the current period, held amounts cancelled. Voiding a voided
    /// registration changes nothing. `None` when the registration is not this dealer's.
    pub async fn void(
        &self,
        dealer: &DealerContext,
        id: Uuid,
        reason: Option<&str>,
    ) -> Result<Option<RegistrationRecord>, StoreError> {
        let dealer_id = dealer.id;
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        if registrations::void(&mut tx, dealer_id, id, reason, dealer.actor, now).await? {
            let period = AccountingMonth::of(now, self.settings.ledger.manufacturer_tz);
            super::ledger::claw_back(&mut tx, dealer_id, id, period, now).await?;
        }
        tx.commit().await?;
        self.store.registration_for_dealer(dealer_id, id).await
    }
}

/// A registration written in a transaction not yet committed: the caller may save its
/// idempotent answer in the same transaction, then commits.
pub struct Registered {
    tx: WriteTx,
    pub record: RegistrationRecord,
    dealer_code: String,
}

impl Registered {
    /// The registration's open transaction, for a caller writing more with it.
    pub fn tx(&mut self) -> &mut WriteTx {
        &mut self.tx
    }

    /// Saves the answer to an Idempotency-Key with the registration.
    pub async fn save_answer(
        &mut self,
        dealer_id: Uuid,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        idempotency::save_answer(
            &mut self.tx,
            dealer_id,
            key,
            status,
            body,
            Some(self.record.id),
        )
        .await
    }

    /// Commits: from here the registration is durable.
    pub async fn commit(self) -> Result<RegistrationRecord, StoreError> {
        self.tx.commit().await?;
        let record = self.record;
        crate::telemetry_metrics::registration_accepted();
        tracing::info!(registration_id = %record.id, dealer = %self.dealer_code, sku = %record.sku, "registration accepted");
        Ok(record)
    }
}

/// What a unit's reminders are planned from.
pub(crate) struct UnitFacts {
    pub tz: chrono_tz::Tz,
    /// How its owner can be reached (the channels of its messages follow).
    pub reach: Reach,
    pub warranty_starts_on: chrono::NaiveDate,
    pub warranty_expires_on: chrono::NaiveDate,
}

impl Intake {
    /// A registration's reminders, planned from its facts at `now` in the dealer's send window
    /// (or the deployment's), the holdout's service reminders planned as skipped.
    pub(crate) fn reminder_rows(
        &self,
        send_window: Option<&str>,
        policy: ChannelPolicy,
        new: &NewRegistration,
        terms: &ProductTerms,
        registration_id: Uuid,
        holdout: bool,
        now: DateTime<Utc>,
    ) -> Vec<ReminderRecord> {
        let unit = UnitFacts {
            tz: new.customer.time_zone.0,
            reach: Reach {
                email: new.customer.email.is_some(),
                phone: new.customer.phone.is_some(),
                preferred: new.customer.preferred_channel,
            },
            warranty_starts_on: new.warranty_starts_on,
            warranty_expires_on: new.warranty_expires_on,
        };
        let mut rows = self.unit_reminder_rows(
            send_window,
            policy,
            &unit,
            terms,
            registration_id,
            holdout,
            now,
        );
        if new.consent.safety_only {
            // Safety messages only: nothing of these is sent, the confirmation included.
            for row in &mut rows {
                row.status = "skipped".into();
                row.outcome = Some("safety_only".into());
            }
        }
        rows
    }

    /// The reminders of a unit with these facts (the owner's time zone, the warranty's dates).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn unit_reminder_rows(
        &self,
        send_window: Option<&str>,
        policy: ChannelPolicy,
        unit: &UnitFacts,
        terms: &ProductTerms,
        registration_id: Uuid,
        holdout: bool,
        now: DateTime<Utc>,
    ) -> Vec<ReminderRecord> {
        let window = self.settings.reminders.window.overridden_by(send_window);
        let mut plan = plan_reminders(&PlanInput {
            now,
            tz: unit.tz,
            warranty_starts_on: unit.warranty_starts_on,
            warranty_expires_on: unit.warranty_expires_on,
            service_plan: &terms.service_plan,
            expiry_notice_days: self.settings.reminders.expiry_notice_days,
            catch_up_days: self.settings.reminders.catch_up_days,
            window: &window,
        });
        finish_plan(&mut plan, holdout);
        let channels = channels(policy, unit.reach);
        plan.iter()
            .flat_map(|p| {
                channels.iter().map(move |channel| ReminderRecord {
                    id: Uuid::now_v7(),
                    registration_id,
                    kind: p.kind.as_str().to_owned(),
                    occurrence: p.occurrence as i32,
                    nominal_date: p.nominal_date,
                    due_at: p.due_at,
                    status: p.status.as_str().to_owned(),
                    outcome: skip_reason(p, holdout).map(str::to_owned),
                    channel: channel.as_str().to_owned(),
                })
            })
            .collect()
    }

    /// What the registration earns under every current program, before caps (applied when stored).
    pub(crate) fn accruals(
        &self,
        programs: &[ProgramVersion],
        product: &ProductRecord,
        new: &NewRegistration,
        channel: &str,
        now: DateTime<Utc>,
        registered_on: chrono::NaiveDate,
    ) -> Result<Vec<AccrualPlan>, IntakeError> {
        let period = AccountingMonth::of(now, self.settings.ledger.manufacturer_tz);
        let mut plans = Vec::new();
        for program in programs {
            let definition: ProgramDefinition = serde_json::from_str(&program.definition)
                .map_err(|_| corrupt(&format!("program {}", program.program_id)))?;
            for earning in earnings(
                &definition,
                &product.sku,
                &product.category,
                channel,
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
                    needs_proof: earning.needs_proof,
                    release_after: now + Duration::days(i64::from(earning.verification_days)),
                    cap_minor: definition.cap_per_dealer_per_period_minor,
                    clawback_until: now + Duration::days(i64::from(definition.clawback_days)),
                    period,
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

/// The consent events of the choices a new owner made (the selling dealer's, and the
/// manufacturer's when asked).
pub(crate) fn consent_grants(c: &crate::domain::registration::Consent) -> Vec<ConsentGrant> {
    let mut consents = vec![
        ConsentGrant {
            party: Party::Dealer,
            purpose: Purpose::ServiceReminders,
            granted: c.service_reminders,
        },
        ConsentGrant {
            party: Party::Dealer,
            purpose: Purpose::Marketing,
            granted: c.marketing,
        },
    ];
    if let Some(granted) = c.manufacturer_marketing {
        consents.push(ConsentGrant {
            party: Party::Manufacturer,
            purpose: Purpose::Marketing,
            granted,
        });
    }
    if let Some(granted) = c.surveys {
        consents.push(ConsentGrant {
            party: Party::Manufacturer,
            purpose: Purpose::Surveys,
            granted,
        });
    }
    if c.safety_only {
        consents.push(ConsentGrant {
            party: Party::Manufacturer,
            purpose: Purpose::Safety,
            granted: true,
        });
    }
    consents
}
