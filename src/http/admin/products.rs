//! Admin endpoints for the product catalog: create or update a product (checked by
//! `parse_product`, which the CLI uses too), list and read products.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::catalog_input::{ProductRequest, parse_product};
use crate::http::AppState;
use crate::http::auth::AdminKey;
use crate::http::body::Json;
use crate::http::error::{ApiError, Problem};
use crate::store::ProductRecord;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductResponse {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub warranty_months: i32,
    pub warranty_start: String,
    pub service_plan: Vec<String>,
    pub registration_window_days: i32,
    /// GTIN-14, when the product has one.
    pub gtin: Option<String>,
    /// Whether the warranty follows the unit to a new owner.
    pub transfer_policy: crate::domain::catalog::TransferPolicy,
    /// `auto`, `email`, `sms` or `both` (`null`: `auto`); a dealer's own choice wins.
    pub message_channels: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProductRecord> for ProductResponse {
    fn from(p: ProductRecord) -> Self {
        Self {
            service_plan: serde_json::from_str(&p.service_plan).unwrap_or_default(),
            sku: p.sku,
            name: p.name,
            category: p.category,
            warranty_months: p.warranty_months,
            warranty_start: p.warranty_start,
            registration_window_days: p.registration_window_days,
            gtin: p.gtin,
            transfer_policy: crate::domain::catalog::TransferPolicy::parse(&p.transfer_policy)
                .unwrap_or_default(),
            message_channels: p.message_channels,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Create or update a product. Existing registrations keep the terms they were registered with.
#[utoipa::path(
    put,
    path = "/v1/admin/products/{sku}",
    tag = "admin",
    params(("sku" = String, Path)),
    request_body = ProductRequest,
    responses(
        (status = 200, description = "Updated", body = ProductResponse),
        (status = 201, description = "Created", body = ProductResponse),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn put_product(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(sku): Path<String>,
    Json(req): Json<ProductRequest>,
) -> Result<(StatusCode, axum::Json<ProductResponse>), ApiError> {
    let product = parse_product(&sku, &req).map_err(ApiError::Validation)?;
    let now = state.clock.now();
    let (record, created) = state
        .store
        .upsert_product(&product, Some(admin.key_id), now)
        .await?;
    tracing::info!(sku = %record.sku, created, actor_key = %admin.key_id, "product saved");
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        axum::Json(record.into()),
    ))
}

/// List products.
#[utoipa::path(get, path = "/v1/admin/products", tag = "admin",
    responses((status = 200, body = Vec<ProductResponse>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list_products(
    State(state): State<AppState>,
    _: AdminKey,
) -> Result<axum::Json<Vec<ProductResponse>>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .list_products()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Read a product.
#[utoipa::path(get, path = "/v1/admin/products/{sku}", tag = "admin", params(("sku" = String, Path)),
    responses((status = 200, body = ProductResponse), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get_product(
    State(state): State<AppState>,
    _: AdminKey,
    Path(sku): Path<String>,
) -> Result<axum::Json<ProductResponse>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .product_by_sku(&sku)
            .await?
            .ok_or(ApiError::NotFound)?
            .into(),
    ))
}
