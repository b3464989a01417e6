//! The owner's page, from a signed link in any of their emails: units, choices, "not my product".

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::unusable;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self};
use crate::tokens::Purpose;

// The owner's page: from a signed link in any of their emails, no password.

/// The link target of an owner token, if it verifies and is recent enough.
pub(super) async fn owner_target(
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

/// The owner behind a form posted from their page: `None` when the link does not (or no longer)
/// work; a form not from this site is refused.
pub(super) async fn owner_posting(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    csrf: &str,
) -> Result<Option<crate::store::LinkTarget>, ApiError> {
    let Some(target) = owner_target(state, token).await? else {
        return Ok(None);
    };
    if !session::sign_in_form_genuine(state, headers, csrf) {
        return Err(ApiError::Forbidden);
    }
    Ok(Some(target))
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
    transfer: Option<String>,
    proof: Option<String>,
    stopped: Option<String>,
    disputed: Option<String>,
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
    let notices = context! {
        saved => q.saved.is_some(), reported => q.reported.is_some(), transfer_sent => q.transfer.is_some(),
        proof_saved => q.proof.is_some(), transfer_stopped => q.stopped.is_some(),
        transfer_disputed => q.disputed.is_some(),
    };
    render(&state, &token, &target, StatusCode::OK, notices).await
}

/// The owner's page with `notices` (what just happened, a transfer's error next to its unit).
pub(super) async fn render(
    state: &AppState,
    token: &str,
    target: &crate::store::LinkTarget,
    status: StatusCode,
    notices: Value,
) -> Result<Response, ApiError> {
    let lang = crate::templating::language([target.customer_locale.as_str()]);
    let tz = chrono_tz::UTC;
    let now = state.clock.now();
    let mut units = Vec::new();
    let day = |t: chrono::DateTime<chrono::Utc>| {
        crate::http::present::date(t.with_timezone(&tz).date_naive(), lang)
    };
    for u in state.store.owned_units(target.customer_id, now).await? {
        let (offered_until, proof) = (u.offered_until.map(day), u.proof_added.map(day));
        units.push(context! {
            id => u.id.to_string(), product => u.product_name, dealer => u.dealer_name,
            serial => u.serial_display.unwrap_or(u.serial_number),
            purchase_date => crate::http::present::date(u.purchase_date, lang),
            warranty_expires_on => crate::http::present::date(u.warranty_expires_on, lang),
            next_service => u.next_service.map(|t| crate::http::present::date(t.with_timezone(&tz).date_naive(), lang)),
            active => u.status == "active", confirmed => u.verified_at.is_some(),
            transferable => u.transfer_policy != "not_transferable", offered_until, proof,
        });
    }
    let handed_on: Vec<Value> = state
        .store
        .transferred_away(target.customer_id)
        .await?
        .into_iter()
        .map(|h| {
            context! {
                id => h.transfer_id.to_string(), product => h.product_name, serial => h.serial,
                on => h.accepted_at.map(|at| crate::http::present::date(at.with_timezone(&tz).date_naive(), lang)),
            }
        })
        .collect();
    let consent = state.store.current_consent(target.customer_id).await?;
    let texts_stopped = match &target.customer_phone {
        Some(phone) => state
            .store
            .number_suppression(phone)
            .await?
            .is_some_and(|reason| crate::domain::sms::is_opt_out(&reason)),
        None => false,
    };
    let channels =
        (target.customer_email.is_some() && target.customer_phone.is_some()).then(|| {
            context! {
                email => &target.customer_email, phone => &target.customer_phone,
                preferred => target.customer_preferred_channel.as_deref().unwrap_or("email"),
            }
        });
    let (csrf, cookie) = session::sign_in_form_token(state);
    let mut response = session::render(
        state,
        status,
        "owner/page.html.j2",
        context! {
            lang, manufacturer => &state.config.manufacturer_name, signed_in => false,
            token, units, handed_on, csrf, dealer_name => &target.dealer_name,
            reminders => consent.service_reminders.unwrap_or(false), marketing => consent.marketing.unwrap_or(false),
            manufacturer_marketing => consent.manufacturer_marketing.unwrap_or(false),
            channels, texts_stopped,
            ..notices
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
    consent_manufacturer_marketing: Option<String>,
    /// `email` or `sms`, offered when the owner has both.
    preferred_channel: Option<String>,
}

/// `POST /o/{token}`: the owner's consent choices for the selling dealer.
pub async fn owner_choices(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<ChoicesForm>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_posting(&state, &headers, &token, &form.csrf).await? else {
        return Ok(unusable(&state, &headers));
    };
    let changed = crate::workflows::consent::set_choices(
        &state.store,
        &target,
        crate::workflows::consent::Choices {
            service_reminders: form.consent_service_reminders.as_deref() == Some("true"),
            marketing: form.consent_marketing.as_deref() == Some("true"),
            manufacturer_marketing: form.consent_manufacturer_marketing.as_deref() == Some("true"),
        },
        state.clock.now(),
    )
    .await?;
    let both = target.customer_email.is_some() && target.customer_phone.is_some();
    let chosen = form
        .preferred_channel
        .as_deref()
        .and_then(crate::domain::sms::Channel::parse)
        .filter(|c| both && target.customer_preferred_channel.as_deref() != Some(c.as_str()));
    if let Some(channel) = chosen {
        let moved = crate::workflows::texts::prefer_channel(
            &state.store,
            target.customer_id,
            channel,
            state.clock.now(),
        )
        .await?;
        tracing::info!(customer_id = %target.customer_id, channel = channel.as_str(), moved, "owner chose a channel");
    }
    tracing::info!(customer_id = %target.customer_id, changed, "owner changed their choices");
    Ok(Redirect::to(&format!("/o/{token}?saved=1")).into_response())
}

/// A form acting on one of the owner's units.
#[derive(Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) registration: String,
}

/// `POST /o/{token}/not-mine`: "this is not my product". The dealer's reminders to this person stop
/// (their own withdrawal), and admins see a fraud signal with the evidence.
pub async fn owner_not_mine(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<UnitForm>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_posting(&state, &headers, &token, &form.csrf).await? else {
        return Ok(unusable(&state, &headers));
    };
    let id: Uuid = form.registration.parse().map_err(|_| ApiError::NotFound)?;
    let unit = state
        .store
        .owned_units(target.customer_id, state.clock.now())
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(ApiError::NotFound)?;
    let now = state.clock.now();
    crate::workflows::consent::set_choices(
        &state.store,
        &target,
        crate::workflows::consent::Choices::default(),
        now,
    )
    .await?;
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
