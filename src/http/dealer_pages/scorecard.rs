//! The dealer's scorecard: figures in words, targets, and 12-period trend charts with their
//! numbers as a text alternative.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use crate::domain::scorecard::Scorecard;
use crate::http::AppState;
use crate::http::charts::{self, Chart, Unit};
use crate::http::error::ApiError;
use crate::http::present;
use crate::http::scorecards::{bounds, scorecard_of, trailing_periods};
use crate::http::session::{self, DealerUser};

#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// One trend chart and the numbers it draws (its text alternative).
fn chart(
    lang: &str,
    id: &str,
    title: &str,
    labels: &[String],
    actual: Vec<Option<f64>>,
    target: Option<Vec<Option<f64>>>,
    unit: Unit,
) -> Value {
    let (actual_label, target_label) = if lang == "fr" {
        ("Réel", "Objectif")
    } else {
        ("Actual", "Target")
    };
    let description = match (lang, target.is_some()) {
        ("fr", true) => format!("{title} sur les 12 dernières périodes, avec l'objectif"),
        ("fr", false) => format!("{title} sur les 12 dernières périodes (aucun objectif fixé)"),
        (_, true) => format!("{title} over the last 12 periods, with the target"),
        (_, false) => format!("{title} over the last 12 periods (no target set)"),
    };
    let svg = charts::render(
        &Chart {
            id,
            title,
            labels,
            actual: &actual,
            target: target.as_deref(),
            unit,
            actual_label,
            target_label,
            description: &description,
        },
        lang,
    );
    let rows: Vec<Value> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            context! {
                period => label,
                actual => actual[i].map(|v| unit.format(v, lang)),
                target => target.as_ref().and_then(|t| t[i]).map(|v| unit.format(v, lang)),
            }
        })
        .collect();
    context! { id, title, svg, caption => description, rows, has_target => target.is_some() }
}

/// One period of the scorecard's trend, as its charts draw it.
#[derive(Debug, Clone, Default)]
pub struct TrendPoint {
    pub period: String,
    /// `None` for a month before the dealer joined (no data, not zero).
    pub registrations: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub contact_completeness: Option<f64>,
    pub attributed_visits: Option<f64>,
    /// (metric, target) agreed for the period.
    pub targets: Vec<(String, f64)>,
}

impl From<&Scorecard> for TrendPoint {
    fn from(c: &Scorecard) -> Self {
        Self {
            period: c.period.clone(),
            registrations: Some(c.registrations as f64),
            on_time_rate: c.on_time_rate,
            contact_completeness: c.contact_completeness,
            attributed_visits: Some(c.attributed_visits as f64),
            targets: c
                .targets
                .iter()
                .map(|t| (t.metric.clone(), t.target))
                .collect(),
        }
    }
}

/// The scorecard's charts over `trend` (oldest first).
pub fn scorecard_charts(trend: &[TrendPoint], lang: &str) -> Vec<Value> {
    let labels: Vec<String> = trend
        .iter()
        .map(|c| charts::month_label(&c.period, lang))
        .collect();
    let target_of =
        |c: &TrendPoint, metric: &str| c.targets.iter().find(|t| t.0 == metric).map(|t| t.1);
    let fr = lang == "fr";
    let specs: [(&str, &str, &str, Unit, fn(&TrendPoint) -> Option<f64>); 4] = [
        (
            "registrations",
            if fr {
                "Enregistrements"
            } else {
                "Registrations"
            },
            "registrations",
            Unit::Count,
            |c| c.registrations,
        ),
        (
            "on-time",
            if fr {
                "Taux dans les délais"
            } else {
                "On-time rate"
            },
            "on_time_rate",
            Unit::Rate,
            |c| c.on_time_rate,
        ),
        (
            "completeness",
            if fr {
                "Coordonnées complètes"
            } else {
                "Contact completeness"
            },
            "contact_completeness",
            Unit::Rate,
            |c| c.contact_completeness,
        ),
        (
            "visits",
            if fr {
                "Visites attribuées"
            } else {
                "Attributed visits"
            },
            "attributed_visits",
            Unit::Count,
            |c| c.attributed_visits,
        ),
    ];
    specs
        .iter()
        .map(|(id, title, metric, unit, f)| {
            let actual: Vec<Option<f64>> = trend.iter().map(f).collect();
            let targets: Vec<Option<f64>> = trend.iter().map(|c| target_of(c, metric)).collect();
            let target = targets.iter().any(Option::is_some).then_some(targets);
            chart(lang, id, title, &labels, actual, target, *unit)
        })
        .collect()
}

