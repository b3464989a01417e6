//! What happened to a reminder, for operators and tests: its delivery state, its attempts, its
//! registration's reminders, the suppression list.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::sending::{CONTEXT_SELECT, SendContext};
use super::{Result, Store, read, with_pool};

/// One recorded attempt, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptRecord {
    pub attempted_at: DateTime<Utc>,
    pub outcome: String,
    pub smtp_code: Option<i32>,
    pub detail: Option<String>,
}

/// A reminder's delivery state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRecord {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub send_after: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    pub outcome: Option<String>,
}

impl Store {
    /// A reminder's context as it stands, without taking it (for previews).
    pub async fn send_context(&self, reminder_id: Uuid) -> Result<Option<SendContext>> {
        Ok(with_pool!(self, |pool| sqlx::query_as(CONTEXT_SELECT)
            .bind(reminder_id)
            .fetch_optional(pool)
            .await?))
    }

    /// The reminders of a registration, in due order.
    pub async fn reminder_ids(&self, registration_id: Uuid) -> Result<Vec<Uuid>> {
        read!(self, query_scalar, fetch_all =>
            "SELECT id FROM reminders WHERE registration_id = $1 ORDER BY due_at, kind, occurrence";
            registration_id)
    }

    #[cfg(feature = "testing")]
    pub async fn reminder_delivery(&self, reminder_id: Uuid) -> Result<Option<DeliveryRecord>> {
        read!(self, query_as, fetch_optional =>
            "SELECT id, kind, status, attempts, send_after, sent_at, message_id, outcome FROM reminders WHERE id = $1";
            reminder_id)
    }

    #[cfg(feature = "testing")]
    pub async fn reminder_attempts(&self, reminder_id: Uuid) -> Result<Vec<AttemptRecord>> {
        read!(self, query_as, fetch_all =>
            "SELECT attempted_at, outcome, smtp_code, detail FROM reminder_attempts WHERE reminder_id = $1
            ORDER BY attempted_at, id";
            reminder_id)
    }

    #[cfg(feature = "testing")]
    pub async fn is_suppressed(&self, email: &str) -> Result<bool> {
        let hit: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT email FROM suppressions WHERE email = $1")
                .bind(email.to_lowercase())
                .fetch_optional(pool)
                .await?
        });
        Ok(hit.is_some())
    }

    /// Reminders taken by a dispatcher or a sender and not finished (`queued`, `sending`): work a
    /// test started and left behind.
    #[cfg(feature = "testing")]
    pub async fn unfinished_reminders(&self) -> Result<Vec<Uuid>> {
        read!(self, query_scalar, fetch_all =>
        "SELECT id FROM reminders WHERE status IN ('queued', 'sending') ORDER BY send_after, id";
        )
    }
}
