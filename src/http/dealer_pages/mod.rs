//! The dealer portal: home, the counter form (scanner-friendly, one registration per submission
//! even on a double click), the customer's receipt, the registrations list and each
//! registration's page (reminders, consent, incentive; void), the dealer's statements, the
//! scorecard with its trend charts, and the team (managers invite their staff).
use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Datelike;
use minijinja::{Value, context};
use uuid::Uuid;

use super::AppState;
use super::admin_pages::{Scope, action_post, invite_post, people_page};
use super::charts::{self};
use super::error::ApiError;
use super::present;
use super::session::{self, DealerUser, Session};
use crate::domain::contact::TimeZone;
use crate::store::portal::RegistrationSearch;
mod counter;
mod owners;
mod registrations;
mod scorecard;

pub use counter::{Once, counter, phone_e164, register, register_once, start_transfer};
pub use owners::{claim, claim_form, proof_download, proof_upload};
pub use registrations::{correct, receipt, registration, registrations, void};
pub use scorecard::{TrendPoint, scorecard, scorecard_charts};

pub(super) const PER_PAGE: i64 = 25;

pub(super) fn tz(s: &Session) -> chrono_tz::Tz {
    TimeZone::stored(&s.dealer().time_zone)
}

pub(super) fn today(state: &AppState, s: &Session) -> chrono::NaiveDate {
    state.clock.now().with_timezone(&tz(s)).date_naive()
}

/// `/dealer`: this month's figures, what waits for customers, the latest registrations.
pub async fn home(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
) -> Result<Response, ApiError> {
    let dealer = s.dealer().clone();
    let lang = s.lang();
    let month_start = {
        let today = today(&state, &s);
        let first = today.with_day0(0).unwrap_or(today);
        first
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz(&s)).earliest())
            .map_or(state.clock.now(), |t| t.with_timezone(&chrono::Utc))
    };
    let figures = state.store.dealer_home(dealer.id, month_start).await?;
    let held: Vec<String> = state
        .store
        .dealer_held(dealer.id)
        .await?
        .into_iter()
        .map(|h| present::money(h.amount_minor, &h.currency, lang))
        .collect();
    let (latest, _) = state
        .store
        .dealer_registrations(
            dealer.id,
            &RegistrationSearch {
                limit: 5,
                ..Default::default()
            },
        )
        .await?;
    let latest: Vec<Value> = latest.iter().map(|r| summary_view(r, lang)).collect();
    Ok(session::page(
        &state,
        &s,
        "/dealer",
        StatusCode::OK,
        "dealer/home.html.j2",
        context! {
            month => charts::month_name(&today(&state, &s).format("%Y-%m").to_string(), lang),
            registered => figures.registered_since, awaiting => figures.awaiting_confirmation,
            held => held, latest => latest,
        },
    ))
}

pub(super) fn summary_view(r: &crate::store::portal::RegistrationSummary, lang: &str) -> Value {
    context! {
        id => r.id.to_string(),
        serial => r.serial_display.clone().unwrap_or_else(|| r.serial_number.clone()),
        product => &r.product_name, sku => &r.sku,
        customer => &r.customer_name, reference => &r.external_ref,
        purchase_date => present::date(r.purchase_date, lang),
        status => &r.status, confirmed => r.verified_at.is_some(),
    }
}

/// The products as the counter offers them: name, SKU, and which date starts the warranty.
pub async fn statements(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let (rows, _) = state
        .store
        .search_statements(&crate::store::portal::StatementSearch {
            dealer_id: Some(s.dealer().id),
            limit: 240,
            ..Default::default()
        })
        .await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let st = &r.statement;
            context! {
                id => st.id.to_string(), period => charts::month_name(&st.period, lang), status => &st.status,
                total => present::money(st.total_minor, &st.currency, lang), reference => &st.payment_reference,
                paid_at => st.paid_at.map(|t| present::time(t, tz(&s), lang)),
            }
        })
        .collect();
    let held: Vec<String> = state
        .store
        .dealer_held(s.dealer().id)
        .await?
        .into_iter()
        .map(|h| present::money(h.amount_minor, &h.currency, lang))
        .collect();
    Ok(session::page(
        &state,
        &s,
        "/dealer/statements",
        StatusCode::OK,
        "dealer/statements.html.j2",
        context! { rows => rows, held => held },
    ))
}

pub async fn statement(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let st = state
        .store
        .statement(id)
        .await?
        .filter(|st| st.dealer_id == s.dealer().id)
        .ok_or(ApiError::NotFound)?;
    let lang = s.lang();
    let lines = state.store.statement_lines(id).await?;
    let view = super::finance_pages::statement_lines_view(&lines, lang);
    Ok(session::page(
        &state,
        &s,
        "/dealer/statements",
        StatusCode::OK,
        "dealer/statement.html.j2",
        context! {
            s => context! {
                id => st.id.to_string(), period => charts::month_name(&st.period, lang), status => &st.status,
                total => present::money(st.total_minor, &st.currency, lang), hold_reason => &st.hold_reason,
                reference => &st.payment_reference,
                approved_at => st.approved_at.map(|t| present::time(t, tz(&s), lang)),
                paid_at => st.paid_at.map(|t| present::time(t, tz(&s), lang)),
            },
            groups => view,
        },
    ))
}

// The team: a manager invites the dealer's staff and disables those who left.

/// The dealer's managers, or a refusal.
fn manager(s: &Session) -> Result<Scope, ApiError> {
    if s.role.manages_dealer() {
        Ok(Scope::Dealer(s.dealer().id))
    } else {
        Err(ApiError::Forbidden)
    }
}

pub async fn team(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
) -> Result<Response, ApiError> {
    let scope = manager(&s)?;
    people_page(
        &state,
        &s,
        scope,
        StatusCode::OK,
        &HashMap::new(),
        &HashMap::new(),
        None,
    )
    .await
}

pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let scope = manager(&s)?;
    invite_post(&state, &headers, &s, scope, &form).await
}

pub async fn person_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Path(target): Path<(String, String)>,
    Form(form): Form<session::CsrfForm>,
) -> Result<Response, ApiError> {
    let scope = manager(&s)?;
    action_post(&state, &headers, &s, scope, target, &form).await
}
