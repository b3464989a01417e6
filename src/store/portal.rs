//! Reads behind the pages: a dealer's registrations searched and paged, the figures of a dealer's
//! home page, statements searched and paged with their totals.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::statements::StatementRecord;
use super::{Result, Store, with_pool};

/// One line of a dealer's registrations list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationSummary {
    pub id: Uuid,
    pub serial_number: String,
    pub serial_display: Option<String>,
    pub sku: String,
    pub product_name: String,
    pub customer_name: Option<String>,
    pub external_ref: Option<String>,
    pub purchase_date: NaiveDate,
    pub status: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub registered_by: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct RegistrationSearch {
    /// Serial number, customer name or reference (contains, case-insensitive).
    pub text: Option<String>,
    /// `active` or `voided`.
    pub status: Option<String>,
    /// `confirmed` or `unconfirmed` (by the customer).
    pub confirmed: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// The figures of a dealer's home page.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct DealerHome {
    pub registered_since: i64,
    pub awaiting_confirmation: i64,
}

/// Held amounts of a dealer, per currency.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldTotal {
    pub currency: String,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Default)]
pub struct StatementSearch {
    pub period: Option<String>,
    pub status: Option<String>,
    /// Dealer code or name (contains, case-insensitive).
    pub dealer: Option<String>,
    pub dealer_id: Option<Uuid>,
    pub limit: i64,
    pub offset: i64,
}

/// Totals of a statement search per currency.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementTotal {
    pub currency: String,
    pub count: i64,
    pub total_minor: i64,
}

/// A statement with its dealer's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementRow {
    #[sqlx(flatten)]
    pub statement: StatementRecord,
    pub dealer_name: String,
}

