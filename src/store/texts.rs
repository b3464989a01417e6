//! What providers report about texts, as rows: a text's provider state and its failure, numbers
//! suppressed for texts, the SMS-channel consent events of every customer record with a number,
//! and the log of what came in (`sms_events`, without message text).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, exec, with_pool, with_tx};

/// The text a status callback is about: (reminder, its status, its number).
pub async fn text_by_message_id(
    tx: &mut WriteTx,
    message_id: &str,
) -> Result<Option<(Uuid, String, Option<String>)>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT r.id, r.status, c.phone FROM reminders r JOIN customers c ON c.id = r.customer_id
             WHERE r.channel = 'sms' AND r.message_id = $1",
        )
        .bind(message_id)
        .fetch_optional(&mut *conn)
        .await?
    }))
}

/// Keeps the provider's latest state of a text; a final state (delivered, undelivered, failed)
/// is not overwritten by a late earlier one.
pub async fn set_provider_status(
    tx: &mut WriteTx,
    reminder_id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE reminders SET provider_status = $2, updated_at = $3
         WHERE id = $1 AND (provider_status IS NULL OR provider_status NOT IN ('delivered', 'undelivered', 'failed'))";
        reminder_id, status, now)
}

/// A sent text the carrier could not deliver: failed, as a bounce fails an email, with the
/// provider's report kept as an attempt.
pub async fn mark_undelivered(
    tx: &mut WriteTx,
    reminder_id: Uuid,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE reminders SET status = 'failed', outcome = 'undelivered', updated_at = $2
         WHERE id = $1 AND status = 'sent'";
        reminder_id, now)?;
    let detail = format!("provider error {}", code.unwrap_or("(none given)"));
    super::customers::insert_report_attempt(tx, reminder_id, "undelivered", None, &detail, now)
        .await
}

/// Stops texting a number. A STOP or an opt-out replaces an earlier reason; "undeliverable" does
/// not replace an opt-out (START must still be able to lift what the customer asked).
pub async fn suppress_number(
    tx: &mut WriteTx,
    phone: &str,
    reason: &str,
    code: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "INSERT INTO sms_suppressions (phone, reason, code, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (phone) DO UPDATE SET reason = excluded.reason, code = excluded.code, created_at = excluded.created_at
         WHERE excluded.reason IN ('stop', 'provider_opt_out')";
        phone, reason, code, now)
}

/// Lifts the customer's own opt-out of a number (not an undeliverable number).
pub async fn lift_opt_out(tx: &mut WriteTx, phone: &str) -> Result<()> {
    exec!(tx =>
        "DELETE FROM sms_suppressions WHERE phone = $1 AND reason IN ('stop', 'provider_opt_out')";
        phone)
}

/// The customer records (not erased) with this number, at every dealer.
pub async fn customers_with_phone(tx: &mut WriteTx, phone: &str) -> Result<Vec<Uuid>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT id FROM customers WHERE phone = $1 AND erased_at IS NULL")
            .bind(phone)
            .fetch_all(&mut *conn)
            .await?
    }))
}

/// The latest SMS-channel event of a customer record for one party and purpose: (granted, source).
pub async fn latest_text_event(
    tx: &mut WriteTx,
    customer_id: Uuid,
    party: &str,
    purpose: &str,
) -> Result<Option<(bool, String)>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT granted, source FROM consent_events WHERE customer_id = $1 AND party = $2 AND purpose = $3
               AND channel = 'sms' ORDER BY occurred_at DESC, id DESC LIMIT 1",
        )
        .bind(customer_id)
        .bind(party)
        .bind(purpose)
        .fetch_optional(&mut *conn)
        .await?
    }))
}

/// One SMS-channel consent event.
pub async fn insert_text_event(
    tx: &mut WriteTx,
    customer_id: Uuid,
    party: &str,
    purpose: &str,
    granted: bool,
    source: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "INSERT INTO consent_events (id, customer_id, party, purpose, granted, source, dealer_id, registration_id,
           occurred_at, channel) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, 'sms')";
        Uuid::now_v7(), customer_id, party, purpose, granted, source, at)
}

/// Logs what came in from a provider (never the message's text).
#[allow(clippy::too_many_arguments)]
pub async fn log_event(
    tx: &mut WriteTx,
    provider: &str,
    kind: &str,
    phone: Option<&str>,
    reminder_id: Option<Uuid>,
    detail: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "INSERT INTO sms_events (id, provider, kind, phone, reminder_id, detail, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)";
        Uuid::now_v7(), provider, kind, phone, reminder_id, detail, at)
}

/// Records how the customer prefers to hear from the dealer.
pub async fn set_preferred_channel(
    tx: &mut WriteTx,
    customer_id: Uuid,
    channel: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE customers SET preferred_channel = $2, updated_at = $3 WHERE id = $1";
        customer_id, channel, now)
}

/// The active units this customer owns, with the channel policies of their dealer and product:
/// (registration, dealer's policy, product's policy).
pub async fn owned_units_channels(
    tx: &mut WriteTx,
    customer_id: Uuid,
) -> Result<Vec<(Uuid, Option<String>, Option<String>)>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT g.id, d.message_channels, p.message_channels FROM registrations g
             JOIN dealers d ON d.id = g.dealer_id JOIN products p ON p.id = g.product_id
             WHERE g.customer_id = $1 AND g.status = 'active'",
        )
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?
    }))
}

/// Moves a unit's messages not sent yet (addressed to this customer) to `channel`, where that
/// step has no message by it already; returns how many moved.
pub async fn move_unsent(
    tx: &mut WriteTx,
    registration_id: Uuid,
    customer_id: Uuid,
    channel: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE reminders SET channel = $3, updated_at = $4
             WHERE registration_id = $1 AND customer_id = $2 AND status = 'pending' AND channel <> $3
               AND NOT EXISTS (SELECT 1 FROM reminders o WHERE o.registration_id = reminders.registration_id
                 AND o.kind = reminders.kind AND o.occurrence = reminders.occurrence AND o.channel = $3)",
        )
        .bind(registration_id)
        .bind(customer_id)
        .bind(channel)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    }))
}

/// Who a HELP answer names: the dealer of the latest text sent to a number, in its customer's
/// language: (dealer name, phone, email, language tags).
pub type HelpFacts = (String, Option<String>, Option<String>, String, String);

impl Store {
    pub async fn help_facts(&self, phone: &str) -> Result<Option<HelpFacts>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT d.name, d.phone, d.email, c.locale, d.locale FROM reminders r
                 JOIN customers c ON c.id = r.customer_id JOIN registrations g ON g.id = r.registration_id
                 JOIN dealers d ON d.id = g.dealer_id
                 WHERE c.phone = $1 AND r.channel = 'sms' AND r.sent_at IS NOT NULL
                 ORDER BY r.sent_at DESC LIMIT 1",
            )
            .bind(phone)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Whether a number is suppressed for texts, and why.
    pub async fn number_suppression(&self, phone: &str) -> Result<Option<String>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT reason FROM sms_suppressions WHERE phone = $1")
                .bind(phone)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// A text's provider state (`provider_status`).
    #[cfg(feature = "testing")]
    pub async fn text_provider_status(&self, reminder_id: Uuid) -> Result<Option<String>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT provider_status FROM reminders WHERE id = $1",
            )
            .bind(reminder_id)
            .fetch_optional(pool)
            .await?
            .flatten()
        }))
    }
}
