//! PostgreSQL specifics: pool options and migrations. apalis keeps its tables and migration history
//! in its own `apalis` schema, so both migration sets run against the same database.

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::Result;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");
const APALIS_MIGRATIONS_TABLE: &str = "apalis._sqlx_migrations";

pub(super) async fn connect(url: &str, max_connections: u32) -> Result<PgPool> {
    let port = PgConnectOptions::from_str(url)?.get_port();
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        // Fail fast while the database is down, so requests get a 503 instead of hanging.
        .acquire_timeout(Duration::from_secs(3))
        .after_connect(move |_, _| {
            Box::pin(async move {
                nodelay_database_sockets(port);
                Ok(())
            })
        })
        .connect(url)
        .await?;
    Ok(pool)
}

/// sqlx 0.9 leaves Nagle's algorithm on for its TCP connections, so a statement whose messages
/// span more than one segment (a claim pushing hundreds of tasks, say) waits about 40 ms for the
/// server's delayed ACK. After each new connection, this turns TCP_NODELAY on for the process's
/// TCP sockets whose peer is the database's port. Measured: a claim of 500 reminders went from
/// ~50 ms to ~12 ms (`warrantyd bench claim`).
#[cfg(target_os = "linux")]
fn nodelay_database_sockets(port: u16) {
    use std::os::fd::BorrowedFd;
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in dir.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        if !is_socket {
            continue;
        }
        // SAFETY: the descriptor is only borrowed for these two calls. Should another thread
        // close it meanwhile, they fail with EBADF; should the number be reused already, the
        // peer check below keeps us off anything but a connection to the database's port.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&fd);
        let to_database = socket
            .peer_addr()
            .ok()
            .and_then(|addr| addr.as_socket())
            .is_some_and(|addr| addr.port() == port);
        if to_database {
            let _ = socket.set_tcp_nodelay(true);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn nodelay_database_sockets(_port: u16) {}

pub(super) async fn migrate(pool: &PgPool) -> Result<()> {
    MIGRATOR.run(pool).await?;
    apalis_postgres::PostgresStorage::<()>::migrations()
        .run(pool)
        .await?;
    Ok(())
}

pub(super) async fn migrations_pending(pool: &PgPool) -> Result<bool> {
    let mut conn = pool.acquire().await?;
    let apalis = apalis_postgres::PostgresStorage::<()>::migrations();
    super::any_pending(
        &mut *conn,
        &[
            (&MIGRATOR, "_sqlx_migrations"),
            (&apalis, APALIS_MIGRATIONS_TABLE),
        ],
    )
    .await
}
