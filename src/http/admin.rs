//! Admin endpoints: dealers, API keys and the product catalog.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::auth::AdminKey;
use super::body::{Body, Json, optional_json};
use super::error::{ApiError, Problem};
use crate::domain::catalog::{Period, WarrantyStart};
use crate::domain::contact::{Country, Email, Locale, Phone, TimeZone, parse_web_url};
use crate::domain::field::{Errors, clean_text};
use crate::domain::plan::SendWindow;
use crate::domain::servicing::ServicingArea;
use crate::keys::{self, Role};
use crate::store::{
    DealerRecord, DealerUpsert, KeyRecord, ProductRecord, ProductUpsert, StoreError,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealerRequest {
    #[schema(example = "Garage Martin")]
    pub name: String,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// BCP 47; the default language of its customers' emails.
    #[schema(example = "fr-FR")]
    pub locale: String,
    /// IANA; the default time zone of its customers, and the dealer's calendar.
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    pub country: Option<String>,
    /// Where reminder emails send customers to book a visit. `{serial}`, `{sku}` and `{campaign}`
    /// in it are filled in; without them, `serial`, `product` and `campaign` query parameters are added.
    pub booking_url: Option<String>,
    /// Postal address, shown in the footer of emails.
    pub address: Option<String>,
    /// Overrides the deployment's send window for this dealer's customers (6-field cron).
    #[schema(example = "0 0 10-16 * * Mon-Sat")]
    pub send_window: Option<String>,
    /// Inactive dealers' keys are refused. Default true.
    pub active: Option<bool>,
    /// Authorizes this dealer to report service visits on units other dealers sold: `{}` for any
    /// unit, or limited to a territory and/or selling dealers. Absent: only the units it sold.
    pub authorized_servicer: Option<ServicingRequest>,
}

/// Every list that is given and not empty must match the unit.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicingRequest {
    /// Countries (ISO 3166-1 alpha-2) of the units' customers.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Postal code prefixes of the units' customers.
    #[serde(default)]
    pub postal_prefixes: Vec<String>,
    /// Codes of the dealers whose units it may service.
    #[serde(default)]
    pub selling_dealers: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealerResponse {
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
    /// Its authorization to service units other dealers sold (`null`: only its own).
    pub authorized_servicer: Option<ServicingRequest>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DealerRecord> for DealerResponse {
    fn from(d: DealerRecord) -> Self {
        Self {
            code: d.code,
            name: d.name,
            email: d.email,
            phone: d.phone,
            locale: d.locale,
            time_zone: d.time_zone,
            country: d.country,
            booking_url: d.booking_url,
            address: d.address,
            send_window: d.send_window,
            active: d.active,
            authorized_servicer: d
                .authorized_servicer
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// Dealer codes: 1 to 32 letters, digits, `-` or `_`, starting with a letter or digit.
pub fn check_code(field: &str, code: &str) -> Result<(), ApiError> {
    let ok = (1..=32).contains(&code.len())
        && code
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            "invalid_code",
            "must be 1 to 32 letters, digits, '-' or '_'",
        ))
    }
}

pub fn parse_dealer(code: &str, req: &DealerRequest) -> Result<DealerUpsert, ApiError> {
    check_code("code", code)?;
    let mut e = Errors::default();
    let name = e.take("name", clean_text(&req.name, 200));
    let email = req
        .email
        .as_deref()
        .and_then(|v| e.take("email", Email::parse(v)))
        .map(|v| v.as_str().to_owned());
    let phone = req
        .phone
        .as_deref()
        .and_then(|v| e.take("phone", Phone::parse(v)))
        .map(|v| v.as_str().to_owned());
    let locale = e.take("locale", Locale::parse(&req.locale));
    let time_zone = e.take("time_zone", TimeZone::parse(&req.time_zone));
    let country = req
        .country
        .as_deref()
        .and_then(|v| e.take("country", Country::parse(v)))
        .map(|v| v.as_str().to_owned());
    let booking_url = req
        .booking_url
        .as_deref()
        .and_then(|v| e.take("booking_url", parse_web_url(v)));
    let address = req
        .address
        .as_deref()
        .and_then(|v| e.take("address", clean_text(v, 300)));
    let send_window = req.send_window.as_deref().and_then(|v| {
        let parsed = SendWindow::parse(v).map(|_| v.trim().to_owned());
        e.take(
            "send_window",
            parsed.map_err(|m| ("invalid_send_window", m)),
        )
    });
    let authorized_servicer = req.authorized_servicer.as_ref().and_then(|s| {
        ServicingArea::parse(
            "authorized_servicer",
            &s.countries,
            &s.postal_prefixes,
            &s.selling_dealers,
            &mut e,
        )
    });
    if !e.is_empty() {
        return Err(ApiError::Validation(e.0));
    }
    Ok(DealerUpsert {
        authorized_servicer: authorized_servicer
            .map(|a| serde_json::to_string(&a).expect("plain data serializes")),
        code: code.to_owned(),
        name: name.expect("checked"),
        email,
        phone,
        locale: locale.expect("checked").as_str().to_owned(),
        time_zone: time_zone.expect("checked").name().to_owned(),
        country,
        booking_url,
        address,
        send_window,
        active: req.active.unwrap_or(true),
    })
}

/// Create or update a dealer.
#[utoipa::path(
    put,
    path = "/v1/admin/dealers/{code}",
    tag = "admin",
    params(("code" = String, Path)),
    request_body = DealerRequest,
    responses(
        (status = 200, description = "Updated", body = DealerResponse),
        (status = 201, description = "Created", body = DealerResponse),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn put_dealer(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(code): Path<String>,
    Json(req): Json<DealerRequest>,
) -> Result<(StatusCode, axum::Json<DealerResponse>), ApiError> {
    let dealer = parse_dealer(&code, &req)?;
    let before = state.store.dealer_by_code(&code).await?;
    let now = state.clock.now();
    let (record, created) = state.store.upsert_dealer(&dealer, now).await?;
    // A changed window of the dealer's own applies to every reminder not yet sent.
    if let Some(before) = before
        && before.send_window != record.send_window
    {
        let replanned = crate::jobs::send::replan_pending(
            &state.store,
            &state.intake.window,
            Some(record.id),
            now,
        )
        .await?;
        tracing::info!(dealer = %record.code, reminders = replanned, "dealer send window changed: reminders re-planned");
    }
    tracing::info!(dealer = %record.code, created, actor_key = %admin.key_id, "dealer saved");
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        axum::Json(record.into()),
    ))
}

/// List dealers.
#[utoipa::path(get, path = "/v1/admin/dealers", tag = "admin",
    responses((status = 200, body = Vec<DealerResponse>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list_dealers(
    State(state): State<AppState>,
    _: AdminKey,
) -> Result<axum::Json<Vec<DealerResponse>>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .list_dealers()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Read a dealer.
#[utoipa::path(get, path = "/v1/admin/dealers/{code}", tag = "admin", params(("code" = String, Path)),
    responses((status = 200, body = DealerResponse), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get_dealer(
    State(state): State<AppState>,
    _: AdminKey,
    Path(code): Path<String>,
) -> Result<axum::Json<DealerResponse>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .dealer_by_code(&code)
            .await?
            .ok_or(ApiError::NotFound)?
            .into(),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealerKeyRequest {
    /// What the key is for, e.g. "counter PC 2".
    pub label: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffKeyRequest {
    /// `admin` or `finance`.
    pub role: String,
    pub label: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyResponse {
    pub id: Uuid,
    /// The public part of the key, to recognize it in lists.
    pub prefix: String,
    pub role: String,
    pub dealer_code: Option<String>,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewKeyResponse {
    /// The key itself. It is shown this once and cannot be recovered.
    pub key: String,
    #[serde(flatten)]
    pub details: KeyResponse,
}

impl From<KeyRecord> for KeyResponse {
    fn from(k: KeyRecord) -> Self {
        Self {
            id: k.id,
            prefix: k.prefix,
            role: k.role,
            dealer_code: k.dealer_code,
            label: k.label,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

fn parse_label(label: Option<&str>) -> Result<Option<String>, ApiError> {
    label
        .map(|l| {
            clean_text(l, 100).map_err(|(code, message)| ApiError::field("label", code, message))
        })
        .transpose()
}

/// Creates a key, stores its hash, and returns the plaintext once.
pub async fn issue_key(
    state: &AppState,
    role: Role,
    dealer: Option<&DealerRecord>,
    label: Option<String>,
) -> Result<NewKeyResponse, StoreError> {
    let now = state.clock.now();
    let (plaintext, key) = keys::generate(role, dealer.map(|d| d.id), label);
    state.store.insert_key(&key, now).await?;
    tracing::info!(key_id = %key.id, role = role.as_str(), "key created");
    Ok(NewKeyResponse {
        key: plaintext,
        details: KeyResponse {
            id: key.id,
            prefix: key.prefix,
            role: key.role,
            dealer_code: dealer.map(|d| d.code.clone()),
            label: key.label,
            created_at: now,
            revoked_at: None,
        },
    })
}

/// Create a key for a dealer.
#[utoipa::path(
    post,
    path = "/v1/admin/dealers/{code}/keys",
    tag = "admin",
    params(("code" = String, Path)),
    request_body(content = Option<DealerKeyRequest>),
    responses(
        (status = 201, description = "The new key, shown once", body = NewKeyResponse),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dealer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn create_dealer_key(
    State(state): State<AppState>,
    _: AdminKey,
    Path(code): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<(StatusCode, axum::Json<NewKeyResponse>), ApiError> {
    let req: DealerKeyRequest = optional_json(&headers, &body)?.unwrap_or_default();
    let dealer = state
        .store
        .dealer_by_code(&code)
        .await?
        .ok_or(ApiError::NotFound)?;
    let label = parse_label(req.label.as_deref())?;
    let created = issue_key(&state, Role::Dealer, Some(&dealer), label).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Create an admin or finance key.
#[utoipa::path(
    post,
    path = "/v1/admin/keys",
    tag = "admin",
    request_body = StaffKeyRequest,
    responses(
        (status = 201, description = "The new key, shown once", body = NewKeyResponse),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn create_staff_key(
    State(state): State<AppState>,
    _: AdminKey,
    Json(req): Json<StaffKeyRequest>,
) -> Result<(StatusCode, axum::Json<NewKeyResponse>), ApiError> {
    let role = match Role::parse(&req.role) {
        Some(role @ (Role::Admin | Role::Finance)) => role,
        _ => {
            return Err(ApiError::field(
                "role",
                "invalid_role",
                "must be admin or finance (dealer keys are created per dealer)",
            ));
        }
    };
    let label = parse_label(req.label.as_deref())?;
    Ok((
        StatusCode::CREATED,
        axum::Json(issue_key(&state, role, None, label).await?),
    ))
}

/// List keys (never their secrets).
#[utoipa::path(get, path = "/v1/admin/keys", tag = "admin",
    responses((status = 200, body = Vec<KeyResponse>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list_keys(
    State(state): State<AppState>,
    _: AdminKey,
) -> Result<axum::Json<Vec<KeyResponse>>, ApiError> {
    Ok(axum::Json(
        state
            .store
            .list_keys()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Revoke a key; it stops working at once.
#[utoipa::path(post, path = "/v1/admin/keys/{id}/revoke", tag = "admin", params(("id" = Uuid, Path)),
    responses((status = 200, body = KeyResponse), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(id): Path<String>,
) -> Result<axum::Json<KeyResponse>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = state.store.revoke_key(id, state.clock.now()).await?;
    tracing::info!(key_id = %id, actor_key = %admin.key_id, "key revoked");
    Ok(axum::Json(record.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductRequest {
    #[schema(example = "Condensing boiler 24 kW")]
    pub name: String,
    #[schema(example = "boilers")]
    pub category: String,
    /// 1 to 600.
    #[schema(example = 24)]
    pub warranty_months: i32,
    pub warranty_start: WarrantyStart,
    /// ISO 8601 periods after the warranty start, e.g. `["P12M", "P24M"]`.
    #[schema(example = json!(["P12M", "P24M"]))]
    pub service_plan: Vec<String>,
    /// Days after purchase within which a registration counts as on time (0 to 3650).
    #[schema(example = 30)]
    pub registration_window_days: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductResponse {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub warranty_months: i32,
    pub warranty_start: String,
    pub service_plan: Vec<String>,
    pub registration_window_days: i32,
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
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

pub fn parse_product(sku: &str, req: &ProductRequest) -> Result<ProductUpsert, ApiError> {
    let mut e = Errors::default();
    let sku_ok = !sku.is_empty()
        && sku.len() <= 64
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !sku_ok {
        e.push(
            "sku",
            "invalid_sku",
            "must be 1 to 64 letters, digits, '-', '_' or '.'",
        );
    }
    let name = e.take("name", clean_text(&req.name, 200));
    let category = e.take("category", clean_text(&req.category, 100));
    if !(1..=600).contains(&req.warranty_months) {
        e.push("warranty_months", "out_of_range", "must be from 1 to 600");
    }
    if !(0..=3650).contains(&req.registration_window_days) {
        e.push(
            "registration_window_days",
            "out_of_range",
            "must be from 0 to 3650",
        );
    }
    if req.service_plan.len() > 50 {
        e.push("service_plan", "too_long", "at most 50 steps");
    }
    let mut plan = Vec::new();
    for (i, step) in req.service_plan.iter().enumerate() {
        if let Some(period) = e.take(&format!("service_plan[{i}]"), Period::parse(step)) {
            plan.push(period.to_string());
        }
    }
    if !e.is_empty() {
        return Err(ApiError::Validation(e.0));
    }
    Ok(ProductUpsert {
        sku: sku.to_owned(),
        name: name.expect("checked"),
        category: category.expect("checked"),
        warranty_months: req.warranty_months,
        warranty_start: req.warranty_start.as_str().to_owned(),
        service_plan: plan,
        registration_window_days: req.registration_window_days,
    })
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
    let product = parse_product(&sku, &req)?;
    let (record, created) = state
        .store
        .upsert_product(&product, state.clock.now())
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Erased {
    /// The record named in the request (by-id erasure only).
    pub customer_id: Option<Uuid>,
    /// Every record of the person that was erased, at every dealer.
    pub customer_ids: Vec<Uuid>,
    /// The person's emails removed from the outbox (when no SMTP server is configured).
    pub outbox_files_removed: usize,
}

/// Erase a person's personal data: this customer record and every other record of the same person
/// (found by its email and phone, at every dealer). Registrations, consent events, the ledger and
/// statements stay, pointing at pseudonymous customer ids; pending reminders stop.
#[utoipa::path(post, path = "/v1/admin/customers/{id}/erase", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Erased),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn erase_customer(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path(id): Path<String>,
) -> Result<axum::Json<Erased>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let erased = crate::workflows::erasure::erase(
        &state.store,
        &state.config.outbox_dir,
        &crate::workflows::erasure::PersonId::Record(id),
        Some(admin.key_id),
        state.clock.now(),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    tracing::info!(customer_id = %id, records = erased.customer_ids.len(), actor_key = %admin.key_id, "customer erased");
    Ok(axum::Json(Erased {
        customer_id: Some(id),
        customer_ids: erased.customer_ids,
        outbox_files_removed: erased.outbox_files_removed,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
}

/// Erase a person found by email and/or phone: every record of them at every dealer.
#[utoipa::path(post, path = "/v1/admin/people/erase", tag = "admin", request_body = EraseRequest,
    responses(
        (status = 200, body = Erased),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody with these identifiers", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither email nor phone, or an invalid one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn erase_person(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Json(req): Json<EraseRequest>,
) -> Result<axum::Json<Erased>, ApiError> {
    let (email, phone) = parse_person_query(&PersonQuery {
        email: req.email,
        phone: req.phone,
    })?;
    let erased = crate::workflows::erasure::erase(
        &state.store,
        &state.config.outbox_dir,
        &crate::workflows::erasure::PersonId::Contact {
            email: email.map(|e| e.as_str().to_owned()),
            phone: phone.map(|p| p.as_str().to_owned()),
        },
        Some(admin.key_id),
        state.clock.now(),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    tracing::info!(records = erased.customer_ids.len(), actor_key = %admin.key_id, "person erased");
    Ok(axum::Json(Erased {
        customer_id: None,
        customer_ids: erased.customer_ids,
        outbox_files_removed: erased.outbox_files_removed,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// The person's email address.
    pub email: Option<String>,
    /// The person's phone number (E.164).
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    /// One record per dealer that captured this person (each dealer sees only its own).
    pub records: Vec<PersonRecordView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRecordView {
    pub customer_id: Uuid,
    /// The dealer that captured this record.
    pub dealer_code: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
    pub consent: PartyConsentView,
    pub registrations: Vec<PersonRegistrationView>,
}

/// Consent per party and purpose (`null`: never asked).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyConsentView {
    pub dealer: DealerConsentView,
    pub manufacturer: ManufacturerConsentView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealerConsentView {
    pub service_reminders: Option<bool>,
    pub marketing: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManufacturerConsentView {
    pub marketing: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRegistrationView {
    pub id: Uuid,
    pub serial_number: String,
    pub sku: String,
    pub purchase_date: chrono::NaiveDate,
    pub status: String,
}

/// The manufacturer's view of one person across dealers, found by email or phone: each dealer's
/// record with its consent and registrations. Only admin keys may ask; no dealer ever sees a record
/// another dealer captured.
#[utoipa::path(get, path = "/v1/admin/people", tag = "admin", params(PersonQuery),
    responses(
        (status = 200, body = PersonView),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither email nor phone, or an invalid one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn person(
    State(state): State<AppState>,
    _: AdminKey,
    super::body::Query(query): super::body::Query<PersonQuery>,
) -> Result<axum::Json<PersonView>, ApiError> {
    let (email, phone) = parse_person_query(&query)?;
    let ids = state
        .store
        .find_person(
            email.as_ref().map(Email::as_str),
            phone.as_ref().map(Phone::as_str),
        )
        .await?;
    let records = state.store.person_records(&ids).await?;
    Ok(axum::Json(PersonView {
        records: records
            .into_iter()
            .map(|r| PersonRecordView {
                customer_id: r.customer_id,
                dealer_code: r.dealer_code,
                name: r.name,
                email: r.email,
                phone: r.phone,
                locale: r.locale,
                country: r.country,
                postal_code: r.postal_code,
                erased_at: r.erased_at,
                consent: PartyConsentView {
                    dealer: DealerConsentView {
                        service_reminders: r.consent.service_reminders,
                        marketing: r.consent.marketing,
                    },
                    manufacturer: ManufacturerConsentView {
                        marketing: r.consent.manufacturer_marketing,
                    },
                },
                registrations: r
                    .registrations
                    .into_iter()
                    .map(|g| PersonRegistrationView {
                        id: g.id,
                        serial_number: g.serial_number,
                        sku: g.sku,
                        purchase_date: g.purchase_date,
                        status: g.status,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// An email and/or a phone that identify a person; at least one.
pub fn parse_person_query(query: &PersonQuery) -> Result<(Option<Email>, Option<Phone>), ApiError> {
    let mut e = Errors::default();
    let email = query
        .email
        .as_deref()
        .and_then(|v| e.take("email", Email::parse(v)));
    let phone = query
        .phone
        .as_deref()
        .and_then(|v| e.take("phone", Phone::parse(v)));
    if query.email.is_none() && query.phone.is_none() {
        e.push("email", "required", "give the person's email or phone");
    }
    if !e.is_empty() {
        return Err(ApiError::Validation(e.0));
    }
    Ok((email, phone))
}
