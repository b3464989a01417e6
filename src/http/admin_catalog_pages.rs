//! The administrators' catalog pages: dealers (profile, send window, branding shown in emails),
//! products (service plan, warranty start basis), programs (every version side by side, a new
//! version), and fraud signals (with their evidence, resolved with what the admin found).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::AppState;
use super::charts;
use super::error::ApiError;
use super::present;
use super::session::{self, AdminUser, Session};
use crate::domain::catalog::WarrantyStart;
use crate::domain::catalog_input::{DealerRequest, ProductRequest, parse_product};
use crate::domain::field::FieldError;

/// Field errors as a page shows them: the first message per field.
fn field_errors(errors: &[FieldError]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in errors {
        let field = e.field.split(['.', '[']).next().unwrap_or(&e.field).to_owned();
        out.entry(field).or_insert_with(|| e.message.clone());
    }
    out
}

/// A product's stored service plan (a JSON list) as people type it: `P12M, P24M`.
fn plan_text(stored: &str) -> String {
    serde_json::from_str::<Vec<String>>(stored).map_or_else(|_| stored.to_owned(), |p| p.join(", "))
}

fn text(form: &HashMap<String, String>, name: &str) -> Option<String> {
    form.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Who changed a dealer or a product, and when (newest first).
async fn changes(state: &AppState, s: &Session, subject: &str, id: &str) -> Result<Vec<Value>, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let rows = state.store.audit_log(subject, id).await?;
    let names = present::names(&state.store, rows.iter().map(|r| r.actor)).await?;
    Ok(rows
        .iter()
        .rev()
        .take(20)
        .map(|r| {
            context! {
                at => present::time(r.at, tz, lang), created => r.action.ends_with(".created"),
                who => r.actor.and_then(|id| names.get(&id).cloned()),
            }
        })
        .collect())
}

// Dealers.

pub async fn dealers(State(state): State<AppState>, AdminUser(s): AdminUser) -> Result<Response, ApiError> {
    let rows: Vec<Value> = state
        .store
        .list_dealers()
        .await?
        .into_iter()
        .map(|d| {
            context! {
                code => d.code, name => d.name, country => d.country, locale => d.locale, time_zone => d.time_zone,
                active => d.active, send_window => d.send_window,
            }
        })
        .collect();
    Ok(session::page(&state, &s, "/admin/dealers", StatusCode::OK, "admin/dealers.html.j2", context! { rows => rows }))
}

/// A valid dealer code as typed in the "add a dealer" form: to its page.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    code: Option<String>,
}

pub async fn new_dealer(Query(q): Query<NewQuery>) -> Redirect {
    let code: String = q.code.unwrap_or_default().trim().to_owned();
    let code: String = url::form_urlencoded::byte_serialize(code.as_bytes()).collect();
    Redirect::to(&format!("/admin/dealers/{code}"))
}

