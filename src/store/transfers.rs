//! Ownership transfers as rows: offered (by the owner or a dealer), accepted once, cancelled; a
//! unit's owners over time. The use cases are in `crate::workflows::transfer`.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, exec, read, with_tx};

/// A transfer as the pages and the workflow see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransferRecord {
    pub id: Uuid,
    pub registration_id: Uuid,
    pub from_customer_id: Uuid,
    pub to_customer_id: Option<Uuid>,
    pub invited_email: Option<String>,
    pub invited_locale: String,
    /// `owner` or `dealer`.
    pub started_by: String,
    pub serving_dealer_id: Option<Uuid>,
    /// `pending`, `accepted` or `cancelled`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    // The unit, for the pages and the email (never the owner's details).
    pub product_name: String,
    pub sku: String,
    pub serial_number: String,
    pub serial_display: Option<String>,
    pub warranty_expires_on: NaiveDate,
    pub transfer_policy: String,
    pub dealer_id: Uuid,
    pub dealer_name: String,
    pub dealer_time_zone: String,
    pub dealer_country: Option<String>,
}

const TRANSFER_SELECT: &str = "SELECT t.id, t.registration_id, t.from_customer_id, t.to_customer_id,
    t.invited_email, t.invited_locale, t.started_by, t.serving_dealer_id, t.status, t.created_at, t.expires_at,
    t.accepted_at, p.name AS product_name, p.sku, g.serial_number, g.serial_display, g.warranty_expires_on,
    p.transfer_policy, d.id AS dealer_id, d.name AS dealer_name, d.time_zone AS dealer_time_zone,
    d.country AS dealer_country
    FROM ownership_transfers t JOIN registrations g ON g.id = t.registration_id
    JOIN products p ON p.id = g.product_id JOIN dealers d ON d.id = g.dealer_id";

/// One owner of a unit over time (dates only: who they were is not shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnershipPeriod {
    pub customer_id: Uuid,
    pub from: DateTime<Utc>,
    pub through: Option<DateTime<Utc>>,
    /// Set for an owner who came by a transfer a dealer started: that dealer's name.
    pub serving_dealer: Option<String>,
}

/// A unit its owner handed on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandedOn {
    pub transfer_id: Uuid,
    pub registration_id: Uuid,
    pub product_name: String,
    pub serial: String,
    pub accepted_at: Option<DateTime<Utc>>,
    /// `owner` or `dealer`.
    pub started_by: String,
    /// The dealer who started it, or else the selling dealer.
    pub dealer_id: Uuid,
}

pub struct NewTransfer<'a> {
    pub registration_id: Uuid,
    pub from_customer_id: Uuid,
    pub invited_email: &'a str,
    pub invited_locale: &'a str,
    pub started_by: &'a str,
    pub serving_dealer_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut WriteTx, t: &NewTransfer<'_>, now: DateTime<Utc>) -> Result<Uuid> {
    let id = Uuid::now_v7();
    exec!(tx =>
        "INSERT INTO ownership_transfers (id, registration_id, from_customer_id, invited_email, invited_locale,
           started_by, serving_dealer_id, status, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)";
        id, t.registration_id, t.from_customer_id, t.invited_email, t.invited_locale, t.started_by,
        t.serving_dealer_id, now, t.expires_at)?;
    Ok(id)
}

/// The transfer, locked for the rest of the transaction.
pub async fn lock(tx: &mut WriteTx, id: Uuid) -> Result<Option<TransferRecord>> {
    let lock = match tx.backend() {
        super::Backend::Postgres => " FOR UPDATE OF t",
        super::Backend::Sqlite => "",
    };
    let sql = format!("{TRANSFER_SELECT} WHERE t.id = $1{lock}");
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    }))
}

/// How many times the unit has changed hands.
pub async fn accepted_count(tx: &mut WriteTx, registration_id: Uuid) -> Result<i64> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM ownership_transfers WHERE registration_id = $1 AND status = 'accepted'",
        )
        .bind(registration_id)
        .fetch_one(&mut *conn)
        .await?
    }))
}

/// Marks the transfer accepted by `to`, and cancels every other offer for the unit.
pub async fn accept(
    tx: &mut WriteTx,
    id: Uuid,
    registration_id: Uuid,
    to: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE ownership_transfers SET status = 'accepted', to_customer_id = $2, accepted_at = $3, invited_email = NULL
         WHERE id = $1";
        id, to, now)?;
    exec!(tx =>
        "UPDATE ownership_transfers SET status = 'cancelled', invited_email = NULL
         WHERE registration_id = $1 AND status = 'pending'";
        registration_id)
}

/// Hands the unit to its new owner, if `from` still owns it; `false` when someone else does.
pub async fn change_owner(
    tx: &mut WriteTx,
    registration_id: Uuid,
    from: Uuid,
    to: Uuid,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE registrations SET customer_id = $3, updated_at = $4 WHERE id = $1 AND customer_id = $2 AND status = 'active'",
        )
        .bind(registration_id)
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1
    }))
}

impl Store {
    pub async fn transfer(&self, id: Uuid) -> Result<Option<TransferRecord>> {
        let sql = format!("{TRANSFER_SELECT} WHERE t.id = $1");
        read!(self, query_as, fetch_optional => sqlx::AssertSqlSafe(sql); id)
    }

