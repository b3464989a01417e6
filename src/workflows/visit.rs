//! Recording a service visit: validate, check who may report it (the seller, or an authorized
//! servicer), find the registration, then in one transaction attribute it to a reminder
//! (`domain::attribution`), credit the selling dealer (`ledger::accrue`) and fulfil its plan step;
//! flag servicer patterns for admins.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::DealerContext;
use super::registration::Intake;
use crate::domain::FieldError;
use crate::domain::attribution::{self, attribute, fulfilled};
use crate::domain::contact::SerialNumber;
use crate::domain::field::{Errors, clean_text};
use crate::domain::incentives::ProgramDefinition;
use crate::domain::ledger::{AccountingMonth, AccrualPlan};
use crate::domain::servicing::{UnitSeller, VISIT_RIGHT_AFTER_REMINDER_HOURS, may_service};
use crate::store::{NewVisit, RecordedVisit, SerialOwner, Store, StoreError, visits};

fn seller_of(owner: &SerialOwner) -> UnitSeller<'_> {
    UnitSeller {
        dealer_code: &owner.dealer_code,
        country: owner.country.as_deref(),
        postal_code: owner.postal_code.as_deref(),
    }
}

pub const KINDS: [&str; 4] = ["maintenance", "repair", "inspection", "warranty_repair"];

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitRequest {
    #[schema(example = "SN-2026-000123")]
    pub serial_number: String,
    /// `YYYY-MM-DD`, not in the future in the servicing dealer's time zone.
    #[schema(example = "2027-05-25")]
    pub service_date: String,
    /// `maintenance`, `repair`, `inspection` or `warranty_repair`.
    #[schema(example = "maintenance")]
    pub kind: String,
    pub external_ref: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    #[error("invalid visit")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Intake {
    pub async fn record_visit(
        &self,
        dealer: &DealerContext,
        req: &VisitRequest,
    ) -> Result<RecordedVisit, VisitError> {
        let now = self.clock.now();
        let dealer_tz = crate::domain::contact::TimeZone::stored(&dealer.time_zone);
        let today = now.with_timezone(&dealer_tz).date_naive();
        let mut e = Errors::default();
        let serial = e.take("serial_number", SerialNumber::parse(&req.serial_number));
        let date = match NaiveDate::parse_from_str(req.service_date.trim(), "%Y-%m-%d") {
            Ok(d) if d > today => {
                e.push(
                    "service_date",
                    "in_future",
                    format!("must not be after today ({today})"),
                );
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.push(
                    "service_date",
                    "invalid_date",
                    "must be a date in the form YYYY-MM-DD",
                );
                None
            }
        };
        if !KINDS.contains(&req.kind.as_str()) {
            e.push(
                "kind",
                "invalid_kind",
                "must be maintenance, repair, inspection or warranty_repair",
            );
        }
        let external_ref = req
            .external_ref
            .as_deref()
            .and_then(|r| e.take("external_ref", clean_text(r, 100)));
        let owner = match &serial {
            Some(serial) => self.store.serial_owner(serial.as_str()).await?,
            None => None,
        };
        // A unit the caller neither sold nor is authorized to service answers exactly as a serial
        // nobody registered: the caller learns nothing about it (not even its purchase date).
        let allowed = match &owner {
            Some(owner) if owner.dealer_id == dealer.id => true,
            Some(owner) => {
                let area = self.store.servicing_area(dealer.id).await?;
                may_service(false, area.as_ref(), &seller_of(owner))
            }
            None => false,
        };
        if let (Some(serial), false) = (&serial, allowed) {
            e.push(
                "serial_number",
                "not_registered",
                "no registration you may report visits on exists for this serial number",
            );
            if let Some(owner) = &owner {
                let evidence = serde_json::json!({
                    "serial_number": serial.as_str(), "sold_by": owner.dealer_code, "service_date": req.service_date.trim(),
                });
                self.store
                    .record_fraud_evidence(
                        "visit_on_unauthorized_unit",
                        dealer.id,
                        Some(serial.as_str()),
                        Some(owner.registration_id),
                        Some(&evidence),
                        now,
                    )
                    .await?;
                tracing::info!(dealer = %dealer.code, "visit refused: unit not sold by nor serviceable by this dealer");
            }
        }
        if let (Some(owner), Some(date), true) = (&owner, date, allowed)
            && date < owner.purchase_date
        {
            e.push(
                "service_date",
                "before_purchase",
                "must not be before the unit's purchase",
            );
        }
        if !e.is_empty() {
            return Err(VisitError::Invalid(e.0));
        }
        let (serial, date, owner) = (
            serial.expect("checked"),
            date.expect("checked"),
            owner.expect("checked"),
        );
        let visit = NewVisit {
            serial_number: serial.as_str(),
            servicing_dealer_id: dealer.id,
            service_date: date,
            kind: &req.kind,
            external_ref: external_ref.as_deref(),
            window: attribution::window(date, self.settings.visits.attribution_window_days),
            fulfils_until: attribution::fulfils_until(date, self.settings.visits.fulfils_days),
        };
        let period = AccountingMonth::of(now, self.settings.ledger.manufacturer_tz);
        let mut plans = Vec::new();
        for program in self.store.current_programs().await? {
            let definition: ProgramDefinition = serde_json::from_str(&program.definition)
                .map_err(|_| StoreError::Corrupt(format!("program {}", program.program_id)))?;
            if !definition.covers(owner.purchase_date) {
                continue;
            }
            for rule in &definition.rules {
                let matches = rule.sku.as_deref() == Some(owner.sku.as_str())
                    || rule.category.as_deref() == Some(owner.category.as_str());
                if matches && rule.service_attribution_minor > 0 {
                    plans.push(AccrualPlan {
                        program_id: program.program_id.clone(),
                        program_version: program.version,
                        rule_id: rule.id.clone(),
                        kind: "service_attribution",
                        currency: definition.currency.clone(),
                        amount_minor: rule.service_attribution_minor,
                        held: false,
                        needs_proof: false,
                        release_after: now,
                        cap_minor: definition.cap_per_dealer_per_period_minor,
                        clawback_until: now,
                        period,
                    });
                }
            }
        }
        let recorded = record(&self.store, &visit, &owner, &plans, now).await?;
        if recorded.created && owner.dealer_id != dealer.id {
            self.flag_servicer_pattern(dealer, &owner, &recorded)
                .await?;
        }
        tracing::info!(visit_id = %recorded.visit.id, dealer = %dealer.code, attributed = recorded.visit.attributed_reminder_id.is_some(),
            created = recorded.created, "service visit recorded");
        Ok(recorded)
    }
}