async fn dealer_page(
    state: &AppState,
    s: &Session,
    code: &str,
    status: StatusCode,
    values: Option<HashMap<String, String>>,
    errors: HashMap<String, String>,
    saved: bool,
) -> Result<Response, ApiError> {
    let existing = state.store.dealer_by_code(code).await?;
    let values = values.unwrap_or_else(|| match &existing {
        Some(d) => HashMap::from_iter(
            [
                ("name", Some(d.name.clone())),
                ("email", d.email.clone()),
                ("phone", d.phone.clone()),
                ("locale", Some(d.locale.clone())),
                ("time_zone", Some(d.time_zone.clone())),
                ("country", d.country.clone()),
                ("booking_url", d.booking_url.clone()),
                ("address", d.address.clone()),
                ("send_window", d.send_window.clone()),
                ("active", d.active.then(|| "true".to_owned())),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))),
        ),
        None => HashMap::from([
            ("locale".to_owned(), "en".to_owned()),
            ("time_zone".to_owned(), state.config.manufacturer_time_zone.clone()),
            ("active".to_owned(), "true".to_owned()),
        ]),
    });
    let people = match &existing {
        Some(d) => super::admin_pages::people_view(state, s, Some(d.id)).await?,
        None => Vec::new(),
    };
    let history = changes(state, s, "dealer", code).await?;
    Ok(session::page(
        state,
        s,
        "/admin/dealers",
        status,
        "admin/dealer.html.j2",
        context! {
            code, exists => existing.is_some(), values, errors, saved, people, history,
            default_window => &state.config.send_window,
            order => ["name", "email", "phone", "locale", "time_zone", "country", "booking_url", "address", "send_window"],
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn dealer(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Path(code): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    dealer_page(&state, &s, &code, StatusCode::OK, None, HashMap::new(), q.saved.is_some()).await
}

pub async fn save_dealer(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, form.get("csrf").map_or("", String::as_str))?;
    let req = DealerRequest {
        name: text(&form, "name").unwrap_or_default(),
        email: text(&form, "email"),
        phone: text(&form, "phone"),
        locale: text(&form, "locale").unwrap_or_default(),
        time_zone: text(&form, "time_zone").unwrap_or_default(),
        country: text(&form, "country").map(|c| c.to_uppercase()),
        booking_url: text(&form, "booking_url"),
        address: text(&form, "address"),
        send_window: text(&form, "send_window"),
        active: Some(form.get("active").is_some_and(|v| v == "true")),
        authorized_servicer: state
            .store
            .dealer_by_code(&code)
            .await?
            .and_then(|d| d.authorized_servicer)
            .and_then(|a| serde_json::from_str(&a).ok()),
    };
    match super::admin::dealers::save_dealer(&state, &code, &req, Some(s.account.id)).await {
        Ok((record, created)) => {
            tracing::info!(dealer = %record.code, created, account = %s.account.id, "dealer saved on the page");
            Ok(Redirect::to(&format!("/admin/dealers/{}?saved=1", record.code)).into_response())
        }
        Err(ApiError::Validation(errors)) => {
            let mut values = form.clone();
            values.remove("csrf");
            dealer_page(&state, &s, &code, StatusCode::UNPROCESSABLE_ENTITY, Some(values), field_errors(&errors), false).await
        }
        Err(e) => Err(e),
    }
}

// Products.

pub async fn products(State(state): State<AppState>, AdminUser(s): AdminUser) -> Result<Response, ApiError> {
    let rows: Vec<Value> = state
        .store
        .list_products()
        .await?
        .into_iter()
        .map(|p| {
            context! {
                sku => p.sku, name => p.name, category => p.category, warranty_months => p.warranty_months,
                warranty_start => p.warranty_start, service_plan => plan_text(&p.service_plan),
            }
        })
        .collect();
    Ok(session::page(&state, &s, "/admin/products", StatusCode::OK, "admin/products.html.j2", context! { rows => rows }))
}

pub async fn new_program(Query(q): Query<NewQuery>) -> Redirect {
    let id: String = q.code.unwrap_or_default().trim().to_owned();
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Redirect::to(&format!("/admin/programs/{id}"))
}

pub async fn new_product(Query(q): Query<NewQuery>) -> Redirect {
    let sku: String = q.code.unwrap_or_default().trim().to_owned();
    let sku: String = url::form_urlencoded::byte_serialize(sku.as_bytes()).collect();
    Redirect::to(&format!("/admin/products/{sku}"))
}

async fn product_page(
    state: &AppState,
    s: &Session,
    sku: &str,
    status: StatusCode,
    values: Option<HashMap<String, String>>,
    errors: HashMap<String, String>,
    saved: bool,
) -> Result<Response, ApiError> {
    let existing = state.store.product_by_sku(sku).await?;
    let values = values.unwrap_or_else(|| match &existing {
        Some(p) => HashMap::from([
            ("name".to_owned(), p.name.clone()),
            ("category".to_owned(), p.category.clone()),
            ("warranty_months".to_owned(), p.warranty_months.to_string()),
            ("warranty_start".to_owned(), p.warranty_start.clone()),
            ("service_plan".to_owned(), plan_text(&p.service_plan)),
            ("registration_window_days".to_owned(), p.registration_window_days.to_string()),
            ("gtin".to_owned(), p.gtin.clone().unwrap_or_default()),
        ]),
        None => HashMap::from([
            ("warranty_months".to_owned(), "24".to_owned()),
            ("warranty_start".to_owned(), "purchase".to_owned()),
            ("service_plan".to_owned(), "P12M".to_owned()),
            ("registration_window_days".to_owned(), "30".to_owned()),
        ]),
    });
    let history = changes(state, s, "product", sku).await?;
    Ok(session::page(
        state,
        s,
        "/admin/products",
        status,
        "admin/product.html.j2",
        context! {
            sku, exists => existing.is_some(), values, errors, saved, history,
            bases => ["purchase", "delivery", "installation"],
            order => ["name", "category", "gtin", "warranty_months", "warranty_start", "service_plan", "registration_window_days"],
        },
    ))
}

pub async fn product(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Path(sku): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    product_page(&state, &s, &sku, StatusCode::OK, None, HashMap::new(), q.saved.is_some()).await
}

pub async fn save_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Path(sku): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, form.get("csrf").map_or("", String::as_str))?;
    let fr = s.lang() == "fr";
    let mut errors = HashMap::new();
    let number = |name: &str, errors: &mut HashMap<String, String>| -> i32 {
        match text(&form, name).and_then(|v| v.parse::<i32>().ok()) {
            Some(n) => n,
            None => {
                errors.insert(name.to_owned(), if fr { "Saisissez un nombre entier." } else { "Enter a whole number." }.to_owned());
                0
            }
        }
    };
    let warranty_months = number("warranty_months", &mut errors);
    let registration_window_days = number("registration_window_days", &mut errors);
    let warranty_start = text(&form, "warranty_start").and_then(|w| WarrantyStart::parse(&w));
    if warranty_start.is_none() {
        errors.insert("warranty_start".to_owned(), if fr { "Choisissez ce qui fait commencer la garantie." } else { "Choose what starts the warranty." }.to_owned());
    }
    let req = ProductRequest {
        name: text(&form, "name").unwrap_or_default(),
        category: text(&form, "category").unwrap_or_default(),
        warranty_months,
        warranty_start: warranty_start.unwrap_or(WarrantyStart::Purchase),
        service_plan: text(&form, "service_plan")
            .unwrap_or_default()
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.to_uppercase())
            .collect(),
        registration_window_days,
        gtin: text(&form, "gtin"),
    };
    let parsed = parse_product(&sku, &req);
    if let Err(more) = &parsed {
        for (field, message) in field_errors(more) {
            errors.entry(field).or_insert(message);
        }
    }
    match parsed {
        Ok(product) if errors.is_empty() => {
            let now = state.clock.now();
            let (record, created) = match state.store.upsert_product(&product, now).await {
                Ok(saved) => saved,
                Err(crate::store::StoreError::Taken(_)) => {
                    let fr = s.lang() == "fr";
                    errors.insert("gtin".to_owned(), if fr { "Un autre produit porte déjà ce GTIN." } else { "Another product already has this GTIN." }.to_owned());
                    let mut values = form.clone();
                    values.remove("csrf");
                    return product_page(&state, &s, &sku, StatusCode::UNPROCESSABLE_ENTITY, Some(values), errors, false).await;
                }
                Err(e) => return Err(e.into()),
            };
            let action = if created { "product.created" } else { "product.saved" };
            state.store.record_audit(Some(s.account.id), action, "product", &record.sku, now).await?;
            tracing::info!(sku = %record.sku, created, account = %s.account.id, "product saved on the page");
            Ok(Redirect::to(&format!("/admin/products/{}?saved=1", record.sku)).into_response())
        }
        _ => {
            let mut values = form.clone();
            values.remove("csrf");
            product_page(&state, &s, &sku, StatusCode::UNPROCESSABLE_ENTITY, Some(values), errors, false).await
        }
    }
}

