//! Ownership transfer on the owner's side: the owner offers a unit from their page
//! (`POST /o/{token}/transfer`); the new owner opens the emailed link (`/t/{token}`), enters their
//! own details and choices, and the unit is theirs (`/t/{token}/done`, with the way to their own
//! page). A used, cancelled or expired link says so and changes nothing.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;
use uuid::Uuid;

use super::owner::{owner_posting, owner_url, render};
use super::{base, unusable};
use crate::domain::registration::{Consent, CustomerRequest};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self};
use crate::mail::notices::TransferNotice;
use crate::store::transfers::TransferRecord;
use crate::tokens::Purpose;
use crate::workflows::transfer::{Offered, Starter, TransferError};

/// Emails the acceptance link of a transfer to the person it is offered to.
pub async fn send_offer(state: &AppState, offered: &Offered) -> Result<(), ApiError> {
    let t = &offered.transfer;
    let Some(to) = t.invited_email.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let lang = crate::templating::language([t.invited_locale.as_str()]);
    let link = format!(
        "{}/t/{}",
        base(state),
        state.signer.sign(Purpose::Transfer, offered.id)
    );
    let serving_dealer = match t.serving_dealer_id {
        Some(id) => state.store.dealer_by_id(id).await?.map(|d| d.name),
        None => None,
    };
    let until = crate::http::present::date(
        (offered.expires_at - chrono::Duration::seconds(1)).date_naive(),
        lang,
    );
    let notice = TransferNotice {
        to,
        language: lang,
        link: &link,
        product: &t.product_name,
        serial: t.serial_display.as_deref().unwrap_or(&t.serial_number),
        dealer: &t.dealer_name,
        warranty_until: &crate::http::present::date(t.warranty_expires_on, lang),
        until: &until,
        serving_dealer: serving_dealer.as_deref(),
    };
    state
        .notices
        .send_transfer(&notice, state.clock.now())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, transfer_id = %offered.id, "cannot send a transfer's link");
            ApiError::Unavailable
        })?;
    // A dealer started it: the owner is told, with the way to stop it from their page.
    if let Some(dealer) = serving_dealer.as_deref() {
        tell_the_owner(state, t, dealer).await?;
    }
    Ok(())
}

/// Tells a unit's owner that a dealer asked to transfer it, linking to their page.
async fn tell_the_owner(
    state: &AppState,
    t: &TransferRecord,
    dealer: &str,
) -> Result<(), ApiError> {
    let Some((Some(email), locale)) = state
        .store
        .customer_email_locale(t.from_customer_id)
        .await?
    else {
        return Ok(());
    };
    let Some(reminder) = state
        .store
        .newest_reminder_of(t.from_customer_id, t.registration_id)
        .await?
    else {
        return Ok(());
    };
    let lang = crate::templating::language([locale.as_str()]);
    let link = owner_url(&state.config.public_url, &state.signer, reminder);
    let notice = TransferNotice {
        to: &email,
        language: lang,
        link: &link,
        product: &t.product_name,
        serial: t.serial_display.as_deref().unwrap_or(&t.serial_number),
        dealer: &t.dealer_name,
        warranty_until: "",
        until: "",
        serving_dealer: Some(dealer),
    };
    state
        .notices
        .send_transfer_notice(&notice, state.clock.now())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, transfer_id = %t.id, "cannot tell an owner about a transfer");
            ApiError::Unavailable
        })
}

#[derive(Deserialize)]
pub struct DisputeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    transfer: String,
}

