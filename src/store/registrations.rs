//! Registrations with their customer and planned reminders: the rows a registration writes (in
//! the caller's `WriteTx`, see `crate::workflows::registration`), read back per dealer.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::entries::IncentiveLine;
use super::{Result, Store, Unique, WriteTx, read, violates, with_pool, with_tx};
use crate::domain::consent::CurrentConsent;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct CustomerRecord {
    #[sqlx(rename = "customer_name")]
    pub name: Option<String>,
    #[sqlx(rename = "customer_email")]
    pub email: Option<String>,
    #[sqlx(rename = "customer_phone")]
    pub phone: Option<String>,
    #[sqlx(rename = "customer_locale")]
    pub locale: String,
    #[sqlx(rename = "customer_time_zone")]
    pub time_zone: String,
    #[sqlx(rename = "customer_country")]
    pub country: Option<String>,
    #[sqlx(rename = "customer_postal_code")]
    pub postal_code: Option<String>,
    /// `email` or `sms`, when the customer said.
    #[sqlx(rename = "customer_preferred_channel", default)]
    pub preferred_channel: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReminderRecord {
    pub id: Uuid,
    pub registration_id: Uuid,
    pub kind: String,
    pub occurrence: i32,
    pub nominal_date: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub status: String,
    /// Why it will not be sent, when planned as skipped (`holdout`, `past_due`).
    #[sqlx(default)]
    pub outcome: Option<String>,
    /// `email` or `sms`.
    pub channel: String,
}

/// A registration as stored, with everything its owner may see.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegistrationRecord {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub product_id: Uuid,
    pub customer_id: Uuid,
    pub sku: String,
    pub serial_number: String,
    /// As typed, for display (`None` before it was kept: show `serial_number`).
    pub serial_display: Option<String>,
    /// SHA-256 of the request that created it (a retry of it is not a duplicate submission).
    #[sqlx(default)]
    pub submission_fingerprint: Option<String>,
    pub purchase_date: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub warranty_starts_on: NaiveDate,
    pub warranty_start_basis: String,
    pub warranty_expires_on: NaiveDate,
    pub external_ref: Option<String>,
    pub status: String,
    pub void_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    /// The person (account) or API key that registered it, and that voided it.
    #[sqlx(default)]
    pub registered_by: Option<Uuid>,
    #[sqlx(default)]
    pub voided_by: Option<Uuid>,
    /// `dealer_api`, `dealer_counter`, `owner_qr` or `owner_web`.
    #[sqlx(default)]
    pub channel: String,
    /// Chosen for the reminder holdout: no service reminders are sent for it.
    pub holdout: bool,
    /// Registered for safety messages only: no other message is sent for it.
    #[sqlx(default)]
    pub safety_only: bool,
    #[sqlx(flatten)]
    pub customer: CustomerRecord,
    #[sqlx(skip)]
    pub reminders: Vec<ReminderRecord>,
    /// The customer's current consent, derived from the consent log; filled when one registration
    /// is read.
    #[sqlx(skip)]
    pub consent: Option<CurrentConsent>,
    /// What the registration earned (filled when one registration is read or created).
    #[sqlx(skip)]
    pub incentive: Option<Vec<IncentiveLine>>,
}

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub updated_since: Option<DateTime<Utc>>,
    /// Keyset cursor: the (updated_at, id) of the last item of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub status: Option<String>,
    pub limit: i64,
}

/// Row counts of every table a registration writes to (used to prove that failures leave nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct TableCounts {
    pub customers: i64,
    pub registrations: i64,
    pub reminders: i64,
    pub consent_events: i64,
    pub idempotency_done: i64,
}

const REGISTRATION_SELECT: &str = "SELECT r.id, r.dealer_id, r.product_id, r.customer_id, p.sku, r.serial_number, r.serial_display,
    r.purchase_date, r.delivered_on, r.installed_on, r.warranty_starts_on, r.warranty_start_basis,
    r.warranty_expires_on, r.external_ref, r.status, r.void_reason, r.created_at, r.updated_at, r.voided_at, r.holdout, r.safety_only, r.registered_by, r.voided_by, r.channel,
    c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone, c.locale AS customer_locale,
    c.time_zone AS customer_time_zone, c.country AS customer_country, c.postal_code AS customer_postal_code,
    c.preferred_channel AS customer_preferred_channel
    FROM registrations r JOIN products p ON p.id = r.product_id JOIN customers c ON c.id = r.customer_id";

