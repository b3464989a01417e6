//! A dealer's registrations: the list (search, filters, pages), each registration's page
//! (reminders, consent, incentive), the customer's receipt, and void.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::{PER_PAGE, summary_view, tz};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::present;
use crate::http::session::{self, DealerUser, Session};
use crate::store::portal::RegistrationSearch;

pub(super) async fn own_registration(
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
                kind => &m.kind, status => &m.status, channel => &m.channel,
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
                amount => present::money(l.amount_minor, &l.currency, lang), held => l.held, proof => l.needs_proof, capped => l.reason.as_deref() == Some("capped"),
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

#[derive(Deserialize, Default)]
pub struct RegistrationQuery {
    corrected: Option<String>,
    proof: Option<String>,
    claimed: Option<String>,
}

/// The correction form's values: the registration as it is (or the dealer's rejected input), and
/// its version; `None` past the dealer's correction window.
fn edit_values(
    state: &AppState,
    r: &crate::store::RegistrationRecord,
    typed: Option<&HashMap<String, String>>,
) -> Option<Value> {
    let days = state.settings.correction_days;
    if state.clock.now() > r.created_at + chrono::Duration::days(days) {
        return None;
    }
    let from = |name: &str, current: Option<String>| match typed {
        Some(t) => t.get(name).cloned(),
        None => current,
    };
    Some(context! {
        days, etag => crate::workflows::correction::etag(r),
        customer_name => from("customer_name", r.customer.name.clone()),
        customer_email => from("customer_email", r.customer.email.clone()),
        customer_phone => from("customer_phone", r.customer.phone.clone()),
        customer_postal_code => from("customer_postal_code", r.customer.postal_code.clone()),
        purchase_date => from("purchase_date", Some(r.purchase_date.to_string())),
        delivered_on => from("delivered_on", r.delivered_on.map(|d| d.to_string())),
        installed_on => from("installed_on", r.installed_on.map(|d| d.to_string())),
        external_ref => from("external_ref", r.external_ref.clone()),
    })
}

pub(super) async fn registration_page(
    state: &AppState,
    s: &Session,
    r: &crate::store::RegistrationRecord,
    status: StatusCode,
    errors: HashMap<String, String>,
    typed: Option<&HashMap<String, String>>,
    corrected: bool,
) -> Result<Response, ApiError> {
    registration_page_with(state, s, r, status, errors, typed, corrected, None).await
}

/// The registration page with a notice of what just happened (`proof`, `claimed`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn registration_page_with(
    state: &AppState,
    s: &Session,
    r: &crate::store::RegistrationRecord,
    status: StatusCode,
    errors: HashMap<String, String>,
    typed: Option<&HashMap<String, String>>,
    corrected: bool,
    notice: Option<&str>,
) -> Result<Response, ApiError> {
    let verified = state
        .store
        .registration_verified(r.id)
        .await?
        .map(|t| present::time(t, tz(s), s.lang()));
    let view = registration_view(state, s, r, s.lang()).await?;
    let proof = state
        .store
        .latest_proof(r.id, None)
        .await?
        .map(|p| present::date(p.created_at.with_timezone(&tz(s)).date_naive(), s.lang()));
    Ok(session::page(
        state,
        s,
        "/dealer/registrations",
        status,
        "dealer/registration.html.j2",
        context! {
            r => view, verified, errors, values => context! {}, corrected, proof,
            proof_saved => notice == Some("proof"), claimed => notice == Some("claimed"),
            edit => edit_values(state, r, typed),
        },
    ))
}

pub async fn registration(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
    Query(q): Query<RegistrationQuery>,
) -> Result<Response, ApiError> {
    let r = own_registration(&state, &s, &id).await?;
    let notice = if q.proof.is_some() {
        Some("proof")
    } else if q.claimed.is_some() {
        Some("claimed")
    } else {
        None
    };
    registration_page_with(
        &state,
        &s,
        &r,
        StatusCode::OK,
        HashMap::new(),
        None,
        q.corrected.is_some(),
        notice,
    )
    .await
}

/// `POST /dealer/registrations/{id}/correct`: the correction form.
pub async fn correct(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(
        &state,
        &headers,
        &s,
        form.get("csrf").map_or("", String::as_str),
    )?;
    let r = own_registration(&state, &s, &id).await?;
    let field = |name: &str| form.get(name).map(|v| v.trim().to_owned());
    let phone = crate::http::dealer_pages::phone_e164(
        field("customer_phone").filter(|p| !p.is_empty()),
        r.customer.country.as_deref(),
    )
    .or_else(|| field("customer_phone"));
    let req = crate::workflows::correction::CorrectionRequest {
        purchase_date: field("purchase_date"),
        delivered_on: field("delivered_on"),
        installed_on: field("installed_on"),
        external_ref: field("external_ref"),
        customer: Some(crate::workflows::correction::CustomerCorrection {
            name: field("customer_name"),
            email: field("customer_email"),
            phone,
            postal_code: field("customer_postal_code"),
            ..Default::default()
        }),
    };
    let lang = s.lang();
    let message =
        |key: &str| crate::http::pages::text(lang, key, &HashMap::new()).unwrap_or_default();
    use crate::workflows::correction::{CorrectionError, Corrector};
    match state
        .intake
        .correct(
            Corrector::Dealer(s.dealer()),
            r.id,
            form.get("etag").map(String::as_str),
            &req,
        )
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/dealer/registrations/{}?corrected=1", r.id)).into_response(),
        ),
        Err(CorrectionError::Invalid(field_errors)) => {
            let errors = crate::http::pages::field_messages(lang, field_errors);
            let typed = crate::http::session::typed(&form);
            registration_page(
                &state,
                &s,
                &r,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some(&typed),
                false,
            )
            .await
        }
        Err(CorrectionError::Stale) => {
            let fresh = own_registration(&state, &s, &id).await?;
            let errors = HashMap::from([("stale".to_owned(), message("correction-stale"))]);
            registration_page(
                &state,
                &s,
                &fresh,
                StatusCode::PRECONDITION_FAILED,
                errors,
                None,
                false,
            )
            .await
        }
        Err(CorrectionError::TooLate(_)) => {
            let errors = HashMap::from([("stale".to_owned(), message("correction-too-late"))]);
            registration_page(&state, &s, &r, StatusCode::CONFLICT, errors, None, false).await
        }
        Err(CorrectionError::Store(crate::store::StoreError::Taken(_))) => {
            let errors =
                HashMap::from([("customer_email".to_owned(), message("err-contact-taken"))]);
            let typed = crate::http::session::typed(&form);
            registration_page(
                &state,
                &s,
                &r,
                StatusCode::CONFLICT,
                errors,
                Some(&typed),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
    let reason = crate::domain::field::clean_text(&form.reason, 500)
        .ok()
        .filter(|r| !r.is_empty());
    let mut errors = HashMap::new();
    if reason.is_none() {
        errors.insert(
            "reason",
            if s.lang() == "fr" {
                "Indiquez pourquoi cet enregistrement est annulé."
            } else {
                "Say why this registration is voided."
            },
        );
    }
    if form.confirm.is_none() {
        errors.insert(
            "confirm",
            if s.lang() == "fr" {
                "Cochez la case pour confirmer l'annulation."
            } else {
                "Tick the box to confirm the void."
            },
        );
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
    let (rows, total) = state
        .store
        .dealer_registrations(s.dealer().id, &search)
        .await?;
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
