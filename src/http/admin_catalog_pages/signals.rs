//! Fraud signals of a month with their evidence, resolved with what the admin found.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::http::AppState;
use crate::http::charts;
use crate::http::error::ApiError;
use crate::http::present;
use crate::http::session::{self, AdminUser};

// Fraud signals.

/// A signal's key: a hash of its kind, dealer and evidence.
fn signal_key(kind: &str, dealer: &str, evidence: &serde_json::Value) -> String {
    hex::encode(&Sha256::digest(format!("{kind}\n{dealer}\n{evidence}").as_bytes())[..16])
}

#[derive(Deserialize, Default)]
pub struct SignalsQuery {
    period: Option<String>,
}

pub async fn signals(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Query(q): Query<SignalsQuery>,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let p = match crate::http::scorecards::bounds(
        &state,
        q.period.as_deref().filter(|p| !p.is_empty()),
    ) {
        Ok(p) => p,
        Err(_) => crate::http::scorecards::bounds(&state, None)?,
    };
    let signals = state.store.fraud_signals(&p).await?;
    let resolutions = state.store.signal_resolutions().await?;
    let names = present::names(&state.store, resolutions.iter().map(|r| r.resolved_by)).await?;
    let dealers: HashMap<String, String> = state
        .store
        .list_dealers()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let rows: Vec<Value> = signals
        .iter()
        .map(|sig| {
            let key = signal_key(&sig.kind, &sig.dealer_code, &sig.evidence);
            let resolved = resolutions.iter().find(|r| r.signal_key == key);
            let evidence: Vec<Value> = sig
                .evidence
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| context! { name => k, value => v.as_str().map_or_else(|| v.to_string(), str::to_owned) })
                        .collect()
                })
                .unwrap_or_default();
            context! {
                key, kind => &sig.kind, dealer => dealers.get(&sig.dealer_code).cloned().unwrap_or_else(|| sig.dealer_code.clone()),
                dealer_code => &sig.dealer_code, evidence,
                resolved => resolved.map(|r| context! {
                    resolution => &r.resolution, at => present::time(r.resolved_at, tz, lang),
                    by => r.resolved_by.and_then(|id| names.get(&id).cloned()),
                }),
            }
        })
        .collect();
    let periods = crate::http::scorecards::period_choices(&state, lang)?;
    Ok(session::page(
        &state,
        &s,
        "/admin/signals",
        StatusCode::OK,
        "admin/signals.html.j2",
        context! { rows, period => &p.period, period_name => charts::month_name(&p.period, lang), periods },
    ))
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    resolution: String,
}

pub async fn resolve_signal(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Form(form): Form<ResolveForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let p = crate::http::scorecards::bounds(&state, Some(form.period.as_str()))?;
    let signal = state
        .store
        .fraud_signals(&p)
        .await?
        .into_iter()
        .find(|sig| signal_key(&sig.kind, &sig.dealer_code, &sig.evidence) == form.key)
        .ok_or(ApiError::NotFound)?;
    let resolution = crate::domain::field::clean_text(&form.resolution, 1000)
        .ok()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ApiError::field("resolution", "required", "say what you found"))?;
    let dealer = state
        .store
        .dealer_by_code(&signal.dealer_code)
        .await?
        .ok_or(ApiError::NotFound)?;
    state
        .store
        .resolve_signal(
            &form.key,
            &signal.kind,
            dealer.id,
            &resolution,
            s.account.id,
            state.clock.now(),
        )
        .await?;
    tracing::info!(kind = %signal.kind, dealer = %signal.dealer_code, account = %s.account.id, "fraud signal resolved");
    Ok(Redirect::to(&format!("/admin/signals?period={}", p.period)).into_response())
}