/// Creates the dealer's customer record for this contact, or updates the one the same dealer
/// already captured (never another dealer's record). Returns its id.
pub async fn upsert_customer(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    contact_key: &str,
    c: &CustomerRecord,
    at: DateTime<Utc>,
) -> Result<Uuid> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO customers (id, dealer_id, contact_key, name, email, phone, locale, time_zone, country,
               postal_code, created_at, updated_at, preferred_channel)
             VALUES ($1, $11, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $12)
             ON CONFLICT (dealer_id, contact_key) DO UPDATE SET name = excluded.name,
               email = COALESCE(excluded.email, customers.email), phone = COALESCE(excluded.phone, customers.phone),
               locale = excluded.locale, time_zone = excluded.time_zone,
               country = COALESCE(excluded.country, customers.country),
               postal_code = COALESCE(excluded.postal_code, customers.postal_code), updated_at = excluded.updated_at,
               preferred_channel = COALESCE(excluded.preferred_channel, customers.preferred_channel)
             RETURNING id",
        )
        .bind(Uuid::now_v7())
        .bind(contact_key)
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.phone)
        .bind(&c.locale)
        .bind(&c.time_zone)
        .bind(&c.country)
        .bind(&c.postal_code)
        .bind(at)
        .bind(dealer_id)
        .bind(&c.preferred_channel)
        .fetch_one(&mut *conn)
        .await?
    }))
}

/// Inserts the registration row (its `customer_id` must be set). `false` when the serial is
/// actively registered already (`registrations_active_serial`); the transaction must then be
/// dropped (PostgreSQL has aborted it).
pub async fn insert_registration(tx: &mut WriteTx, record: &RegistrationRecord) -> Result<bool> {
    let inserted = with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO registrations (id, dealer_id, product_id, customer_id, serial_number, purchase_date,
               delivered_on, installed_on, warranty_starts_on, warranty_start_basis, warranty_expires_on,
               external_ref, status, created_at, updated_at, holdout, serial_display,
               submission_fingerprint, registered_by, channel, safety_only)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17, $18, $19, $20)",
        )
        .bind(record.id)
        .bind(record.dealer_id)
        .bind(record.product_id)
        .bind(record.customer_id)
        .bind(&record.serial_number)
        .bind(record.purchase_date)
        .bind(record.delivered_on)
        .bind(record.installed_on)
        .bind(record.warranty_starts_on)
        .bind(&record.warranty_start_basis)
        .bind(record.warranty_expires_on)
        .bind(&record.external_ref)
        .bind(&record.status)
        .bind(record.created_at)
        .bind(record.holdout)
        .bind(&record.serial_display)
        .bind(&record.submission_fingerprint)
        .bind(record.registered_by)
        .bind(&record.channel)
        .bind(record.safety_only)
        .execute(&mut *conn)
        .await
        .map(drop)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if violates(&e, Unique::ActiveSerial) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Inserts a registration's planned reminders.
