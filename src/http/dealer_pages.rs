//! The dealer portal: home, the counter form (scanner-friendly, one registration per submission
//! even on a double click), the customer's receipt, the registrations list and each
//! registration's page (reminders, consent, incentive; void), the dealer's statements, the
//! scorecard with its trend charts, and the team (managers invite their staff).

use std::collections::HashMap;

use axum::Form;
use chrono::Datelike;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AppState;
use super::charts::{self, Chart, Unit};
use super::error::ApiError;
use super::present;
use super::scorecards::{bounds, scorecard_of, trailing_periods};
use super::session::{self, DealerUser, Session};
use crate::domain::catalog::WarrantyStart;
use crate::domain::contact::TimeZone;
use crate::domain::registration::{ConsentRequest, CustomerRequest, RegistrationRequest};
use crate::domain::scorecard::Scorecard;
use crate::registration_csv::csv_field_name;
use crate::store::IdempotencyBegin;
use crate::store::portal::RegistrationSearch;
use crate::workflows::registration::IntakeError;

const PER_PAGE: i64 = 25;

fn tz(s: &Session) -> chrono_tz::Tz {
    TimeZone::stored(&s.dealer().time_zone)
}

fn today(state: &AppState, s: &Session) -> chrono::NaiveDate {
    state.clock.now().with_timezone(&tz(s)).date_naive()
}

