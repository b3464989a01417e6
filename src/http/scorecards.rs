//! Scorecards (a dealer's own, and the admin's ranked view with the holdout's lift and a CSV
//! export), dealer targets, and fraud signals.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::auth::{AdminKey, DealerKey};
use super::body::{Json, Query};
use super::error::{ApiError, Problem};
use crate::csv_safe::{Cell, SafeCsv};
use crate::domain::ledger::{AccountingMonth, format_minor};
use crate::domain::scorecard::{METRICS, Scorecard, compute};
use crate::store::{FraudSignal, HoldoutLift, PeriodBounds};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodParam {
    /// YYYY-MM; the current period when absent.
    pub period: Option<String>,
}

pub fn bounds(state: &AppState, period: Option<&str>) -> Result<PeriodBounds, ApiError> {
    let tz = state.settings.ledger.manufacturer_tz;
    let period = match period {
        Some(raw) => AccountingMonth::parse(raw)
            .ok_or_else(|| ApiError::field("period", "invalid_period", "must be YYYY-MM"))?,
        None => AccountingMonth::of(state.clock.now(), tz),
    };
    let (first_day, next_first_day) = period.days();
    let instant = |d: chrono::NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0).expect("midnight");
        tz.from_local_datetime(&midnight).earliest().map_or_else(
            || Utc.from_utc_datetime(&midnight),
            |t| t.with_timezone(&Utc),
        )
    };
    Ok(PeriodBounds {
        start: instant(first_day),
        end: instant(next_first_day),
        first_day,
        next_first_day,
        tz,
        period: period.to_string(),
    })
}

pub async fn scorecard_of(
    state: &AppState,
    dealer_id: Uuid,
    code: &str,
    p: &PeriodBounds,
) -> Result<Scorecard, ApiError> {
    let facts = state.store.scorecard_facts(dealer_id, p).await?;
    let targets = state.store.targets(dealer_id, &p.period).await?;
    let c = &state.config;
    Ok(compute(
        code,
        &p.period,
        &facts,
        &targets,
        i64::from(c.approve_within_days),
        i64::from(c.pay_within_days),
    ))
}

/// The last `n` periods up to `p`, oldest first.
/// The last 12 months, newest first, as the choices of a month select on a page.
pub fn period_choices(state: &AppState, lang: &str) -> Result<Vec<minijinja::Value>, ApiError> {
    Ok(trailing_periods(state, &bounds(state, None)?, 12)?
        .iter()
        .rev()
        .map(|b| minijinja::context! { value => &b.period, label => super::charts::month_name(&b.period, lang) })
        .collect())
}

pub fn trailing_periods(
    state: &AppState,
    p: &PeriodBounds,
    n: usize,
) -> Result<Vec<PeriodBounds>, ApiError> {
    let last = AccountingMonth::parse(&p.period).expect("bounds hold a valid period");
    let mut periods = vec![last];
    while periods.len() < n {
        periods.push(periods.last().expect("non-empty").previous());
    }
    periods.reverse();
    periods
        .iter()
        .map(|period| bounds(state, Some(&period.to_string())))
        .collect()
}

