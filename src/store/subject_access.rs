//! Everything held about one person, for their subject-access request (GDPR Art. 15): their
//! customer records at every dealer, consent events, registrations (with corrections, proofs,
//! visits), the messages addressed to them and the clicks on their links, transfers they were part
//! of, units they registered alone, what their number sent in, and whether their address or number
//! is suppressed. Read-only; each section a typed row, serialized as it is stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{Result, Store, with_pool};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CustomerRow {
    pub id: Uuid,
    pub dealer_code: Option<String>,
    pub dealer_name: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub time_zone: String,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub preferred_channel: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ConsentRow {
    pub customer_id: Uuid,
    pub party: String,
    pub purpose: String,
    /// `null`: every channel.
    pub channel: Option<String>,
    pub granted: bool,
    pub source: String,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RegistrationRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub dealer_code: String,
    pub sku: String,
    pub product_name: String,
    pub serial_number: String,
    pub purchase_date: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub warranty_expires_on: NaiveDate,
    pub external_ref: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MessageRow {
    pub id: Uuid,
    pub registration_id: Uuid,
    pub kind: String,
    pub occurrence: i32,
    pub channel: String,
    pub status: String,
    pub outcome: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub provider_status: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ClickRow {
    pub reminder_id: Uuid,
    pub clicked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct VisitRow {
    pub registration_id: Uuid,
    pub service_date: NaiveDate,
    pub kind: String,
    pub servicing_dealer_code: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProofRow {
    pub registration_id: Uuid,
    /// The file's SHA-256 (the file itself is downloaded from the unit's page).
    pub sha256: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CorrectionRow {
    pub registration_id: Uuid,
    pub at: DateTime<Utc>,
    /// The facts before and after, as JSON text.
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TransferRow {
    pub id: Uuid,
    pub registration_id: Uuid,
    /// `from` (they handed the unit on) or `to` (they received it).
    pub role: String,
    pub started_by: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OwnerRegistrationRow {
    pub id: Uuid,
    pub sku: String,
    pub serial_number: String,
    pub purchase_date: NaiveDate,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TextEventRow {
    pub kind: String,
    pub received_at: DateTime<Utc>,
}

/// Everything held about one person.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct SubjectAccess {
    pub customers: Vec<CustomerRow>,
    pub consent_events: Vec<ConsentRow>,
    pub registrations: Vec<RegistrationRow>,
    pub messages: Vec<MessageRow>,
    pub link_clicks: Vec<ClickRow>,
    pub service_visits: Vec<VisitRow>,
    pub proofs_of_purchase: Vec<ProofRow>,
    pub corrections: Vec<CorrectionRow>,
    pub transfers: Vec<TransferRow>,
    pub own_registrations: Vec<OwnerRegistrationRow>,
    pub texts_received: Vec<TextEventRow>,
    /// Why their email address is suppressed (a bounce, a complaint), if it is.
    pub email_suppressed: Option<String>,
    /// Why their number gets no texts (STOP, undeliverable), if it does not.
    pub phone_suppressed: Option<String>,
}

/// A query of `$sql` followed by `(…)`, the ids as a bound list, then `$tail`.
macro_rules! with_ids {
    ($sql:expr, $ids:expr, $tail:expr $(,)?) => {{
        let mut query = QueryBuilder::new($sql);
        query.push("(");
        let mut list = query.separated(", ");
        for id in $ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.push($tail);
        query
    }};
}

impl Store {
    /// Everything held about the person of these customer records, email and phone.
    pub async fn subject_access(
        &self,
        customer_ids: &[Uuid],
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<SubjectAccess> {
        let mut out = SubjectAccess::default();
        let (email, phone) = (email.map(str::to_lowercase), phone.map(str::to_owned));
        with_pool!(self, |pool| {
            if !customer_ids.is_empty() {
                let ids = customer_ids;
                out.customers = with_ids!(
                    "SELECT c.id, d.code AS dealer_code, d.name AS dealer_name, c.name, c.email, c.phone, c.locale,
                       c.time_zone, c.country, c.postal_code, c.preferred_channel, c.created_at, c.updated_at, c.erased_at
                     FROM customers c LEFT JOIN dealers d ON d.id = c.dealer_id WHERE c.id IN ",
                    ids,
                    " ORDER BY c.created_at, c.id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                out.consent_events = with_ids!(
                    "SELECT customer_id, party, purpose, channel, granted, source, occurred_at FROM consent_events
                     WHERE customer_id IN ",
                    ids,
                    " ORDER BY occurred_at, id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                out.registrations = with_ids!(
                    "SELECT g.id, g.customer_id, d.code AS dealer_code, p.sku, p.name AS product_name,
                       COALESCE(g.serial_display, g.serial_number) AS serial_number, g.purchase_date, g.delivered_on,
                       g.installed_on, g.warranty_expires_on, g.external_ref, g.status, g.created_at, g.verified_at,
                       g.voided_at
                     FROM registrations g JOIN dealers d ON d.id = g.dealer_id JOIN products p ON p.id = g.product_id
                     WHERE g.customer_id IN ",
                    ids,
                    " ORDER BY g.created_at, g.id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                out.messages = with_ids!(
                    "SELECT id, registration_id, kind, occurrence, channel, status, outcome, sent_at, provider_status
                     FROM reminders WHERE customer_id IN ",
                    ids,
                    " ORDER BY due_at, id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                out.link_clicks = with_ids!(
                    "SELECT k.reminder_id, k.clicked_at FROM link_clicks k JOIN reminders r ON r.id = k.reminder_id
                     WHERE r.customer_id IN ",
                    ids,
                    " ORDER BY k.clicked_at, k.id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                // Their units' visits while they owned them (the unit's current owner's, or theirs).
                out.service_visits = with_ids!(
                    "SELECT v.registration_id, v.service_date, v.kind, d.code AS servicing_dealer_code, v.created_at
                     FROM service_events v JOIN registrations g ON g.id = v.registration_id
                     JOIN dealers d ON d.id = v.servicing_dealer_id WHERE g.customer_id IN ",
                    ids,
                    " ORDER BY v.service_date, v.id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                out.proofs_of_purchase = with_ids!(
                    "SELECT r.registration_id, r.sha256, f.content_type AS media_type, f.size_bytes, r.uploaded_by, r.created_at
                     FROM registration_proofs r JOIN proof_files f ON f.sha256 = r.sha256 WHERE r.customer_id IN ",
                    ids,
                    " ORDER BY r.created_at, r.id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                out.corrections = with_ids!(
                    "SELECT k.registration_id, k.at, k.before, k.after FROM registration_corrections k
                     JOIN registrations g ON g.id = k.registration_id WHERE g.customer_id IN ",
                    ids,
                    " ORDER BY k.at, k.id",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                let mut transfers: Vec<TransferRow> = with_ids!(
                    "SELECT id, registration_id, 'from' AS role, started_by, status, created_at, accepted_at
                     FROM ownership_transfers WHERE from_customer_id IN ",
                    ids,
                    "",
                )
                .build_query_as()
                .fetch_all(pool)
                .await?;
                transfers.extend(
                    with_ids!(
                        "SELECT id, registration_id, 'to' AS role, started_by, status, created_at, accepted_at
                         FROM ownership_transfers WHERE to_customer_id IN ",
                        ids,
                        "",
                    )
                    .build_query_as::<TransferRow>()
                    .fetch_all(pool)
                    .await?,
                );
                transfers.sort_by_key(|t| (t.created_at, t.id));
                out.transfers = transfers;
            }
            out.own_registrations = sqlx::query_as(
                "SELECT o.id, p.sku, o.serial_display AS serial_number, o.purchase_date, o.customer_name,
                   o.customer_email, o.customer_phone, o.status, o.created_at
                 FROM owner_registrations o JOIN products p ON p.id = o.product_id
                 WHERE (lower(o.customer_email) = $1 AND $1 IS NOT NULL) OR (o.customer_phone = $2 AND $2 IS NOT NULL)
                 ORDER BY o.created_at, o.id",
            )
            .bind(&email)
            .bind(&phone)
            .fetch_all(pool)
            .await?;
            if let Some(phone) = &phone {
                out.texts_received = sqlx::query_as(
                    "SELECT kind, received_at FROM sms_events WHERE phone = $1 ORDER BY received_at, id",
                )
                .bind(phone)
                .fetch_all(pool)
                .await?;
                out.phone_suppressed =
                    sqlx::query_scalar("SELECT reason FROM sms_suppressions WHERE phone = $1")
                        .bind(phone)
                        .fetch_optional(pool)
                        .await?;
            }
            if let Some(email) = &email {
                out.email_suppressed =
                    sqlx::query_scalar("SELECT reason FROM suppressions WHERE email = $1")
                        .bind(email)
                        .fetch_optional(pool)
                        .await?;
            }
        });
        Ok(out)
    }
}