/// `/dealer`: this month's figures, what waits for customers, the latest registrations.
pub async fn home(State(state): State<AppState>, DealerUser(s): DealerUser) -> Result<Response, ApiError> {
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

fn summary_view(r: &crate::store::portal::RegistrationSummary, lang: &str) -> Value {
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
async fn product_choices(state: &AppState) -> Result<Vec<Value>, ApiError> {
    Ok(state
        .store
        .list_products()
        .await?
        .into_iter()
        .map(|p| {
            let needs = match WarrantyStart::parse(&p.warranty_start) {
                Some(WarrantyStart::Delivery) => "delivered_on",
                Some(WarrantyStart::Installation) => "installed_on",
                _ => "",
            };
            context! { sku => p.sku, name => p.name, needs => needs }
        })
        .collect())
}

#[derive(Deserialize, Default)]
pub struct CounterQuery {
    done: Option<String>,
}

async fn counter_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    done: Option<Value>,
) -> Result<Response, ApiError> {
    let dealer = state.store.dealer_by_code(&s.dealer().code).await?;
    let products = product_choices(state).await?;
    // A fresh nonce per form: the same submission twice (a double click) registers once.
    let ctx = context! {
        products => products, values => values, errors => errors, done => done,
        submission => session::random_token(),
        dealer_country => dealer.as_ref().and_then(|d| d.country.clone()),
        privacy_url => &state.config.privacy_url,
        languages => crate::templating::LANGUAGES,
        order => ["serial_number", "sku", "purchase_date", "delivered_on", "installed_on", "external_ref", "customer_name", "customer_email", "customer_phone", "customer_postal_code", "customer_country", "customer_locale", "customer"],
    };
    Ok(session::page(state, s, "/dealer/register", status, "dealer/counter.html.j2", ctx))
}

pub async fn counter(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Query(q): Query<CounterQuery>,
) -> Result<Response, ApiError> {
    let values = HashMap::from([(
        "purchase_date".to_owned(),
        today(&state, &s).to_string(),
    )]);
    let done = match q.done.as_deref().and_then(|id| id.parse::<Uuid>().ok()) {
        Some(id) => match state.store.registration_for_dealer(s.dealer().id, id).await? {
            Some(record) => Some(done_view(&state, &s, &record).await?),
            None => None,
        },
        None => None,
    };
    counter_page(&state, &s, StatusCode::OK, &values, &HashMap::new(), done).await
}

/// What the counter shows after a registration: the unit, its warranty, what the dealer earned
/// and that it is held until the customer confirms.
async fn done_view(
    _state: &AppState,
    s: &Session,
    record: &crate::store::RegistrationRecord,
) -> Result<Value, ApiError> {
    let lang = s.lang();
    let lines = record.incentive.clone().unwrap_or_default();
    let currency = lines.first().map(|l| l.currency.clone());
    let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
    let held = lines.iter().any(|l| l.held);
    Ok(context! {
        id => record.id.to_string(),
        serial => record.serial_display.clone().unwrap_or_else(|| record.serial_number.clone()),
        sku => &record.sku,
        warranty_expires_on => present::date(record.warranty_expires_on, lang),
        reminders => record.reminders.iter().filter(|r| r.status == "pending" && r.kind != "registration_confirmation").count(),
        confirmation => record.customer.email.is_some(),
        incentive => currency.filter(|_| total != 0).map(|c| present::money(total, &c, lang)),
        held => held,
    })
}

fn form_field(form: &HashMap<String, String>, name: &str) -> Option<String> {
    form.get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The product the clerk typed or picked: a SKU, or a product's exact name.
fn resolve_sku(typed: Option<String>, products: &[crate::store::ProductRecord]) -> Option<String> {
    let typed = typed?;
    let hit = products
        .iter()
        .find(|p| p.sku.eq_ignore_ascii_case(&typed))
        .or_else(|| products.iter().find(|p| p.name.eq_ignore_ascii_case(&typed)))
        .or_else(|| {
            products
                .iter()
                .find(|p| typed.ends_with(&format!("({})", p.sku)))
        });
    Some(hit.map_or(typed, |p| p.sku.clone()))
}

/// A phone typed the way the clerk's country writes it (`07700 900123`), as E.164; left as typed
/// when it cannot be read (validation then names the field). Numbers that parse are taken even when
/// the metadata does not know their range yet (new ranges open faster than it is updated).
fn phone_e164(typed: Option<String>, country: Option<&str>) -> Option<String> {
    let typed = typed?;
    let region = country.and_then(|c| c.parse::<phonenumber::country::Id>().ok());
    match phonenumber::parse(region, &typed) {
        Ok(number) => Some(
            number
                .format()
                .mode(phonenumber::Mode::E164)
                .to_string(),
        ),
        Err(_) => Some(typed),
    }
}

pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, form.get("csrf").map_or("", String::as_str))?;
    let dealer = s.dealer().clone();
    let dealer_record = state.store.dealer_by_code(&dealer.code).await?;
    let dealer_country = dealer_record.as_ref().and_then(|d| d.country.clone());
    let products = state.store.list_products().await?;
    let checked = |name: &str| Some(form.get(name).is_some_and(|v| v == "true" || v == "on"));
    let customer_country = form_field(&form, "customer_country").map(|c| c.to_uppercase());
    let req = RegistrationRequest {
        serial_number: form_field(&form, "serial_number"),
        sku: resolve_sku(form_field(&form, "sku"), &products),
        purchase_date: form_field(&form, "purchase_date"),
        delivered_on: form_field(&form, "delivered_on"),
        installed_on: form_field(&form, "installed_on"),
        external_ref: form_field(&form, "external_ref"),
        customer: Some(CustomerRequest {
            name: form_field(&form, "customer_name"),
            email: form_field(&form, "customer_email"),
            phone: phone_e164(
                form_field(&form, "customer_phone"),
                customer_country.as_deref().or(dealer_country.as_deref()),
            ),
            locale: form_field(&form, "customer_locale"),
            time_zone: None,
            country: customer_country,
            postal_code: form_field(&form, "customer_postal_code"),
        }),
        consent: Some(ConsentRequest {
            service_reminders: checked("consent_service_reminders"),
            marketing: checked("consent_marketing"),
            manufacturer_marketing: None,
        }),
    };
    let mut values: HashMap<String, String> = form.clone();
    values.remove("csrf");
    let submission = values.remove("submission").unwrap_or_default();
    // One registration per submitted form: a second post of the same form (a double click, a
    // reload) gets the first one's answer.
    let key = format!("page:{}", submission.chars().take(64).collect::<String>());
    let hash = {
        let mut fields: Vec<_> = values.iter().collect();
        fields.sort();
        hex::encode(Sha256::digest(format!("{fields:?}").as_bytes()))
    };
    if !submission.is_empty() {
        for _ in 0..50 {
            match state
                .store
                .idempotency_begin(dealer.id, &key, &hash, state.clock.now())
                .await?
            {
                IdempotencyBegin::Claimed => break,
                IdempotencyBegin::Replay { body, .. } => {
                    let id = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned))
                        .unwrap_or_default();
                    return Ok(Redirect::to(&format!("/dealer/register?done={id}")).into_response());
                }
                IdempotencyBegin::Mismatch => break,
                IdempotencyBegin::InFlight => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    }
    let registered = async {
        let mut registered = state.intake.register(&dealer, &req).await?;
        if !submission.is_empty() {
            let body = serde_json::json!({ "id": registered.record.id }).to_string();
            registered.save_answer(dealer.id, &key, 201, &body).await?;
        }
        Ok::<_, IntakeError>(registered.commit().await?)
    };
    let outcome = registered.await;
    if outcome.is_err()
        && !submission.is_empty()
        && let Err(e) = state.store.idempotency_release(dealer.id, &key).await
    {
        tracing::warn!(error = %e, "could not release the form's submission key");
    }
    match outcome {
        Ok(record) => {
            tracing::info!(registration_id = %record.id, account = ?dealer.actor, "registered at the counter");
            Ok(Redirect::to(&format!("/dealer/register?done={}", record.id)).into_response())
        }
        Err(IntakeError::Invalid(field_errors)) => {
            let mut errors = HashMap::new();
            for e in field_errors {
                let name = match csv_field_name(&e.field).as_str() {
                    "customer_email" | "customer_phone" if e.code == "contact_required" => "customer".to_owned(),
                    other => other.to_owned(),
                };
                // In the clerk's language, by the error's code; the rule's own words otherwise.
                let message = super::pages::text(s.lang(), &format!("err-{}", e.code), &HashMap::new())
                    .unwrap_or(e.message);
                errors.entry(name).or_insert(message);
            }
            counter_page(&state, &s, StatusCode::UNPROCESSABLE_ENTITY, &values, &errors, None).await
        }
        Err(IntakeError::Duplicate { own }) => {
            let message = match (own, s.lang()) {
                (Some(_), "fr") => "Vous avez déjà enregistré ce numéro de série.",
                (Some(_), _) => "You have already registered this serial number.",
                (None, "fr") => "Ce numéro de série est déjà enregistré.",
                (None, _) => "This serial number is already registered.",
            };
            let errors = HashMap::from([("serial_number".to_owned(), message.to_owned())]);
            counter_page(&state, &s, StatusCode::CONFLICT, &values, &errors, None).await
        }
        Err(IntakeError::Store(e)) => Err(e.into()),
    }
}

