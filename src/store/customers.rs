//! Customers as rows: what their links point at, booking clicks, verification, reports that come
//! back about their messages, the manufacturer's view of a person, erasure and export. The use
//! cases (unsubscribe, verify, reports) are in `crate::workflows::consent`.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, exec, read, with_pool, with_tx};

/// The customer, registration and dealer behind a reminder's links.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkTarget {
    pub reminder_id: Uuid,
    pub customer_id: Uuid,
    pub registration_id: Uuid,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    /// `email` or `sms`, when the customer said.
    pub customer_preferred_channel: Option<String>,
    pub customer_locale: String,
    pub dealer_name: String,
    pub dealer_booking_url: Option<String>,
    pub product_name: String,
    pub serial_number: String,
    pub sku: String,
    /// The reminder's kind and plan step: the booking link's campaign.
    pub kind: String,
    pub occurrence: i32,
    /// When the message carrying the link was sent (or the reminder planned, if never sent).
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VerifyTarget {
    pub registration_id: Uuid,
    pub customer_locale: String,
    pub dealer_name: String,
    pub product_name: String,
    pub serial_number: String,
    pub purchase_date: NaiveDate,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// `active` or `voided`.
    pub status: String,
}

impl Store {
    pub async fn link_target(&self, reminder_id: Uuid) -> Result<Option<LinkTarget>> {
        read!(self, query_as, fetch_optional =>
            "SELECT r.id AS reminder_id, c.id AS customer_id, g.id AS registration_id,
            c.email AS customer_email, c.phone AS customer_phone, c.preferred_channel AS customer_preferred_channel,
            c.locale AS customer_locale, d.name AS dealer_name, d.booking_url AS dealer_booking_url,
            p.name AS product_name, g.serial_number, p.sku, r.kind, r.occurrence,
            COALESCE(r.sent_at, r.created_at) AS sent_at
            FROM reminders r JOIN registrations g ON g.id = r.registration_id JOIN customers c ON c.id = r.customer_id
            JOIN dealers d ON d.id = g.dealer_id JOIN products p ON p.id = g.product_id WHERE r.id = $1";
            reminder_id)
    }

    pub async fn record_click(&self, reminder_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO link_clicks (id, reminder_id, clicked_at) VALUES ($1, $2, $3)",
            )
            .bind(Uuid::now_v7())
            .bind(reminder_id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    #[cfg(feature = "testing")]
    pub async fn click_count(&self, reminder_id: Uuid) -> Result<i64> {
        read!(self, query_scalar, fetch_one =>
            "SELECT COUNT(*) FROM link_clicks WHERE reminder_id = $1";
            reminder_id)
    }

    pub async fn verify_target(&self, registration_id: Uuid) -> Result<Option<VerifyTarget>> {
        read!(self, query_as, fetch_optional =>
            "SELECT g.id AS registration_id, c.locale AS customer_locale, d.name AS dealer_name, p.name AS product_name,
            COALESCE(g.serial_display, g.serial_number) AS serial_number, g.purchase_date, g.verified_at,
            g.created_at, g.status
            FROM registrations g JOIN customers c ON c.id = g.customer_id JOIN dealers d ON d.id = g.dealer_id
            JOIN products p ON p.id = g.product_id WHERE g.id = $1";
            registration_id)
    }
}

impl Store {}

impl Store {}

/// The registration, customer and address a reminder went to.
pub async fn report_target(
    tx: &mut WriteTx,
    reminder_id: Uuid,
) -> Result<Option<(Uuid, Uuid, Option<String>)>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT g.id, r.customer_id, c.email FROM reminders r JOIN registrations g ON g.id = r.registration_id
             JOIN customers c ON c.id = r.customer_id WHERE r.id = $1",
        )
        .bind(reminder_id)
        .fetch_optional(&mut *conn)
        .await?
    }))
}

/// Notes what came back about a reminder on its attempts (addresses in `detail` redacted).
pub async fn insert_report_attempt(
    tx: &mut WriteTx,
    reminder_id: Uuid,
    outcome: &str,
    smtp_code: Option<i32>,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "INSERT INTO reminder_attempts (id, reminder_id, attempted_at, outcome, smtp_code, detail)
        VALUES ($1, $2, $3, $4, $5, $6)";
        Uuid::now_v7(), reminder_id, now, outcome, smtp_code,
        crate::domain::contact::redact_addresses(detail))
}

/// A sent reminder that bounced later (asynchronous bounce).
pub async fn mark_bounced(tx: &mut WriteTx, reminder_id: Uuid, now: DateTime<Utc>) -> Result<()> {
    exec!(tx =>
        "UPDATE reminders SET status = 'failed', outcome = 'bounced', updated_at = $2
        WHERE id = $1 AND status = 'sent'";
        reminder_id, now)
}

/// Stops mailing an address (kept lowercased; the first reason stays).
pub async fn suppress(
    tx: &mut WriteTx,
    email: &str,
    reason: &str,
    smtp_code: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "INSERT INTO suppressions (email, reason, smtp_code, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (email) DO NOTHING";
        email.to_lowercase(), reason, smtp_code, now)
}

/// Marks a registration verified by its customer; the first confirmation's time is kept.
pub async fn mark_verified(
    tx: &mut WriteTx,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE registrations SET verified_at = $2, updated_at = $2 WHERE id = $1 AND verified_at IS NULL";
        registration_id, now)
}