pub async fn insert_reminders(
    tx: &mut WriteTx,
    reminders: &[ReminderRecord],
    at: DateTime<Utc>,
) -> Result<()> {
    if reminders.is_empty() {
        return Ok(());
    }
    with_tx!(tx, |conn| {
        QueryBuilder::new(
            "INSERT INTO reminders (id, registration_id, kind, occurrence, nominal_date, due_at, send_after,
               status, created_at, updated_at, outcome, channel, customer_id) ",
        )
        .push_values(reminders, |mut row, r| {
            row.push_bind(r.id)
                .push_bind(r.registration_id)
                .push_bind(&r.kind)
                .push_bind(r.occurrence)
                .push_bind(r.nominal_date)
                .push_bind(r.due_at)
                .push_bind(r.due_at)
                .push_bind(&r.status)
                .push_bind(at)
                .push_bind(at)
                .push_bind(&r.outcome)
                .push_bind(&r.channel)
                // Addressed to whoever owns the unit when it is planned.
                .push("(SELECT g.customer_id FROM registrations g WHERE g.id = ")
                .push_bind_unseparated(r.registration_id)
                .push_unseparated(")");
        })
        .build()
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// The active registration of a serial: (id, dealer, fingerprint of the submission that made it).
pub type SerialHolder = (Uuid, Uuid, Option<String>);

/// Marks a dealer's active registration voided and cancels its pending reminders; `false` when it
/// is not this dealer's or not active.
pub async fn void(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    id: Uuid,
    reason: Option<&str>,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(with_tx!(tx, |conn| {
        let voided = sqlx::query(
            "UPDATE registrations SET status = 'voided', voided_at = $3, updated_at = $3, void_reason = $4, voided_by = $5
             WHERE id = $1 AND dealer_id = $2 AND status = 'active'",
        )
        .bind(id)
        .bind(dealer_id)
        .bind(now)
        .bind(reason)
        .bind(actor)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1;
        if voided {
            sqlx::query(
                "UPDATE reminders SET status = 'cancelled', updated_at = $2
                 WHERE registration_id = $1 AND status = 'pending'",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        voided
    }))
}

impl Store {
    /// Who holds a serial's active registration, if anyone.
    pub async fn active_serial_holder(&self, serial_number: &str) -> Result<Option<SerialHolder>> {
        read!(self, query_as, fetch_optional =>
            "SELECT id, dealer_id, submission_fingerprint FROM registrations WHERE serial_number = $1 AND status = 'active'";
            serial_number)
    }

    /// One dealer's registration, or `None` if it does not exist or belongs to another dealer.
    pub async fn registration_for_dealer(
        &self,
        dealer_id: Uuid,
        id: Uuid,
    ) -> Result<Option<RegistrationRecord>> {
        let sql = format!("{REGISTRATION_SELECT} WHERE r.id = $1 AND r.dealer_id = $2");
        let record: Option<RegistrationRecord> = with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(dealer_id)
                .fetch_optional(pool)
                .await?
        });
        let Some(mut record) = record else {
            return Ok(None);
        };
        record.reminders = self.reminders_of(&[id]).await?;
        record.consent = Some(self.current_consent(record.customer_id).await?);
        record.incentive = Some(self.incentive_lines(id).await?);
        Ok(Some(record))
    }

    /// A page of one dealer's registrations in (updated_at, id) order.
    pub async fn list_registrations(
        &self,
        dealer_id: Uuid,
        filter: &ListFilter,
    ) -> Result<Vec<RegistrationRecord>> {
        let mut records: Vec<RegistrationRecord> = with_pool!(self, |pool| {
            let mut query = QueryBuilder::new(REGISTRATION_SELECT);
            query.push(" WHERE r.dealer_id = ").push_bind(dealer_id);
            if let Some(since) = filter.updated_since {
                query.push(" AND r.updated_at >= ").push_bind(since);
            }
            if let Some((updated_at, id)) = filter.after {
                query
                    .push(" AND (r.updated_at, r.id) > (")
                    .push_bind(updated_at)
                    .push(", ")
                    .push_bind(id)
                    .push(")");
            }
            if let Some(status) = &filter.status {
                query.push(" AND r.status = ").push_bind(status.clone());
            }
            query
                .push(" ORDER BY r.updated_at, r.id LIMIT ")
                .push_bind(filter.limit);
            query.build_query_as().fetch_all(pool).await?
        });
        let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
        let mut reminders = self.reminders_of(&ids).await?;
        for record in &mut records {
            let (mine, rest) = reminders
                .into_iter()
                .partition(|r| r.registration_id == record.id);
            record.reminders = mine;
            reminders = rest;
        }
        Ok(records)
    }

    async fn reminders_of(&self, registration_ids: &[Uuid]) -> Result<Vec<ReminderRecord>> {
        if registration_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(with_pool!(self, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT id, registration_id, kind, occurrence, nominal_date, due_at, status, channel FROM reminders
                 WHERE registration_id IN (",
            );
            let mut ids = query.separated(", ");
            for id in registration_ids {
                ids.push_bind(*id);
            }
            query.push(") ORDER BY registration_id, due_at, kind, occurrence, channel");
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    #[cfg(feature = "testing")]
    pub async fn table_counts(&self) -> Result<TableCounts> {
        read!(self, query_as, fetch_one =>
        "SELECT (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM registrations) AS registrations,
            (SELECT COUNT(*) FROM reminders) AS reminders, (SELECT COUNT(*) FROM consent_events) AS consent_events,
            (SELECT COUNT(*) FROM idempotency_keys WHERE state = 'done') AS idempotency_done";
        )
    }
}

/// A registration read for correction, locked until the transaction ends (PostgreSQL: the row;
/// SQLite: the one writer holds the database).
pub async fn lock_for_correction(tx: &mut WriteTx, id: Uuid) -> Result<Option<RegistrationRecord>> {
    // The row alone is locked first; the full read comes after, in a statement of its own, so it
    // sees what a transaction that held the lock committed (a joined read locked `FOR UPDATE`
    // would re-check the changed row against the join's old rows and find nothing).
    if tx.backend() == super::Backend::Postgres {
        let locked: Option<Uuid> = with_tx!(tx, |conn| {
            sqlx::query_scalar("SELECT id FROM registrations WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        });
        if locked.is_none() {
            return Ok(None);
        }
    }
    let sql = format!("{REGISTRATION_SELECT} WHERE r.id = $1");
    let record: Option<RegistrationRecord> = with_tx!(tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    });
    let Some(mut record) = record else {
        return Ok(None);
    };
    record.reminders = with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, registration_id, kind, occurrence, nominal_date, due_at, status, outcome, channel FROM reminders
             WHERE registration_id = $1 ORDER BY due_at, id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    });
    Ok(Some(record))
}

/// The corrected facts of a registration.
pub async fn update_facts(
    tx: &mut WriteTx,
    r: &RegistrationRecord,
    now: DateTime<Utc>,
) -> Result<()> {
    super::exec!(tx =>
        "UPDATE registrations SET purchase_date = $2, delivered_on = $3, installed_on = $4, warranty_starts_on = $5,
           warranty_start_basis = $6, warranty_expires_on = $7, external_ref = $8, updated_at = $9 WHERE id = $1";
        r.id, r.purchase_date, r.delivered_on, r.installed_on, r.warranty_starts_on, &r.warranty_start_basis,
        r.warranty_expires_on, &r.external_ref, now)
}

/// The corrected details of a customer record (the same person, their details fixed); another
/// record of the dealer with the same contact is `StoreError::Taken("customer")`.
pub async fn update_customer(
    tx: &mut WriteTx,
    customer_id: Uuid,
    contact_key: &str,
    c: &CustomerRecord,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = super::exec!(tx =>
        "UPDATE customers SET contact_key = $2, name = $3, email = $4, phone = $5, locale = $6, time_zone = $7,
           country = $8, postal_code = $9, updated_at = $10, preferred_channel = $11 WHERE id = $1";
        customer_id, contact_key, &c.name, &c.email, &c.phone, &c.locale, &c.time_zone, &c.country, &c.postal_code, now,
        &c.preferred_channel);
    match done {
        Err(super::StoreError::Database(e)) if matches!(&e, sqlx::Error::Database(db) if db.is_unique_violation()) => {
            Err(super::StoreError::Taken("customer"))
        }
        other => other,
    }
}

/// Plans the reminders not sent yet again (a correction, a transfer): a step still unsent takes its
/// new date and state in place, addressed to the unit's owner now, a new step is added, an unsent
/// step no longer planned is cancelled; what was sent (or is being sent) stays as it is.
pub async fn replan_unsent(
    tx: &mut WriteTx,
    registration_id: Uuid,
    current: &[ReminderRecord],
    plan: &[ReminderRecord],
    now: DateTime<Utc>,
) -> Result<()> {
    let unsent =
        |r: &ReminderRecord| matches!(r.status.as_str(), "pending" | "skipped" | "cancelled");
    let mut added = Vec::new();
    for p in plan {
        match current
            .iter()
            .find(|r| r.kind == p.kind && r.occurrence == p.occurrence && r.channel == p.channel)
        {
            Some(r) if unsent(r) => {
                super::exec!(tx =>
                    "UPDATE reminders SET nominal_date = $2, due_at = $3, send_after = $3, status = $4, outcome = $5,
                       updated_at = $6, customer_id = (SELECT g.customer_id FROM registrations g WHERE g.id = reminders.registration_id)
                     WHERE id = $1";
                    r.id, p.nominal_date, p.due_at, &p.status, &p.outcome, now)?;
            }
            Some(_) => {}
            None => added.push(ReminderRecord {
                registration_id,
                ..p.clone()
            }),
        }
    }
    for r in current
        .iter()
        .filter(|r| matches!(r.status.as_str(), "pending" | "skipped"))
    {
        if !plan
            .iter()
            .any(|p| p.kind == r.kind && p.occurrence == r.occurrence && p.channel == r.channel)
        {
            super::exec!(tx =>
                "UPDATE reminders SET status = 'cancelled', updated_at = $2 WHERE id = $1"; r.id, now)?;
        }
    }
    insert_reminders(tx, &added, now).await
}

/// Keeps a correction: who, when, the facts before and after.
pub async fn insert_correction(
    tx: &mut WriteTx,
    registration_id: Uuid,
    actor: Option<Uuid>,
    before: &serde_json::Value,
    after: &serde_json::Value,
    at: DateTime<Utc>,
) -> Result<()> {
    super::exec!(tx =>
        "INSERT INTO registration_corrections (id, registration_id, actor, before, after, at) VALUES ($1, $2, $3, $4, $5, $6)";
        Uuid::now_v7(), registration_id, actor, before.to_string(), after.to_string(), at)
}