async fn own_registration(
    state: &AppState,
    s: &Session,
    id: &str,
) -> Result<crate::store::RegistrationRecord, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    state
        .store
        .registration_for_dealer(s.dealer().id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The registration as its pages show it.
async fn registration_view(
    state: &AppState,
    s: &Session,
    r: &crate::store::RegistrationRecord,
    lang: &str,
) -> Result<Value, ApiError> {
    let tz = tz(s);
    let product = state.store.product_by_sku(&r.sku).await?;
    let names = present::names(&state.store, [r.registered_by, r.voided_by]).await?;
    let who = |id: Option<Uuid>| id.and_then(|id| names.get(&id).cloned());
    let reminders: Vec<Value> = r
        .reminders
        .iter()
        .map(|m| {
            context! {
                kind => &m.kind, status => &m.status,
                due => present::date(m.due_at.with_timezone(&tz).date_naive(), lang),
            }
        })
        .collect();
    let consent = r.consent.as_ref().map(|c| {
        context! { service_reminders => c.service_reminders, marketing => c.marketing }
    });
    let lines: Vec<Value> = r
        .incentive
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|l| {
            context! {
                kind => &l.kind, program => format!("{} v{}", l.program_id, l.program_version),
                amount => present::money(l.amount_minor, &l.currency, lang), held => l.held, capped => l.reason.as_deref() == Some("capped"),
            }
        })
        .collect();
    Ok(context! {
        id => r.id.to_string(),
        serial => r.serial_display.clone().unwrap_or_else(|| r.serial_number.clone()),
        sku => &r.sku, product => product.map(|p| p.name),
        purchase_date => present::date(r.purchase_date, lang),
        delivered_on => r.delivered_on.map(|d| present::date(d, lang)),
        installed_on => r.installed_on.map(|d| present::date(d, lang)),
        warranty_starts_on => present::date(r.warranty_starts_on, lang),
        warranty_start_basis => &r.warranty_start_basis,
        warranty_expires_on => present::date(r.warranty_expires_on, lang),
        reference => &r.external_ref, status => &r.status, void_reason => &r.void_reason,
        voided_at => r.voided_at.map(|t| present::time(t, tz, lang)),
        created_at => present::time(r.created_at, tz, lang),
        registered_by => who(r.registered_by), voided_by => who(r.voided_by),
        customer => context! {
            name => &r.customer.name, email => &r.customer.email, phone => &r.customer.phone,
            postal_code => &r.customer.postal_code, country => &r.customer.country,
        },
        reminders => reminders, consent => consent, lines => lines,
    })
}

