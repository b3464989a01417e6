//! Registrations with their customer, planned reminders and consent log: written in one transaction,
//! read back per dealer.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, QueryBuilder, SqlitePool};
use uuid::Uuid;

use super::ledger::{AccrualPlan, IncentiveLine, NewEntry, accrue, insert_entry, lock_totals_sql};
use super::{Result, Store, is_unique_violation, with_pool};

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
    /// Chosen for the reminder holdout: no service reminders are sent for it.
    pub holdout: bool,
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

/// A stored registration: the customer it belongs to, what it earned, and the saved answer.
#[derive(Debug)]
pub struct Inserted {
    pub customer_id: Uuid,
    pub incentive: Vec<IncentiveLine>,
    pub answer: Option<(u16, String)>,
}

/// Renders the answer to save with an Idempotency-Key, from the registration as stored.
pub type Render<'a> = &'a (dyn Fn(&RegistrationRecord) -> (u16, String) + Sync);

/// An amount a registration earned, as reversed by a clawback.
#[derive(sqlx::FromRow)]
struct EarnedRow {
    id: Uuid,
    currency: String,
    amount_minor: i64,
    kind: String,
    program_id: Option<String>,
    program_version: Option<i32>,
    rule_id: Option<String>,
}

/// One consent event recorded with a registration.
#[derive(Debug, Clone, Copy)]
pub struct ConsentGrant {
    pub party: Party,
    pub purpose: &'static str,
    pub granted: bool,
}

/// Whom a consent was given to: the dealer that captured the customer record it is on, or the
/// manufacturer. One party's grant or withdrawal never changes another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Dealer,
    Manufacturer,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dealer => "dealer",
            Self::Manufacturer => "manufacturer",
        }
    }
}

/// A customer's current consent per party and purpose (`None`: never asked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CurrentConsent {
    pub service_reminders: Option<bool>,
    pub marketing: Option<bool>,
    pub manufacturer_marketing: Option<bool>,
}

/// The serial is already actively registered. `existing_dealer_id` tells the caller whether it was
/// its own registration; it must never be shown to another dealer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateSerial {
    pub existing_registration_id: Option<Uuid>,
    pub existing_dealer_id: Option<Uuid>,
    /// The fingerprint of the submission that created it (for its own dealer only).
    pub existing_fingerprint: Option<String>,
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

/// A transaction that takes the write lock up front: on SQLite `BEGIN IMMEDIATE` avoids the
/// deadlock-prone read-to-write upgrade; PostgreSQL locks rows as it goes.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Self::Db>>;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        writer_of(self).begin_with("BEGIN IMMEDIATE").await
    }
}

/// The one connection this process writes a SQLite file through. Writers then queue for it in
/// order, without sleeping, instead of colliding in SQLite's busy handler (which polls with
/// sleeps of up to 100 ms); reads keep the whole pool. Writers in other processes still meet
/// the busy timeout. An in-memory database has no second connection to the same data, so it
/// keeps its pool.
fn writer_of(pool: &SqlitePool) -> SqlitePool {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock};
    static WRITERS: OnceLock<Mutex<HashMap<PathBuf, SqlitePool>>> = OnceLock::new();
    let options = pool.connect_options();
    let file = options.get_filename();
    if file.as_os_str().is_empty() || file.to_string_lossy().contains(":memory:") {
        return pool.clone();
    }
    let mut writers = WRITERS
        .get_or_init(Default::default)
        .lock()
        .expect("not poisoned");
    if let Some(writer) = writers.get(file) {
        return writer.clone();
    }
    let writer = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect_lazy_with((*options).clone());
    writers.insert(file.to_path_buf(), writer.clone());
    writer
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }
}

const REGISTRATION_SELECT: &str = "SELECT r.id, r.dealer_id, r.product_id, r.customer_id, p.sku, r.serial_number, r.serial_display,
    r.purchase_date, r.delivered_on, r.installed_on, r.warranty_starts_on, r.warranty_start_basis,
    r.warranty_expires_on, r.external_ref, r.status, r.void_reason, r.created_at, r.updated_at, r.voided_at, r.holdout,
    c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone, c.locale AS customer_locale,
    c.time_zone AS customer_time_zone, c.country AS customer_country, c.postal_code AS customer_postal_code
    FROM registrations r JOIN products p ON p.id = r.product_id JOIN customers c ON c.id = r.customer_id";

