//! People's accounts, their one-time sign-in links and their web sessions. Tokens are random; only
//! a SHA-256 of each is kept.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, Store, read, run, with_pool};

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: Uuid,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub language: String,
    pub invited_by: Option<Uuid>,
}

/// An account with its dealer's profile (for dealer roles), read in one round trip.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRecord {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub language: String,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub dealer_code: Option<String>,
    pub dealer_name: Option<String>,
    pub dealer_locale: Option<String>,
    pub dealer_time_zone: Option<String>,
    pub dealer_send_window: Option<String>,
    pub dealer_message_channels: Option<String>,
    pub dealer_country: Option<String>,
    pub dealer_active: Option<bool>,
    /// When the person last signed in (their newest session).
    pub last_sign_in: Option<DateTime<Utc>>,
}

const ACCOUNT_SELECT: &str = "SELECT a.id, a.email, a.name, a.role, a.dealer_id, a.language, a.invited_by,
    a.created_at, a.disabled_at, d.code AS dealer_code, d.name AS dealer_name, d.locale AS dealer_locale,
    d.time_zone AS dealer_time_zone, d.send_window AS dealer_send_window, d.country AS dealer_country,
    d.message_channels AS dealer_message_channels,
    d.active AS dealer_active,
    (SELECT max(s.created_at) FROM web_sessions s WHERE s.account_id = a.id) AS last_sign_in
    FROM accounts a LEFT JOIN dealers d ON d.id = a.dealer_id";

/// Who did something, by the id an audit row or a registration keeps: a person's name, or a key's
/// label and prefix.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActorName {
    pub id: Uuid,
    pub name: String,
}

impl Store {
    /// Creates an account; `Ok(false)` when the email already has one.
    pub async fn insert_account(&self, a: &NewAccount, now: DateTime<Utc>) -> Result<bool> {
        let inserted = run!(self =>
            "INSERT INTO accounts (id, email, name, role, dealer_id, language, invited_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (email) DO NOTHING";
            a.id, &a.email, &a.name, &a.role, a.dealer_id, &a.language, a.invited_by, now)?;
        Ok(inserted == 1)
    }

    pub async fn account(&self, id: Uuid) -> Result<Option<AccountRecord>> {
        let sql = format!("{ACCOUNT_SELECT} WHERE a.id = $1");
        read!(self, query_as, fetch_optional => sqlx::AssertSqlSafe(sql); id)
    }

    pub async fn account_by_email(&self, email: &str) -> Result<Option<AccountRecord>> {
        let sql = format!("{ACCOUNT_SELECT} WHERE a.email = $1");
        read!(self, query_as, fetch_optional => sqlx::AssertSqlSafe(sql); email)
    }

    /// Every account, or a dealer's, by name.
    pub async fn list_accounts(&self, dealer_id: Option<Uuid>) -> Result<Vec<AccountRecord>> {
        let order = "ORDER BY a.disabled_at IS NOT NULL, a.name, a.email";
        match dealer_id {
            Some(dealer) => {
                let sql = format!("{ACCOUNT_SELECT} WHERE a.dealer_id = $1 {order}");
                read!(self, query_as, fetch_all => sqlx::AssertSqlSafe(sql); dealer)
            }
            None => {
                let sql = format!("{ACCOUNT_SELECT} {order}");
                read!(self, query_as, fetch_all => sqlx::AssertSqlSafe(sql);)
            }
        }
    }

