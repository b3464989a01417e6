//! Dealers: the list, and each dealer's profile, send window and branding, with who changed it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use std::collections::HashMap;

use crate::domain::catalog_input::DealerRequest;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self, AdminUser, Session};

use super::{NewQuery, SavedQuery, changes, field_errors, text};

// Dealers.

pub async fn dealers(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
) -> Result<Response, ApiError> {
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
    Ok(session::page(
        &state,
        &s,
        "/admin/dealers",
        StatusCode::OK,
        "admin/dealers.html.j2",
        context! { rows => rows },
    ))
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
                ("message_channels", d.message_channels.clone()),
                ("sms_sender_id", d.sms_sender_id.clone()),
                ("active", d.active.then(|| "true".to_owned())),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))),
        ),
        None => HashMap::from([
            ("locale".to_owned(), "en".to_owned()),
            (
                "time_zone".to_owned(),
                state.config.manufacturer_time_zone.clone(),
            ),
            ("active".to_owned(), "true".to_owned()),
        ]),
    });
    let people = match &existing {
        Some(d) => crate::http::admin_pages::people_view(state, s, Some(d.id)).await?,
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
            order => ["name", "email", "phone", "locale", "time_zone", "country", "booking_url", "address", "send_window", "message_channels", "sms_sender_id"],
            channel_policies => crate::domain::sms::CHANNEL_POLICIES,
        },
    ))
}

pub async fn dealer(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Path(code): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    dealer_page(
        &state,
        &s,
        &code,
        StatusCode::OK,
        None,
        HashMap::new(),
        q.saved.is_some(),
    )
    .await
}

pub async fn save_dealer(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(
        &state,
        &headers,
        &s,
        form.get("csrf").map_or("", String::as_str),
    )?;
    let before = state.store.dealer_by_code(&code).await?;
    let kept = |f: fn(&crate::store::DealerRecord) -> Option<String>| before.as_ref().and_then(f);
    let req = DealerRequest {
        // A form without these fields (an older page) keeps what is set.
        message_channels: if form.contains_key("message_channels") {
            text(&form, "message_channels")
        } else {
            kept(|d| d.message_channels.clone())
        },
        sms_sender_id: if form.contains_key("sms_sender_id") {
            text(&form, "sms_sender_id")
        } else {
            kept(|d| d.sms_sender_id.clone())
        },
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
        authorized_servicer: kept(|d| d.authorized_servicer.clone())
            .and_then(|a| serde_json::from_str(&a).ok()),
    };
    match crate::http::admin::dealers::save_dealer(&state, &code, &req, Some(s.account.id)).await {
        Ok((record, created)) => {
            tracing::info!(dealer = %record.code, created, account = %s.account.id, "dealer saved on the page");
            Ok(Redirect::to(&format!("/admin/dealers/{}?saved=1", record.code)).into_response())
        }
        Err(ApiError::Validation(errors)) => {
            let values = crate::http::session::typed(&form);
            dealer_page(
                &state,
                &s,
                &code,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(values),
                field_errors(&errors),
                false,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
