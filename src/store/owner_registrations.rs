//! Owners' registrations through a unit's public address, credited to no dealer until one claims
//! them. The use cases are in `crate::workflows::claim`.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, exec, read, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnerRegistration {
    pub id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    pub serial_number: String,
    pub serial_display: String,
    pub purchase_date: NaiveDate,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub locale: String,
    pub consent_service_reminders: bool,
    pub consent_marketing: bool,
    /// `unclaimed`, `claimed`, `superseded` or `erased`.
    pub status: String,
    pub registration_id: Option<Uuid>,
    pub claimed_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT o.id, o.product_id, p.sku, o.serial_number, o.serial_display, o.purchase_date,
    o.customer_name, o.customer_email, o.customer_phone, o.locale, o.consent_service_reminders, o.consent_marketing,
    o.status, o.registration_id, o.claimed_by, o.created_at
    FROM owner_registrations o JOIN products p ON p.id = o.product_id";

pub struct NewOwnerRegistration<'a> {
    pub product_id: Uuid,
    pub serial_number: &'a str,
    pub serial_display: &'a str,
    pub purchase_date: NaiveDate,
    pub customer_name: &'a str,
    pub customer_email: Option<&'a str>,
    pub customer_phone: Option<&'a str>,
    pub locale: &'a str,
    pub consent_service_reminders: bool,
    pub consent_marketing: bool,
}

impl Store {
    /// Records an owner's registration; `false` when the unit already has one waiting.
    pub async fn insert_owner_registration(
        &self,
        r: &NewOwnerRegistration<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>> {
        let id = Uuid::now_v7();
        let inserted = super::run!(self =>
            "INSERT INTO owner_registrations (id, product_id, serial_number, serial_display, purchase_date,
               customer_name, customer_email, customer_phone, locale, consent_service_reminders, consent_marketing,
               status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'unclaimed', $12)
             ON CONFLICT (serial_number) WHERE status = 'unclaimed' DO NOTHING";
            id, r.product_id, r.serial_number, r.serial_display, r.purchase_date, r.customer_name,
            r.customer_email, r.customer_phone, r.locale, r.consent_service_reminders, r.consent_marketing, now)?;
        Ok((inserted == 1).then_some(id))
    }

    /// The newest owner's registration of a serial, whatever its state.
    pub async fn owner_registration_of(&self, serial: &str) -> Result<Option<OwnerRegistration>> {
        let sql = format!(
            "{SELECT} WHERE o.serial_number = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT 1"
        );
        read!(self, query_as, fetch_optional => sqlx::AssertSqlSafe(sql); serial)
    }

    /// Removes the owner's registrations that name this email or phone (erasure).
    pub async fn erase_owner_registrations(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<u64> {
        super::run!(self =>
            "UPDATE owner_registrations SET customer_name = NULL, customer_email = NULL, customer_phone = NULL,
               status = CASE WHEN status = 'unclaimed' THEN 'erased' ELSE status END
             WHERE ($1 IS NOT NULL AND lower(customer_email) = lower($1)) OR ($2 IS NOT NULL AND customer_phone = $2)";
            email, phone)
    }
}

/// Marks the owner's registration claimed by `dealer` as `registration`; `false` when it was
/// claimed (or withdrawn) meanwhile.
pub async fn mark_claimed(
    tx: &mut WriteTx,
    id: Uuid,
    dealer: Uuid,
    registration: Uuid,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE owner_registrations SET status = 'claimed', claimed_by = $2, registration_id = $3,
               claim_reference = $4, claimed_at = $5 WHERE id = $1 AND status = 'unclaimed'",
        )
        .bind(id)
        .bind(dealer)
        .bind(registration)
        .bind(reference)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1
    }))
}

/// The unit was registered by a dealer another way: the owner's registration is superseded.
pub async fn mark_superseded(tx: &mut WriteTx, id: Uuid) -> Result<()> {
    exec!(tx =>
        "UPDATE owner_registrations SET status = 'superseded' WHERE id = $1 AND status = 'unclaimed'"; id)
}
