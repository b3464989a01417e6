//! Incentive programs (versioned), the append-only ledger, held amounts, statements, period close
//! and the audit log.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::registrations::BeginWrite;
use super::{Backend, Result, Store, with_pool};

/// One incentive line of a registration, as accrued (or held).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IncentiveLine {
    pub program_id: String,
    pub program_version: i32,
    pub rule_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Held until the customer verifies the registration.
    pub held: bool,
    /// `capped` when the program's cap reduced it.
    pub reason: Option<String>,
}

/// An amount to accrue with a registration, before the cap.
#[derive(Debug, Clone)]
pub struct AccrualPlan {
    pub program_id: String,
    pub program_version: i32,
    pub rule_id: String,
    pub kind: &'static str,
    pub currency: String,
    pub amount_minor: i64,
    pub held: bool,
    pub release_after: DateTime<Utc>,
    pub cap_minor: Option<i64>,
    pub clawback_until: DateTime<Utc>,
    pub period: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramVersion {
    pub program_id: String,
    pub version: i32,
    pub definition: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StatementRecord {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub dealer_code: String,
    pub currency: String,
    pub period: String,
    pub status: String,
    pub total_minor: i64,
    pub hold_reason: Option<String>,
    pub payment_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LedgerLine {
    pub entry_id: Uuid,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub period: String,
    pub registration_id: Option<Uuid>,
    pub serial_number: Option<String>,
    pub program_id: Option<String>,
    pub program_version: Option<i32>,
    pub rule_id: Option<String>,
    pub reverses: Option<Uuid>,
    pub reason: Option<String>,
    pub actor: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    pub actor: Option<Uuid>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

/// A held amount, as released into the ledger.
#[derive(sqlx::FromRow)]
struct HeldRow {
    id: Uuid,
    dealer_id: Uuid,
    currency: String,
    amount_minor: i64,
    kind: String,
    program_id: String,
    program_version: i32,
    rule_id: String,
    clawback_until: Option<DateTime<Utc>>,
}

/// A registration with held amounts that may be settled, and the facts that decide how.
#[derive(sqlx::FromRow)]
struct SettleCandidate {
    registration_id: Uuid,
    status: String,
    /// The confirmation reminder's outcome (`sent`, `bounced`, ...).
    outcome: Option<String>,
    verified_at: Option<DateTime<Utc>>,
}

/// A manual ledger entry by finance.
#[derive(Debug, Clone)]
pub struct NewAdjustment<'a> {
    pub dealer_id: Uuid,
    pub currency: &'a str,
    pub amount_minor: i64,
    pub period: &'a str,
    pub reason: &'a str,
    pub actor: Uuid,
}

/// Why a statement transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    NotFound,
    /// Not allowed from the current status.
    Refused {
        status: String,
    },
}

const STATEMENT_SELECT: &str = "SELECT s.id, s.dealer_id, d.code AS dealer_code, s.currency, s.period, s.status, s.total_minor,
    s.hold_reason, s.payment_reference, s.created_at, s.updated_at, s.approved_at, s.paid_at
    FROM statements s JOIN dealers d ON d.id = s.dealer_id";

const LINE_SELECT: &str = "SELECT e.id AS entry_id, e.kind, e.amount_minor, e.currency, e.period, e.registration_id,
    g.serial_number, e.program_id, e.program_version, e.rule_id, e.reverses, e.reason, e.actor, e.created_at
    FROM ledger_entries e LEFT JOIN registrations g ON g.id = e.registration_id";

/// A ledger entry to write. Ledger entries are only ever inserted.
pub(crate) struct NewEntry<'a> {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub currency: &'a str,
    pub amount_minor: i64,
    pub kind: &'a str,
    pub period: &'a str,
    pub registration_id: Option<Uuid>,
    pub service_event_id: Option<Uuid>,
    pub program_id: Option<&'a str>,
    pub program_version: Option<i32>,
    pub rule_id: Option<&'a str>,
    pub reverses: Option<Uuid>,
    pub reason: Option<&'a str>,
    pub actor: Option<Uuid>,
    pub clawback_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl NewEntry<'_> {
    /// Defaults for the optional parts (struct update syntax fills the rest).
    pub fn new(created_at: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            dealer_id: Uuid::nil(),
            currency: "",
            amount_minor: 0,
            kind: "",
            period: "",
            registration_id: None,
            service_event_id: None,
            program_id: None,
            program_version: None,
            rule_id: None,
            reverses: None,
            reason: None,
            actor: None,
            clawback_until: None,
            created_at,
        }
    }
}

