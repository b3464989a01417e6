//! Units' public addresses (GS1 Digital Link, or the short form): the product and whether it is
//! registered, never by whom; for an unregistered unit, the owner's own registration (credited to
//! no dealer until the selling dealer claims it).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::unusable;
use crate::domain::registration::CustomerRequest;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self};
use crate::workflows::claim::{ClaimError, OwnerRequest, Recorded};

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    recorded: Option<String>,
}

/// Where the unit's registration stands, as its public page may say.
enum Standing {
    Registered,
    Waiting,
    Open,
}

async fn standing(state: &AppState, serial: &str) -> Result<Standing, ApiError> {
    if state.store.active_serial_holder(serial).await?.is_some() {
        return Ok(Standing::Registered);
    }
    let waiting = state
        .store
        .owner_registration_of(serial)
        .await?
        .is_some_and(|o| o.status == "unclaimed");
    Ok(if waiting {
        Standing::Waiting
    } else {
        Standing::Open
    })
}

/// A unit's public page: the product and whether the unit is registered; never its owner.
async fn unit_page(
    state: &AppState,
    headers: &HeaderMap,
    product: Option<crate::store::ProductRecord>,
    serial: &str,
    recorded: bool,
) -> Result<Response, ApiError> {
    let Some(product) = product else {
        return Ok(unusable(state, headers));
    };
    let Ok(normalized) = crate::domain::contact::SerialNumber::parse(serial) else {
        return Ok(unusable(state, headers));
    };
    let standing = standing(state, normalized.as_str()).await?;
    let register_url = matches!(standing, Standing::Open).then(|| {
        format!(
            "{}/register",
            crate::domain::gtin::unit_path(None, &product.sku, serial)
        )
    });
    Ok(session::public_page(
        state,
        headers,
        StatusCode::OK,
        "owner/unit.html.j2",
        context! {
            product => product.name, serial,
            registered => matches!(standing, Standing::Registered),
            waiting => matches!(standing, Standing::Waiting), register_url, recorded,
        },
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
    unit_page(&state, &headers, product, &serial, false).await
}

/// `GET /unit/{sku}/{serial}`: the short form, for products without a GTIN.
pub async fn unit_by_sku(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((sku, serial)): Path<(String, String)>,
    Query(q): Query<UnitQuery>,
) -> Result<Response, ApiError> {
    let product = state.store.product_by_sku(&sku).await?;
    unit_page(&state, &headers, product, &serial, q.recorded.is_some()).await
}

async fn register_page(
    state: &AppState,
    headers: &HeaderMap,
    product: &crate::store::ProductRecord,
    serial: &str,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> Response {
    let (csrf, cookie) = session::sign_in_form_token(state);
    let mut response = session::public_page(
        state,
        headers,
        status,
        "owner/unit_register.html.j2",
        context! {
            product => &product.name, serial, csrf, values, errors,
            action => format!("{}/register", crate::domain::gtin::unit_path(None, &product.sku, serial)),
            privacy_url => &state.config.privacy_url,
            order => ["purchase_date", "customer_name", "customer_email", "customer_phone", "customer"],
        },
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The product of a unit address that may be registered by its owner now.
async fn open_unit(
    state: &AppState,
    sku: &str,
    serial: &str,
) -> Result<Option<crate::store::ProductRecord>, ApiError> {
    let Some(product) = state.store.product_by_sku(sku).await? else {
        return Ok(None);
    };
    let Ok(normalized) = crate::domain::contact::SerialNumber::parse(serial) else {
        return Ok(None);
    };
    Ok(matches!(standing(state, normalized.as_str()).await?, Standing::Open).then_some(product))
}

/// `GET /unit/{sku}/{serial}/register`: the owner's own registration of an unregistered unit.
pub async fn unit_register_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((sku, serial)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let Some(product) = open_unit(&state, &sku, &serial).await? else {
        return Ok(
            Redirect::to(&crate::domain::gtin::unit_path(None, &sku, &serial)).into_response(),
        );
    };
    let today = state
        .clock
        .now()
        .with_timezone(&state.settings.ledger.manufacturer_tz)
        .date_naive();
    let values = HashMap::from([("purchase_date".to_owned(), today.to_string())]);
    Ok(register_page(
        &state,
        &headers,
        &product,
        &serial,
        StatusCode::OK,
        &values,
        &HashMap::new(),
    )
    .await)
}

/// `POST /unit/{sku}/{serial}/register`: recorded, credited to no dealer until one claims it.
pub async fn unit_register(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((sku, serial)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let unit_path = crate::domain::gtin::unit_path(None, &sku, &serial);
    let Some(product) = open_unit(&state, &sku, &serial).await? else {
        return Ok(Redirect::to(&unit_path).into_response());
    };
    let values = session::typed(&form);
    if !session::sign_in_form_genuine(
        &state,
        &headers,
        form.get("csrf").map_or("", String::as_str),
    ) {
        let errors = HashMap::from([("form".to_owned(), "expired".to_owned())]);
        return Ok(register_page(
            &state,
            &headers,
            &product,
            &serial,
            StatusCode::FORBIDDEN,
            &values,
            &errors,
        )
        .await);
    }
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let lang = session::browser_lang(&headers);
    let req = OwnerRequest {
        sku: &product.sku,
        serial: &serial,
        purchase_date: field("purchase_date"),
        customer: CustomerRequest {
            preferred_channel: None,
            name: field("customer_name"),
            email: field("customer_email"),
            phone: crate::http::dealer_pages::phone_e164(field("customer_phone"), None),
            locale: Some(lang.to_owned()),
            time_zone: None,
            country: None,
            postal_code: None,
        },
        service_reminders: form
            .get("consent_service_reminders")
            .is_some_and(|v| v == "true"),
        marketing: form.get("consent_marketing").is_some_and(|v| v == "true"),
    };
    match state.intake.record_owner_registration(req).await {
        Ok(Recorded::Waiting(_)) | Ok(Recorded::Taken) => {
            Ok(Redirect::to(&format!("{unit_path}?recorded=1")).into_response())
        }
        Err(ClaimError::Invalid(field_errors)) => {
            let errors = crate::http::pages::field_messages(lang, field_errors);
            Ok(register_page(
                &state,
                &headers,
                &product,
                &serial,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
            )
            .await)
        }
        Err(e) => Err(e.into()),
    }
}