    /// Disables an account and ends its sessions and unused links at once.
    pub async fn disable_account(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let changed: Option<Uuid> = super::with_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "UPDATE accounts SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL RETURNING id",
            )
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await
        })?;
        let changed = changed.is_some();
        super::exec!(&mut tx => "UPDATE web_sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL"; id, now)?;
        super::exec!(&mut tx => "UPDATE sign_in_links SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL"; id, now)?;
        tx.commit().await?;
        Ok(changed)
    }

    pub async fn enable_account(&self, id: Uuid) -> Result<bool> {
        Ok(run!(self =>
            "UPDATE accounts SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL"; id)?
            == 1)
    }

    pub async fn set_account_language(&self, id: Uuid, language: &str) -> Result<()> {
        run!(self => "UPDATE accounts SET language = $2 WHERE id = $1"; id, language)?;
        Ok(())
    }

    pub async fn create_sign_in_link(
        &self,
        token_hash: &str,
        account_id: Uuid,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        run!(self =>
            "INSERT INTO sign_in_links (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
            token_hash, account_id, now, expires_at)?;
        Ok(())
    }

    /// Whether a link is live (unused, unexpired, its account enabled), without using it.
    pub async fn sign_in_link_account(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>> {
        read!(self, query_scalar, fetch_optional =>
            "SELECT l.account_id FROM sign_in_links l JOIN accounts a ON a.id = l.account_id
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND a.disabled_at IS NULL";
            token_hash, now)
    }

    /// Uses a live link (once: a second use finds it used) and opens a session for its account,
    /// in one transaction. Returns the account's id.
    pub async fn use_sign_in_link(
        &self,
        token_hash: &str,
        session_hash: &str,
        now: DateTime<Utc>,
        session_expires_at: DateTime<Utc>,
    ) -> Result<Option<Uuid>> {
        let mut tx = self.begin_write().await?;
        let account: Option<Uuid> = super::with_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "UPDATE sign_in_links SET used_at = $2
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
                   AND account_id IN (SELECT id FROM accounts WHERE disabled_at IS NULL)
                 RETURNING account_id",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await
        })?;
        let Some(account) = account else {
            return Ok(None);
        };
        super::exec!(&mut tx =>
            "INSERT INTO web_sessions (id, token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
            Uuid::now_v7(), session_hash, account, now, session_expires_at)?;
        tx.commit().await?;
        Ok(Some(account))
    }

    /// The account of a live session (not ended, not expired, account enabled).
    pub async fn session_account(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountRecord>> {
        let sql = format!(
            "{ACCOUNT_SELECT} JOIN web_sessions ws ON ws.account_id = a.id
             WHERE ws.token_hash = $1 AND ws.ended_at IS NULL AND ws.expires_at > $2 AND a.disabled_at IS NULL"
        );
        read!(self, query_as, fetch_optional => sqlx::AssertSqlSafe(sql); token_hash, now)
    }

    /// Ends a session (sign-out); ending it again changes nothing.
    pub async fn end_web_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        run!(self =>
            "UPDATE web_sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL"; token_hash, now)?;
        Ok(())
    }

    /// Ends every session of an account (sign out everywhere).
    pub async fn end_account_sessions(&self, account_id: Uuid, now: DateTime<Utc>) -> Result<u64> {
        Ok(run!(self =>
            "UPDATE web_sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL"; account_id, now)?)
    }

    /// Deletes sessions and sign-in links that ended or expired before `before`.
    pub async fn purge_web_sessions(&self, before: DateTime<Utc>) -> Result<u64> {
        let sessions = run!(self =>
            "DELETE FROM web_sessions WHERE expires_at < $1 OR ended_at < $1"; before)?;
        let links = run!(self =>
            "DELETE FROM sign_in_links WHERE expires_at < $1"; before)?;
        Ok(sessions + links)
    }

    /// The names of the people and keys behind `ids` (audit rows, registrations), in one query.
    pub async fn actor_names(&self, ids: &[Uuid]) -> Result<Vec<ActorName>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(with_pool!(self, |pool| {
            let mut q = sqlx::QueryBuilder::new("SELECT id, name FROM accounts WHERE id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(") UNION ALL SELECT id, COALESCE(label, 'API key') || ' (' || prefix || ')' AS name FROM api_keys WHERE id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(pool).await?
        }))
    }
}