pub async fn scorecard(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let dealer = s.dealer().clone();
    let lang = s.lang();
    let p = match bounds(&state, q.period.as_deref().filter(|p| !p.is_empty())) {
        Ok(p) => p,
        Err(_) => bounds(&state, None)?,
    };
    let card = scorecard_of(&state, dealer.id, &dealer.code, &p).await?;
    let mut trend: Vec<Scorecard> = Vec::new();
    for period in trailing_periods(&state, &p, 12)? {
        trend.push(scorecard_of(&state, dealer.id, &dealer.code, &period).await?);
    }
    // Months before the dealer joined have no data: gaps, not zeros.
    let joined = state.store.dealer_by_code(&dealer.code).await?.map(|d| {
        crate::domain::ledger::AccountingMonth::of(
            d.created_at,
            state.settings.ledger.manufacturer_tz,
        )
        .to_string()
    });
    let points: Vec<TrendPoint> = trend
        .iter()
        .map(|c| {
            if joined.as_deref().is_some_and(|j| c.period.as_str() < j) {
                TrendPoint {
                    period: c.period.clone(),
                    ..Default::default()
                }
            } else {
                TrendPoint::from(c)
            }
        })
        .collect();
    let charts = scorecard_charts(&points, lang);
    let money = |m: i64| {
        card.incentives
            .currency
            .as_ref()
            .map_or_else(|| "–".to_owned(), |c| present::money(m, c, lang))
    };
    let pct = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| Unit::Rate.format(v, lang));
    let targets: Vec<Value> = card
        .targets
        .iter()
        .map(|t| {
            let rate = t.metric.ends_with("_rate") || t.metric == "contact_completeness";
            let fmt = |v: f64| {
                if rate {
                    Unit::Rate.format(v, lang)
                } else {
                    format!("{v:.0}")
                }
            };
            context! {
                metric => &t.metric, target => fmt(t.target), actual => fmt(t.actual),
                attainment => pct(t.attainment), met => t.attainment.is_some_and(|a| a >= 1.0),
            }
        })
        .collect();
    let periods = crate::http::scorecards::period_choices(&state, lang)?;
    Ok(session::page(
        &state,
        &s,
        "/dealer/scorecard",
        StatusCode::OK,
        "dealer/scorecard.html.j2",
        context! {
            period => &card.period, period_name => charts::month_name(&card.period, lang), periods => periods,
            card => context! {
                registrations => card.registrations, voided => card.voided,
                on_time => pct(card.on_time_rate), completeness => pct(card.contact_completeness),
                median_days => card.median_days_to_register.map(|d| format!("{d:.0}")),
                rejected => card.rejected_submissions, duplicates => card.duplicate_submissions,
                sent => card.reminders.sent, bounced => card.reminders.bounced, clicked => card.reminders.clicked,
                visits => card.attributed_visits, attribution => pct(card.attribution_rate),
                manufacturer_on_time => pct(card.manufacturer.reminders_on_time_rate),
            },
            money => context! {
                accrued => money(card.incentives.accrued_minor), held => money(card.incentives.held_minor),
                approved => money(card.incentives.approved_minor), paid => money(card.incentives.paid_minor),
            },
            targets => targets, charts => charts,
        },
    ))
}