impl Intake {
    /// Signals for an admin when an authorized servicer's visits look like feeding the seller
    /// credits: many visits on others' units in 30 days (each multiple of the threshold), or a
    /// visit right after a reminder on a unit it never reported before.
    async fn flag_servicer_pattern(
        &self,
        dealer: &DealerContext,
        owner: &SerialOwner,
        recorded: &RecordedVisit,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let visit = &recorded.visit;
        let pattern = self
            .store
            .servicer_pattern(
                dealer.id,
                visit.id,
                &visit.serial_number,
                owner.registration_id,
                now - Duration::days(30),
            )
            .await?;
        let threshold = i64::from(
            self.settings
                .visits
                .fraud_visits_on_others_per_30_days
                .max(1),
        );
        if pattern.visits_on_others > 0 && pattern.visits_on_others % threshold == 0 {
            let evidence = serde_json::json!({
                "visits_on_others_units": pattern.visits_on_others, "days": 30, "threshold": threshold,
            });
            self.store
                .record_fraud_evidence(
                    "many_visits_on_others_units",
                    dealer.id,
                    None,
                    None,
                    Some(&evidence),
                    now,
                )
                .await?;
        }
        if let Some(sent_at) = pattern.last_reminder_sent_at
            && pattern.earlier_visits_on_unit == 0
            && now - sent_at <= Duration::hours(VISIT_RIGHT_AFTER_REMINDER_HOURS)
        {
            let evidence = serde_json::json!({
                "serial_number": visit.serial_number, "sold_by": owner.dealer_code,
                "reminder_sent_at": sent_at, "service_date": visit.service_date,
                "attributed": visit.attributed_reminder_id.is_some(),
            });
            self.store
                .record_fraud_evidence(
                    "visit_right_after_reminder",
                    dealer.id,
                    Some(&visit.serial_number),
                    Some(owner.registration_id),
                    Some(&evidence),
                    now,
                )
                .await?;
        }
        Ok(())
    }
}

/// Records a visit in one transaction: attribution, the selling dealer's credit (when the
/// registration is active and a reminder led to the visit) and the fulfilled plan step. The same
/// visit (serial, servicing dealer, date, kind) recorded again changes nothing. Two visits racing
/// for one reminder: the loser tries again and finds it taken.
async fn record(
    store: &Store,
    visit: &NewVisit<'_>,
    owner: &SerialOwner,
    plans: &[AccrualPlan],
    now: DateTime<Utc>,
) -> Result<RecordedVisit, StoreError> {
    for _ in 0..3 {
        if let Some(recorded) = try_record(store, visit, owner, plans, now).await? {
            return Ok(recorded);
        }
    }
    Err(StoreError::Corrupt(
        "a visit lost the race for its reminder three times".into(),
    ))
}

/// `None` when another visit took the reminder meanwhile.
async fn try_record(
    store: &Store,
    visit: &NewVisit<'_>,
    owner: &SerialOwner,
    plans: &[AccrualPlan],
    now: DateTime<Utc>,
) -> Result<Option<RecordedVisit>, StoreError> {
    let id = Uuid::now_v7();
    let mut tx = store.begin_write().await?;
    if visits::same_visit_exists(&mut tx, visit, owner.registration_id).await? {
        drop(tx);
        let id = store
            .visit_id_of(visit, owner.registration_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        return Ok(Some(RecordedVisit {
            visit: store.visit(id).await?,
            incentive: store.visit_incentive(id).await?,
            created: false,
        }));
    }
    let active = owner.status == "active";
    let candidates =
        visits::attribution_candidates(&mut tx, owner.registration_id, visit.window).await?;
    let attributed = attribute(&candidates, active, visit.window);
    let via = attributed.map(|(reminder, via)| (reminder, via.as_str()));
    if !visits::insert_visit(&mut tx, id, visit, owner, via, now).await? {
        return Ok(None);
    }
    let mut incentive = Vec::new();
    if attributed.is_some() && active {
        for plan in plans {
            incentive.push(
                super::ledger::accrue(
                    &mut tx,
                    owner.dealer_id,
                    owner.registration_id,
                    Some(id),
                    plan,
                    now,
                )
                .await?,
            );
        }
    }
    let steps = visits::unsent_service_steps(&mut tx, owner.registration_id).await?;
    if let Some(step) = fulfilled(&steps, visit.fulfils_until) {
        visits::mark_serviced(&mut tx, step, now).await?;
    }
    tx.commit().await?;
    Ok(Some(RecordedVisit {
        visit: store.visit(id).await?,
        incentive,
        created: true,
    }))
}