/// Your scorecard for a period.
#[utoipa::path(get, path = "/v1/dealer/scorecard", tag = "dealer", params(PeriodParam),
    responses((status = 200, body = Scorecard), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn dealer_scorecard(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Query(q): Query<PeriodParam>,
) -> Result<axum::Json<Scorecard>, ApiError> {
    let p = bounds(&state, q.period.as_deref())?;
    Ok(axum::Json(
        scorecard_of(&state, dealer.id, &dealer.code, &p).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminScorecards {
    pub period: String,
    /// Every dealer, most registrations first.
    pub dealers: Vec<Scorecard>,
    /// Share of registrations in the reminder holdout.
    pub holdout_share: f64,
    /// Service-visit rates with and without reminders over the 12 months up to the period's end.
    pub holdout_lift: HoldoutLift,
}

async fn all_scorecards(state: &AppState, p: &PeriodBounds) -> Result<Vec<Scorecard>, ApiError> {
    let mut cards = Vec::new();
    for dealer in state.store.list_dealers().await? {
        cards.push(scorecard_of(state, dealer.id, &dealer.code, p).await?);
    }
    cards.sort_by(|a, b| {
        b.registrations
            .cmp(&a.registrations)
            .then_with(|| a.dealer_code.cmp(&b.dealer_code))
    });
    Ok(cards)
}

/// Every dealer's scorecard, ranked, with the lift reminders cause.
#[utoipa::path(get, path = "/v1/admin/scorecards", tag = "admin", params(PeriodParam),
    responses((status = 200, body = AdminScorecards), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn admin_scorecards(
    State(state): State<AppState>,
    _: AdminKey,
    Query(q): Query<PeriodParam>,
) -> Result<axum::Json<AdminScorecards>, ApiError> {
    let p = bounds(&state, q.period.as_deref())?;
    let year = trailing_periods(&state, &p, 12)?;
    let lift = state.store.holdout_lift(year[0].start, p.end).await?;
    Ok(axum::Json(AdminScorecards {
        period: p.period.clone(),
        dealers: all_scorecards(&state, &p).await?,
        holdout_share: state.config.holdout_share,
        holdout_lift: lift,
    }))
}

pub const CSV_COLUMNS: [&str; 18] = [
    "rank",
    "dealer_code",
    "period",
    "registrations",
    "voided",
    "on_time_rate",
    "median_days_to_register",
    "contact_completeness",
    "rejected_submissions",
    "duplicate_submissions",
    "reminders_sent",
    "reminders_bounced",
    "reminders_clicked",
    "attributed_visits",
    "attribution_rate",
    "currency",
    "incentives_accrued",
    "incentives_paid",
];

fn opt(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// The ranked view as CSV (RFC 4180).
#[utoipa::path(get, path = "/v1/admin/scorecards.csv", tag = "admin", params(PeriodParam),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn admin_scorecards_csv(
    State(state): State<AppState>,
    _: AdminKey,
    Query(q): Query<PeriodParam>,
) -> Result<Response, ApiError> {
    let p = bounds(&state, q.period.as_deref())?;
    let mut out = SafeCsv::new(Vec::new(), true);
    out.header(&CSV_COLUMNS).map_err(ApiError::internal)?;
    for (i, s) in all_scorecards(&state, &p).await?.iter().enumerate() {
        let currency = s.incentives.currency.clone().unwrap_or_default();
        let money = |m: i64| {
            if currency.is_empty() {
                String::new()
            } else {
                format_minor(m, &currency)
            }
        };
        let values = [
            s.period.clone(),
            s.registrations.to_string(),
            s.voided.to_string(),
            opt(s.on_time_rate),
            opt(s.median_days_to_register),
            opt(s.contact_completeness),
            s.rejected_submissions.to_string(),
            s.duplicate_submissions.to_string(),
            s.reminders.sent.to_string(),
            s.reminders.bounced.to_string(),
            s.reminders.clicked.to_string(),
            s.attributed_visits.to_string(),
            opt(s.attribution_rate),
            currency.clone(),
            money(s.incentives.accrued_minor),
            money(s.incentives.paid_minor),
        ];
        out.row(
            std::iter::once(Cell::value((i + 1).to_string()))
                .chain(std::iter::once(Cell::text(s.dealer_code.clone())))
                .chain(values.into_iter().map(Cell::value)),
        )
        .map_err(ApiError::internal)?;
    }
    let body = out.into_inner().map_err(ApiError::internal)?;
    Ok(super::session::csv_download(
        &format!("scorecards-{}.csv", p.period),
        body,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsRequest {
    pub registrations: Option<f64>,
    /// 0 to 1.
    pub on_time_rate: Option<f64>,
    /// 0 to 1.
    pub contact_completeness: Option<f64>,
    pub attributed_visits: Option<f64>,
}

/// Set a dealer's targets for a period (only the metrics given change).
#[utoipa::path(put, path = "/v1/admin/dealers/{code}/targets/{period}", tag = "admin",
    params(("code" = String, Path), ("period" = String, Path)), request_body = TargetsRequest,
    responses((status = 200, description = "The period's targets", body = Vec<(String, f64)>),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn put_targets(
    State(state): State<AppState>,
    AdminKey(admin): AdminKey,
    Path((code, period)): Path<(String, String)>,
    Json(req): Json<TargetsRequest>,
) -> Result<axum::Json<Vec<(String, f64)>>, ApiError> {
    let dealer = state
        .store
        .dealer_by_code(&code)
        .await?
        .ok_or(ApiError::NotFound)?;
    let period = AccountingMonth::parse(&period)
        .ok_or_else(|| ApiError::field("period", "invalid_period", "must be YYYY-MM"))?
        .to_string();
    let given = [
        ("registrations", req.registrations, 1e9),
        ("on_time_rate", req.on_time_rate, 1.0),
        ("contact_completeness", req.contact_completeness, 1.0),
        ("attributed_visits", req.attributed_visits, 1e9),
    ];
    let mut errors = Vec::new();
    for (metric, value, max) in given {
        if let Some(v) = value
            && !(v.is_finite() && (0.0..=max).contains(&v))
        {
            errors.push(crate::domain::FieldError::new(
                metric,
                "out_of_range",
                format!("must be from 0 to {max}"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = state.clock.now();
    for (metric, value, _) in given {
        if let Some(v) = value {
            debug_assert!(METRICS.contains(&metric));
            state
                .store
                .set_target(dealer.id, &period, metric, v, now)
                .await?;
        }
    }
    tracing::info!(dealer = %code, %period, actor_key = %admin.key_id, "targets set");
    Ok(axum::Json(state.store.targets(dealer.id, &period).await?))
}

/// Fraud signals of a period, each with its evidence (nothing is acted upon automatically).
#[utoipa::path(get, path = "/v1/admin/fraud-signals", tag = "admin", params(PeriodParam),
    responses((status = 200, body = Vec<FraudSignal>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn fraud_signals(
    State(state): State<AppState>,
    _: AdminKey,
    Query(q): Query<PeriodParam>,
) -> Result<axum::Json<Vec<FraudSignal>>, ApiError> {
    let p = bounds(&state, q.period.as_deref())?;
    Ok(axum::Json(state.store.fraud_signals(&p).await?))
}