pub async fn registration(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let r = own_registration(&state, &s, &id).await?;
    let verified = state
        .store
        .registration_verified(r.id)
        .await?
        .map(|t| present::time(t, tz(&s), s.lang()));
    let view = registration_view(&state, &s, &r, s.lang()).await?;
    Ok(session::page(
        &state,
        &s,
        "/dealer/registrations",
        StatusCode::OK,
        "dealer/registration.html.j2",
        context! { r => view, verified => verified, errors => context! {}, values => context! {} },
    ))
}

pub async fn receipt(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let r = own_registration(&state, &s, &id).await?;
    // The receipt is the customer's: in their language.
    let receipt_lang = crate::templating::language([r.customer.locale.as_str()]);
    let view = registration_view(&state, &s, &r, receipt_lang).await?;
    let dealer = state.store.dealer_by_code(&s.dealer().code).await?;
    Ok(session::page(
        &state,
        &s,
        "/dealer/registrations",
        StatusCode::OK,
        "dealer/receipt.html.j2",
        context! {
            r => view, receipt_lang,
            dealer => dealer.map(|d| context! { name => d.name, address => d.address, phone => d.phone, email => d.email }),
        },
    ))
}

#[derive(Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    confirm: Option<String>,
}

pub async fn void(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
    Form(form): Form<VoidForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let r = own_registration(&state, &s, &id).await?;
    let reason = crate::domain::field::clean_text(&form.reason, 500).ok().filter(|r| !r.is_empty());
    let mut errors = HashMap::new();
    if reason.is_none() {
        errors.insert("reason", if s.lang() == "fr" { "Indiquez pourquoi cet enregistrement est annulé." } else { "Say why this registration is voided." });
    }
    if form.confirm.is_none() {
        errors.insert("confirm", if s.lang() == "fr" { "Cochez la case pour confirmer l'annulation." } else { "Tick the box to confirm the void." });
    }
    if !errors.is_empty() {
        let verified = state
        .store
        .registration_verified(r.id)
        .await?
        .map(|t| present::time(t, tz(&s), s.lang()));
        let view = registration_view(&state, &s, &r, s.lang()).await?;
        return Ok(session::page(
            &state,
            &s,
            "/dealer/registrations",
            StatusCode::UNPROCESSABLE_ENTITY,
            "dealer/registration.html.j2",
            context! { r => view, verified => verified, errors => errors, values => context! { reason => form.reason } },
        ));
    }
    state
        .intake
        .void(s.dealer(), r.id, reason.as_deref())
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(registration_id = %r.id, account = %s.account.id, "registration voided on the page");
    Ok(Redirect::to(&format!("/dealer/registrations/{}?voided=1", r.id)).into_response())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    confirmed: Option<String>,
    page: Option<i64>,
}

pub async fn registrations(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let status = q.status.clone().filter(|v| v == "active" || v == "voided");
    let confirmed = match q.confirmed.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let search = RegistrationSearch {
        text: q.q.clone().filter(|t| !t.trim().is_empty()),
        status: status.clone(),
        confirmed,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let (rows, total) = state.store.dealer_registrations(s.dealer().id, &search).await?;
    let lang = s.lang();
    let rows: Vec<Value> = rows.iter().map(|r| summary_view(r, lang)).collect();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    Ok(session::page(
        &state,
        &s,
        "/dealer/registrations",
        StatusCode::OK,
        "dealer/registrations.html.j2",
        context! {
            rows => rows, total => total, page => page, pages => pages,
            first => if total == 0 { 0 } else { (page - 1) * PER_PAGE + 1 }, last => ((page - 1) * PER_PAGE + PER_PAGE).min(total),
            q => q.q.unwrap_or_default(), status => status, confirmed => q.confirmed,
        },
    ))
}

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
    let (actual_label, target_label) = if lang == "fr" { ("Réel", "Objectif") } else { ("Actual", "Target") };
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
    pub registrations: f64,
    pub on_time_rate: Option<f64>,
    pub contact_completeness: Option<f64>,
    pub attributed_visits: f64,
    /// (metric, target) agreed for the period.
    pub targets: Vec<(String, f64)>,
}

