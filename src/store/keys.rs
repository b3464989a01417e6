//! API keys: stored as a lookup prefix plus a SHA-256 of the secret; revocable.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, Store, with_pool};

#[derive(Debug, Clone)]
pub struct NewKey {
    pub id: Uuid,
    pub prefix: String,
    pub secret_hash: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub label: Option<String>,
}

/// A stored key with its dealer's code (for dealer keys).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRecord {
    pub id: Uuid,
    pub prefix: String,
    pub secret_hash: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub dealer_code: Option<String>,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The dealer's profile as requests need it (read in the same round trip as the key).
    pub dealer_locale: Option<String>,
    pub dealer_time_zone: Option<String>,
    pub dealer_send_window: Option<String>,
    pub dealer_message_channels: Option<String>,
    pub dealer_active: Option<bool>,
}

const KEY_SELECT: &str =
    "SELECT k.id, k.prefix, k.secret_hash, k.role, k.dealer_id, d.code AS dealer_code, k.label,
    k.created_at, k.last_used_at, k.revoked_at, d.locale AS dealer_locale, d.time_zone AS dealer_time_zone,
    d.send_window AS dealer_send_window, d.message_channels AS dealer_message_channels, d.active AS dealer_active
    FROM api_keys k LEFT JOIN dealers d ON d.id = k.dealer_id";

impl Store {
    pub async fn insert_key(&self, key: &NewKey, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO api_keys (id, prefix, secret_hash, role, dealer_id, label, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(key.id)
            .bind(&key.prefix)
            .bind(&key.secret_hash)
            .bind(&key.role)
            .bind(key.dealer_id)
            .bind(&key.label)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn key_by_prefix(&self, prefix: &str) -> Result<Option<KeyRecord>> {
        let sql = format!("{KEY_SELECT} WHERE k.prefix = $1");
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(prefix)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn list_keys(&self) -> Result<Vec<KeyRecord>> {
        let sql = format!("{KEY_SELECT} ORDER BY k.created_at, k.id");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .fetch_all(pool)
        .await?))
    }

    /// Revokes a key (idempotent: an already revoked key keeps its first revocation time).
    pub async fn revoke_key(&self, id: Uuid, now: DateTime<Utc>) -> Result<KeyRecord> {
        with_pool!(self, |pool| {
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        let sql = format!("{KEY_SELECT} WHERE k.id = $1");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(id)
        .fetch_one(pool)
        .await?))
    }
}

impl Store {
    /// Records that a key was used (callers throttle this to about once a minute per key).
    pub async fn touch_key(&self, key_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
                .bind(key_id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
