//! Dealers and products: upserts keyed by their business codes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use crate::domain::catalog_input::{DealerUpsert, ProductUpsert};

use super::{Result, Store, read, with_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DealerRecord {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub time_zone: String,
    pub country: Option<String>,
    pub booking_url: Option<String>,
    pub address: Option<String>,
    pub send_window: Option<String>,
    pub active: bool,
    /// JSON `ServicingArea`: may report visits on units other dealers sold.
    pub authorized_servicer: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `auto`, `email`, `sms` or `both`; `None`: the product's.
    pub message_channels: Option<String>,
    pub sms_sender_id: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProductRecord {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub category: String,
    pub warranty_months: i32,
    pub warranty_start: String,
    /// JSON array of ISO 8601 periods.
    pub service_plan: String,
    pub registration_window_days: i32,
    /// GTIN-14, when the product has one (its units' GS1 Digital Link addresses).
    pub gtin: Option<String>,
    /// `transferable`, `not_transferable` or `once`.
    pub transfer_policy: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `auto`, `email`, `sms` or `both`; `None`: `auto`.
    pub message_channels: Option<String>,
}

const DEALER_COLUMNS: &str = "id, code, name, email, phone, locale, time_zone, country, booking_url, address, send_window, active, authorized_servicer, created_at, updated_at, message_channels, sms_sender_id";

impl Store {
    /// Creates or replaces a dealer's profile, with its audit row (who, `dealer.created` or
    /// `dealer.saved`) in the same transaction; returns it and whether it was created.
    pub async fn upsert_dealer(
        &self,
        d: &DealerUpsert,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(DealerRecord, bool)> {
        let new_id = Uuid::now_v7();
        let mut tx = self.begin_write().await?;
        let record: DealerRecord = super::with_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "INSERT INTO dealers (id, code, name, email, phone, locale, time_zone, country, booking_url, active, created_at,
                   updated_at, address, send_window, authorized_servicer, message_channels, sms_sender_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone,
                   locale = excluded.locale, time_zone = excluded.time_zone, country = excluded.country,
                   booking_url = excluded.booking_url, active = excluded.active, updated_at = excluded.updated_at,
                   address = excluded.address, send_window = excluded.send_window,
                   authorized_servicer = excluded.authorized_servicer, message_channels = excluded.message_channels,
                   sms_sender_id = excluded.sms_sender_id
                 RETURNING id, code, name, email, phone, locale, time_zone, country, booking_url, address, send_window, active,
                   authorized_servicer, created_at, updated_at, message_channels, sms_sender_id",
            )
            .bind(new_id)
            .bind(&d.code)
            .bind(&d.name)
            .bind(&d.email)
            .bind(&d.phone)
            .bind(&d.locale)
            .bind(&d.time_zone)
            .bind(&d.country)
            .bind(&d.booking_url)
            .bind(d.active)
            .bind(now)
            .bind(&d.address)
            .bind(&d.send_window)
            .bind(&d.authorized_servicer)
            .bind(&d.message_channels)
            .bind(&d.sms_sender_id)
            .fetch_one(&mut *conn)
            .await?
        });
        let created = record.id == new_id;
        let action = if created {
            "dealer.created"
        } else {
            "dealer.saved"
        };
        super::entries::audit(&mut tx, actor, action, "dealer", &record.code, None, now).await?;
        tx.commit().await?;
        Ok((record, created))
    }

    pub async fn dealer_by_id(&self, id: Uuid) -> Result<Option<DealerRecord>> {
        let sql = format!("SELECT {DEALER_COLUMNS} FROM dealers WHERE id = $1");
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn dealer_by_code(&self, code: &str) -> Result<Option<DealerRecord>> {
        let sql = format!("SELECT {DEALER_COLUMNS} FROM dealers WHERE code = $1");
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(code)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn list_dealers(&self) -> Result<Vec<DealerRecord>> {
        let sql = format!("SELECT {DEALER_COLUMNS} FROM dealers ORDER BY code");
        Ok(with_pool!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .fetch_all(pool)
        .await?))
    }

    /// Creates or replaces a product, with its audit row in the same transaction; returns it and
    /// whether it was created. A GTIN another product holds is `StoreError::Taken("gtin")`.
    pub async fn upsert_product(
        &self,
        p: &ProductUpsert,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(ProductRecord, bool)> {
        let plan = serde_json::to_string(&p.service_plan).expect("strings serialize");
        let new_id = Uuid::now_v7();
        let mut tx = self.begin_write().await?;
        let record: ProductRecord = super::with_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "INSERT INTO products (id, sku, name, category, warranty_months, warranty_start, service_plan,
                   registration_window_days, gtin, transfer_policy, created_at, updated_at, message_channels)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, $11, $9, $9, $12)
                 ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category,
                   warranty_months = excluded.warranty_months, warranty_start = excluded.warranty_start,
                   service_plan = excluded.service_plan, registration_window_days = excluded.registration_window_days,
                   gtin = excluded.gtin, transfer_policy = excluded.transfer_policy, updated_at = excluded.updated_at,
                   message_channels = excluded.message_channels
                 RETURNING id, sku, name, category, warranty_months, warranty_start, service_plan,
                   registration_window_days, gtin, transfer_policy, created_at, updated_at, message_channels",
            )
            .bind(new_id)
            .bind(&p.sku)
            .bind(&p.name)
            .bind(&p.category)
            .bind(p.warranty_months)
            .bind(&p.warranty_start)
            .bind(plan)
            .bind(p.registration_window_days)
            .bind(now)
            .bind(&p.gtin)
            .bind(&p.transfer_policy)
            .bind(&p.message_channels)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| {
                if super::violates(&e, super::Unique::ProductGtin) {
                    super::StoreError::Taken("gtin")
                } else {
                    e.into()
                }
            })?
        });
        let created = record.id == new_id;
        let action = if created {
            "product.created"
        } else {
            "product.saved"
        };
        super::entries::audit(&mut tx, actor, action, "product", &record.sku, None, now).await?;
        tx.commit().await?;
        Ok((record, created))
    }

    pub async fn product_by_gtin(&self, gtin: &str) -> Result<Option<ProductRecord>> {
        read!(self, query_as, fetch_optional =>
            "SELECT id, sku, name, category, warranty_months, warranty_start, service_plan,
            registration_window_days, gtin, transfer_policy, created_at, updated_at, message_channels FROM products WHERE gtin = $1";
            gtin)
    }

    pub async fn product_by_sku(&self, sku: &str) -> Result<Option<ProductRecord>> {
        read!(self, query_as, fetch_optional =>
            "SELECT id, sku, name, category, warranty_months, warranty_start, service_plan,
            registration_window_days, gtin, transfer_policy, created_at, updated_at, message_channels FROM products WHERE sku = $1";
            sku)
    }

    /// The product of `sku` with the current version of every incentive program: what intake
    /// needs from the catalog, in one round trip (one row per program, or one without).
    pub async fn product_and_programs(
        &self,
        sku: &str,
    ) -> Result<Option<(ProductRecord, Vec<super::programs::ProgramVersion>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            product: ProductRecord,
            program_id: Option<String>,
            program_version: Option<i32>,
            program_definition: Option<String>,
            program_created_at: Option<DateTime<Utc>>,
        }
        let rows: Vec<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.sku, p.name, p.category, p.warranty_months, p.warranty_start, p.service_plan,
                   p.registration_window_days, p.gtin, p.transfer_policy, p.created_at, p.updated_at, p.message_channels, v.program_id,
                   v.version AS program_version, v.definition AS program_definition, v.created_at AS program_created_at
                 FROM products p LEFT JOIN (programs g JOIN program_versions v ON v.program_id = g.id AND v.version = g.version)
                   ON 1 = 1
                 WHERE p.sku = $1 ORDER BY v.program_id",
            )
            .bind(sku)
            .fetch_all(pool)
            .await?
        });
        let Some(product) = rows.first().map(|r| r.product.clone()) else {
            return Ok(None);
        };
        let programs = rows
            .into_iter()
            .filter_map(|r| {
                Some(super::programs::ProgramVersion {
                    program_id: r.program_id?,
                    version: r.program_version?,
                    definition: r.program_definition?,
                    created_at: r.program_created_at?,
                })
            })
            .collect();
        Ok(Some((product, programs)))
    }

    pub async fn list_products(&self) -> Result<Vec<ProductRecord>> {
        read!(self, query_as, fetch_all =>
        "SELECT id, sku, name, category, warranty_months, warranty_start, service_plan,
        registration_window_days, gtin, transfer_policy, created_at, updated_at, message_channels FROM products ORDER BY sku";
        )
    }
}
