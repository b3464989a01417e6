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

/// One registration as exported for operators.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ExportRow {
    pub id: Uuid,
    pub dealer_code: String,
    pub serial_number: String,
    pub sku: String,
    pub purchase_date: NaiveDate,
    pub warranty_expires_on: NaiveDate,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_locale: String,
    pub customer_country: Option<String>,
}

impl Store {
    pub async fn customer_by_email(&self, email: &str) -> Result<Option<Uuid>> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM customers WHERE contact_key = $1")
                .bind(format!("email:{}", email.trim().to_lowercase()))
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Erases a customer's personal data (name, email, phone, postal code, country, contact key),
    /// stops their pending reminders, forgets their suppressed address and the saved API answers
    /// that contained their data. Registrations, consent events, the ledger and statements stay,
    /// pointing at the pseudonymous customer id. Returns false when there is no such customer.
    pub async fn erase_customer(
        &self,
        customer_id: Uuid,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let email: Option<Option<String>> =
                sqlx::query_scalar("SELECT email FROM customers WHERE id = $1")
                    .bind(customer_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(email) = email else { return Ok(false) };
            sqlx::query(
                "UPDATE customers SET name = NULL, email = NULL, phone = NULL, postal_code = NULL, country = NULL,
                   contact_key = NULL, erased_at = COALESCE(erased_at, $2), updated_at = $2 WHERE id = $1",
            )
            .bind(customer_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE reminders SET status = 'skipped', outcome = 'erased', lease_until = NULL, updated_at = $2
                 WHERE status IN ('pending', 'queued') AND registration_id IN (SELECT id FROM registrations WHERE customer_id = $1)",
            )
            .bind(customer_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if let Some(email) = email {
                sqlx::query("DELETE FROM suppressions WHERE email = $1")
                    .bind(email.to_lowercase())
                    .execute(&mut *tx)
                    .await?;
            }
            let registrations: Vec<Uuid> =
                sqlx::query_scalar("SELECT id FROM registrations WHERE customer_id = $1")
                    .bind(customer_id)
                    .fetch_all(&mut *tx)
                    .await?;
            for id in &registrations {
                sqlx::query("DELETE FROM idempotency_keys WHERE response_body LIKE $1")
                    .bind(format!("%{id}%"))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE registrations SET updated_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            super::ledger::audit!(
                tx,
                actor,
                "customer.erased",
                "customer",
                customer_id.to_string(),
                None::<String>,
                now
            );
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Every registration (optionally one dealer's), oldest first, handed to `each` as it streams.
    pub async fn export_registrations(
        &self,
        dealer_id: Option<Uuid>,
        mut each: impl FnMut(ExportRow) -> std::io::Result<()>,
    ) -> Result<u64> {
        use futures::TryStreamExt;
        let mut count = 0;
        with_pool!(self, |pool| {
            let mut rows = sqlx::query_as::<_, ExportRow>(
                "SELECT g.id, d.code AS dealer_code, g.serial_number, p.sku, g.purchase_date, g.warranty_expires_on, g.status,
                   g.created_at, c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone,
                   c.locale AS customer_locale, c.country AS customer_country
                 FROM registrations g JOIN dealers d ON d.id = g.dealer_id JOIN products p ON p.id = g.product_id
                 JOIN customers c ON c.id = g.customer_id WHERE ($1 IS NULL OR g.dealer_id = $1) ORDER BY g.created_at, g.id",
            )
            .bind(dealer_id)
            .fetch(pool);
            while let Some(row) = rows.try_next().await? {
                each(row).map_err(|e| super::StoreError::Unavailable(sqlx::Error::Io(e)))?;
                count += 1;
            }
        });
        Ok(count)
    }
}
