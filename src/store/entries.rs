//! The append-only ledger: entries (only ever inserted), the per-dealer accrual totals the cap is
//! checked against, and the audit log. Writes take the caller's `WriteTx`; what to write is decided
//! in `crate::workflows::ledger`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{Result, Store, WriteTx, exec, read, with_pool, with_tx};

/// One incentive line of a registration or visit, as accrued (or held).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IncentiveLine {
    pub program_id: String,
    pub program_version: i32,
    pub rule_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Held until the customer verifies the registration, or a proof of purchase is attached.
    pub held: bool,
    /// Held (also) until a proof of purchase is attached.
    pub needs_proof: bool,
    /// `capped` when the program's cap reduced it.
    pub reason: Option<String>,
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

/// An amount a registration earned that a clawback may reverse.
#[derive(Debug, sqlx::FromRow)]
pub struct EarnedRow {
    pub id: Uuid,
    pub currency: String,
    pub amount_minor: i64,
    pub kind: String,
    pub program_id: Option<String>,
    pub program_version: Option<i32>,
    pub rule_id: Option<String>,
}

/// A ledger entry to write.
#[derive(Debug)]
pub struct NewEntry<'a> {
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

pub(crate) const LINE_SELECT: &str = "SELECT e.id AS entry_id, e.kind, e.amount_minor, e.currency, e.period, e.registration_id,
    g.serial_number, e.program_id, e.program_version, e.rule_id, e.reverses, e.reason, e.actor, e.created_at
    FROM ledger_entries e LEFT JOIN registrations g ON g.id = e.registration_id";

pub async fn insert_entry(tx: &mut WriteTx, e: &NewEntry<'_>) -> Result<()> {
    exec!(tx =>
        "INSERT INTO ledger_entries (id, dealer_id, currency, amount_minor, kind, period, registration_id, service_event_id,
        program_id, program_version, rule_id, reverses, reason, actor, clawback_until, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
        e.id, e.dealer_id, e.currency, e.amount_minor, e.kind, e.period, e.registration_id,
        e.service_event_id, e.program_id, e.program_version, e.rule_id, e.reverses, e.reason,
        e.actor, e.clawback_until, e.created_at)
}

/// The dealer's accrued total for a program and period, locked until the transaction ends (on
/// SQLite the write transaction already serializes writers), so cap checks run one at a time.
pub async fn lock_accrual_total(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    program_id: &str,
    period: &str,
) -> Result<i64> {
    let lock = match tx.backend() {
        super::Backend::Postgres => " FOR UPDATE",
        super::Backend::Sqlite => "",
    };
    Ok(with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO accrual_totals (dealer_id, program_id, period, total_minor) VALUES ($1, $2, $3, 0)
             ON CONFLICT (dealer_id, program_id, period) DO NOTHING",
        )
        .bind(dealer_id)
        .bind(program_id)
        .bind(period)
        .execute(&mut *conn)
        .await?;
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT total_minor FROM accrual_totals WHERE dealer_id = $1 AND program_id = $2 AND period = $3{lock}"
        )))
        .bind(dealer_id)
        .bind(program_id)
        .bind(period)
        .fetch_one(&mut *conn)
        .await?
    }))
}

pub async fn add_to_accrual_total(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    program_id: &str,
    period: &str,
    amount_minor: i64,
) -> Result<()> {
    exec!(tx =>
        "UPDATE accrual_totals SET total_minor = total_minor + $4 WHERE dealer_id = $1 AND program_id = $2 AND period = $3";
        dealer_id, program_id, period, amount_minor)
}

/// Writes one audit row.
pub async fn audit(
    tx: &mut WriteTx,
    actor: Option<Uuid>,
    action: &str,
    subject_type: &str,
    subject_id: &str,
    detail: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "INSERT INTO audit_log (id, actor, action, subject_type, subject_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        Uuid::now_v7(), actor, action, subject_type, subject_id, detail, at)
}

/// What a registration earned by being registered (registration and on-time amounts) that no entry
/// reversed yet, whatever its clawback window: what a correction reverses before accruing again.
pub async fn standing_earnings(tx: &mut WriteTx, registration_id: Uuid) -> Result<Vec<EarnedRow>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT e.id, e.currency, e.amount_minor, e.kind, e.program_id, e.program_version, e.rule_id
             FROM ledger_entries e WHERE e.registration_id = $1 AND e.kind IN ('registration', 'on_time_bonus')
               AND e.amount_minor <> 0 AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)
             ORDER BY e.created_at, e.id",
        )
        .bind(registration_id)
        .fetch_all(&mut *conn)
        .await?
    }))
}

/// What a registration earned that no entry reversed yet and whose clawback window is open at `now`.
pub async fn reversible_earnings(
    tx: &mut WriteTx,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<EarnedRow>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT e.id, e.currency, e.amount_minor, e.kind, e.program_id, e.program_version, e.rule_id
             FROM ledger_entries e WHERE e.registration_id = $1 AND e.kind <> 'clawback' AND e.amount_minor <> 0
               AND e.clawback_until >= $2 AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)
             ORDER BY e.created_at, e.id",
        )
        .bind(registration_id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?
    }))
}

impl Store {
    /// The incentive lines of a registration: its ledger entries and its held amounts.
    pub async fn incentive_lines(&self, registration_id: Uuid) -> Result<Vec<IncentiveLine>> {
        read!(self, query_as, fetch_all =>
            "SELECT program_id, program_version, rule_id, kind, amount_minor, currency, held, needs_proof, reason FROM (
            SELECT e.program_id, e.program_version, e.rule_id, e.kind, e.amount_minor, e.currency, $2 AS held,
            $2 AS needs_proof, e.reason, e.created_at, e.id FROM ledger_entries e
            WHERE e.registration_id = $1 AND e.program_id IS NOT NULL
            UNION ALL
            SELECT a.program_id, a.program_version, a.rule_id, a.kind, a.amount_minor, a.currency, $3 AS held,
            a.needs_proof, a.reason, a.created_at, a.id FROM pending_accruals a
            WHERE a.registration_id = $1 AND a.state = 'held'
            ) lines ORDER BY created_at, id";
            registration_id, false, true)
    }

    /// One ledger entry as a line.
    pub async fn ledger_line(&self, entry_id: Uuid) -> Result<LedgerLine> {
        let sql = format!("{LINE_SELECT} WHERE e.id = $1");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(entry_id)
        .fetch_one(pool)
        .await?))
    }

    /// Every ledger entry, oldest first (for exports and invariant checks).
    #[cfg(feature = "testing")]
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
        read!(self, query_as, fetch_all =>
        "SELECT currency, CAST(SUM(amount_minor) AS BIGINT) FROM ledger_entries GROUP BY currency ORDER BY currency";
        )
    }

    /// Entries on no statement yet.
    #[cfg(feature = "testing")]
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

    pub async fn audit_log(
        &self,
        subject_type: &str,
        subject_id: &str,
    ) -> Result<Vec<AuditRecord>> {
        read!(self, query_as, fetch_all =>
            "SELECT actor, action, subject_type, subject_id, detail, at FROM audit_log
            WHERE subject_type = $1 AND subject_id = $2 ORDER BY at, id";
            subject_type, subject_id)
    }
}