    /// The unit's owners, first to current, from its registration and its accepted transfers.
    pub async fn ownership_periods(&self, registration_id: Uuid) -> Result<Vec<OwnershipPeriod>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            from_customer_id: Uuid,
            to_customer_id: Option<Uuid>,
            accepted_at: Option<DateTime<Utc>>,
            serving_dealer: Option<String>,
        }
        let first: Option<(Uuid, DateTime<Utc>)> = read!(self, query_as, fetch_optional =>
            "SELECT customer_id, created_at FROM registrations WHERE id = $1"; registration_id)?;
        let Some((current, registered_at)) = first else {
            return Ok(Vec::new());
        };
        let rows: Vec<Row> = read!(self, query_as, fetch_all =>
            "SELECT t.from_customer_id, t.to_customer_id, t.accepted_at, d.name AS serving_dealer
             FROM ownership_transfers t LEFT JOIN dealers d ON d.id = t.serving_dealer_id
             WHERE t.registration_id = $1 AND t.status = 'accepted' ORDER BY t.accepted_at, t.id";
            registration_id)?;
        let mut periods = Vec::with_capacity(rows.len() + 1);
        let (mut owner, mut since, mut by) = (
            rows.first().map_or(current, |r| r.from_customer_id),
            registered_at,
            None,
        );
        for r in rows {
            let at = r.accepted_at.unwrap_or(since);
            periods.push(OwnershipPeriod {
                customer_id: owner,
                from: since,
                through: Some(at),
                serving_dealer: by.take(),
            });
            owner = r.to_customer_id.unwrap_or(current);
            since = at;
            by = r.serving_dealer;
        }
        periods.push(OwnershipPeriod {
            customer_id: owner,
            from: since,
            through: None,
            serving_dealer: by,
        });
        Ok(periods)
    }

    /// Each reminder of a registration: kind, occurrence, status and whom it is addressed to.
    #[cfg(feature = "testing")]
    pub async fn reminder_addressees(
        &self,
        registration_id: Uuid,
    ) -> Result<Vec<(Uuid, String, i32, String, Option<Uuid>)>> {
        read!(self, query_as, fetch_all =>
            "SELECT id, kind, occurrence, status, customer_id FROM reminders WHERE registration_id = $1 ORDER BY kind, occurrence";
            registration_id)
    }

    /// A registration's corrections as stored (before and after, joined).
    #[cfg(feature = "testing")]
    pub async fn corrections(&self, registration_id: Uuid) -> Result<Vec<String>> {
        let rows: Vec<(String, String)> = read!(self, query_as, fetch_all =>
            "SELECT before, after FROM registration_corrections WHERE registration_id = $1 ORDER BY at";
            registration_id)?;
        Ok(rows.into_iter().map(|(b, a)| format!("{b} {a}")).collect())
    }

    /// An owner stops the offers of their unit still waiting; how many. Nothing when the unit is
    /// not theirs.
    pub async fn stop_transfers(&self, registration_id: Uuid, owner: Uuid) -> Result<u64> {
        super::run!(self =>
            "UPDATE ownership_transfers SET status = 'cancelled', invited_email = NULL
             WHERE registration_id = $1 AND from_customer_id = $2 AND status = 'pending'
               AND EXISTS (SELECT 1 FROM registrations g WHERE g.id = $1 AND g.customer_id = $2)";
            registration_id, owner)
    }

    /// A customer's email and language.
    pub async fn customer_email_locale(
        &self,
        customer_id: Uuid,
    ) -> Result<Option<(Option<String>, String)>> {
        read!(self, query_as, fetch_optional =>
            "SELECT email, locale FROM customers WHERE id = $1"; customer_id)
    }

    /// The selling dealer of a registration.
    pub async fn registration_dealer(&self, id: Uuid) -> Result<Option<Uuid>> {
        read!(self, query_scalar, fetch_optional =>
            "SELECT dealer_id FROM registrations WHERE id = $1"; id)
    }

    /// The newest reminder of a unit addressed to this customer (their own page's link signs it).
    pub async fn newest_reminder_of(
        &self,
        customer_id: Uuid,
        registration_id: Uuid,
    ) -> Result<Option<Uuid>> {
        read!(self, query_scalar, fetch_optional =>
            "SELECT id FROM reminders WHERE customer_id = $1 AND registration_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1";
            customer_id, registration_id)
    }

    /// The units this customer owned and handed on, newest first.
    pub async fn transferred_away(&self, customer_id: Uuid) -> Result<Vec<HandedOn>> {
        read!(self, query_as, fetch_all =>
            "SELECT t.id AS transfer_id, g.id AS registration_id, p.name AS product_name,
               COALESCE(g.serial_display, g.serial_number) AS serial, t.accepted_at, t.started_by,
               COALESCE(t.serving_dealer_id, g.dealer_id) AS dealer_id
             FROM ownership_transfers t JOIN registrations g ON g.id = t.registration_id
             JOIN products p ON p.id = g.product_id
             WHERE t.from_customer_id = $1 AND t.status = 'accepted' ORDER BY t.accepted_at DESC";
            customer_id)
    }
}
