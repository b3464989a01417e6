//! A person across dealers, for the manufacturer: finding every record of one person (by email or
//! phone, following the identifiers those records hold), their records with consent and
//! registrations, erasing a record, and the operators' export.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, read, with_pool, with_tx};

/// One registration as exported for operators.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ExportRow {
    pub id: Uuid,
    pub dealer_code: String,
    /// As typed.
    pub serial_number: String,
    pub sku: String,
    pub purchase_date: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub external_ref: Option<String>,
    pub warranty_expires_on: NaiveDate,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_locale: String,
    pub customer_time_zone: String,
    pub customer_country: Option<String>,
    pub customer_postal_code: Option<String>,
    /// The consent in force (the dealer's reminders and offers, the manufacturer's offers), filled
    /// by the caller from the facts below through `domain::consent` (`None`: never asked).
    #[sqlx(skip)]
    pub consent_service_reminders: Option<bool>,
    #[sqlx(skip)]
    pub consent_marketing: Option<bool>,
    #[sqlx(skip)]
    pub consent_manufacturer_marketing: Option<bool>,
    /// Per (party, purpose): the latest answer, and the latest answer the customer gave.
    #[serde(skip)]
    pub service_reminders_latest: Option<bool>,
    #[serde(skip)]
    pub service_reminders_by_customer: Option<bool>,
    #[serde(skip)]
    pub marketing_latest: Option<bool>,
    #[serde(skip)]
    pub marketing_by_customer: Option<bool>,
    #[serde(skip)]
    pub manufacturer_marketing_latest: Option<bool>,
    #[serde(skip)]
    pub manufacturer_marketing_by_customer: Option<bool>,
}

/// One dealer's record of a person, as the manufacturer sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRecord {
    pub customer_id: Uuid,
    pub dealer_code: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
    #[sqlx(skip)]
    pub consent: crate::domain::consent::CurrentConsent,
    #[sqlx(skip)]
    pub registrations: Vec<PersonRegistration>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRegistration {
    pub customer_id: Uuid,
    pub id: Uuid,
    pub serial_number: String,
    pub sku: String,
    pub purchase_date: NaiveDate,
    pub status: String,
}

/// The contact key of an email address or a phone number, as registrations store it.
pub fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

pub fn phone_key(phone: &str) -> String {
    format!("phone:{}", phone.trim())
}

/// The registrations a person (`$1`) holds now or held before a transfer.
macro_rules! held {
    () => {
        "SELECT id FROM registrations WHERE customer_id = $1
         UNION SELECT registration_id FROM ownership_transfers WHERE from_customer_id = $1 OR to_customer_id = $1"
    };
}

