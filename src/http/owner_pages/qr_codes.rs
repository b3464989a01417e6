//! QR codes to print: the dealer's self-registration code (page, PNG, SVG) and units' codes (PNG, SVG, a sheet).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use super::base;
use super::self_registration::self_registration_url;
use crate::domain::gtin::unit_path;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self, AdminUser, DealerUser};

fn image(format: &str, url: &str, title: &str, filename: &str) -> Result<Response, ApiError> {
    let (content_type, body) = match format {
        "png" => (
            "image/png",
            crate::http::qr::png(url).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?,
        ),
        "svg" => (
            "image/svg+xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>{}"#,
                crate::http::qr::svg(url, title).replacen(
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
    let title = crate::http::pages::text(s.lang(), "qr-title", &HashMap::new()).unwrap_or_default();
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
        context! { url, svg => crate::http::qr::svg(&url, &title), products, sku => q.sku, serial => q.serial, query },
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
            context! { serial, svg => crate::http::qr::svg(&url, &url), url }
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
