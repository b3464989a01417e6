//! Held amounts: what a registration earned under a rule that waits for the customer's
//! verification. Held rows become ledger entries when released, or are cancelled
//! (`crate::workflows::ledger::settle_held` decides which, by `domain::ledger::settle`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, exec, read, with_tx};

/// A held amount, as released into the ledger.
#[derive(Debug, sqlx::FromRow)]
pub struct HeldRow {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub currency: String,
    pub amount_minor: i64,
    pub kind: String,
    pub program_id: String,
    pub program_version: i32,
    pub rule_id: String,
    pub clawback_until: Option<DateTime<Utc>>,
}

/// A registration with held amounts that may be settled, and the facts that decide how.
#[derive(Debug, sqlx::FromRow)]
pub struct SettleCandidate {
    pub registration_id: Uuid,
    pub status: String,
    /// The confirmation reminder's outcome (`sent`, `bounced`, ...).
    pub outcome: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    /// Some held amount's verification days have passed.
    pub release_due: bool,
}

/// A held amount to write (it becomes an entry when released).
#[derive(Debug)]
pub struct NewHeld<'a> {
    pub registration_id: Uuid,
    pub dealer_id: Uuid,
    pub currency: &'a str,
    pub amount_minor: i64,
    pub kind: &'a str,
    pub period: &'a str,
    pub program_id: &'a str,
    pub program_version: i32,
    pub rule_id: &'a str,
    pub release_after: DateTime<Utc>,
    pub clawback_until: DateTime<Utc>,
    pub reason: Option<&'a str>,
    /// Waits for the customer's confirmation (or the verification days).
    pub needs_verification: bool,
    /// Waits for a proof of purchase.
    pub needs_proof: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_held(tx: &mut WriteTx, h: &NewHeld<'_>) -> Result<()> {
    exec!(tx =>
        "INSERT INTO pending_accruals (id, registration_id, dealer_id, currency, amount_minor, kind, period, program_id,
        program_version, rule_id, release_after, clawback_until, reason, state, created_at, needs_verification, needs_proof)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'held', $14, $15, $16)";
        Uuid::now_v7(), h.registration_id, h.dealer_id, h.currency, h.amount_minor, h.kind,
        h.period, h.program_id, h.program_version, h.rule_id, h.release_after, h.clawback_until,
        h.reason, h.created_at, h.needs_verification, h.needs_proof)
}

/// A registration's held amounts, oldest first.
/// A registration's held amounts that may be released now: those waiting for the customer's
/// confirmation only when `verification_done`, those waiting for a proof of purchase only when
/// one is attached.
pub async fn releasable_of(
    tx: &mut WriteTx,
    registration_id: Uuid,
    verification_done: bool,
) -> Result<Vec<HeldRow>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, dealer_id, currency, amount_minor, kind, program_id, program_version, rule_id, clawback_until
             FROM pending_accruals a WHERE registration_id = $1 AND state = 'held'
               AND (NOT a.needs_verification OR $2)
               AND (NOT a.needs_proof OR EXISTS (SELECT 1 FROM registration_proofs p WHERE p.registration_id = a.registration_id))
             ORDER BY created_at, id",
        )
        .bind(registration_id)
        .bind(verification_done)
        .fetch_all(&mut *conn)
        .await?
    }))
}

/// Marks a held amount as released into the ledger entry `entry_id`.
pub async fn mark_released(
    tx: &mut WriteTx,
    held_id: Uuid,
    entry_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE pending_accruals SET state = 'released', entry_id = $2, resolved_at = $3 WHERE id = $1";
        held_id, entry_id, now)
}

/// Cancels every held amount of a registration.
pub async fn cancel_held(
    tx: &mut WriteTx,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE pending_accruals SET state = 'cancelled', resolved_at = $2 WHERE registration_id = $1 AND state = 'held'";
        registration_id, now)
}

impl Store {
    /// Registrations with held amounts that something may settle: one is due, the registration
    /// is no longer active, its confirmation bounced, or the customer verified.
    pub async fn settle_candidates(&self, now: DateTime<Utc>) -> Result<Vec<SettleCandidate>> {
        read!(self, query_as, fetch_all =>
            "SELECT a.registration_id, g.status, r.outcome, g.verified_at, MIN(a.release_after) <= $1 AS release_due
            FROM pending_accruals a
            JOIN registrations g ON g.id = a.registration_id
            LEFT JOIN reminders r ON r.registration_id = a.registration_id AND r.kind = 'registration_confirmation'
            WHERE a.state = 'held' AND a.needs_verification
            GROUP BY a.registration_id, g.status, r.outcome, g.verified_at
            HAVING MIN(a.release_after) <= $1 OR g.status <> 'active' OR r.outcome = 'bounced' OR g.verified_at IS NOT NULL";
            now)
    }
}