/// Inserts a `NewEntry` inside a transaction (`$tx` is a `Transaction` of either backend).
macro_rules! insert_entry {
    ($tx:expr, $entry:expr) => {{
        let e = $entry;
        sqlx::query(
            "INSERT INTO ledger_entries (id, dealer_id, currency, amount_minor, kind, period, registration_id, service_event_id,
               program_id, program_version, rule_id, reverses, reason, actor, clawback_until, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(e.id)
        .bind(e.dealer_id)
        .bind(e.currency)
        .bind(e.amount_minor)
        .bind(e.kind)
        .bind(e.period)
        .bind(e.registration_id)
        .bind(e.service_event_id)
        .bind(e.program_id)
        .bind(e.program_version)
        .bind(e.rule_id)
        .bind(e.reverses)
        .bind(e.reason)
        .bind(e.actor)
        .bind(e.clawback_until)
        .bind(e.created_at)
        .execute(&mut *$tx)
        .await?
    }};
}
pub(crate) use insert_entry;

/// The statement that locks a dealer's accrual total for a program and period.
pub(crate) fn lock_totals_sql(backend: super::Backend) -> &'static str {
    match backend {
        // Serializes cap checks per dealer, program and period across concurrent writers.
        super::Backend::Postgres => {
            "SELECT total_minor FROM accrual_totals WHERE dealer_id = $1 AND program_id = $2 AND period = $3 FOR UPDATE"
        }
        super::Backend::Sqlite => {
            "SELECT total_minor FROM accrual_totals WHERE dealer_id = $1 AND program_id = $2 AND period = $3"
        }
    }
}

/// Accrues one `AccrualPlan` inside a transaction: applies the program's cap exactly (the total row
/// is locked), then writes a ledger entry (or a held amount); evaluates to the `IncentiveLine`.
macro_rules! accrue {
    ($tx:expr, $lock_totals:expr, $dealer_id:expr, $registration_id:expr, $service_event_id:expr, $plan:expr, $at:expr) => {{
        let plan: &AccrualPlan = $plan;
        let mut amount = plan.amount_minor;
        let mut reason: Option<String> = None;
        if let Some(cap) = plan.cap_minor {
            sqlx::query(
                "INSERT INTO accrual_totals (dealer_id, program_id, period, total_minor) VALUES ($1, $2, $3, 0)
                 ON CONFLICT (dealer_id, program_id, period) DO NOTHING",
            )
            .bind($dealer_id)
            .bind(&plan.program_id)
            .bind(&plan.period)
            .execute(&mut *$tx)
            .await?;
            let total: i64 =
                sqlx::query_scalar($lock_totals).bind($dealer_id).bind(&plan.program_id).bind(&plan.period).fetch_one(&mut *$tx).await?;
            let allowed = (cap - total).clamp(0, amount);
            if allowed < amount {
                reason = Some("capped".to_owned());
                amount = allowed;
            }
            sqlx::query(
                "UPDATE accrual_totals SET total_minor = total_minor + $4 WHERE dealer_id = $1 AND program_id = $2 AND period = $3",
            )
            .bind($dealer_id)
            .bind(&plan.program_id)
            .bind(&plan.period)
            .bind(amount)
            .execute(&mut *$tx)
            .await?;
        }
        let held = plan.held && amount > 0;
        if held {
            sqlx::query(
                "INSERT INTO pending_accruals (id, registration_id, dealer_id, currency, amount_minor, kind, period, program_id,
                   program_version, rule_id, release_after, clawback_until, reason, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'held', $14)",
            )
            .bind(Uuid::now_v7())
            .bind($registration_id)
            .bind($dealer_id)
            .bind(&plan.currency)
            .bind(amount)
            .bind(plan.kind)
            .bind(&plan.period)
            .bind(&plan.program_id)
            .bind(plan.program_version)
            .bind(&plan.rule_id)
            .bind(plan.release_after)
            .bind(plan.clawback_until)
            .bind(&reason)
            .bind($at)
            .execute(&mut *$tx)
            .await?;
        } else {
            $crate::store::ledger::insert_entry!($tx, $crate::store::ledger::NewEntry {
                dealer_id: $dealer_id,
                currency: &plan.currency,
                amount_minor: amount,
                kind: plan.kind,
                period: &plan.period,
                registration_id: Some($registration_id),
                service_event_id: $service_event_id,
                program_id: Some(&plan.program_id),
                program_version: Some(plan.program_version),
                rule_id: Some(&plan.rule_id),
                reason: reason.as_deref(),
                clawback_until: Some(plan.clawback_until),
                ..$crate::store::ledger::NewEntry::new($at)
            });
        }
        IncentiveLine {
            program_id: plan.program_id.clone(),
            program_version: plan.program_version,
            rule_id: plan.rule_id.clone(),
            kind: plan.kind.to_owned(),
            amount_minor: amount,
            currency: plan.currency.clone(),
            held,
            reason,
        }
    }};
}
pub(crate) use accrue;