/// `POST /o/{token}/transfer/dispute`: "I did not hand this on", about a transfer of a unit they
/// owned that was accepted: admins see a fraud signal with the evidence (the unit stays with its
/// new owner until someone looks into it).
pub async fn owner_transfer_dispute(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<DisputeForm>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_posting(&state, &headers, &token, &form.csrf).await? else {
        return Ok(unusable(&state, &headers));
    };
    let id: Uuid = form.transfer.parse().map_err(|_| ApiError::NotFound)?;
    let handed = state
        .store
        .transferred_away(target.customer_id)
        .await?
        .into_iter()
        .find(|h| h.transfer_id == id)
        .ok_or(ApiError::NotFound)?;
    state
        .store
        .record_fraud_evidence(
            "transfer_disputed",
            handed.dealer_id,
            Some(&handed.serial),
            Some(handed.registration_id),
            Some(&serde_json::json!({
                "transfer_id": handed.transfer_id, "started_by": handed.started_by,
                "accepted_at": handed.accepted_at, "serial_number": handed.serial,
            })),
            state.clock.now(),
        )
        .await?;
    tracing::warn!(transfer_id = %id, "a previous owner disputes a transfer");
    Ok(Redirect::to(&format!("/o/{token}?disputed=1")).into_response())
}

/// `POST /o/{token}/transfer/stop`: the owner stops the transfers of their unit waiting for a new
/// owner (their links then say so).
pub async fn owner_transfer_stop(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<super::owner::UnitForm>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_posting(&state, &headers, &token, &form.csrf).await? else {
        return Ok(unusable(&state, &headers));
    };
    let id: Uuid = form.registration.parse().map_err(|_| ApiError::NotFound)?;
    let stopped = state.store.stop_transfers(id, target.customer_id).await?;
    tracing::info!(registration_id = %id, stopped, "an owner stopped the transfers of their unit");
    Ok(Redirect::to(&format!("/o/{token}?stopped=1")).into_response())
}

#[derive(Deserialize)]
pub struct OfferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    email: String,
}

/// `POST /o/{token}/transfer`: the owner offers one of their units to a new owner.
pub async fn owner_transfer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<OfferForm>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_posting(&state, &headers, &token, &form.csrf).await? else {
        return Ok(unusable(&state, &headers));
    };
    let id: Uuid = form.registration.parse().map_err(|_| ApiError::NotFound)?;
    let lang = crate::templating::language([target.customer_locale.as_str()]);
    let refused = |key: &str| {
        crate::http::pages::text(lang, key, &HashMap::new()).unwrap_or_else(|| key.to_owned())
    };
    let message = match state
        .intake
        .start_transfer(
            Starter::Owner {
                customer_id: target.customer_id,
            },
            id,
            &form.email,
            lang,
        )
        .await
    {
        Ok(offered) => {
            send_offer(&state, &offered).await?;
            return Ok(Redirect::to(&format!("/o/{token}?transfer=sent")).into_response());
        }
        Err(TransferError::Invalid(errors)) => match errors.first().map(|e| e.code.as_str()) {
            Some("same_owner") => refused("transfer-same-owner"),
            _ => refused("err-invalid_email"),
        },
        Err(TransferError::NotTransferable) => refused("transfer-not-transferable"),
        Err(e) => return Err(e.into()),
    };
    let notices = context! {
        transfer_error => context! { unit => id.to_string(), message, email => form.email },
    };
    render(
        &state,
        &token,
        &target,
        StatusCode::UNPROCESSABLE_ENTITY,
        notices,
    )
    .await
}

/// The transfer a link names, if the link verifies.
async fn transfer_of(state: &AppState, token: &str) -> Result<Option<TransferRecord>, ApiError> {
    let Some(id) = state.signer.verify(Purpose::Transfer, token) else {
        return Ok(None);
    };
    Ok(state.store.transfer(id).await?)
}

/// Whether the link can still be accepted.
fn open(state: &AppState, t: &TransferRecord) -> bool {
    t.status == "pending" && state.clock.now() < t.expires_at
}

/// "This link has been used or has expired": nothing about the unit's owners.
fn ended(state: &AppState, headers: &HeaderMap, accepted: bool) -> Response {
    session::public_page(
        state,
        headers,
        StatusCode::GONE,
        "owner/transfer_ended.html.j2",
        context! { accepted },
    )
}

