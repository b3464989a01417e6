//! The owner's subject-access export: everything held about them (`store::subject_access`), found
//! by the contacts of the record their link belongs to, across dealers; as a readable page and as
//! a JSON download.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::owner::owner_target;
use super::unusable;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::present;
use crate::store::subject_access::SubjectAccess;

/// The owner behind `token` and what is held about them; `Err(page)` when the link does not work.
async fn held(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
) -> Result<Result<(crate::store::LinkTarget, SubjectAccess), Response>, ApiError> {
    let Some(target) = owner_target(state, token).await? else {
        return Ok(Err(unusable(state, headers)));
    };
    let (email, phone) = (
        target.customer_email.as_deref(),
        target.customer_phone.as_deref(),
    );
    let mut ids = state.store.find_person(email, phone).await?;
    if !ids.contains(&target.customer_id) {
        ids.push(target.customer_id);
    }
    let data = state.store.subject_access(&ids, email, phone).await?;
    Ok(Ok((target, data)))
}

/// `GET /o/{token}/my-data`: what is held about the owner, readable.
pub async fn owner_my_data(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let (target, data) = match held(&state, &headers, &token).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let lang = crate::templating::language([target.customer_locale.as_str()]);
    let day = |t: chrono::DateTime<chrono::Utc>| present::date(t.date_naive(), lang);
    let customers: Vec<_> = data
        .customers
        .iter()
        .map(|c| {
            context! {
                dealer => c.dealer_name, name => c.name, email => c.email, phone => c.phone,
                language => crate::templating::language([c.locale.as_str()]),
                country => c.country, postal_code => c.postal_code, since => day(c.created_at),
                preferred_channel => c.preferred_channel,
            }
        })
        .collect();
    let registrations: Vec<_> = data
        .registrations
        .iter()
        .map(|r| {
            context! {
                product => r.product_name, serial => r.serial_number, dealer => r.dealer_code,
                purchase_date => present::date(r.purchase_date, lang),
                warranty_expires_on => present::date(r.warranty_expires_on, lang),
                active => r.status == "active", confirmed => r.verified_at.is_some(),
            }
        })
        .collect();
    let messages: Vec<_> = data
        .messages
        .iter()
        .map(|m| {
            context! {
                kind => m.kind, channel => m.channel, status => m.status,
                sent => m.sent_at.map(day),
            }
        })
        .collect();
    let choices: Vec<_> = data
        .consent_events
        .iter()
        .map(|e| {
            context! {
                on => day(e.occurred_at), party => e.party, purpose => e.purpose,
                channel => e.channel, granted => e.granted,
            }
        })
        .collect();
    let dated =
        |at: &[chrono::DateTime<chrono::Utc>]| at.iter().map(|t| day(*t)).collect::<Vec<_>>();
    let others = context! {
        clicks => data.link_clicks.len(),
        visits => data.service_visits.iter().map(|v| present::date(v.service_date, lang)).collect::<Vec<_>>(),
        proofs => dated(&data.proofs_of_purchase.iter().map(|p| p.created_at).collect::<Vec<_>>()),
        corrections => dated(&data.corrections.iter().map(|c| c.at).collect::<Vec<_>>()),
        transfers => data.transfers.iter().map(|t| context! { role => t.role, status => t.status, on => day(t.created_at) }).collect::<Vec<_>>(),
        own_registrations => data.own_registrations.iter().map(|o| context! { serial => o.serial_number, on => day(o.created_at) }).collect::<Vec<_>>(),
        texts_received => dated(&data.texts_received.iter().map(|t| t.received_at).collect::<Vec<_>>()),
        email_suppressed => data.email_suppressed.is_some(),
        phone_suppressed => data.phone_suppressed.is_some(),
    };
    Ok(crate::http::session::render(
        &state,
        StatusCode::OK,
        "owner/my_data.html.j2",
        context! {
            lang, manufacturer => &state.config.manufacturer_name, signed_in => false, token,
            customers, registrations, messages, choices, others,
        },
    ))
}

/// `GET /o/{token}/my-data.json`: the same, as the JSON file an admin's export gives.
pub async fn owner_my_data_json(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let (target, data) = match held(&state, &headers, &token).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let body = serde_json::to_vec_pretty(&data).map_err(|e| ApiError::Internal(e.into()))?;
    tracing::info!(customer_id = %target.customer_id, "owner downloaded their data");
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-data.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