// Programs.

pub async fn programs(State(state): State<AppState>, AdminUser(s): AdminUser) -> Result<Response, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let rows: Vec<Value> = state
        .store
        .current_programs()
        .await?
        .into_iter()
        .map(|p| {
            let definition: serde_json::Value = serde_json::from_str(&p.definition).unwrap_or_default();
            context! {
                id => p.program_id, version => p.version, saved_at => present::time(p.created_at, tz, lang),
                name => definition["name"].as_str().map(str::to_owned), currency => definition["currency"].as_str().map(str::to_owned),
                valid_from => definition["valid_from"].as_str().map(str::to_owned), valid_to => definition["valid_to"].as_str().map(str::to_owned),
            }
        })
        .collect();
    Ok(session::page(&state, &s, "/admin/programs", StatusCode::OK, "admin/programs.html.j2", context! { rows => rows }))
}

/// A program definition flattened into (field, text) rows, so versions line up side by side.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                // Rules are named by their id, so a rule keeps its row across versions.
                let name = v.get("id").and_then(|id| id.as_str()).map_or(i.to_string(), str::to_owned);
                flatten(&format!("{prefix}[{name}]"), v, out);
            }
        }
        serde_json::Value::Null => out.push((prefix.to_owned(), "–".to_owned())),
        serde_json::Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

