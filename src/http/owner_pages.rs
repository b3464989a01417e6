//! The owner's door, first part: a dealer's QR code opens a self-registration form (on the
//! owner's phone, in the browser's language) that registers the unit exactly as the API does —
//! same validation, one transaction, reminders, incentives — credited to that dealer, with the
//! channel `owner_qr`; the owner confirms by the link emailed to them. Units have public
//! addresses (GS1 Digital Link `/01/{GTIN}/21/{serial}`, or `/unit/{sku}/{serial}`) that say only
//! the product and whether it is registered. Dealers print their QR codes; admins print units'.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::dealer_pages::{Once, register_once};
use super::error::ApiError;
use super::session::{self, AdminUser, DealerUser};
use crate::domain::gtin::unit_path;
use crate::domain::registration::{ConsentRequest, CustomerRequest, RegistrationRequest};
use crate::registration_csv::csv_field_name;
use crate::tokens::Purpose;
use crate::workflows::DealerContext;
use crate::workflows::registration::IntakeError;

fn base(state: &AppState) -> &str {
    state.config.public_url.trim_end_matches('/')
}

/// The self-registration address of a dealer, optionally for one sale (product and serial known).
pub fn self_registration_url(
    state: &AppState,
    dealer_id: Uuid,
    sku: Option<&str>,
    serial: Option<&str>,
) -> String {
    let mut url = format!(
        "{}/s/{}",
        base(state),
        state.signer.sign(Purpose::SelfRegistration, dealer_id)
    );
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(sku) = sku.filter(|s| !s.is_empty()) {
        query.append_pair("sku", sku);
    }
    if let Some(serial) = serial.filter(|s| !s.is_empty()) {
        query.append_pair("serial", serial);
    }
    let query = query.finish();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    url
}

/// The dealer a QR token names, if it verifies and the dealer is active.
async fn dealer_of(
    state: &AppState,
    token: &str,
) -> Result<Option<crate::store::DealerRecord>, ApiError> {
    let Some(id) = state.signer.verify(Purpose::SelfRegistration, token) else {
        return Ok(None);
    };
    Ok(state
        .store
        .list_dealers()
        .await?
        .into_iter()
        .find(|d| d.id == id && d.active))
}

/// A plain page saying the code cannot be used: nothing about why, nothing about any dealer.
fn unusable(state: &AppState, headers: &HeaderMap) -> Response {
    session::public_page(
        state,
        headers,
        StatusCode::NOT_FOUND,
        "owner/unusable.html.j2",
        context! {},
    )
}

#[derive(Deserialize, Default)]
pub struct SelfQuery {
    sku: Option<String>,
    serial: Option<String>,
}

