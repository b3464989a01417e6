//! Service visits as rows: the unit's owner, attribution candidates, the visit, the plan step it
//! fulfils; servicer patterns and rejections for the scorecard. What is credited and fulfilled is
//! decided in `crate::domain::attribution` and applied by `crate::workflows::visit`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::entries::IncentiveLine;
use super::{Result, Store, Unique, WriteTx, exec, read, violates, with_pool, with_tx};
use crate::domain::attribution::Candidate;

/// The registration a serial number belongs to (the latest, active or voided).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SerialOwner {
    pub registration_id: Uuid,
    pub status: String,
    pub dealer_id: Uuid,
    /// The selling dealer's code and where its customer lives: what a servicer's authorization is
    /// checked against (never shown to the servicer).
    pub dealer_code: String,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub sku: String,
    pub category: String,
    pub purchase_date: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct NewVisit<'a> {
    pub serial_number: &'a str,
    pub servicing_dealer_id: Uuid,
    pub service_date: NaiveDate,
    pub kind: &'a str,
    pub external_ref: Option<&'a str>,
    /// The attribution window (`domain::attribution::window`).
    pub window: (DateTime<Utc>, DateTime<Utc>),
    /// Service-plan reminders due up to this date are fulfilled by the visit.
    pub fulfils_until: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VisitRecord {
    pub id: Uuid,
    pub serial_number: String,
    pub registration_id: Uuid,
    pub servicing_dealer_id: Uuid,
    pub selling_dealer_id: Uuid,
    pub service_date: NaiveDate,
    pub kind: String,
    pub external_ref: Option<String>,
    pub attributed_reminder_id: Option<Uuid>,
    pub attributed_via: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A recorded visit and what it earned the selling dealer.
#[derive(Debug, Clone)]
pub struct RecordedVisit {
    pub visit: VisitRecord,
    pub incentive: Vec<IncentiveLine>,
    /// False when the same visit had been recorded before (nothing changed).
    pub created: bool,
}

const VISIT_SELECT: &str = "SELECT id, serial_number, registration_id, servicing_dealer_id, selling_dealer_id, service_date, kind,
    external_ref, attributed_reminder_id, attributed_via, created_at FROM service_events";

/// Whether the same visit is recorded already (serial's registration, servicing dealer, date, kind).
pub async fn same_visit_exists(
    tx: &mut WriteTx,
    visit: &NewVisit<'_>,
    registration_id: Uuid,
) -> Result<bool> {
    let found: Option<Uuid> = with_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT id FROM service_events WHERE registration_id = $1 AND servicing_dealer_id = $2 AND service_date = $3 AND kind = $4",
        )
        .bind(registration_id)
        .bind(visit.servicing_dealer_id)
        .bind(visit.service_date)
        .bind(visit.kind)
        .fetch_optional(&mut *conn)
        .await?
    });
    Ok(found.is_some())
}

/// The registration's sent reminders (confirmations aside) not yet credited with a visit, each
/// with its latest booking click inside the window.
pub async fn attribution_candidates(
    tx: &mut WriteTx,
    registration_id: Uuid,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Candidate>> {
    let rows: Vec<(Uuid, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> = with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT r.id, r.sent_at,
               (SELECT MAX(c.clicked_at) FROM link_clicks c WHERE c.reminder_id = r.id
                  AND c.clicked_at >= $2 AND c.clicked_at < $3) AS clicked_at
             FROM reminders r
             WHERE r.registration_id = $1 AND r.status = 'sent' AND r.kind <> 'registration_confirmation'
               AND NOT EXISTS (SELECT 1 FROM service_events s WHERE s.attributed_reminder_id = r.id)",
        )
        .bind(registration_id)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *conn)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(reminder_id, sent_at, clicked_at)| Candidate {
            reminder_id,
            sent_at,
            clicked_at,
        })
        .collect())
}

/// Inserts a visit row. `false` when another visit took the reminder meanwhile
/// (`service_events_attributed_reminder`): the caller retries.
pub async fn insert_visit(
    tx: &mut WriteTx,
    id: Uuid,
    visit: &NewVisit<'_>,
    owner: &SerialOwner,
    attributed: Option<(Uuid, &str)>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let inserted = with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO service_events (id, serial_number, registration_id, servicing_dealer_id, selling_dealer_id,
               service_date, kind, external_ref, attributed_reminder_id, attributed_via, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(visit.serial_number)
        .bind(owner.registration_id)
        .bind(visit.servicing_dealer_id)
        .bind(owner.dealer_id)
        .bind(visit.service_date)
        .bind(visit.kind)
        .bind(visit.external_ref)
        .bind(attributed.map(|a| a.0))
        .bind(attributed.map(|a| a.1))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(drop)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if violates(&e, Unique::AttributedReminder) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The registration's service-due reminders not sent yet: (id, nominal date).
pub async fn unsent_service_steps(
    tx: &mut WriteTx,
    registration_id: Uuid,
) -> Result<Vec<(Uuid, NaiveDate)>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, nominal_date FROM reminders WHERE registration_id = $1 AND kind = 'service_due'
               AND status IN ('pending', 'queued')",
        )
        .bind(registration_id)
        .fetch_all(&mut *conn)
        .await?
    }))
}

