//! The dispatcher's side of the reminder pipeline: claiming due reminders (and pushing one apalis
//! task per reminder in the same transaction), the queue's depth and failures for operators, a
//! retry of failed reminders, and re-planning pending reminders after a send-window change.

use apalis::prelude::TaskBuilder;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sending::ASYNC_COMMIT;
use super::{BeginWrite, Db, Result, Store, read, with_pool};

/// The apalis task of one reminder: only its id; the handler reads the current state.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ReminderTask {
    pub reminder_id: Uuid,
}

/// The apalis queue the dispatcher pushes to and the send workers take from.
pub const REMINDER_QUEUE: &str = "reminders";

/// The dispatcher's claim: up to $2 reminders whose claim expired or that are due at $1 (expired
/// claims first, then the most overdue), marked queued until $3. Two index-ordered scans (never an
/// OR, which would sort the whole backlog). Named so that `warrantyd bench claim` can show its plan.
const CLAIM_PG: &str = "WITH expired AS (
       SELECT id FROM reminders WHERE status IN ('queued', 'sending') AND lease_until < $1
       ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED),
     due AS (
       SELECT id FROM reminders WHERE status = 'pending' AND send_after <= $1
       ORDER BY send_after LIMIT $2 - (SELECT COUNT(*) FROM expired) FOR UPDATE SKIP LOCKED)
     UPDATE reminders r SET status = 'queued', lease_until = $3, updated_at = $1
     WHERE r.id IN (SELECT id FROM expired UNION ALL SELECT id FROM due) RETURNING r.id";
const CLAIM_SQLITE: &str = "WITH expired AS (
       SELECT id FROM reminders WHERE status IN ('queued', 'sending') AND lease_until < $1
       ORDER BY lease_until LIMIT $2),
     due AS (
       SELECT id FROM reminders WHERE status = 'pending' AND send_after <= $1
       ORDER BY send_after LIMIT $2 - (SELECT COUNT(*) FROM expired))
     UPDATE reminders SET status = 'queued', lease_until = $3, updated_at = $1
     WHERE id IN (SELECT id FROM expired UNION ALL SELECT id FROM due) RETURNING id";

fn tasks(ids: &[Uuid]) -> Vec<apalis::prelude::Task<Vec<u8>>> {
    ids.iter()
        .map(|&reminder_id| {
            let args = serde_json::to_vec(&ReminderTask { reminder_id }).expect("serializes");
            TaskBuilder::new(args).max_attempts(3).build()
        })
        .collect()
}