async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    dealer: &crate::store::DealerRecord,
    token: &str,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let products: Vec<Value> = state
        .store
        .list_products()
        .await?
        .into_iter()
        .map(|p| context! { sku => p.sku, name => p.name })
        .collect();
    let (csrf, cookie) = session::sign_in_form_token(state);
    let mut response = session::public_page(
        state,
        headers,
        status,
        "owner/self_register.html.j2",
        context! {
            dealer_name => &dealer.name, token, products, values, errors, csrf,
            submission => session::random_token(), privacy_url => &state.config.privacy_url,
            order => ["serial_number", "sku", "purchase_date", "customer_name", "customer_email", "customer_phone", "customer"],
        },
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// `GET /s/{token}`: the self-registration form of the dealer whose QR code was scanned.
pub async fn self_registration_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<SelfQuery>,
) -> Result<Response, ApiError> {
    let Some(dealer) = dealer_of(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    let tz = crate::domain::contact::TimeZone::stored(&dealer.time_zone);
    let mut values = HashMap::from([(
        "purchase_date".to_owned(),
        state
            .clock
            .now()
            .with_timezone(&tz)
            .date_naive()
            .to_string(),
    )]);
    if let Some(serial) = q.serial.filter(|s| !s.trim().is_empty() && s.len() <= 64) {
        values.insert("serial_number".into(), serial);
    }
    if let Some(sku) = q.sku.filter(|s| !s.trim().is_empty() && s.len() <= 64) {
        values.insert("sku".into(), sku);
    }
    form_page(
        &state,
        &headers,
        &dealer,
        &token,
        StatusCode::OK,
        &values,
        &HashMap::new(),
    )
    .await
}

/// `POST /s/{token}`: registers the unit for its owner, credited to the dealer of the code.
pub async fn self_register(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let Some(dealer) = dealer_of(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    let mut values = form.clone();
    values.remove("csrf");
    let submission = values.remove("submission").unwrap_or_default();
    if !session::sign_in_form_genuine(
        &state,
        &headers,
        form.get("csrf").map_or("", String::as_str),
    ) {
        let errors = HashMap::from([("form".to_owned(), "expired".to_owned())]);
        return form_page(
            &state,
            &headers,
            &dealer,
            &token,
            StatusCode::FORBIDDEN,
            &values,
            &errors,
        )
        .await;
    }
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let checked = |name: &str| Some(form.get(name).is_some_and(|v| v == "true"));
    let lang = session::browser_lang(&headers);
    let req = RegistrationRequest {
        serial_number: field("serial_number"),
        sku: field("sku"),
        purchase_date: field("purchase_date"),
        delivered_on: None,
        installed_on: None,
        external_ref: None,
        customer: Some(CustomerRequest {
            name: field("customer_name"),
            email: field("customer_email"),
            phone: super::dealer_pages::phone_e164(
                field("customer_phone"),
                dealer.country.as_deref(),
            ),
            locale: Some(lang.to_owned()),
            time_zone: None,
            country: dealer.country.clone(),
            postal_code: None,
        }),
        consent: Some(ConsentRequest {
            service_reminders: checked("consent_service_reminders"),
            marketing: checked("consent_marketing"),
            manufacturer_marketing: None,
        }),
    };
    let context = DealerContext {
        actor: None,
        channel: "owner_qr",
        ..DealerContext::from(dealer.clone())
    };
    let outcome = match register_once(&state, &context, &req, &submission, &values).await? {
        Once::Replayed(id) => {
            return Ok(Redirect::to(&format!("/s/{token}/done?id={id}")).into_response());
        }
        Once::Done(outcome) => outcome,
    };
    match outcome {
        Ok(record) => {
            tracing::info!(registration_id = %record.id, dealer = %dealer.code, "self-registered through a dealer's QR code");
            Ok(Redirect::to(&format!("/s/{token}/done?id={}", record.id)).into_response())
        }
        Err(IntakeError::Invalid(field_errors)) => {
            let mut errors = HashMap::new();
            for e in field_errors {
                let name = match csv_field_name(&e.field).as_str() {
                    "customer_email" | "customer_phone" if e.code == "contact_required" => {
                        "customer".to_owned()
                    }
                    other => other.to_owned(),
                };
                let message = super::pages::text(lang, &format!("err-{}", e.code), &HashMap::new())
                    .unwrap_or(e.message);
                errors.entry(name).or_insert(message);
            }
            form_page(
                &state,
                &headers,
                &dealer,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
            )
            .await
        }
        Err(IntakeError::Duplicate { .. }) => {
            let message = super::pages::text(lang, "owner-already-registered", &HashMap::new())
                .unwrap_or_default();
            let errors = HashMap::from([("serial_number".to_owned(), message)]);
            form_page(
                &state,
                &headers,
                &dealer,
                &token,
                StatusCode::CONFLICT,
                &values,
                &errors,
            )
            .await
        }
        Err(IntakeError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    id: Option<String>,
}

/// After a self-registration: what happens next (the confirmation email), in the owner's words.
pub async fn self_registered(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    let Some(dealer) = dealer_of(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    // Only this dealer's registration, and only what the owner just typed in themselves.
    let record = match q.id.as_deref().and_then(|id| id.parse::<Uuid>().ok()) {
        Some(id) => state.store.registration_for_dealer(dealer.id, id).await?,
        None => None,
    };
    let Some(record) = record.filter(|r| r.channel == "owner_qr") else {
        return Ok(unusable(&state, &headers));
    };
    let lang = session::browser_lang(&headers);
    Ok(session::public_page(
        &state,
        &headers,
        StatusCode::OK,
        "owner/self_registered.html.j2",
        context! {
            dealer_name => &dealer.name,
            serial => record.serial_display.clone().unwrap_or_else(|| record.serial_number.clone()),
            warranty_expires_on => super::present::date(record.warranty_expires_on, lang),
            email => record.customer.email.is_some(),
        },
    ))
}

/// A unit's public page: the product and whether the unit is registered; never its owner.
async fn unit_page(
    state: &AppState,
    headers: &HeaderMap,
    product: Option<crate::store::ProductRecord>,
    serial: &str,
) -> Result<Response, ApiError> {
    let Some(product) = product else {
        return Ok(unusable(state, headers));
    };
    let normalized =
        crate::domain::contact::SerialNumber::parse(serial).map(|s| s.as_str().to_owned());
    let registered = match normalized {
        Ok(serial) => state.store.active_serial_holder(&serial).await?.is_some(),
        Err(_) => return Ok(unusable(state, headers)),
    };
    Ok(session::public_page(
        state,
        headers,
        StatusCode::OK,
        "owner/unit.html.j2",
        context! { product => product.name, serial, registered },
    ))
}

/// `GET /01/{gtin}/21/{serial}`: GS1 Digital Link.
pub async fn unit_by_gtin(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((gtin, serial)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let product = match crate::domain::gtin::Gtin::parse(&gtin) {
        Ok(g) => state.store.product_by_gtin(g.as_str()).await?,
        Err(_) => None,
    };
    unit_page(&state, &headers, product, &serial).await
}

/// `GET /unit/{sku}/{serial}`: the short form, for products without a GTIN.
pub async fn unit_by_sku(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((sku, serial)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let product = state.store.product_by_sku(&sku).await?;
    unit_page(&state, &headers, product, &serial).await
}

fn image(format: &str, url: &str, title: &str, filename: &str) -> Result<Response, ApiError> {
    let (content_type, body) = match format {
        "png" => (
            "image/png",
            super::qr::png(url).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?,
        ),
        "svg" => (
            "image/svg+xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>{}"#,
                super::qr::svg(url, title).replacen(
                    "<svg ",
                    r#"<svg xmlns="http://www.w3.org/2000/svg" "#,
                    1
                )
            )
            .into_bytes(),
        ),
        _ => return Err(ApiError::NotFound),
    };
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}.{format}\""))
            .map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct QrQuery {
    sku: Option<String>,
    serial: Option<String>,
}

/// `/dealer/qr`: the dealer's self-registration QR code, for the counter, or for one sale.
pub async fn dealer_qr_page(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    let url = self_registration_url(&state, s.dealer().id, q.sku.as_deref(), q.serial.as_deref());
    let title = super::pages::text(s.lang(), "qr-title", &HashMap::new()).unwrap_or_default();
    let products: Vec<Value> = state
        .store
        .list_products()
        .await?
        .into_iter()
        .map(|p| context! { sku => p.sku, name => p.name })
        .collect();
    let query: String = url
        .split_once('?')
        .map_or(String::new(), |(_, q)| format!("?{q}"));
    Ok(session::page(
        &state,
        &s,
        "/dealer/qr",
        StatusCode::OK,
        "dealer/qr.html.j2",
        context! { url, svg => super::qr::svg(&url, &title), products, sku => q.sku, serial => q.serial, query },
    ))
}

/// `/dealer/qr.png`, `/dealer/qr.svg`: the same code as an image to download.
async fn dealer_qr_image(
    state: &AppState,
    s: &session::Session,
    format: &str,
    q: QrQuery,
) -> Result<Response, ApiError> {
    let url = self_registration_url(state, s.dealer().id, q.sku.as_deref(), q.serial.as_deref());
    let name = format!(
        "register-{}",
        s.dealer()
            .code
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    image(format, &url, "QR", &name)
}

pub async fn dealer_qr_png(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    dealer_qr_image(&state, &s, "png", q).await
}

pub async fn dealer_qr_svg(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    dealer_qr_image(&state, &s, "svg", q).await
}

/// A unit's address and its QR code's file name.
async fn unit_address(
    state: &AppState,
    sku: &str,
    serial: &str,
) -> Result<(String, String), ApiError> {
    let product = state
        .store
        .product_by_sku(sku)
        .await?
        .ok_or(ApiError::NotFound)?;
    let url = format!(
        "{}{}",
        base(state),
        unit_path(product.gtin.as_deref(), &product.sku, serial)
    );
    let name = format!("unit-{}-{}", sku, serial)
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
    Ok((url, name))
}

/// `/admin/units/qr.png?sku=&serial=`, `.svg`: one unit's QR code.
async fn unit_qr_image(state: &AppState, format: &str, q: QrQuery) -> Result<Response, ApiError> {
    let (sku, serial) = (q.sku.unwrap_or_default(), q.serial.unwrap_or_default());
    if serial.trim().is_empty() || serial.len() > 64 {
        return Err(ApiError::NotFound);
    }
    let (url, name) = unit_address(state, &sku, serial.trim()).await?;
    image(format, &url, &url, &name)
}

pub async fn unit_qr_png(
    State(state): State<AppState>,
    AdminUser(_s): AdminUser,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    unit_qr_image(&state, "png", q).await
}

pub async fn unit_qr_svg(
    State(state): State<AppState>,
    AdminUser(_s): AdminUser,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    unit_qr_image(&state, "svg", q).await
}

/// `/admin/units`: a printable sheet of units' QR codes from a list of serials (one per line, or
/// a CSV's first column), at most 500.
pub async fn units_page(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
) -> Result<Response, ApiError> {
    units_sheet(&state, &s, StatusCode::OK, None, "", Vec::new(), None).await
}

async fn units_sheet(
    state: &AppState,
    s: &session::Session,
    status: StatusCode,
    sku: Option<&str>,
    serials: &str,
    labels: Vec<Value>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let products: Vec<Value> = state
        .store
        .list_products()
        .await?
        .into_iter()
        .map(|p| context! { sku => p.sku, name => p.name, gtin => p.gtin })
        .collect();
    Ok(session::page(
        state,
        s,
        "/admin/units",
        status,
        "admin/units.html.j2",
        context! { products, sku, serials, labels, error },
    ))
}

#[derive(Deserialize)]
pub struct SheetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    serials: String,
}

pub async fn units_sheet_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Form(form): Form<SheetForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let fr = s.lang() == "fr";
    let Some(product) = state.store.product_by_sku(form.sku.trim()).await? else {
        let message = if fr {
            "Choisissez un produit."
        } else {
            "Choose a product."
        };
        return units_sheet(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            &form.serials,
            Vec::new(),
            Some(message.into()),
        )
        .await;
    };
    let serials: Vec<&str> = form
        .serials
        .lines()
        .filter_map(|l| l.split([',', ';', '\t']).next())
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| {
            !s.is_empty()
                && !s.eq_ignore_ascii_case("serial_number")
                && !s.eq_ignore_ascii_case("serial")
        })
        .collect();
    let bad: Vec<&str> = serials
        .iter()
        .copied()
        .filter(|s| crate::domain::contact::SerialNumber::parse(s).is_err())
        .take(5)
        .collect();
    if serials.is_empty() || serials.len() > 500 || !bad.is_empty() {
        let message = match (serials.len(), bad.first(), fr) {
            (0, _, true) => "Collez au moins un numéro de série.".to_owned(),
            (0, _, false) => "Paste at least one serial number.".to_owned(),
            (n, None, true) if n > 500 => "Au plus 500 numéros de série par planche.".to_owned(),
            (n, None, false) if n > 500 => "At most 500 serial numbers per sheet.".to_owned(),
            (_, _, true) => format!("Numéros de série illisibles : {}", bad.join(", ")),
            (_, _, false) => format!("These are not serial numbers: {}", bad.join(", ")),
        };
        return units_sheet(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&product.sku),
            &form.serials,
            Vec::new(),
            Some(message),
        )
        .await;
    }
    let labels: Vec<Value> = serials
        .iter()
        .map(|serial| {
            let url = format!(
                "{}{}",
                base(&state),
                unit_path(product.gtin.as_deref(), &product.sku, serial)
            );
            context! { serial, svg => super::qr::svg(&url, &url), url }
        })
        .collect();
    units_sheet(
        &state,
        &s,
        StatusCode::OK,
        Some(&product.sku),
        &form.serials,
        labels,
        None,
    )
    .await
}

// The owner's page: from a signed link in any of their emails, no password.

/// The link target of an owner token, if it verifies and is recent enough.
async fn owner_target(
    state: &AppState,
    token: &str,
) -> Result<Option<crate::store::LinkTarget>, ApiError> {
    let Some(reminder_id) = state.signer.verify(Purpose::Owner, token) else {
        return Ok(None);
    };
    let Some(target) = state.store.link_target(reminder_id).await? else {
        return Ok(None);
    };
    let fresh = state.clock.now()
        <= target.sent_at + chrono::Duration::days(crate::tokens::OWNER_LINK_DAYS);
    Ok(fresh.then_some(target))
}

/// The owner page's address for the email of `reminder_id`.
pub fn owner_url(public_url: &str, signer: &crate::tokens::Signer, reminder_id: Uuid) -> String {
    format!(
        "{}/o/{}",
        public_url.trim_end_matches('/'),
        signer.sign(Purpose::Owner, reminder_id)
    )
}

#[derive(Deserialize, Default)]
pub struct OwnerQuery {
    saved: Option<String>,
    reported: Option<String>,
}

/// `GET /o/{token}`: the owner's units, warranty end dates, next service, and their choices.
pub async fn owner_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<OwnerQuery>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_target(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    let lang = crate::templating::language([target.customer_locale.as_str()]);
    let tz = chrono_tz::UTC;
    let units: Vec<Value> = state
        .store
        .owned_units(target.customer_id)
        .await?
        .into_iter()
        .map(|u| {
            context! {
                id => u.id.to_string(), product => u.product_name, dealer => u.dealer_name,
                serial => u.serial_display.unwrap_or(u.serial_number),
                purchase_date => super::present::date(u.purchase_date, lang),
                warranty_expires_on => super::present::date(u.warranty_expires_on, lang),
                next_service => u.next_service.map(|t| super::present::date(t.with_timezone(&tz).date_naive(), lang)),
                active => u.status == "active", confirmed => u.verified_at.is_some(),
            }
        })
        .collect();
    let consent = state.store.current_consent(target.customer_id).await?;
    let (csrf, cookie) = session::sign_in_form_token(&state);
    let mut response = session::render(
        &state,
        StatusCode::OK,
        "owner/page.html.j2",
        context! {
            lang, manufacturer => &state.config.manufacturer_name, signed_in => false,
            token, units, csrf, dealer_name => &target.dealer_name,
            reminders => consent.service_reminders.unwrap_or(false), marketing => consent.marketing.unwrap_or(false),
            saved => q.saved.is_some(), reported => q.reported.is_some(),
        },
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Deserialize)]
pub struct ChoicesForm {
    #[serde(default)]
    csrf: String,
    consent_service_reminders: Option<String>,
    consent_marketing: Option<String>,
}

/// `POST /o/{token}`: the owner's consent choices for the selling dealer.
pub async fn owner_choices(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<ChoicesForm>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_target(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    if !session::sign_in_form_genuine(&state, &headers, &form.csrf) {
        return Err(ApiError::Forbidden);
    }
    let changed = crate::workflows::consent::set_choices(
        &state.store,
        &target,
        form.consent_service_reminders.as_deref() == Some("true"),
        form.consent_marketing.as_deref() == Some("true"),
        state.clock.now(),
    )
    .await?;
    tracing::info!(customer_id = %target.customer_id, changed, "owner changed their choices");
    Ok(Redirect::to(&format!("/o/{token}?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct NotMineForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    registration: String,
}

/// `POST /o/{token}/not-mine`: "this is not my product". The dealer's reminders to this person stop
/// (their own withdrawal), and admins see a fraud signal with the evidence.
pub async fn owner_not_mine(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<NotMineForm>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_target(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    if !session::sign_in_form_genuine(&state, &headers, &form.csrf) {
        return Err(ApiError::Forbidden);
    }
    let id: Uuid = form.registration.parse().map_err(|_| ApiError::NotFound)?;
    let unit = state
        .store
        .owned_units(target.customer_id)
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(ApiError::NotFound)?;
    let now = state.clock.now();
    crate::workflows::consent::set_choices(&state.store, &target, false, false, now).await?;
    state
        .store
        .record_fraud_evidence(
            "owner_disputes",
            unit.dealer_id,
            Some(&unit.serial_number),
            Some(unit.id),
            Some(&serde_json::json!({"serial_number": unit.serial_number, "registration_id": unit.id})),
            now,
        )
        .await?;
    tracing::info!(registration_id = %unit.id, "an owner says a unit is not theirs");
    Ok(Redirect::to(&format!("/o/{token}?reported=1")).into_response())
}
