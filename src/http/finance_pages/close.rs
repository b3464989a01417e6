//! Closing a period: a confirmation page naming what the close puts on statements, then the close.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use super::recent_periods;
use crate::domain::ledger::AccountingMonth;
use crate::http::AppState;
use crate::http::charts;
use crate::http::error::ApiError;
use crate::http::present;
use crate::http::session::{self, FinanceUser, Session};

// Closing a period: a confirmation page first.

#[derive(Deserialize, Default)]
pub struct CloseQuery {
    period: Option<String>,
}

pub async fn close_confirm(
    State(state): State<AppState>,
    FinanceUser(s): FinanceUser,
    Query(q): Query<CloseQuery>,
) -> Result<Response, ApiError> {
    close_page(&state, &s, StatusCode::OK, q.period, None).await
}

async fn close_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    period: Option<String>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let now = state.clock.now();
    let current = AccountingMonth::of(now, state.settings.ledger.manufacturer_tz);
    // The default is the last month that has ended, never the one under way.
    let chosen = period
        .as_deref()
        .and_then(AccountingMonth::parse)
        .unwrap_or_else(|| current.previous());
    let key = chosen.to_string();
    let closed = state.store.period_closed(&key).await?;
    let rows: Vec<Value> = state
        .store
        .open_totals(&key)
        .await?
        .iter()
        .map(|t| context! { dealer => &t.dealer_name, count => t.count, total => present::money(t.total_minor, &t.currency, lang) })
        .collect();
    Ok(session::page(
        state,
        s,
        "/finance/periods/close",
        status,
        "finance/close.html.j2",
        context! {
            period => &key, period_name => charts::month_name(&key, lang), closed => closed,
            under_way => chosen >= current, rows => rows, error => error,
            periods => recent_periods(state, lang),
        },
    ))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    period: String,
    confirm: Option<String>,
}

pub async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    FinanceUser(s): FinanceUser,
    Form(form): Form<CloseForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let fr = s.lang() == "fr";
    let now = state.clock.now();
    let current = AccountingMonth::of(now, state.settings.ledger.manufacturer_tz);
    let Some(period) = AccountingMonth::parse(form.period.trim()).filter(|p| *p < current) else {
        let message = if fr {
            "Choisissez un mois terminé."
        } else {
            "Choose a month that has ended."
        };
        return close_page(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(form.period),
            Some(message.into()),
        )
        .await;
    };
    if form.confirm.as_deref() != Some("yes") {
        let message = if fr {
            "Cochez la case pour confirmer la clôture."
        } else {
            "Tick the box to confirm the close."
        };
        return close_page(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(period.to_string()),
            Some(message.into()),
        )
        .await;
    }
    crate::workflows::ledger::close_period(&state.store, period, Some(s.account.id), now).await?;
    tracing::info!(%period, account = %s.account.id, "period closed on the page");
    Ok(Redirect::to(&format!("/finance/statements?period={period}")).into_response())
}