async fn program_page(
    state: &AppState,
    s: &Session,
    id: &str,
    status: StatusCode,
    draft: Option<String>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let versions = state.store.program_versions(id).await?;
    let mut fields: Vec<String> = Vec::new();
    let mut columns: Vec<HashMap<String, String>> = Vec::new();
    for v in &versions {
        let definition: serde_json::Value = serde_json::from_str(&v.definition).unwrap_or_default();
        let mut rows = Vec::new();
        flatten("", &definition, &mut rows);
        // Amounts as money, in the version's currency (the JSON below keeps minor units).
        let currency = definition["currency"].as_str().unwrap_or("EUR").to_owned();
        for (field, value) in &mut rows {
            if field.ends_with("_minor")
                && let Ok(minor) = value.parse::<i64>()
            {
                *value = present::money(minor, &currency, lang);
            }
        }
        for (field, _) in &rows {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        }
        columns.push(rows.into_iter().collect());
    }
    // Newest first, at most four side by side.
    let shown: Vec<usize> = (0..versions.len()).rev().take(4).collect();
    let table: Vec<Value> = fields
        .iter()
        .map(|f| {
            let cells: Vec<String> = shown.iter().map(|&i| columns[i].get(f).cloned().unwrap_or_else(|| "–".into())).collect();
            let changed = cells.windows(2).any(|w| w[0] != w[1]);
            context! { field => f, cells, changed }
        })
        .collect();
    let heads: Vec<Value> = shown
        .iter()
        .map(|&i| context! { version => versions[i].version, saved_at => present::time(versions[i].created_at, tz, lang) })
        .collect();
    let draft = draft.or_else(|| {
        versions
            .last()
            .and_then(|v| serde_json::from_str::<serde_json::Value>(&v.definition).ok())
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
    });
    Ok(session::page(
        state,
        s,
        "/admin/programs",
        status,
        "admin/program.html.j2",
        context! { id, heads, table, draft, error, exists => !versions.is_empty() },
    ))
}

pub async fn program(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    program_page(&state, &s, &id, StatusCode::OK, None, None).await
}

