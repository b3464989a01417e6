//! Leases for periodic jobs that one process runs at a time (the dispatcher, the upkeep), and the
//! deployment's recorded settings (the send window the pending reminders were planned with).

use chrono::{DateTime, Utc};

use super::{Result, Store, read, with_pool};

impl Store {
    /// Takes or renews the lease `name` for `holder` until `until`; true if `holder` holds it.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let held: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $4)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                 WHERE leases.holder = excluded.holder OR leases.expires_at < $3
                 RETURNING holder",
            )
            .bind(name)
            .bind(holder)
            .bind(now)
            .bind(until)
            .fetch_optional(pool)
            .await?
        });
        Ok(held.as_deref() == Some(holder))
    }

    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        read!(self, query_scalar, fetch_optional =>
            "SELECT value FROM settings WHERE key = $1";
            key)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
