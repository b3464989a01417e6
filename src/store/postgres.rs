//! PostgreSQL specifics: pool options and migrations. apalis keeps its tables and migration history
//! in its own `apalis` schema, so both migration sets run against the same database.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

use super::Result;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");
const APALIS_MIGRATIONS_TABLE: &str = "apalis._sqlx_migrations";

pub(super) async fn connect(url: &str, max_connections: u32) -> Result<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        // Fail fast while the database is down, so requests get a 503 instead of hanging.
        .acquire_timeout(Duration::from_secs(3))
        .connect(url)
        .await?;
    Ok(pool)
}

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
