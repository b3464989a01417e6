//! SQLite specifics: connection options (WAL, synchronous=NORMAL, busy timeout, foreign keys) and
//! migrations. apalis's own migrations are tracked in their own table so neither set sees the other.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::Result;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
const APALIS_MIGRATIONS_TABLE: &str = "_apalis_migrations";

pub(super) async fn connect(url: &str, max_connections: u32) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL in WAL mode is durable across process crashes; apalis's setup() would set OFF.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        // Deleted and overwritten content is zeroed, so an erased person's data does not linger
        // in free pages of the file.
        .pragma("secure_delete", "ON");
    let file = options.get_filename();
    let on_disk = !in_memory(file);
    if on_disk {
        // Readable by this user only (SQLite gives the WAL the database file's mode).
        let io = |e| super::StoreError::Unavailable(sqlx::Error::Io(e));
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_dir_private(dir).map_err(io)?;
        }
        crate::files::touch_private(file).map_err(io)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections.clamp(1, 8))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    Ok(pool)
}

fn apalis_migrator() -> Migrator {
    let mut migrator = apalis_sqlite::SqliteStorage::<()>::migrations();
    migrator.dangerous_set_table_name(APALIS_MIGRATIONS_TABLE);
    migrator
}

pub(super) async fn migrate(pool: &SqlitePool) -> Result<()> {
    MIGRATOR.run(pool).await?;
    apalis_migrator().run(pool).await?;
    Ok(())
}

pub(super) async fn migrations_pending(pool: &SqlitePool) -> Result<bool> {
    let mut conn = pool.acquire().await?;
    let apalis = apalis_migrator();
    super::any_pending(
        &mut *conn,
        &[
            (&MIGRATOR, "_sqlx_migrations"),
            (&apalis, APALIS_MIGRATIONS_TABLE),
        ],
    )
    .await
}

/// Whether the database lives in memory: no name, `:memory:`, or the shared-cache name sqlx gives
/// `sqlite::memory:` (`file:sqlx-in-memory-N`).
fn in_memory(file: &std::path::Path) -> bool {
    let name = file.to_string_lossy();
    name.is_empty() || name.contains(":memory:") || name.starts_with("file:sqlx-in-memory-")
}

/// `BEGIN IMMEDIATE` on this process's one writer connection for the file.
pub(super) async fn begin_write(
    pool: &SqlitePool,
) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
    writer_of(pool).begin_with("BEGIN IMMEDIATE").await
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
    if in_memory(file) {
        return pool.clone();
    }
    let mut writers = WRITERS
        .get_or_init(Default::default)
        .lock()
        .expect("not poisoned");
    if let Some(writer) = writers.get(file) {
        return writer.clone();
    }
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with((*options).clone());
    writers.insert(file.to_path_buf(), writer.clone());
    writer
}

#[cfg(test)]
mod tests {
    /// An in-memory database leaves nothing on disk (sqlx names it `file:sqlx-in-memory-N`,
    /// which once made `connect` create an empty file of that name in the working directory).
    #[tokio::test]
    async fn an_in_memory_database_creates_no_file() {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_current_dir(dir.path()).unwrap();
        let pool = super::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("SELECT 1").execute(&pool).await.unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