fn like(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    pub async fn dealer_registrations(
        &self,
        dealer_id: Uuid,
        search: &RegistrationSearch,
    ) -> Result<(Vec<RegistrationSummary>, i64)> {
        Ok(with_pool!(self, |pool| {
            let filter = |q: &mut sqlx::QueryBuilder<_>| {
                q.push(" WHERE r.dealer_id = ").push_bind(dealer_id);
                if let Some(text) = search.text.as_deref().filter(|t| !t.trim().is_empty()) {
                    let pattern = like(text);
                    q.push(" AND (lower(r.serial_number) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR lower(COALESCE(r.serial_display, '')) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR lower(COALESCE(c.name, '')) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR lower(COALESCE(r.external_ref, '')) LIKE ")
                        .push_bind(pattern)
                        .push(" ESCAPE '\\')");
                }
                if let Some(status) = &search.status {
                    q.push(" AND r.status = ").push_bind(status.clone());
                }
                match search.confirmed {
                    Some(true) => {
                        q.push(" AND r.verified_at IS NOT NULL");
                    }
                    Some(false) => {
                        q.push(" AND r.verified_at IS NULL");
                    }
                    None => {}
                }
            };
            let mut count = sqlx::QueryBuilder::new(
                "SELECT count(*) FROM registrations r JOIN customers c ON c.id = r.customer_id",
            );
            filter(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut rows = sqlx::QueryBuilder::new(
                "SELECT r.id, r.serial_number, r.serial_display, p.sku, p.name AS product_name, c.name AS customer_name,
                 r.external_ref, r.purchase_date, r.status, r.verified_at, r.created_at, r.registered_by
                 FROM registrations r JOIN customers c ON c.id = r.customer_id JOIN products p ON p.id = r.product_id",
            );
            filter(&mut rows);
            rows.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ")
                .push_bind(search.limit)
                .push(" OFFSET ")
                .push_bind(search.offset);
            let rows: Vec<RegistrationSummary> = rows.build_query_as().fetch_all(pool).await?;
            (rows, total)
        }))
    }

    pub async fn dealer_home(&self, dealer_id: Uuid, since: DateTime<Utc>) -> Result<DealerHome> {
        super::read!(self, query_as, fetch_one =>
            "SELECT
               (SELECT count(*) FROM registrations WHERE dealer_id = $1 AND status = 'active' AND created_at >= $2) AS registered_since,
               (SELECT count(*) FROM registrations WHERE dealer_id = $1 AND status = 'active' AND verified_at IS NULL) AS awaiting_confirmation";
            dealer_id, since)
    }

    /// What a dealer has earned but is held until customers confirm, per currency.
    pub async fn dealer_held(&self, dealer_id: Uuid) -> Result<Vec<HeldTotal>> {
        super::read!(self, query_as, fetch_all =>
            "SELECT currency, CAST(sum(amount_minor) AS BIGINT) AS amount_minor FROM pending_accruals
             WHERE dealer_id = $1 AND state = 'held' GROUP BY currency ORDER BY currency";
            dealer_id)
    }

    /// Statements matching `search`, newest period first, with the totals per currency of all
    /// that match (not only this page).
    pub async fn search_statements(
        &self,
        search: &StatementSearch,
    ) -> Result<(Vec<StatementRow>, Vec<StatementTotal>)> {
        Ok(with_pool!(self, |pool| {
            let filter = |q: &mut sqlx::QueryBuilder<_>| {
                q.push(" WHERE 1 = 1");
                if let Some(period) = &search.period {
                    q.push(" AND s.period = ").push_bind(period.clone());
                }
                if let Some(status) = &search.status {
                    q.push(" AND s.status = ").push_bind(status.clone());
                }
                if let Some(dealer_id) = search.dealer_id {
                    q.push(" AND s.dealer_id = ").push_bind(dealer_id);
                }
                if let Some(text) = search.dealer.as_deref().filter(|t| !t.trim().is_empty()) {
                    let pattern = like(text);
                    q.push(" AND (lower(d.code) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR lower(d.name) LIKE ")
                        .push_bind(pattern)
                        .push(" ESCAPE '\\')");
                }
            };
            let mut totals = sqlx::QueryBuilder::new(
                "SELECT s.currency, count(*) AS count, CAST(COALESCE(sum(s.total_minor), 0) AS BIGINT) AS total_minor
                 FROM statements s JOIN dealers d ON d.id = s.dealer_id",
            );
            filter(&mut totals);
            totals.push(" GROUP BY s.currency ORDER BY s.currency");
            let totals: Vec<StatementTotal> = totals.build_query_as().fetch_all(pool).await?;
            let mut rows = sqlx::QueryBuilder::new(
                "SELECT s.id, s.dealer_id, d.code AS dealer_code, s.currency, s.period, s.status, s.total_minor,
                 s.hold_reason, s.payment_reference, s.created_at, s.updated_at, s.approved_at, s.paid_at,
                 d.name AS dealer_name
                 FROM statements s JOIN dealers d ON d.id = s.dealer_id",
            );
            filter(&mut rows);
            rows.push(" ORDER BY s.period DESC, d.name, s.currency LIMIT ")
                .push_bind(search.limit)
                .push(" OFFSET ")
                .push_bind(search.offset);
            let rows: Vec<StatementRow> = rows.build_query_as().fetch_all(pool).await?;
            (rows, totals)
        }))
    }
}

impl Store {
    /// When the customer confirmed a registration, if they did.
    pub async fn registration_verified(&self, id: Uuid) -> Result<Option<DateTime<Utc>>> {
        let at: Option<Option<DateTime<Utc>>> = super::read!(self, query_scalar, fetch_optional =>
            "SELECT verified_at FROM registrations WHERE id = $1"; id)?;
        Ok(at.flatten())
    }
}

/// What closing a period would put on statements: entries on no statement up to the period, per
/// dealer and currency.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenTotal {
    pub dealer_name: String,
    pub currency: String,
    pub count: i64,
    pub total_minor: i64,
}

