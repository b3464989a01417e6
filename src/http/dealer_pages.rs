//! The dealer's web pages (server-rendered, no JavaScript): sign in with the dealership's key, the
//! counter form that registers a unit (field errors next to their fields, values kept), and the
//! scorecard with its 12-period trend charts (SVG) and the numbers beside them.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use charts_rs::{LineChart, Series};
use minijinja::{Value, context};
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;
use super::registrations::IncentiveView;
use super::scorecards::{bounds, scorecard_of, trailing_periods};
use super::session::{self, DEALER, Session};
use crate::domain::ledger::Money;
use crate::domain::registration::{ConsentRequest, CustomerRequest, RegistrationRequest};
use crate::domain::scorecard::Scorecard;
use crate::registration_csv::csv_field_name;
use crate::workflows::registration::IntakeError;

fn to_login() -> Response {
    Redirect::to("/dealer/login").into_response()
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, ApiError> {
    session::current(state, headers, DEALER).await
}

pub async fn login_form(State(state): State<AppState>) -> Response {
    session::login_page(&state, DEALER, StatusCode::OK, "dealer/login.html.j2", None)
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<session::LoginForm>,
) -> Result<Response, ApiError> {
    session::login(
        &state,
        &headers,
        DEALER,
        &form,
        "/dealer/counter",
        "dealer/login.html.j2",
        "That is not a valid dealer key.",
    )
    .await
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<session::CsrfForm>,
) -> Result<Response, ApiError> {
    session::logout(&state, &headers, DEALER, &form).await
}

async fn counter_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    registered: Option<Value>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let products: Vec<Value> = state
        .store
        .list_products()
        .await?
        .into_iter()
        .map(|p| context! { sku => p.sku, name => p.name })
        .collect();
    let ctx = context! {
        area => "dealer", signed_in => true, csrf => state.signer.csrf_token(&s.cookie), error => error,
        products => products, values => values, errors => errors, registered => registered,
    };
    Ok(session::render(
        state,
        status,
        "dealer/counter.html.j2",
        ctx,
    ))
}

pub async fn counter(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(s) = signed_in(&state, &headers).await? else {
        return Ok(to_login());
    };
    let dealer = s.dealer.as_ref().expect("dealer sessions have a dealer");
    let tz = crate::domain::contact::TimeZone::stored(&dealer.time_zone);
    let today = state
        .clock
        .now()
        .with_timezone(&tz)
        .date_naive()
        .to_string();
    let values = HashMap::from([
        ("purchase_date".to_owned(), today),
        ("consent_service_reminders".to_owned(), "true".to_owned()),
    ]);
    counter_page(
        &state,
        &s,
        StatusCode::OK,
        &values,
        &HashMap::new(),
        None,
        None,
    )
    .await
}