pub async fn save_program(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, form.get("csrf").map_or("", String::as_str))?;
    let draft = form.get("definition").cloned().unwrap_or_default();
    let parsed: Result<crate::domain::incentives::ProgramDefinition, String> =
        crate::domain::catalog_input::check_code("id", &id)
            .map_err(|e| format!("{}: {}", e.field, e.message))
            .and_then(|()| serde_json::from_str(&draft).map_err(|e| e.to_string()));
    let checked = parsed.and_then(|d| {
        d.validate()
            .map(|()| d)
            .map_err(|errors| errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))
    });
    match checked {
        Ok(definition) => {
            let json = serde_json::to_string(&definition).map_err(ApiError::internal)?;
            let (version, changed) =
                crate::workflows::ledger::save_program(&state.store, &id, &json, Some(s.account.id), state.clock.now()).await?;
            tracing::info!(program = %id, version, changed, account = %s.account.id, "program saved on the page");
            Ok(Redirect::to(&format!("/admin/programs/{id}")).into_response())
        }
        Err(error) => program_page(&state, &s, &id, StatusCode::UNPROCESSABLE_ENTITY, Some(draft), Some(error)).await,
    }
}

// Fraud signals.

/// A signal's key: a hash of its kind, dealer and evidence.
fn signal_key(kind: &str, dealer: &str, evidence: &serde_json::Value) -> String {
    hex::encode(&Sha256::digest(format!("{kind}\n{dealer}\n{evidence}").as_bytes())[..16])
}

#[derive(Deserialize, Default)]
pub struct SignalsQuery {
    period: Option<String>,
}

pub async fn signals(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Query(q): Query<SignalsQuery>,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let p = match super::scorecards::bounds(&state, q.period.as_deref().filter(|p| !p.is_empty())) {
        Ok(p) => p,
        Err(_) => super::scorecards::bounds(&state, None)?,
    };
    let signals = state.store.fraud_signals(&p).await?;
    let resolutions = state.store.signal_resolutions().await?;
    let names = present::names(&state.store, resolutions.iter().map(|r| r.resolved_by)).await?;
    let dealers: HashMap<String, String> = state.store.list_dealers().await?.into_iter().map(|d| (d.code, d.name)).collect();
    let rows: Vec<Value> = signals
        .iter()
        .map(|sig| {
            let key = signal_key(&sig.kind, &sig.dealer_code, &sig.evidence);
            let resolved = resolutions.iter().find(|r| r.signal_key == key);
            let evidence: Vec<Value> = sig
                .evidence
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| context! { name => k, value => v.as_str().map_or_else(|| v.to_string(), str::to_owned) })
                        .collect()
                })
                .unwrap_or_default();
            context! {
                key, kind => &sig.kind, dealer => dealers.get(&sig.dealer_code).cloned().unwrap_or_else(|| sig.dealer_code.clone()),
                dealer_code => &sig.dealer_code, evidence,
                resolved => resolved.map(|r| context! {
                    resolution => &r.resolution, at => present::time(r.resolved_at, tz, lang),
                    by => r.resolved_by.and_then(|id| names.get(&id).cloned()),
                }),
            }
        })
        .collect();
    let periods = super::scorecards::period_choices(&state, lang)?;
    Ok(session::page(
        &state,
        &s,
        "/admin/signals",
        StatusCode::OK,
        "admin/signals.html.j2",
        context! { rows, period => &p.period, period_name => charts::month_name(&p.period, lang), periods },
    ))
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    resolution: String,
}

pub async fn resolve_signal(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Form(form): Form<ResolveForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let p = super::scorecards::bounds(&state, Some(form.period.as_str()))?;
    let signal = state
        .store
        .fraud_signals(&p)
        .await?
        .into_iter()
        .find(|sig| signal_key(&sig.kind, &sig.dealer_code, &sig.evidence) == form.key)
        .ok_or(ApiError::NotFound)?;
    let resolution = crate::domain::field::clean_text(&form.resolution, 1000)
        .ok()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ApiError::field("resolution", "required", "say what you found"))?;
    let dealer = state.store.dealer_by_code(&signal.dealer_code).await?.ok_or(ApiError::NotFound)?;
    state
        .store
        .resolve_signal(&form.key, &signal.kind, dealer.id, &resolution, s.account.id, state.clock.now())
        .await?;
    tracing::info!(kind = %signal.kind, dealer = %signal.dealer_code, account = %s.account.id, "fraud signal resolved");
    Ok(Redirect::to(&format!("/admin/signals?period={}", p.period)).into_response())
}