impl Store {
    /// Claims up to `limit` reminders that are due (or whose claim expired) and pushes one send
    /// task each, in one transaction. Concurrent dispatchers never claim the same row.
    pub async fn claim_due_reminders(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Uuid>> {
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query(ASYNC_COMMIT).execute(&mut *tx).await?;
                let ids: Vec<Uuid> = sqlx::query_scalar(CLAIM_PG)
                    .bind(now)
                    .bind(limit)
                    .bind(lease_until)
                    .fetch_all(&mut *tx)
                    .await?;
                if !ids.is_empty() {
                    apalis_postgres::queries::push_tasks(&mut *tx, REMINDER_QUEUE, tasks(&ids))
                        .await
                        .map_err(|e| super::StoreError::Queue(e.to_string()))?;
                }
                tx.commit().await?;
                Ok(ids)
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_write().await?;
                let ids: Vec<Uuid> = sqlx::query_scalar(CLAIM_SQLITE)
                    .bind(now)
                    .bind(limit)
                    .bind(lease_until)
                    .fetch_all(&mut *tx)
                    .await?;
                if !ids.is_empty() {
                    apalis_sqlite::queries::push_tasks(&mut *tx, REMINDER_QUEUE, &tasks(&ids))
                        .await
                        .map_err(|e| super::StoreError::Queue(e.to_string()))?;
                }
                tx.commit().await?;
                Ok(ids)
            }
        }
    }

    /// The database's plan for the dispatcher's claim, as executed (EXPLAIN ANALYZE on PostgreSQL,
    /// EXPLAIN QUERY PLAN on SQLite); nothing is changed.
    #[cfg(feature = "bench")]
    pub async fn explain_claim(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<String>> {
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "EXPLAIN (ANALYZE, BUFFERS) {CLAIM_PG}"
                )))
                .bind(now)
                .bind(limit)
                .bind(now)
                .fetch_all(&mut *tx)
                .await?;
                tx.rollback().await?;
                Ok(plan)
            }
            Db::Sqlite(pool) => {
                let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(
                    format!("EXPLAIN QUERY PLAN {CLAIM_SQLITE}"),
                ))
                .bind(now)
                .bind(limit)
                .bind(now)
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.3).collect())
            }
        }
    }

    /// How many tasks of the reminder queue apalis has marked done.
    #[cfg(feature = "bench")]
    pub async fn queue_tasks_done(&self) -> Result<i64> {
        Ok(match &self.db {
            Db::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM apalis.jobs WHERE job_type = $1 AND status = 'Done'",
                )
                .bind(REMINDER_QUEUE)
                .fetch_one(pool)
                .await?
            }
            Db::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM Jobs WHERE job_type = $1 AND status = 'Done'",
                )
                .bind(REMINDER_QUEUE)
                .fetch_one(pool)
                .await?
            }
        })
    }

    /// Reminders due now and not yet claimed, and how long the oldest of them has waited.
    pub async fn queue_depth(&self, now: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>)> {
        read!(self, query_as, fetch_one =>
            "SELECT COUNT(*), MIN(send_after) FROM reminders WHERE status = 'pending' AND send_after <= $1";
            now)
    }

    /// Failed and skipped reminders by outcome (for operators).
    pub async fn failures_by_reason(&self) -> Result<Vec<(String, String, i64)>> {
        read!(self, query_as, fetch_all =>
        "SELECT status, COALESCE(outcome, ''), COUNT(*) FROM reminders WHERE status IN ('failed', 'skipped')
        GROUP BY status, outcome ORDER BY status, outcome";
        )
    }

    /// Puts failed reminders back to pending (an operator's retry); returns how many.
    pub async fn retry_failed(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE reminders SET status = 'pending', send_after = $1, attempts = 0, outcome = 'retried', updated_at = $1
                 WHERE status = 'failed' AND COALESCE(outcome, '') <> 'bounced'",
            )
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        }))
    }

    /// Counts of reminders by status.
    pub async fn reminder_status_counts(&self) -> Result<Vec<(String, i64)>> {
        read!(self, query_as, fetch_all =>
        "SELECT status, COUNT(*) FROM reminders GROUP BY status ORDER BY status";
        )
    }
}

/// A pending reminder as re-planning needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingPlan {
    pub id: Uuid,
    pub nominal_date: NaiveDate,
    pub attempts: i32,
    pub send_after: DateTime<Utc>,
    pub time_zone: String,
    pub dealer_send_window: Option<String>,
}

impl Store {
    /// A page of pending reminders after `after` (by id), optionally of one dealer's
    /// registrations, with what their due time depends on.
    pub async fn pending_plans(
        &self,
        after: Uuid,
        limit: i64,
        dealer_id: Option<Uuid>,
    ) -> Result<Vec<PendingPlan>> {
        read!(self, query_as, fetch_all =>
            "SELECT r.id, r.nominal_date, r.attempts, r.send_after, c.time_zone, d.send_window AS dealer_send_window
            FROM reminders r JOIN registrations g ON g.id = r.registration_id JOIN customers c ON c.id = r.customer_id
            JOIN dealers d ON d.id = g.dealer_id
            WHERE r.status = 'pending' AND r.id > $1 AND ($3 IS NULL OR g.dealer_id = $3) ORDER BY r.id LIMIT $2";
            after, limit, dealer_id)
    }

    /// Moves pending reminders to new due times (those sent or claimed meanwhile are left alone).
    pub async fn replan(
        &self,
        plans: &[(Uuid, DateTime<Utc>, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            for (id, due_at, send_after) in plans {
                sqlx::query(
                    "UPDATE reminders SET due_at = $2, send_after = $3, updated_at = $4 WHERE id = $1 AND status = 'pending'",
                )
                .bind(id)
                .bind(due_at)
                .bind(send_after)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