/// The form's fields, as typed; empty ones are absent.
fn form_field(form: &HashMap<String, String>, name: &str) -> Option<String> {
    form.get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let Some(s) = signed_in(&state, &headers).await? else {
        return Ok(to_login());
    };
    if !form
        .get("csrf")
        .is_some_and(|t| session::csrf_ok(&state, &s, t))
    {
        return Err(ApiError::Forbidden);
    }
    let dealer = s.dealer.clone().expect("dealer sessions have a dealer");
    let checked = |name: &str| Some(form.get(name).is_some_and(|v| v == "true" || v == "on"));
    let req = RegistrationRequest {
        serial_number: form_field(&form, "serial_number"),
        sku: form_field(&form, "sku"),
        purchase_date: form_field(&form, "purchase_date"),
        delivered_on: form_field(&form, "delivered_on"),
        installed_on: form_field(&form, "installed_on"),
        external_ref: None,
        customer: Some(CustomerRequest {
            name: form_field(&form, "customer_name"),
            email: form_field(&form, "customer_email"),
            phone: form_field(&form, "customer_phone"),
            locale: form_field(&form, "customer_locale"),
            time_zone: None,
            country: None,
            postal_code: None,
        }),
        consent: Some(ConsentRequest {
            service_reminders: checked("consent_service_reminders"),
            marketing: checked("consent_marketing"),
            manufacturer_marketing: None,
        }),
    };
    let mut values: HashMap<String, String> = form.clone();
    values.remove("csrf");
    match state.intake.register_and_commit(&dealer, &req).await {
        Ok(record) => {
            let incentive = record
                .incentive
                .as_deref()
                .map(IncentiveView::from_lines)
                .filter(|i| i.eligible);
            let registered = context! {
                serial_number => record.serial_number, sku => record.sku,
                warranty_expires_on => record.warranty_expires_on.to_string(),
                reminders => record.reminders.iter().filter(|r| r.status == "pending").count(),
                incentive => incentive.and_then(|i| i.currency.map(|c| Money::new(i.amount_minor, &c).to_string())),
            };
            let fresh = HashMap::from([
                (
                    "purchase_date".to_owned(),
                    values.get("purchase_date").cloned().unwrap_or_default(),
                ),
                (
                    "sku".to_owned(),
                    values.get("sku").cloned().unwrap_or_default(),
                ),
                ("consent_service_reminders".to_owned(), "true".to_owned()),
            ]);
            counter_page(
                &state,
                &s,
                StatusCode::CREATED,
                &fresh,
                &HashMap::new(),
                Some(registered),
                None,
            )
            .await
        }
        Err(IntakeError::Invalid(field_errors)) => {
            let mut errors = HashMap::new();
            for e in field_errors {
                errors.entry(csv_field_name(&e.field)).or_insert(e.message);
            }
            counter_page(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
                None,
                Some("Please correct the marked fields.".into()),
            )
            .await
        }
        Err(IntakeError::Duplicate { own }) => {
            let message = match own {
                Some(_) => "You have already registered this serial number.",
                None => "This serial number is already registered.",
            };
            let errors = HashMap::from([("serial_number".to_owned(), message.to_owned())]);
            counter_page(
                &state,
                &s,
                StatusCode::CONFLICT,
                &values,
                &errors,
                None,
                Some(message.into()),
            )
            .await
        }
        Err(IntakeError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// A 12-period line chart of one figure against its target (SVG, no JavaScript).
fn chart(title: &str, periods: &[String], actual: Vec<f32>, target: Option<Vec<f32>>) -> Value {
    let has_target = target.is_some();
    let mut series = vec![Series::new("actual".into(), actual)];
    if let Some(target) = target {
        series.push(Series::new("target".into(), target));
    }
    let mut line = LineChart::new(series, periods.iter().map(|p| p[2..].to_owned()).collect());
    line.title_text = title.to_owned();
    line.title_align = charts_rs::Align::Left;
    line.legend_align = charts_rs::Align::Right;
    // A legend is only worth its space when there is a target line to tell apart.
    line.legend_show = Some(has_target);
    line.width = 480.0;
    line.height = 260.0;
    let svg = line.svg().unwrap_or_default();
    context! { svg => svg, caption => format!("{title}: the last 12 periods, actual against target") }
}

pub async fn scorecard(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let Some(s) = signed_in(&state, &headers).await? else {
        return Ok(to_login());
    };
    let dealer = s.dealer.clone().expect("dealer sessions have a dealer");
    let p = match bounds(&state, q.period.as_deref().filter(|p| !p.is_empty())) {
        Ok(p) => p,
        Err(_) => bounds(&state, None)?,
    };
    let card = scorecard_of(&state, dealer.id, &dealer.code, &p).await?;
    let mut trend: Vec<Scorecard> = Vec::new();
    for period in trailing_periods(&state, &p, 12)? {
        trend.push(scorecard_of(&state, dealer.id, &dealer.code, &period).await?);
    }
    let periods: Vec<String> = trend.iter().map(|c| c.period.clone()).collect();
    let target_of = |c: &Scorecard, metric: &str| {
        c.targets
            .iter()
            .find(|t| t.metric == metric)
            .map(|t| t.target as f32)
    };
    let series = |f: &dyn Fn(&Scorecard) -> f32, metric: &str| {
        let targets: Vec<Option<f32>> = trend.iter().map(|c| target_of(c, metric)).collect();
        let any_target = targets.iter().any(Option::is_some);
        (
            trend.iter().map(f).collect::<Vec<_>>(),
            any_target.then(|| targets.into_iter().map(|t| t.unwrap_or(0.0)).collect()),
        )
    };
    let mut charts = Vec::new();
    for (title, metric, f) in [
        (
            "Registrations",
            "registrations",
            &(|c: &Scorecard| c.registrations as f32) as &dyn Fn(&Scorecard) -> f32,
        ),
        ("On-time rate", "on_time_rate", &|c: &Scorecard| {
            c.on_time_rate.unwrap_or(0.0) as f32
        }),
        (
            "Contact completeness",
            "contact_completeness",
            &|c: &Scorecard| c.contact_completeness.unwrap_or(0.0) as f32,
        ),
        (
            "Attributed visits",
            "attributed_visits",
            &|c: &Scorecard| c.attributed_visits as f32,
        ),
    ] {
        let (actual, target) = series(f, metric);
        charts.push(chart(title, &periods, actual, target));
    }
    let currency = card.incentives.currency.clone();
    let money = |m: i64| {
        currency
            .as_ref()
            .map_or_else(|| "–".to_owned(), |c| Money::new(m, c).to_string())
    };
    let ctx = context! {
        area => "dealer", signed_in => true, csrf => state.signer.csrf_token(&s.cookie), error => (),
        card => Value::from_serialize(&card), trend => Value::from_serialize(&trend), charts => charts,
        money => context! {
            accrued => money(card.incentives.accrued_minor), held => money(card.incentives.held_minor), approved => money(card.incentives.approved_minor), paid => money(card.incentives.paid_minor),
        },
    };
    Ok(session::render(
        &state,
        StatusCode::OK,
        "dealer/scorecard.html.j2",
        ctx,
    ))
}
