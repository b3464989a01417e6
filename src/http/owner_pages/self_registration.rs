//! Self-registration through a dealer's QR code: the form, the registration (channel owner_qr), what happens next.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::{base, unusable};
use crate::domain::registration::{ConsentRequest, CustomerRequest, RegistrationRequest};
use crate::http::AppState;
use crate::http::dealer_pages::{Once, register_once};
use crate::http::error::ApiError;
use crate::http::session::{self};
use crate::tokens::Purpose;
use crate::workflows::DealerContext;
use crate::workflows::registration::IntakeError;

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
    Ok(state.store.dealer_by_id(id).await?.filter(|d| d.active))
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
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    let Some(dealer) = dealer_of(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    // The form, with its optional proof of purchase.
    let upload = crate::http::multipart::read_any(req).await?;
    let form = &upload.fields;
    let mut values = crate::http::session::typed(form);
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
    let lang = session::browser_lang(&headers);
    // The proof is checked before anything is registered: a refused file loses nothing typed.
    let proof_error = if upload.too_large {
        Some((StatusCode::PAYLOAD_TOO_LARGE, "proof-too-large"))
    } else {
        match upload.file.as_deref().map(crate::domain::proof::check) {
            Some(Err(_)) => Some((StatusCode::UNSUPPORTED_MEDIA_TYPE, "proof-refused")),
            _ => None,
        }
    };
    if let Some((status, key)) = proof_error {
        let message = crate::http::pages::text(lang, key, &HashMap::new()).unwrap_or_default();
        let errors = HashMap::from([("proof".to_owned(), message)]);
        return form_page(&state, &headers, &dealer, &token, status, &values, &errors).await;
    }
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let checked = |name: &str| Some(form.get(name).is_some_and(|v| v == "true"));
    let req = RegistrationRequest {
        serial_number: field("serial_number"),
        sku: field("sku"),
        purchase_date: field("purchase_date"),
        delivered_on: None,
        installed_on: None,
        external_ref: None,
        customer: Some(CustomerRequest {
            preferred_channel: None,
            name: field("customer_name"),
            email: field("customer_email"),
            phone: crate::http::dealer_pages::phone_e164(
                field("customer_phone"),
                dealer.country.as_deref(),
            ),
            locale: Some(lang.to_owned()),
            time_zone: None,
            country: dealer.country.clone(),
            postal_code: None,
        }),
        consent: Some(ConsentRequest {
            surveys: None,
            safety_only: None,
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
            if let Some(bytes) = upload.file.as_deref() {
                // Checked above; a store that fails now leaves the registration made, and the
                // owner can add the file again from their page.
                if let Err(e) = crate::workflows::proof::attach(
                    &state.store,
                    &state.proof_files,
                    record.id,
                    record.customer_id,
                    crate::workflows::proof::Uploader::Owner,
                    bytes,
                    state.config.proof_max_bytes,
                    state.settings.ledger.manufacturer_tz,
                    state.clock.now(),
                )
                .await
                {
                    tracing::error!(error = %e, registration_id = %record.id, "cannot keep a self-registration's proof of purchase");
                }
            }
            Ok(Redirect::to(&format!("/s/{token}/done?id={}", record.id)).into_response())
        }
        Err(IntakeError::Invalid(field_errors)) => {
            let errors = crate::http::pages::field_messages(lang, field_errors);
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
            let message =
                crate::http::pages::text(lang, "owner-already-registered", &HashMap::new())
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
            warranty_expires_on => crate::http::present::date(record.warranty_expires_on, lang),
            email => record.customer.email.is_some(),
        },
    ))
}