impl From<&Scorecard> for TrendPoint {
    fn from(c: &Scorecard) -> Self {
        Self {
            period: c.period.clone(),
            registrations: c.registrations as f64,
            on_time_rate: c.on_time_rate,
            contact_completeness: c.contact_completeness,
            attributed_visits: c.attributed_visits as f64,
            targets: c.targets.iter().map(|t| (t.metric.clone(), t.target)).collect(),
        }
    }
}

/// The scorecard's charts over `trend` (oldest first).
pub fn scorecard_charts(trend: &[TrendPoint], lang: &str) -> Vec<Value> {
    let labels: Vec<String> = trend.iter().map(|c| charts::month_label(&c.period, lang)).collect();
    let target_of = |c: &TrendPoint, metric: &str| c.targets.iter().find(|t| t.0 == metric).map(|t| t.1);
    let fr = lang == "fr";
    let specs: [(&str, &str, &str, Unit, fn(&TrendPoint) -> Option<f64>); 4] = [
        ("registrations", if fr { "Enregistrements" } else { "Registrations" }, "registrations", Unit::Count, |c| Some(c.registrations)),
        ("on-time", if fr { "Taux dans les délais" } else { "On-time rate" }, "on_time_rate", Unit::Rate, |c| c.on_time_rate),
        ("completeness", if fr { "Coordonnées complètes" } else { "Contact completeness" }, "contact_completeness", Unit::Rate, |c| c.contact_completeness),
        ("visits", if fr { "Visites attribuées" } else { "Attributed visits" }, "attributed_visits", Unit::Count, |c| Some(c.attributed_visits)),
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
    let points: Vec<TrendPoint> = trend.iter().map(TrendPoint::from).collect();
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
            let fmt = |v: f64| if rate { Unit::Rate.format(v, lang) } else { format!("{v:.0}") };
            context! {
                metric => &t.metric, target => fmt(t.target), actual => fmt(t.actual),
                attainment => pct(t.attainment), met => t.attainment.is_some_and(|a| a >= 1.0),
            }
        })
        .collect();
    let periods: Vec<Value> = trailing_periods(&state, &bounds(&state, None)?, 12)?
        .iter()
        .rev()
        .map(|b| context! { value => &b.period, label => charts::month_name(&b.period, lang) })
        .collect();
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

// The team: a manager invites the dealer's staff and disables those who left.

pub async fn team(State(state): State<AppState>, DealerUser(s): DealerUser) -> Result<Response, ApiError> {
    team_page(&state, &s, StatusCode::OK, &HashMap::new(), &HashMap::new(), None).await
}

async fn team_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    notice: Option<&str>,
) -> Result<Response, ApiError> {
    if !s.role.manages_dealer() {
        return Err(ApiError::Forbidden);
    }
    let people = super::admin_pages::people_view(state, s, Some(s.dealer().id)).await?;
    Ok(session::page(
        state,
        s,
        "/dealer/team",
        status,
        "dealer/team.html.j2",
        context! { people => people, values => values, errors => errors, notice => notice, roles => ["dealer_staff", "dealer_manager"] },
    ))
}

pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, form.get("csrf").map_or("", String::as_str))?;
    if !s.role.manages_dealer() {
        return Err(ApiError::Forbidden);
    }
    match super::admin_pages::invite_from_form(&state, &s, &form, Some(s.dealer().id)).await? {
        Ok(()) => {
            let notice = if s.lang() == "fr" { "Invitation envoyée." } else { "Invitation sent." };
            team_page(&state, &s, StatusCode::OK, &HashMap::new(), &HashMap::new(), Some(notice)).await
        }
        Err(errors) => {
            let mut values = form.clone();
            values.remove("csrf");
            team_page(&state, &s, StatusCode::UNPROCESSABLE_ENTITY, &values, &errors, None).await
        }
    }
}

pub async fn person_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<session::CsrfForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    if !s.role.manages_dealer() {
        return Err(ApiError::Forbidden);
    }
    super::admin_pages::apply_person_action(&state, &s, &id, &action, Some(s.dealer().id)).await?;
    Ok(Redirect::to("/dealer/team").into_response())
}