fn accept_page(
    state: &AppState,
    headers: &HeaderMap,
    t: &TransferRecord,
    token: &str,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> Response {
    let lang = session::browser_lang(headers);
    let (csrf, cookie) = session::sign_in_form_token(state);
    let mut response = session::public_page(
        state,
        headers,
        status,
        "owner/transfer_accept.html.j2",
        context! {
            token, csrf, values, errors, privacy_url => &state.config.privacy_url,
            product => &t.product_name, dealer_name => &t.dealer_name,
            serial => t.serial_display.as_deref().unwrap_or(&t.serial_number),
            warranty_expires_on => crate::http::present::date(t.warranty_expires_on, lang),
            order => ["customer_name", "customer_email", "customer_phone", "customer"],
        },
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// `GET /t/{token}`: the new owner's form.
pub async fn transfer_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let Some(t) = transfer_of(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    if !open(&state, &t) {
        return Ok(ended(&state, &headers, t.status == "accepted"));
    }
    let values = HashMap::from([(
        "customer_email".to_owned(),
        t.invited_email.clone().unwrap_or_default(),
    )]);
    Ok(accept_page(
        &state,
        &headers,
        &t,
        &token,
        StatusCode::OK,
        &values,
        &HashMap::new(),
    ))
}

/// `POST /t/{token}`: the new owner accepts, with their details and choices.
pub async fn transfer_accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let Some(t) = transfer_of(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    let values = session::typed(&form);
    if !session::sign_in_form_genuine(
        &state,
        &headers,
        form.get("csrf").map_or("", String::as_str),
    ) {
        let errors = HashMap::from([("form".to_owned(), "expired".to_owned())]);
        return Ok(accept_page(
            &state,
            &headers,
            &t,
            &token,
            StatusCode::FORBIDDEN,
            &values,
            &errors,
        ));
    }
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let checked = |name: &str| form.get(name).is_some_and(|v| v == "true");
    let lang = session::browser_lang(&headers);
    let customer = CustomerRequest {
        preferred_channel: None,
        name: field("customer_name"),
        email: field("customer_email"),
        phone: crate::http::dealer_pages::phone_e164(
            field("customer_phone"),
            t.dealer_country.as_deref(),
        ),
        locale: Some(lang.to_owned()),
        time_zone: None,
        country: t.dealer_country.clone(),
        postal_code: None,
    };
    let consent = Consent {
        service_reminders: checked("consent_service_reminders"),
        marketing: checked("consent_marketing"),
        manufacturer_marketing: Some(checked("consent_manufacturer_marketing")),
        surveys: None,
        safety_only: false,
    };
    match state.intake.accept_transfer(t.id, &customer, consent).await {
        Ok(_) => Ok(Redirect::to(&format!("/t/{token}/done")).into_response()),
        Err(TransferError::Invalid(field_errors)) => {
            let errors = crate::http::pages::field_messages(lang, field_errors);
            Ok(accept_page(
                &state,
                &headers,
                &t,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
            ))
        }
        Err(TransferError::Gone | TransferError::Superseded | TransferError::NotFound) => {
            Ok(ended(&state, &headers, false))
        }
        Err(TransferError::NotTransferable) => Ok(ended(&state, &headers, false)),
        Err(TransferError::Store(e)) => Err(e.into()),
    }
}

/// `GET /t/{token}/done`: the unit is the new owner's; their own page is one click away (while
/// the link would have worked).
pub async fn transfer_done(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let Some(t) = transfer_of(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    let (Some(owner), true) = (t.to_customer_id, t.status == "accepted") else {
        return Ok(unusable(&state, &headers));
    };
    if state.clock.now() >= t.expires_at {
        return Ok(ended(&state, &headers, true));
    }
    let owner_page = match state
        .store
        .newest_reminder_of(owner, t.registration_id)
        .await?
    {
        Some(reminder) => Some(owner_url(&state.config.public_url, &state.signer, reminder)),
        None => None,
    };
    let lang = session::browser_lang(&headers);
    Ok(session::public_page(
        &state,
        &headers,
        StatusCode::OK,
        "owner/transfer_done.html.j2",
        context! {
            product => &t.product_name, dealer_name => &t.dealer_name,
            serial => t.serial_display.as_deref().unwrap_or(&t.serial_number),
            warranty_expires_on => crate::http::present::date(t.warranty_expires_on, lang),
            owner_page,
        },
    ))
}
