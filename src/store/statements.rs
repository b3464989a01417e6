//! Closed periods and statements: the rows of a period's close, statement reads, and a
//! statement's status as locked and changed by `crate::workflows::ledger`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::entries::{LINE_SELECT, LedgerLine};
use super::{Backend, Result, Store, WriteTx, exec, with_pool, with_tx};

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

/// Entries of one dealer and currency on no statement yet, up to a period.
#[derive(Debug, sqlx::FromRow)]
pub struct OpenGroup {
    pub dealer_id: Uuid,
    pub currency: String,
    pub total_minor: i64,
}

const STATEMENT_SELECT: &str = "SELECT s.id, s.dealer_id, d.code AS dealer_code, s.currency, s.period, s.status, s.total_minor,
    s.hold_reason, s.payment_reference, s.created_at, s.updated_at, s.approved_at, s.paid_at
    FROM statements s JOIN dealers d ON d.id = s.dealer_id";

/// Marks `period` closed; false when it already was.
pub async fn insert_closed_period(
    tx: &mut WriteTx,
    period: &str,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO closed_periods (period, closed_at, closed_by) VALUES ($1, $2, $3) ON CONFLICT (period) DO NOTHING",
        )
        .bind(period)
        .bind(now)
        .bind(actor)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1
    }))
}

/// Totals per dealer and currency of the entries of `period` or earlier on no statement yet.
pub async fn open_groups(tx: &mut WriteTx, period: &str) -> Result<Vec<OpenGroup>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT e.dealer_id, e.currency, CAST(SUM(e.amount_minor) AS BIGINT) AS total_minor FROM ledger_entries e
             WHERE e.period <= $1 AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.entry_id = e.id)
             GROUP BY e.dealer_id, e.currency ORDER BY e.dealer_id, e.currency",
        )
        .bind(period)
        .fetch_all(&mut *conn)
        .await?
    }))
}

/// A new statement (pending review) holding every open entry of the group up to `period`.
pub async fn insert_statement(
    tx: &mut WriteTx,
    id: Uuid,
    group: &OpenGroup,
    period: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO statements (id, dealer_id, currency, period, status, total_minor, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending_review', $5, $6, $6)",
        )
        .bind(id)
        .bind(group.dealer_id)
        .bind(&group.currency)
        .bind(period)
        .bind(group.total_minor)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO statement_lines (entry_id, statement_id)
             SELECT e.id, $1 FROM ledger_entries e
             WHERE e.period <= $2 AND e.dealer_id = $3 AND e.currency = $4
               AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.entry_id = e.id)",
        )
        .bind(id)
        .bind(period)
        .bind(group.dealer_id)
        .bind(&group.currency)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// A statement's status, locked until the transaction ends (SQLite: the write transaction).
pub async fn lock_statement_status(tx: &mut WriteTx, id: Uuid) -> Result<Option<String>> {
    let lock = match tx.backend() {
        Backend::Postgres => "SELECT status FROM statements WHERE id = $1 FOR UPDATE",
        Backend::Sqlite => "SELECT status FROM statements WHERE id = $1",
    };
    Ok(with_tx!(tx, |conn| {
        sqlx::query_scalar(lock)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    }))
}

/// The change of status and what goes with it: a hold keeps its reason (cleared on release), a
/// payment its reference; approval and payment their time.
pub struct StatusChange<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub hold_reason: Option<&'a str>,
    pub payment_reference: Option<&'a str>,
    pub clear_hold_reason: bool,
    pub approved: bool,
    pub paid: bool,
}

pub async fn update_statement_status(
    tx: &mut WriteTx,
    id: Uuid,
    change: &StatusChange<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE statements SET status = $2, updated_at = $3,
        hold_reason = CASE WHEN $4 IS NOT NULL THEN $4 WHEN $6 THEN NULL ELSE hold_reason END,
        payment_reference = COALESCE($5, payment_reference),
        approved_at = CASE WHEN $7 THEN $3 ELSE approved_at END,
        paid_at = CASE WHEN $8 THEN $3 ELSE paid_at END
        WHERE id = $1 AND status = $9";
        id, change.to, now, change.hold_reason, change.payment_reference,
        change.clear_hold_reason, change.approved, change.paid, change.from)
}

/// The actor of a statement's latest approval.
pub(crate) const APPROVED_BY: &str =
    "SELECT actor FROM audit_log WHERE subject_type = 'statement' AND subject_id = $1
    AND action = 'statement.approve' ORDER BY at DESC, id DESC LIMIT 1";
/// The actors of a statement's adjustments.
pub(crate) const ADJUSTMENT_AUTHORS: &str =
    "SELECT e.actor FROM ledger_entries e JOIN statement_lines l ON l.entry_id = e.id
    WHERE l.statement_id = $1 AND e.kind = 'adjustment'";

/// Who approved a statement last (its latest approval's actor).
pub async fn approved_by(tx: &mut WriteTx, id: Uuid) -> Result<Option<Uuid>> {
    let actor: Option<Option<Uuid>> = with_tx!(tx, |conn| {
        sqlx::query_scalar(APPROVED_BY)
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await
    })?;
    Ok(actor.flatten())
}

/// Who entered the adjustments on a statement.
pub async fn adjustment_authors(tx: &mut WriteTx, id: Uuid) -> Result<Vec<Uuid>> {
    let actors: Vec<Option<Uuid>> = with_tx!(tx, |conn| {
        sqlx::query_scalar(ADJUSTMENT_AUTHORS)
            .bind(id)
            .fetch_all(&mut *conn)
            .await
    })?;
    Ok(actors.into_iter().flatten().collect())
}

impl Store {
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
}