impl Store {
    /// Stores a new registration, its customer (created, or updated when the same dealer already
    /// captured this contact: never another dealer's record), its reminder
    /// plan, its consent events and, when given, the idempotent answer, all in one transaction.
    /// `record.customer_id` is ignored: the customer is found or created here.
    pub async fn insert_registration(
        &self,
        record: &RegistrationRecord,
        contact_key: &str,
        consents: &[ConsentGrant],
        accruals: &[AccrualPlan],
        idempotent_answer: Option<(&str, Render<'_>)>,
    ) -> Result<Result<Inserted, DuplicateSerial>> {
        let faults = &self.faults;
        let lock_totals = lock_totals_sql(self.backend());
        let outcome = with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let c = &record.customer;
            let customer_id: Uuid = sqlx::query_scalar(
                "INSERT INTO customers (id, dealer_id, contact_key, name, email, phone, locale, time_zone, country,
                   postal_code, created_at, updated_at)
                 VALUES ($1, $11, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                 ON CONFLICT (dealer_id, contact_key) DO UPDATE SET name = excluded.name,
                   email = COALESCE(excluded.email, customers.email), phone = COALESCE(excluded.phone, customers.phone),
                   locale = excluded.locale, time_zone = excluded.time_zone,
                   country = COALESCE(excluded.country, customers.country),
                   postal_code = COALESCE(excluded.postal_code, customers.postal_code), updated_at = excluded.updated_at
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
            .bind(record.created_at)
            .bind(record.dealer_id)
            .fetch_one(&mut *tx)
            .await?;
            faults.check("after_customer")?;

            let inserted = sqlx::query(
                "INSERT INTO registrations (id, dealer_id, product_id, customer_id, serial_number, purchase_date,
                   delivered_on, installed_on, warranty_starts_on, warranty_start_basis, warranty_expires_on,
                   external_ref, status, created_at, updated_at, holdout, serial_display, submission_fingerprint)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17)",
            )
            .bind(record.id)
            .bind(record.dealer_id)
            .bind(record.product_id)
            .bind(customer_id)
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
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if is_unique_violation(&e) => None,
                Err(e) => return Err(e.into()),
                Ok(_) => {
                    faults.check("after_registration")?;
                    if !record.reminders.is_empty() {
                        QueryBuilder::new(
                            "INSERT INTO reminders (id, registration_id, kind, occurrence, nominal_date, due_at, send_after,
                               status, created_at, updated_at, outcome) ",
                        )
                        .push_values(&record.reminders, |mut row, r| {
                            row.push_bind(r.id)
                                .push_bind(record.id)
                                .push_bind(&r.kind)
                                .push_bind(r.occurrence)
                                .push_bind(r.nominal_date)
                                .push_bind(r.due_at)
                                .push_bind(r.due_at)
                                .push_bind(&r.status)
                                .push_bind(record.created_at)
                                .push_bind(record.created_at)
                                .push_bind(&r.outcome);
                        })
                        .build()
                        .execute(&mut *tx)
                        .await?;
                    }
                    faults.check("after_reminders")?;
                    if !consents.is_empty() {
                        QueryBuilder::new(
                            "INSERT INTO consent_events (id, customer_id, party, purpose, granted, source, dealer_id,
                               registration_id, occurred_at) ",
                        )
                        .push_values(consents, |mut row, grant| {
                            row.push_bind(Uuid::now_v7())
                                .push_bind(customer_id)
                                .push_bind(grant.party.as_str())
                                .push_bind(grant.purpose)
                                .push_bind(grant.granted)
                                .push_bind("dealer_registration")
                                .push_bind(record.dealer_id)
                                .push_bind(record.id)
                                .push_bind(record.created_at);
                        })
                        .build()
                        .execute(&mut *tx)
                        .await?;
                    }
                    faults.check("after_consent")?;
                    let mut incentive = Vec::with_capacity(accruals.len());
                    for plan in accruals {
                        incentive.push(accrue!(
                            tx,
                            lock_totals,
                            record.dealer_id,
                            record.id,
                            None::<Uuid>,
                            plan,
                            record.created_at
                        ));
                    }
                    faults.check("after_incentives")?;
                    let mut answer = None;
                    if let Some((key, render)) = idempotent_answer {
                        let mut stored = record.clone();
                        stored.customer_id = customer_id;
                        stored.incentive = Some(incentive.clone());
                        let (status, body) = render(&stored);
                        sqlx::query(
                            "UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4,
                               registration_id = $5
                             WHERE dealer_id = $1 AND key = $2",
                        )
                        .bind(record.dealer_id)
                        .bind(key)
                        .bind(i32::from(status))
                        .bind(&body)
                        .bind(record.id)
                        .execute(&mut *tx)
                        .await?;
                        answer = Some((status, body));
                    }
                    tx.commit().await?;
                    Some(Inserted {
                        customer_id,
                        incentive,
                        answer,
                    })
                }
            }
        });
        if let Some(inserted) = outcome {
            return Ok(Ok(inserted));
        }
        let existing: Option<(Uuid, Uuid, Option<String>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, dealer_id, submission_fingerprint FROM registrations WHERE serial_number = $1 AND status = 'active'",
            )
                .bind(&record.serial_number)
                .fetch_optional(pool)
                .await?
        });
        Ok(Err(DuplicateSerial {
            existing_registration_id: existing.as_ref().map(|e| e.0),
            existing_dealer_id: existing.as_ref().map(|e| e.1),
            existing_fingerprint: existing.and_then(|e| e.2),
        }))
    }

    /// Records an attempt worth an admin's attention (e.g. a serial registered by another dealer).
    pub async fn record_fraud_signal(
        &self,
        kind: &str,
        dealer_id: Uuid,
        serial_number: Option<&str>,
        registration_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.record_fraud_evidence(kind, dealer_id, serial_number, registration_id, None, now)
            .await
    }

    /// Records a signal with the evidence an admin needs to judge it (kept with the signal, since
    /// the facts behind it may change).
    pub async fn record_fraud_evidence(
        &self,
        kind: &str,
        dealer_id: Uuid,
        serial_number: Option<&str>,
        registration_id: Option<Uuid>,
        evidence: Option<&serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let evidence = evidence.map(ToString::to_string);
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO fraud_signals (id, kind, dealer_id, serial_number, registration_id, created_at, evidence)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(kind)
            .bind(dealer_id)
            .bind(serial_number)
            .bind(registration_id)
            .bind(now)
            .bind(&evidence)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn fraud_signal_count(&self, kind: &str) -> Result<i64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM fraud_signals WHERE kind = $1")
                .bind(kind)
                .fetch_one(pool)
                .await?
        }))
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
                "SELECT id, registration_id, kind, occurrence, nominal_date, due_at, status FROM reminders
                 WHERE registration_id IN (",
            );
            let mut ids = query.separated(", ");
            for id in registration_ids {
                ids.push_bind(*id);
            }
            query.push(") ORDER BY registration_id, due_at, kind, occurrence");
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Voids a dealer's active registration and cancels its pending reminders. Voiding a voided
    /// registration changes nothing. `None` when the registration is not this dealer's.
    pub async fn void_registration(
        &self,
        dealer_id: Uuid,
        id: Uuid,
        reason: Option<&str>,
        period: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RegistrationRecord>> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let voided = sqlx::query(
                "UPDATE registrations SET status = 'voided', voided_at = $3, updated_at = $3, void_reason = $4
                 WHERE id = $1 AND dealer_id = $2 AND status = 'active'",
            )
            .bind(id)
            .bind(dealer_id)
            .bind(now)
            .bind(reason)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if voided == 1 {
                sqlx::query(
                    "UPDATE reminders SET status = 'cancelled', updated_at = $2
                     WHERE registration_id = $1 AND status = 'pending'",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // Within the clawback window, every amount earned is given back by a reversing entry.
                let earned: Vec<EarnedRow> = sqlx::query_as(
                    "SELECT e.id, e.currency, e.amount_minor, e.kind, e.program_id, e.program_version, e.rule_id
                     FROM ledger_entries e WHERE e.registration_id = $1 AND e.kind <> 'clawback' AND e.amount_minor <> 0
                       AND e.clawback_until >= $2 AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)
                     ORDER BY e.created_at, e.id",
                )
                .bind(id)
                .bind(now)
                .fetch_all(&mut *tx)
                .await?;
                for e in earned {
                    let reason = format!("voided: reverses {}", e.kind);
                    insert_entry!(
                        tx,
                        NewEntry {
                            dealer_id,
                            currency: &e.currency,
                            amount_minor: -e.amount_minor,
                            kind: "clawback",
                            period,
                            registration_id: Some(id),
                            program_id: e.program_id.as_deref(),
                            program_version: e.program_version,
                            rule_id: e.rule_id.as_deref(),
                            reverses: Some(e.id),
                            reason: Some(&reason),
                            ..NewEntry::new(now)
                        }
                    );
                }
                sqlx::query("UPDATE pending_accruals SET state = 'cancelled', resolved_at = $2 WHERE registration_id = $1 AND state = 'held'")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        self.registration_for_dealer(dealer_id, id).await
    }

    /// The customer's current consent per party and purpose: the latest event, except that a
    /// withdrawal by the customer (unsubscribe) stands until the customer grants consent again.
    pub async fn current_consent(&self, customer_id: Uuid) -> Result<CurrentConsent> {
        let events: Vec<(String, String, bool, String)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT party, purpose, granted, source FROM consent_events WHERE customer_id = $1 ORDER BY occurred_at, id",
            )
            .bind(customer_id)
            .fetch_all(pool)
            .await?
        });
        let current = |party: Party, purpose: &str| {
            let mut state = None;
            let mut withdrawn_by_customer = false;
            for (_, _, granted, source) in events
                .iter()
                .filter(|(w, p, _, _)| w == party.as_str() && p == purpose)
            {
                if source.starts_with("customer_") {
                    withdrawn_by_customer = !granted;
                }
                state = Some(*granted && !withdrawn_by_customer);
            }
            state
        };
        Ok(CurrentConsent {
            service_reminders: current(Party::Dealer, "service_reminders"),
            marketing: current(Party::Dealer, "marketing"),
            manufacturer_marketing: current(Party::Manufacturer, "marketing"),
        })
    }

    pub async fn consent_event_count(&self, customer_id: Uuid) -> Result<i64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM consent_events WHERE customer_id = $1")
                .bind(customer_id)
                .fetch_one(pool)
                .await?
        }))
    }

    pub async fn table_counts(&self) -> Result<TableCounts> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM registrations) AS registrations,
                   (SELECT COUNT(*) FROM reminders) AS reminders, (SELECT COUNT(*) FROM consent_events) AS consent_events,
                   (SELECT COUNT(*) FROM idempotency_keys WHERE state = 'done') AS idempotency_done",
            )
            .fetch_one(pool)
            .await?
        }))
    }
}