/// Writes one audit row inside a transaction.
macro_rules! audit {
    ($tx:expr, $actor:expr, $action:expr, $subject_type:expr, $subject_id:expr, $detail:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (id, actor, action, subject_type, subject_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind($actor)
        .bind($action)
        .bind($subject_type)
        .bind($subject_id)
        .bind($detail)
        .bind($at)
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use audit;

impl Store {
    /// Saves a program definition as a new version when it differs from the current one; returns
    /// the current version and whether it was created now.
    pub async fn save_program(
        &self,
        id: &str,
        definition: &str,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(i32, bool)> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let current: Option<(i32, String)> = sqlx::query_as(
                "SELECT v.version, v.definition FROM programs p JOIN program_versions v ON v.program_id = p.id AND v.version = p.version
                 WHERE p.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((version, existing)) = &current
                && existing == definition
            {
                return Ok((*version, false));
            }
            let version = current.map_or(1, |(v, _)| v + 1);
            sqlx::query(
                "INSERT INTO programs (id, version, created_at, updated_at) VALUES ($1, $2, $3, $3)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
            )
            .bind(id)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO program_versions (program_id, version, definition, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(version)
                .bind(definition)
                .bind(now)
                .bind(actor)
                .execute(&mut *tx)
                .await?;
            audit!(
                tx,
                actor,
                "program.saved",
                "program",
                id,
                Some(format!("version {version}")),
                now
            );
            tx.commit().await?;
            Ok((version, true))
        })
    }

    /// The current version of every program.
    pub async fn current_programs(&self) -> Result<Vec<ProgramVersion>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT v.program_id, v.version, v.definition, v.created_at FROM programs p
                 JOIN program_versions v ON v.program_id = p.id AND v.version = p.version ORDER BY p.id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn program_versions(&self, id: &str) -> Result<Vec<ProgramVersion>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT program_id, version, definition, created_at FROM program_versions WHERE program_id = $1 ORDER BY version",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The incentive lines of a registration: its ledger entries and its held amounts.
    pub async fn incentive_lines(&self, registration_id: Uuid) -> Result<Vec<IncentiveLine>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT program_id, program_version, rule_id, kind, amount_minor, currency, held, reason FROM (
                   SELECT e.program_id, e.program_version, e.rule_id, e.kind, e.amount_minor, e.currency, $2 AS held,
                     e.reason, e.created_at, e.id FROM ledger_entries e
                   WHERE e.registration_id = $1 AND e.program_id IS NOT NULL
                   UNION ALL
                   SELECT a.program_id, a.program_version, a.rule_id, a.kind, a.amount_minor, a.currency, $3 AS held,
                     a.reason, a.created_at, a.id FROM pending_accruals a
                   WHERE a.registration_id = $1 AND a.state = 'held'
                 ) lines ORDER BY created_at, id",
            )
            .bind(registration_id)
            .bind(false)
            .bind(true)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Adds a manual ledger entry by finance.
    pub async fn add_adjustment(
        &self,
        adjustment: &NewAdjustment<'_>,
        now: DateTime<Utc>,
    ) -> Result<LedgerLine> {
        let NewAdjustment {
            dealer_id,
            currency,
            amount_minor,
            period,
            reason,
            actor,
        } = *adjustment;
        let id = Uuid::now_v7();
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            insert_entry!(
                tx,
                NewEntry {
                    id,
                    dealer_id,
                    currency,
                    amount_minor,
                    kind: "adjustment",
                    period,
                    reason: Some(reason),
                    actor: Some(actor),
                    ..NewEntry::new(now)
                }
            );
            audit!(
                tx,
                Some(actor),
                "adjustment.added",
                "ledger_entry",
                id.to_string(),
                Some(format!("{amount_minor} {currency}")),
                now
            );
            tx.commit().await?;
        });
        let sql = format!("{LINE_SELECT} WHERE e.id = $1");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(id)
        .fetch_one(pool)
        .await?))
    }

    /// Turns a registration's held amounts into ledger entries (verification) in `period`.
    pub async fn release_held(
        &self,
        registration_id: Uuid,
        period: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let held: Vec<HeldRow> = sqlx::query_as(
                "SELECT id, dealer_id, currency, amount_minor, kind, program_id, program_version, rule_id, clawback_until
                 FROM pending_accruals WHERE registration_id = $1 AND state = 'held' ORDER BY created_at, id",
            )
            .bind(registration_id)
            .fetch_all(&mut *tx)
            .await?;
            for HeldRow {
                id: pending_id,
                dealer_id,
                currency,
                amount_minor: amount,
                kind,
                program_id,
                program_version: version,
                rule_id,
                clawback_until,
            } in &held
            {
                let entry_id = Uuid::now_v7();
                insert_entry!(
                    tx,
                    NewEntry {
                        id: entry_id,
                        dealer_id: *dealer_id,
                        currency,
                        amount_minor: *amount,
                        kind,
                        period,
                        registration_id: Some(registration_id),
                        program_id: Some(program_id),
                        program_version: Some(*version),
                        rule_id: Some(rule_id),
                        reason: Some(reason),
                        clawback_until: *clawback_until,
                        ..NewEntry::new(now)
                    }
                );
                sqlx::query("UPDATE pending_accruals SET state = 'released', entry_id = $2, resolved_at = $3 WHERE id = $1")
                    .bind(pending_id)
                    .bind(entry_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(held.len())
        })
    }

    /// Held amounts whose registration was verified by delivery: released if the confirmation was
    /// sent (or could not be, for want of an email address) and `release_after` passed; cancelled
    /// if the registration was voided or the confirmation bounced. Returns (released, cancelled) registrations.
    pub async fn settle_held_accruals(
        &self,
        period: &str,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize)> {
        let candidates: Vec<SettleCandidate> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT DISTINCT a.registration_id, g.status, r.outcome, g.verified_at FROM pending_accruals a
                 JOIN registrations g ON g.id = a.registration_id
                 LEFT JOIN reminders r ON r.registration_id = a.registration_id AND r.kind = 'registration_confirmation'
                 WHERE a.state = 'held'
                   AND (a.release_after <= $1 OR g.status <> 'active' OR r.outcome = 'bounced' OR g.verified_at IS NOT NULL)",
            )
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        let (mut released, mut cancelled) = (0, 0);
        for SettleCandidate {
            registration_id,
            status,
            outcome: confirmation,
            verified_at,
        } in candidates
        {
            if status != "active"
                || (verified_at.is_none() && confirmation.as_deref() == Some("bounced"))
            {
                self.cancel_held(registration_id, now).await?;
                cancelled += 1;
            } else if verified_at.is_some() {
                self.release_held(registration_id, period, "verified", now)
                    .await?;
                released += 1;
            } else if confirmation.as_deref() == Some("sent") {
                self.release_held(registration_id, period, "confirmation_delivered", now)
                    .await?;
                released += 1;
            } else if confirmation.as_deref() == Some("no_email") {
                // No email channel to confirm through: the verification days passed without a
                // bounce or a void, as for a delivered confirmation.
                self.release_held(registration_id, period, "no_email_channel", now)
                    .await?;
                released += 1;
            }
        }
        Ok((released, cancelled))
    }

    pub async fn cancel_held(&self, registration_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("UPDATE pending_accruals SET state = 'cancelled', resolved_at = $2 WHERE registration_id = $1 AND state = 'held'")
                .bind(registration_id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Closes `period`: one statement per dealer and currency from every entry of this or an earlier
    /// period that is on no statement yet. Closing a closed period changes nothing. Returns whether
    /// this call closed it, and the period's statements.
    pub async fn close_period(
        &self,
        period: &str,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(bool, Vec<StatementRecord>)> {
        let closed_now = with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query("INSERT INTO closed_periods (period, closed_at, closed_by) VALUES ($1, $2, $3) ON CONFLICT (period) DO NOTHING")
                .bind(period)
                .bind(now)
                .bind(actor)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted == 1 {
                let groups: Vec<(Uuid, String, i64)> = sqlx::query_as(
                    "SELECT e.dealer_id, e.currency, CAST(SUM(e.amount_minor) AS BIGINT) FROM ledger_entries e
                     WHERE e.period <= $1 AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.entry_id = e.id)
                     GROUP BY e.dealer_id, e.currency ORDER BY e.dealer_id, e.currency",
                )
                .bind(period)
                .fetch_all(&mut *tx)
                .await?;
                for (dealer_id, currency, total) in groups {
                    let statement_id = Uuid::now_v7();
                    sqlx::query(
                        "INSERT INTO statements (id, dealer_id, currency, period, status, total_minor, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, 'pending_review', $5, $6, $6)",
                    )
                    .bind(statement_id)
                    .bind(dealer_id)
                    .bind(&currency)
                    .bind(period)
                    .bind(total)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO statement_lines (entry_id, statement_id)
                         SELECT e.id, $1 FROM ledger_entries e
                         WHERE e.period <= $2 AND e.dealer_id = $3 AND e.currency = $4
                           AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.entry_id = e.id)",
                    )
                    .bind(statement_id)
                    .bind(period)
                    .bind(dealer_id)
                    .bind(&currency)
                    .execute(&mut *tx)
                    .await?;
                    audit!(
                        tx,
                        actor,
                        "statement.created",
                        "statement",
                        statement_id.to_string(),
                        Some(format!("{total} {currency}")),
                        now
                    );
                }
                audit!(
                    tx,
                    actor,
                    "period.closed",
                    "period",
                    period,
                    None::<String>,
                    now
                );
            }
            tx.commit().await?;
            inserted == 1
        });
        let statements = self.statements(Some(period), None, None).await?;
        Ok((closed_now, statements))
    }

    pub async fn period_closed(&self, period: &str) -> Result<bool> {
        let hit: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT period FROM closed_periods WHERE period = $1")
                .bind(period)
                .fetch_optional(pool)
                .await?
        });
        Ok(hit.is_some())
    }

    pub async fn statements(
        &self,
        period: Option<&str>,
        status: Option<&str>,
        dealer_id: Option<Uuid>,
    ) -> Result<Vec<StatementRecord>> {
        Ok(with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(STATEMENT_SELECT);
            query.push(" WHERE 1 = 1");
            if let Some(period) = period {
                query.push(" AND s.period = ").push_bind(period.to_owned());
            }
            if let Some(status) = status {
                query.push(" AND s.status = ").push_bind(status.to_owned());
            }
            if let Some(dealer_id) = dealer_id {
                query.push(" AND s.dealer_id = ").push_bind(dealer_id);
            }
            query.push(" ORDER BY s.period DESC, d.code, s.currency");
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    pub async fn statement(&self, id: Uuid) -> Result<Option<StatementRecord>> {
        let sql = format!("{STATEMENT_SELECT} WHERE s.id = $1");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(id)
        .fetch_optional(pool)
        .await?))
    }

    pub async fn statement_lines(&self, statement_id: Uuid) -> Result<Vec<LedgerLine>> {
        let sql = format!(
            "{LINE_SELECT} JOIN statement_lines l ON l.entry_id = e.id WHERE l.statement_id = $1 ORDER BY e.created_at, e.id"
        );
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(statement_id)
        .fetch_all(pool)
        .await?))
    }

    /// Every ledger entry, oldest first (for exports and invariant checks).
    pub async fn ledger(&self) -> Result<Vec<LedgerLine>> {
        let sql = format!("{LINE_SELECT} ORDER BY e.created_at, e.id");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .fetch_all(pool)
        .await?))
    }

    /// The ledger's total per currency.
    pub async fn ledger_totals(&self) -> Result<Vec<(String, i64)>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as("SELECT currency, CAST(SUM(amount_minor) AS BIGINT) FROM ledger_entries GROUP BY currency ORDER BY currency")
                .fetch_all(pool)
                .await?
        }))
    }

    /// Entries on no statement yet.
    pub async fn open_entries(&self) -> Result<Vec<LedgerLine>> {
        let sql = format!(
            "{LINE_SELECT} WHERE NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.entry_id = e.id) ORDER BY e.created_at, e.id"
        );
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .fetch_all(pool)
        .await?))
    }

    /// Applies a workflow action (`approve`, `hold`, `release`, `pay`) if the current status allows it.
    pub async fn transition_statement(
        &self,
        id: Uuid,
        action: &str,
        note: Option<&str>,
        actor: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Result<StatementRecord, TransitionError>> {
        let lock = match self.backend() {
            Backend::Postgres => "SELECT status FROM statements WHERE id = $1 FOR UPDATE",
            Backend::Sqlite => "SELECT status FROM statements WHERE id = $1",
        };
        let outcome: Result<(), TransitionError> = with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let status: Option<String> = sqlx::query_scalar(lock)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            match status {
                None => Err(TransitionError::NotFound),
                Some(status) => match crate::domain::incentives::next_status(&status, action) {
                    None => Err(TransitionError::Refused { status }),
                    Some(next) => {
                        sqlx::query(
                            "UPDATE statements SET status = $2, updated_at = $3,
                               hold_reason = CASE WHEN $2 = 'on_hold' THEN $4 WHEN $2 = 'pending_review' THEN NULL ELSE hold_reason END,
                               payment_reference = CASE WHEN $2 = 'paid' THEN $4 ELSE payment_reference END,
                               approved_at = CASE WHEN $2 = 'approved' THEN $3 ELSE approved_at END,
                               paid_at = CASE WHEN $2 = 'paid' THEN $3 ELSE paid_at END
                             WHERE id = $1 AND status = $5",
                        )
                        .bind(id)
                        .bind(next)
                        .bind(now)
                        .bind(note)
                        .bind(&status)
                        .execute(&mut *tx)
                        .await?;
                        let detail = format!(
                            "{status} -> {next}{}",
                            note.map(|n| format!(": {n}")).unwrap_or_default()
                        );
                        audit!(
                            tx,
                            Some(actor),
                            format!("statement.{action}"),
                            "statement",
                            id.to_string(),
                            Some(detail),
                            now
                        );
                        tx.commit().await?;
                        Ok(())
                    }
                },
            }
        });
        match outcome {
            Ok(()) => Ok(self.statement(id).await?.ok_or(TransitionError::NotFound)),
            Err(e) => Ok(Err(e)),
        }
    }

    pub async fn audit_log(
        &self,
        subject_type: &str,
        subject_id: &str,
    ) -> Result<Vec<AuditRecord>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT actor, action, subject_type, subject_id, detail, at FROM audit_log
                 WHERE subject_type = $1 AND subject_id = $2 ORDER BY at, id",
            )
            .bind(subject_type)
            .bind(subject_id)
            .fetch_all(pool)
            .await?
        }))
    }
}