/// Erases one customer record: clears name, email, phone, postal code, country and contact key;
/// stops the pending reminders addressed to them; removes the SMTP reply texts of their
/// deliveries, their suppressed address, transfers offered to them, their proofs of purchase,
/// their details in corrections
/// and the saved API answers that contained their data, on every unit they hold or held (a unit
/// transferred since keeps its current owner untouched). Registrations, consent events, the ledger and statements stay, pointing at the pseudonymous
/// customer id. Returns the Message-IDs of the person's emails (their outbox files hold the
/// address), or `None` when no such record exists.
pub async fn erase_customer(
    tx: &mut WriteTx,
    customer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<ErasedRecords>> {
    Ok(with_tx!(tx, |conn| {
        let contact: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT email, phone FROM customers WHERE id = $1")
                .bind(customer_id)
                .fetch_optional(&mut *conn)
                .await?;
        let Some((email, phone)) = contact else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE customers SET name = NULL, email = NULL, phone = NULL, postal_code = NULL, country = NULL,
               contact_key = NULL, erased_at = COALESCE(erased_at, $2), updated_at = $2 WHERE id = $1",
        )
        .bind(customer_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        // Only the reminders addressed to this person: a unit's later owner keeps theirs.
        sqlx::query(
            "UPDATE reminders SET status = 'skipped', outcome = 'erased', lease_until = NULL, updated_at = $2
             WHERE status IN ('pending', 'queued') AND customer_id = $1",
        )
        .bind(customer_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        // SMTP replies may quote the address; what happened (outcome, code) stays.
        sqlx::query(
            "UPDATE reminder_attempts SET detail = NULL WHERE detail IS NOT NULL AND reminder_id IN
               (SELECT id FROM reminders WHERE customer_id = $1)",
        )
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
        let text_ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM reminders WHERE customer_id = $1 AND channel = 'sms' AND sent_at IS NOT NULL",
        )
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
        if let Some(phone) = &phone {
            // What came in from the number stays counted, without the number.
            sqlx::query("UPDATE sms_events SET phone = NULL WHERE phone = $1")
                .bind(phone)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM sms_suppressions WHERE phone = $1")
                .bind(phone)
                .execute(&mut *conn)
                .await?;
        }
        let message_ids: Vec<String> = sqlx::query_scalar(
            "SELECT message_id FROM reminders WHERE customer_id = $1 AND message_id IS NOT NULL AND channel = 'email'",
        )
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
        if let Some(email) = &email {
            sqlx::query("DELETE FROM suppressions WHERE email = $1")
                .bind(email.to_lowercase())
                .execute(&mut *conn)
                .await?;
            // A transfer offered to this address and not accepted: the offer goes.
            sqlx::query(
                "UPDATE ownership_transfers SET invited_email = NULL, status = 'cancelled'
                 WHERE status = 'pending' AND lower(invited_email) = $1",
            )
            .bind(email.to_lowercase())
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query(
            "UPDATE ownership_transfers SET invited_email = NULL WHERE from_customer_id = $1 OR to_customer_id = $1",
        )
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(concat!(
            "DELETE FROM idempotency_keys WHERE registration_id IN (",
            held!(),
            ")"
        ))
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
        // Their proofs of purchase, and the files nobody else's proof refers to (returned, for
        // an object store to delete too).
        let files: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT sha256 FROM registration_proofs WHERE customer_id = $1
             AND sha256 NOT IN (SELECT sha256 FROM registration_proofs WHERE customer_id <> $1)",
        )
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM registration_proofs WHERE customer_id = $1")
            .bind(customer_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "DELETE FROM proof_files WHERE sha256 NOT IN (SELECT sha256 FROM registration_proofs)",
        )
        .execute(&mut *conn)
        .await?;
        // Corrections keep who and when; the person's details in them go.
        let corrections: Vec<(Uuid, String, String)> = sqlx::query_as(concat!(
            "SELECT id, before, after FROM registration_corrections WHERE registration_id IN (",
            held!(),
            ")"
        ))
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
        for (id, before, after) in corrections {
            let (before, after) = (
                erase_from_facts(&before, email.as_deref(), phone.as_deref()),
                erase_from_facts(&after, email.as_deref(), phone.as_deref()),
            );
            if before.is_some() || after.is_some() {
                sqlx::query(
                    "UPDATE registration_corrections SET before = COALESCE($2, before), after = COALESCE($3, after) WHERE id = $1",
                )
                .bind(id)
                .bind(before)
                .bind(after)
                .execute(&mut *conn)
                .await?;
            }
        }
        sqlx::query(concat!(
            "UPDATE registrations SET updated_at = $2 WHERE id IN (",
            held!(),
            ")"
        ))
        .bind(customer_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Some(ErasedRecords {
            message_ids,
            text_ids,
            files,
        })
    }))
}

/// What an erased customer leaves outside the database: the Message-IDs of their emails (their
/// outbox files) and their proof files (in an object store).
#[derive(Debug, Default)]
pub struct ErasedRecords {
    pub message_ids: Vec<String>,
    /// Their texts (the SMS outbox's files are named by them).
    pub text_ids: Vec<Uuid>,
    pub files: Vec<String>,
}

/// A correction's facts without the person's details, when they name this person (by email or
/// phone); `None` when they name someone else (a later owner) or nobody.
fn erase_from_facts(facts: &str, email: Option<&str>, phone: Option<&str>) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(facts).ok()?;
    let customer = value.get_mut("customer")?.as_object_mut()?;
    let same = |key: &str, of: Option<&str>| {
        of.is_some_and(|of| {
            customer
                .get(key)
                .and_then(|v| v.as_str())
                .is_some_and(|v| v.eq_ignore_ascii_case(of))
        })
    };
    if !same("email", email) && !same("phone", phone) {
        return None;
    }
    for key in ["name", "email", "phone", "postal_code", "country"] {
        customer.insert(key.to_owned(), serde_json::Value::Null);
    }
    customer.insert("erased".to_owned(), serde_json::Value::Bool(true));
    Some(value.to_string())
}

impl Store {
    /// A customer record's own identifiers (to find the rest of the person's records).
    pub async fn customer_contact(
        &self,
        customer_id: Uuid,
    ) -> Result<Option<(Option<String>, Option<String>)>> {
        read!(self, query_as, fetch_optional =>
            "SELECT email, phone FROM customers WHERE id = $1";
            customer_id)
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
                "SELECT g.id, d.code AS dealer_code, COALESCE(g.serial_display, g.serial_number) AS serial_number, p.sku,
                   g.purchase_date, g.delivered_on, g.installed_on, g.external_ref, g.warranty_expires_on, g.status,
                   g.created_at, c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone,
                   c.locale AS customer_locale, c.time_zone AS customer_time_zone, c.country AS customer_country,
                   c.postal_code AS customer_postal_code,
                   (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.channel IS NULL AND e.party = 'dealer'
                      AND e.purpose = 'service_reminders' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS service_reminders_latest,
                   (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.channel IS NULL AND e.party = 'dealer'
                      AND e.purpose = 'service_reminders' AND e.source LIKE 'customer%'
                      ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS service_reminders_by_customer,
                   (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.channel IS NULL AND e.party = 'dealer'
                      AND e.purpose = 'marketing' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS marketing_latest,
                   (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.channel IS NULL AND e.party = 'dealer'
                      AND e.purpose = 'marketing' AND e.source LIKE 'customer%'
                      ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS marketing_by_customer,
                   (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.channel IS NULL AND e.party = 'manufacturer'
                      AND e.purpose = 'marketing' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS manufacturer_marketing_latest,
                   (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.channel IS NULL AND e.party = 'manufacturer'
                      AND e.purpose = 'marketing' AND e.source LIKE 'customer%'
                      ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS manufacturer_marketing_by_customer
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

    /// Every customer record of one person, at every dealer: the records recognized by the given
    /// email or phone, and then by the other identifiers those records hold (a record keyed by
    /// email that also holds a phone finds the record another dealer keyed by that phone). Uses
    /// the indexed contact_key and phone columns only.
    pub async fn find_person(&self, email: Option<&str>, phone: Option<&str>) -> Result<Vec<Uuid>> {
        let mut keys: Vec<String> = email.map(email_key).into_iter().collect();
        let mut phones: Vec<String> = phone.map(|p| p.trim().to_owned()).into_iter().collect();
        let mut found: Vec<Uuid> = Vec::new();
        // Each round can only add identifiers; a person has few, so this ends in a round or two.
        for _ in 0..4 {
            keys.extend(phones.iter().map(|p| phone_key(p)));
            keys.sort();
            keys.dedup();
            let rows: Vec<(Uuid, Option<String>, Option<String>)> = with_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT id, email, phone FROM customers WHERE contact_key IN (",
                );
                let mut list = query.separated(", ");
                for key in &keys {
                    list.push_bind(key.clone());
                }
                query.push(")");
                if !phones.is_empty() {
                    query.push(" OR phone IN (");
                    let mut list = query.separated(", ");
                    for phone in &phones {
                        list.push_bind(phone.clone());
                    }
                    query.push(")");
                }
                query.push(" ORDER BY id");
                query.build_query_as().fetch_all(pool).await?
            });
            let before = (found.len(), keys.len(), phones.len());
            for (id, email, phone) in rows {
                if !found.contains(&id) {
                    found.push(id);
                }
                if let Some(email) = email {
                    let key = email_key(&email);
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                if let Some(phone) = phone
                    && !phones.contains(&phone)
                {
                    phones.push(phone);
                }
            }
            if (found.len(), keys.len(), phones.len()) == before {
                break;
            }
        }
        found.sort();
        Ok(found)
    }

    /// The manufacturer's view of one person: each dealer's record, its consent and registrations.
    pub async fn person_records(&self, customer_ids: &[Uuid]) -> Result<Vec<PersonRecord>> {
        if customer_ids.is_empty() {
            return Ok(Vec::new());
        }
        let (mut records, registrations): (Vec<PersonRecord>, Vec<PersonRegistration>) = with_pool!(
            self,
            |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT c.id AS customer_id, d.code AS dealer_code, c.name, c.email, c.phone, c.locale, c.country,
                       c.postal_code, c.erased_at
                     FROM customers c LEFT JOIN dealers d ON d.id = c.dealer_id WHERE c.id IN (",
                );
                let mut list = query.separated(", ");
                for id in customer_ids {
                    list.push_bind(*id);
                }
                query.push(") ORDER BY d.code, c.id");
                let records = query.build_query_as().fetch_all(pool).await?;
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT g.customer_id, g.id, g.serial_number, p.sku, g.purchase_date, g.status
                     FROM registrations g JOIN products p ON p.id = g.product_id WHERE g.customer_id IN (",
                );
                let mut list = query.separated(", ");
                for id in customer_ids {
                    list.push_bind(*id);
                }
                query.push(") ORDER BY g.created_at, g.id");
                (records, query.build_query_as().fetch_all(pool).await?)
            }
        );
        for record in &mut records {
            record.consent = self.current_consent(record.customer_id).await?;
            record.registrations = registrations
                .iter()
                .filter(|r| r.customer_id == record.customer_id)
                .cloned()
                .collect();
        }
        Ok(records)
    }
}