/// A reminder that will not be sent because the service it announces took place.
pub async fn mark_serviced(tx: &mut WriteTx, reminder_id: Uuid, now: DateTime<Utc>) -> Result<()> {
    exec!(tx =>
        "UPDATE reminders SET status = 'skipped', outcome = 'serviced', lease_until = NULL, updated_at = $2
        WHERE id = $1 AND status IN ('pending', 'queued')";
        reminder_id, now)
}

impl Store {
    pub async fn serial_owner(&self, serial_number: &str) -> Result<Option<SerialOwner>> {
        read!(self, query_as, fetch_optional =>
            "SELECT g.id AS registration_id, g.status, g.dealer_id, d.code AS dealer_code, c.country, c.postal_code,
            p.sku, p.category, g.purchase_date
            FROM registrations g JOIN products p ON p.id = g.product_id JOIN dealers d ON d.id = g.dealer_id
            JOIN customers c ON c.id = g.customer_id WHERE g.serial_number = $1
            ORDER BY CASE WHEN g.status = 'active' THEN 0 ELSE 1 END, g.created_at DESC LIMIT 1";
            serial_number)
    }

    /// The id of the same visit (serial's registration, servicing dealer, date, kind), if recorded.
    pub async fn visit_id_of(
        &self,
        visit: &NewVisit<'_>,
        registration_id: Uuid,
    ) -> Result<Option<Uuid>> {
        read!(self, query_scalar, fetch_optional =>
            "SELECT id FROM service_events WHERE registration_id = $1 AND servicing_dealer_id = $2 AND service_date = $3 AND kind = $4";
            registration_id, visit.servicing_dealer_id, visit.service_date, visit.kind)
    }

    pub async fn visit(&self, id: Uuid) -> Result<VisitRecord> {
        let sql = format!("{VISIT_SELECT} WHERE id = $1");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(id)
        .fetch_one(pool)
        .await?))
    }

    pub async fn visit_incentive(&self, visit_id: Uuid) -> Result<Vec<IncentiveLine>> {
        read!(self, query_as, fetch_all =>
            "SELECT program_id, program_version, rule_id, kind, amount_minor, currency, $2 AS held, $2 AS needs_proof,
            reason FROM ledger_entries WHERE service_event_id = $1 ORDER BY created_at, id";
            visit_id, false)
    }
}

impl Store {
    /// Counts a refused submission for the dealer's scorecard, once per submission: the same
    /// `fingerprint` (the request's) again changes nothing.
    pub async fn record_rejection(
        &self,
        dealer_id: Uuid,
        reason: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO submission_rejections (id, dealer_id, reason, at, fingerprint) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (dealer_id, fingerprint) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(dealer_id)
            .bind(reason)
            .bind(now)
            .bind(fingerprint)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

/// What a visit by a dealer that did not sell the unit looks like next to that dealer's other visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServicerPattern {
    /// Its visits on units other dealers sold since `since`, this one included.
    pub visits_on_others: i64,
    /// Its visits on this unit before this one.
    pub earlier_visits_on_unit: i64,
    /// When a reminder for the unit's registration was last sent.
    pub last_reminder_sent_at: Option<DateTime<Utc>>,
}

impl Store {
    /// A dealer's authorization to service units other dealers sold, if the manufacturer gave one.
    pub async fn servicing_area(
        &self,
        dealer_id: Uuid,
    ) -> Result<Option<crate::domain::servicing::ServicingArea>> {
        let raw: Option<Option<String>> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT authorized_servicer FROM dealers WHERE id = $1")
                .bind(dealer_id)
                .fetch_optional(pool)
                .await?
        });
        raw.flatten()
            .map(|json| {
                serde_json::from_str(&json).map_err(|_| {
                    super::StoreError::Corrupt(format!("dealer {dealer_id} authorized_servicer"))
                })
            })
            .transpose()
    }

    /// The pattern behind a visit that `servicer` recorded on a unit another dealer sold.
    pub async fn servicer_pattern(
        &self,
        servicer: Uuid,
        visit_id: Uuid,
        serial_number: &str,
        registration_id: Uuid,
        since: DateTime<Utc>,
    ) -> Result<ServicerPattern> {
        let (visits_on_others, earlier_visits_on_unit, last_reminder_sent_at) = with_pool!(
            self,
            |pool| {
                sqlx::query_as::<_, (i64, i64, Option<DateTime<Utc>>)>(
                "SELECT
                   (SELECT COUNT(*) FROM service_events WHERE servicing_dealer_id = $1 AND selling_dealer_id <> $1
                      AND created_at >= $5),
                   (SELECT COUNT(*) FROM service_events WHERE servicing_dealer_id = $1 AND serial_number = $3 AND id <> $2),
                   (SELECT MAX(sent_at) FROM reminders WHERE registration_id = $4 AND sent_at IS NOT NULL)",
            )
            .bind(servicer)
            .bind(visit_id)
            .bind(serial_number)
            .bind(registration_id)
            .bind(since)
            .fetch_one(pool)
            .await?
            }
        );
        Ok(ServicerPattern {
            visits_on_others,
            earlier_visits_on_unit,
            last_reminder_sent_at,
        })
    }
}