impl Store {
    pub async fn open_totals(&self, up_to: &str) -> Result<Vec<OpenTotal>> {
        super::read!(self, query_as, fetch_all =>
            "SELECT d.name AS dealer_name, e.currency, count(*) AS count, CAST(sum(e.amount_minor) AS BIGINT) AS total_minor
             FROM ledger_entries e JOIN dealers d ON d.id = e.dealer_id
             WHERE e.period <= $1 AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.entry_id = e.id)
             GROUP BY d.name, e.currency ORDER BY d.name, e.currency";
            up_to)
    }

    /// Who approved a statement (its latest approval's actor), and who entered the adjustments on
    /// it: what the pages need to offer only the actions the four-eyes rules allow.
    pub async fn statement_people(&self, id: Uuid) -> Result<(Option<Uuid>, Vec<Uuid>)> {
        let approved_by: Option<Option<Uuid>> = super::read!(self, query_scalar, fetch_optional => super::statements::APPROVED_BY; id.to_string())?;
        let authors: Vec<Option<Uuid>> = super::read!(self, query_scalar, fetch_all => super::statements::ADJUSTMENT_AUTHORS; id)?;
        Ok((
            approved_by.flatten(),
            authors.into_iter().flatten().collect(),
        ))
    }
}

/// A fraud signal an admin resolved.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignalResolution {
    pub signal_key: String,
    pub resolution: String,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: DateTime<Utc>,
}

impl Store {
    pub async fn signal_resolutions(&self) -> Result<Vec<SignalResolution>> {
        super::read!(self, query_as, fetch_all =>
            "SELECT signal_key, resolution, resolved_by, resolved_at FROM signal_resolutions ORDER BY resolved_at";)
    }

    /// Records what an admin found about a signal; a second resolution of the same signal keeps
    /// the first.
    pub async fn resolve_signal(
        &self,
        key: &str,
        kind: &str,
        dealer_id: Uuid,
        resolution: &str,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(super::run!(self =>
            "INSERT INTO signal_resolutions (signal_key, kind, dealer_id, resolution, resolved_by, resolved_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (signal_key) DO NOTHING";
            key, kind, dealer_id, resolution, by, now)?
            == 1)
    }
}

/// One unit on its owner's page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnedUnit {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub serial_number: String,
    pub serial_display: Option<String>,
    pub product_name: String,
    pub dealer_name: String,
    pub purchase_date: NaiveDate,
    pub warranty_expires_on: NaiveDate,
    pub status: String,
    pub verified_at: Option<DateTime<Utc>>,
    /// When the next service reminder is due, if one is planned.
    pub next_service: Option<DateTime<Utc>>,
    /// The product's transfer policy.
    pub transfer_policy: String,
    /// Until when an offer of the unit to a new owner waits, if one does.
    pub offered_until: Option<DateTime<Utc>>,
    /// When this owner last added a proof of purchase of it, if they did.
    pub proof_added: Option<DateTime<Utc>>,
}

impl Store {
    /// The units of one customer record (the owner page's link names it), newest first, with
    /// what waits on each at `now` (an offer to a new owner) and their own proof of purchase.
    pub async fn owned_units(
        &self,
        customer_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<OwnedUnit>> {
        super::read!(self, query_as, fetch_all =>
            "SELECT r.id, r.dealer_id, r.serial_number, r.serial_display, p.name AS product_name, d.name AS dealer_name,
               r.purchase_date, r.warranty_expires_on, r.status, r.verified_at,
               (SELECT min(m.due_at) FROM reminders m WHERE m.registration_id = r.id AND m.kind = 'service_due'
                  AND m.status = 'pending') AS next_service, p.transfer_policy,
               (SELECT max(t.expires_at) FROM ownership_transfers t WHERE t.registration_id = r.id
                  AND t.status = 'pending' AND t.expires_at > $2) AS offered_until,
               (SELECT max(f.created_at) FROM registration_proofs f WHERE f.registration_id = r.id
                  AND f.customer_id = $1) AS proof_added
             FROM registrations r JOIN products p ON p.id = r.product_id JOIN dealers d ON d.id = r.dealer_id
             WHERE r.customer_id = $1 ORDER BY r.created_at DESC, r.id DESC";
            customer_id, now)
    }
}

impl Store {
    /// How many dealers, products and people there are (the admin home), in one query.
    pub async fn catalog_counts(&self) -> Result<(i64, i64, i64)> {
        super::read!(self, query_as, fetch_one =>
            "SELECT (SELECT count(*) FROM dealers), (SELECT count(*) FROM products), (SELECT count(*) FROM accounts)";)
    }
}
