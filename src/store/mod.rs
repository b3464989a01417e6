//! Persistence behind one narrow interface. The backend (SQLite or PostgreSQL) is chosen at run time
//! from the database URL; each operation is written once where the two dialects agree and per
//! backend where they do not. Row types stay in this module tree. Store functions read and write
//! rows and decide nothing: a use case (`crate::workflows`) opens a `WriteTx` with
//! `Store::begin_write`, calls the row functions that take it, and commits.

mod accounts;
mod catalog;
pub mod consent;
pub mod customers;
mod deliveries;
mod dispatch;
pub mod entries;
mod faults;
pub mod held;
pub mod idempotency;
mod keys;
mod leases;
pub mod owner_registrations;
pub mod people;
pub mod portal;
mod postgres;
pub mod programs;
pub mod proofs;
pub mod registrations;
mod scorecard;
mod sending;
mod signals;
mod sqlite;
pub mod statements;
pub mod subject_access;
pub mod texts;
pub mod transfers;
pub mod visits;

use std::time::Duration;

use sqlx::{PgPool, SqlitePool};

pub use accounts::{AccountRecord, ActorName, NewAccount};
pub use catalog::{DealerRecord, DealerUpsert, ProductRecord, ProductUpsert};
pub use customers::{LinkTarget, VerifyTarget};
pub use deliveries::{AttemptRecord, DeliveryRecord};
pub use dispatch::{PendingPlan, REMINDER_QUEUE, ReminderTask};
pub use entries::{AuditRecord, IncentiveLine, LedgerLine};
pub use faults::Faults;
pub use idempotency::IdempotencyBegin;
pub use keys::{KeyRecord, NewKey};
pub use people::{ExportRow, PersonRecord, PersonRegistration};
pub use programs::ProgramVersion;
pub use registrations::{
    CustomerRecord, ListFilter, RegistrationRecord, ReminderRecord, TableCounts,
};
pub use scorecard::{FraudSignal, HoldoutLift, PeriodBounds};
pub use sending::{Finished, Outcome, SendContext};
pub use statements::StatementRecord;
pub use visits::{NewVisit, RecordedVisit, SerialOwner, ServicerPattern, VisitRecord};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$store` uses. The body
/// is type-checked once per backend, so shared SQL must be valid in both dialects.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Runs `$body` with `$conn` bound to the connection of whichever backend the `WriteTx` `$tx`
/// holds (`$tx` is a `&mut WriteTx`); like `with_pool!`, the body is type-checked per backend.
macro_rules! with_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::WriteTx::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::store::WriteTx::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}
pub(crate) use with_tx;

/// One statement in a write transaction with its bind values: `exec!(tx => "SQL"; a, b)` is
/// `Result<()>`. (The `=>` and `;` keep rustfmt from spreading it over a line per value.)
macro_rules! exec {
    ($tx:expr => $sql:expr; $($bind:expr),* $(,)?) => {
        $crate::store::with_tx!($tx, |conn| sqlx::query($sql)$(.bind($bind))*.execute(&mut *conn).await.map(drop))
            .map_err($crate::store::StoreError::from)
    };
}
pub(crate) use exec;

/// One read on the pool of either backend: `read!(self, query_as, fetch_all => "SQL"; a, b)` is
/// `Result<T>` with `T` what the fetch returns.
macro_rules! read {
    ($store:expr, $kind:ident, $fetch:ident => $sql:expr; $($bind:expr),* $(,)?) => {
        $crate::store::with_pool!($store, |pool| sqlx::$kind($sql)$(.bind($bind))*.$fetch(pool).await)
            .map_err($crate::store::StoreError::from)
    };
}
pub(crate) use read;

/// One statement on the pool outside a transaction; evaluates to the rows it changed.
macro_rules! run {
    ($store:expr => $sql:expr; $($bind:expr),* $(,)?) => {
        $crate::store::with_pool!($store, |pool| sqlx::query($sql)$(.bind($bind))*.execute(pool).await.map(|r| r.rows_affected()))
            .map_err($crate::store::StoreError::from)
    };
}
pub(crate) use run;

/// A write transaction of either backend, opened by `Store::begin_write` and committed by the
/// workflow that opened it. Dropped without `commit`, it rolls back.
pub enum WriteTx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Self::Sqlite(t) => t.commit().await?,
            Self::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A transaction that takes the write lock up front: on SQLite `BEGIN IMMEDIATE` (through the
/// process's one writer connection, `sqlite::begin_write`) avoids the deadlock-prone
/// read-to-write upgrade; PostgreSQL locks rows as it goes.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Self::Db>>;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        sqlite::begin_write(self).await
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The database could not be reached or did not answer in time: worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("text that cannot be stored")]
    UnstorableText,
    #[error("injected fault at {0}")]
    Injected(&'static str),
    /// The job queue refused a task (apalis).
    #[error("queue error: {0}")]
    Queue(String),
    /// A value another row already holds (the field's name), e.g. a product's GTIN.
    #[error("{0} is already taken")]
    Taken(&'static str),
}

impl StoreError {
    /// An error of the same kind with the same message, for each caller that shared the failed
    /// work (sqlx's errors cannot be cloned).
    pub fn replicate(&self) -> Self {
        let message = |e: &sqlx::Error| sqlx::Error::Protocol(e.to_string());
        match self {
            Self::NotFound => Self::NotFound,
            Self::Unavailable(e) => Self::Unavailable(message(e)),
            Self::Database(e) => Self::Database(message(e)),
            Self::Migration(e) => Self::Corrupt(format!("migration failed: {e}")),
            Self::Corrupt(s) => Self::Corrupt(s.clone()),
            Self::UnstorableText => Self::UnstorableText,
            Self::Injected(point) => Self::Injected(point),
            Self::Queue(s) => Self::Queue(s.clone()),
            Self::Taken(field) => Self::Taken(field),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => Self::Unavailable(e),
            sqlx::Error::Database(ref db) if is_unavailable_code(db.code().as_deref()) => {
                Self::Unavailable(e)
            }
            // PostgreSQL cannot store a NUL character in text (22021) nor text it cannot
            // translate (22P05): the input's fault, whichever path let it through.
            sqlx::Error::Database(ref db)
                if matches!(db.code().as_deref(), Some("22021" | "22P05")) =>
            {
                Self::UnstorableText
            }
            other => Self::Database(other),
        }
    }
}

/// SQLite busy/locked after the busy timeout, PostgreSQL shutdown and connection failures.
fn is_unavailable_code(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("5" | "6" | "517" | "57P01" | "57P02" | "57P03" | "53300")
    ) || code.is_some_and(|c| c.starts_with("08"))
}

/// The unique constraints whose violation means something to a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unique {
    /// `registrations_active_serial`: the serial is actively registered already.
    ActiveSerial,
    /// `service_events_attributed_reminder`: another visit took the reminder.
    AttributedReminder,
    /// `products_gtin`: another product carries this GTIN.
    ProductGtin,
}

impl Unique {
    /// PostgreSQL reports the constraint's name; SQLite only the columns of the index
    /// ("UNIQUE constraint failed: registrations.serial_number").
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::ActiveSerial => ("registrations_active_serial", "registrations.serial_number"),
            Self::AttributedReminder => (
                "service_events_attributed_reminder",
                "service_events.attributed_reminder_id",
            ),
            Self::ProductGtin => ("products_gtin", "products.gtin"),
        }
    }
}

/// Whether `e` is a violation of that very constraint (any other one is a real error).
pub(crate) fn violates(e: &sqlx::Error, unique: Unique) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    if !db.is_unique_violation() {
        return false;
    }
    let (constraint, columns) = unique.names();
    match db.constraint() {
        Some(name) => name == constraint,
        None => db.message().ends_with(columns),
    }
}

/// Whether any migration of these (migrator, history table) pairs has not been applied.
async fn any_pending(
    conn: &mut impl sqlx::migrate::Migrate,
    sets: &[(&sqlx::migrate::Migrator, &str)],
) -> Result<bool> {
    for (migrator, table) in sets {
        // A missing history table means nothing was applied.
        let applied = conn
            .list_applied_migrations(table)
            .await
            .unwrap_or_default();
        let is_applied = |version: i64| applied.iter().any(|a| a.version == version);
        if migrator
            .iter()
            .any(|m| m.migration_type.is_up_migration() && !is_applied(m.version))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
    faults: Faults,
}

impl Store {
    /// Connects to `url` (`sqlite:` or `postgres://`) without touching the schema.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let db = if url.starts_with("sqlite:") {
            Db::Sqlite(sqlite::connect(url, max_connections).await?)
        } else {
            Db::Postgres(postgres::connect(url, max_connections).await?)
        };
        Ok(Self {
            db,
            faults: Faults::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies our migrations and apalis's (each tracked in its own table).
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite(pool) => sqlite::migrate(pool).await,
            Db::Postgres(pool) => postgres::migrate(pool).await,
        }
    }

    /// Whether every migration this binary knows has been applied.
    pub async fn migrations_pending(&self) -> Result<bool> {
        match &self.db {
            Db::Sqlite(pool) => sqlite::migrations_pending(pool).await,
            Db::Postgres(pool) => postgres::migrations_pending(pool).await,
        }
    }

    /// A cheap round trip, bounded in time, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        let ping = async {
            with_pool!(self, |pool| sqlx::query("SELECT 1")
                .execute(pool)
                .await
                .map(drop))
        };
        match tokio::time::timeout(Duration::from_secs(2), ping).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
        }
    }

    /// SQLite: moves the write-ahead log into the database file and truncates it, so that pages
    /// as they were before an erasure are gone from disk too. PostgreSQL: nothing to do (its WAL
    /// is the server's, recycled by its checkpoints).
    pub async fn checkpoint(&self) -> Result<()> {
        if let Db::Sqlite(pool) = &self.db {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Deletes what is kept only for a while: saved idempotent answers (they hold personal data)
    /// and finished queue tasks, older than `before`. Returns the rows deleted.
    pub async fn purge_expired(&self, before: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        let answers = with_pool!(self, |pool| {
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        });
        let tasks = match &self.db {
            Db::Sqlite(pool) => sqlx::query(
                "DELETE FROM Jobs WHERE status IN ('Done', 'Killed') AND done_at IS NOT NULL AND done_at < $1",
            )
            .bind(before.timestamp())
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "DELETE FROM apalis.jobs WHERE status IN ('Done', 'Killed') AND done_at IS NOT NULL AND done_at < $1",
            )
            .bind(before)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(answers + tasks)
    }

    /// Opens a write transaction (see `BeginWrite`); the caller commits it.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        Ok(match &self.db {
            Db::Sqlite(pool) => WriteTx::Sqlite(pool.begin_write().await?),
            Db::Postgres(pool) => WriteTx::Postgres(pool.begin_write().await?),
        })
    }

    /// Fault injection for crash tests; inert unless a test arms it.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }
}
