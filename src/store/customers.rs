//! What customers do through the links in their emails: unsubscribe (a consent event), click the
//! booking link (a click row), confirm their registration (verified_at).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::registrations::BeginWrite;
use super::{Result, Store, with_pool};

/// The customer, registration and dealer behind a reminder's links.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkTarget {
    pub reminder_id: Uuid,
    pub customer_id: Uuid,
    pub registration_id: Uuid,
    pub customer_email: Option<String>,
    pub customer_locale: String,
    pub dealer_name: String,
    pub dealer_booking_url: Option<String>,
    pub product_name: String,
    pub serial_number: String,
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
}

impl Store {
    pub async fn link_target(&self, reminder_id: Uuid) -> Result<Option<LinkTarget>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id AS reminder_id, c.id AS customer_id, g.id AS registration_id, c.email AS customer_email,
                   c.locale AS customer_locale, d.name AS dealer_name, d.booking_url AS dealer_booking_url,
                   p.name AS product_name, g.serial_number
                 FROM reminders r JOIN registrations g ON g.id = r.registration_id JOIN customers c ON c.id = g.customer_id
                 JOIN dealers d ON d.id = g.dealer_id JOIN products p ON p.id = g.product_id WHERE r.id = $1",
            )
            .bind(reminder_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Withdraws the customer's consent to service reminders (once: repeating changes nothing).
    /// Returns whether this call withdrew it.
    pub async fn unsubscribe(&self, target: &LinkTarget, now: DateTime<Utc>) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let latest: Option<(bool, String)> = sqlx::query_as(
                "SELECT granted, source FROM consent_events WHERE customer_id = $1 AND purpose = 'service_reminders'
                 ORDER BY occurred_at DESC, id DESC LIMIT 1",
            )
            .bind(target.customer_id)
            .fetch_optional(&mut *tx)
            .await?;
            if matches!(&latest, Some((false, source)) if source == "customer_unsubscribe") {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO consent_events (id, customer_id, purpose, granted, source, dealer_id, registration_id, occurred_at)
                 SELECT $1, $2, 'service_reminders', $5, 'customer_unsubscribe', NULL, $3, $4",
            )
            .bind(Uuid::now_v7())
            .bind(target.customer_id)
            .bind(target.registration_id)
            .bind(now)
            .bind(false)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
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

    pub async fn click_count(&self, reminder_id: Uuid) -> Result<i64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM link_clicks WHERE reminder_id = $1")
                .bind(reminder_id)
                .fetch_one(pool)
                .await?
        }))
    }

    pub async fn verify_target(&self, registration_id: Uuid) -> Result<Option<VerifyTarget>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT g.id AS registration_id, c.locale AS customer_locale, d.name AS dealer_name, p.name AS product_name,
                   g.serial_number, g.purchase_date, g.verified_at
                 FROM registrations g JOIN customers c ON c.id = g.customer_id JOIN dealers d ON d.id = g.dealer_id
                 JOIN products p ON p.id = g.product_id WHERE g.id = $1",
            )
            .bind(registration_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Marks a registration verified by its customer; the first confirmation's time is kept.
    pub async fn verify_registration(
        &self,
        registration_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("UPDATE registrations SET verified_at = $2, updated_at = $2 WHERE id = $1 AND verified_at IS NULL")
                .bind(registration_id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
