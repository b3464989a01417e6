//! Units' public addresses (GS1 Digital Link, or the short form): the product and whether it is registered.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::unusable;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self};

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
