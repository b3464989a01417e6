//! The counter form: scanner-friendly, one registration per submitted form, national phone
//! numbers, the product by name or reference; the notice after a registration.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::today;
use crate::domain::catalog::WarrantyStart;
use crate::domain::registration::{ConsentRequest, CustomerRequest, RegistrationRequest};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::present;
use crate::http::session::{self, DealerUser, Session};
use crate::store::IdempotencyBegin;
use crate::workflows::registration::IntakeError;

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
    transfer: Option<String>,
}

async fn counter_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    done: Option<Value>,
) -> Result<Response, ApiError> {
    counter_page_with(state, s, status, values, errors, done, None).await
}

/// The counter with, after a unit registered to another owner, the offer to transfer it.
async fn counter_page_with(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    done: Option<Value>,
    transfer: Option<Value>,
) -> Result<Response, ApiError> {
    let dealer = state.store.dealer_by_code(&s.dealer().code).await?;
    let products = product_choices(state).await?;
    // A fresh nonce per form: the same submission twice (a double click) registers once.
    let ctx = context! {
        products => products, values => values, errors => errors, done => done, transfer,
        submission => session::random_token(),
        dealer_country => dealer.as_ref().and_then(|d| d.country.clone()),
        privacy_url => &state.config.privacy_url,
        languages => crate::templating::LANGUAGES,
        order => ["serial_number", "sku", "purchase_date", "delivered_on", "installed_on", "external_ref", "customer_name", "customer_email", "customer_phone", "customer_postal_code", "customer_country", "customer_locale", "customer_preferred_channel", "customer"],
    };
    Ok(session::page(
        state,
        s,
        "/dealer/register",
        status,
        "dealer/counter.html.j2",
        ctx,
    ))
}

pub async fn counter(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Query(q): Query<CounterQuery>,
) -> Result<Response, ApiError> {
    // Today's sale, in the language the dealer's customers usually speak.
    let values = HashMap::from([
        ("purchase_date".to_owned(), today(&state, &s).to_string()),
        (
            "customer_locale".to_owned(),
            crate::templating::language([s.dealer().locale.as_str()]).to_owned(),
        ),
    ]);
    let done = match q.done.as_deref().and_then(|id| id.parse::<Uuid>().ok()) {
        Some(id) => match state
            .store
            .registration_for_dealer(s.dealer().id, id)
            .await?
        {
            Some(record) => Some(done_view(&state, &s, &record).await?),
            None => None,
        },
        None => None,
    };
    let transfer = q.transfer.is_some().then(|| context! { sent => true });
    counter_page_with(
        &state,
        &s,
        StatusCode::OK,
        &values,
        &HashMap::new(),
        done,
        transfer,
    )
    .await
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
    let proof = lines.iter().any(|l| l.needs_proof);
    Ok(context! {
        id => record.id.to_string(),
        serial => record.serial_display.clone().unwrap_or_else(|| record.serial_number.clone()),
        sku => &record.sku,
        warranty_expires_on => present::date(record.warranty_expires_on, lang),
        reminders => record.reminders.iter().filter(|r| r.status == "pending" && r.kind != "registration_confirmation").count(),
        confirmation => record.customer.email.is_some(),
        incentive => currency.filter(|_| total != 0).map(|c| present::money(total, &c, lang)),
        held => held, proof,
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
        .or_else(|| {
            products
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(&typed))
        })
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
pub fn phone_e164(typed: Option<String>, country: Option<&str>) -> Option<String> {
    let typed = typed?;
    let region = country.and_then(|c| c.parse::<phonenumber::country::Id>().ok());
    match phonenumber::parse(region, &typed) {
        Ok(number) => Some(number.format().mode(phonenumber::Mode::E164).to_string()),
        Err(_) => Some(typed),
    }
}

pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(
        &state,
        &headers,
        &s,
        form.get("csrf").map_or("", String::as_str),
    )?;
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
            preferred_channel: form_field(&form, "customer_preferred_channel"),
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
            surveys: None,
            safety_only: checked("consent_safety_only"),
            service_reminders: checked("consent_service_reminders"),
            marketing: checked("consent_marketing"),
            manufacturer_marketing: None,
        }),
    };
    let mut values = crate::http::session::typed(&form);
    let submission = values.remove("submission").unwrap_or_default();
    let outcome = match register_once(&state, &dealer, &req, &submission, &values).await? {
        Once::Replayed(id) => {
            return Ok(Redirect::to(&format!("/dealer/register?done={id}")).into_response());
        }
        Once::Done(outcome) => outcome,
    };
    match outcome {
        Ok(record) => {
            tracing::info!(registration_id = %record.id, account = ?dealer.actor, "registered at the counter");
            Ok(Redirect::to(&format!("/dealer/register?done={}", record.id)).into_response())
        }
        Err(IntakeError::Invalid(field_errors)) => {
            let errors = crate::http::pages::field_messages(s.lang(), field_errors);
            counter_page(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
                None,
            )
            .await
        }
        Err(IntakeError::Duplicate { own }) => {
            let message = match (own, s.lang()) {
                (Some(_), "fr") => "Vous avez déjà enregistré ce numéro de série.",
                (Some(_), _) => "You have already registered this serial number.",
                (None, "fr") => "Ce numéro de série est déjà enregistré à un autre propriétaire.",
                (None, _) => "This serial number is already registered to another owner.",
            };
            let errors = HashMap::from([("serial_number".to_owned(), message.to_owned())]);
            // Another owner's unit changing hands: offer to start a transfer for this customer.
            let transfer = own.is_none().then(|| {
                context! {
                    serial => values.get("serial_number"), email => values.get("customer_email"),
                    locale => values.get("customer_locale"),
                }
            });
            counter_page_with(
                &state,
                &s,
                StatusCode::CONFLICT,
                &values,
                &errors,
                None,
                transfer,
            )
            .await
        }
        Err(IntakeError::Store(e)) => Err(e.into()),
    }
}

/// What a once-per-form registration came to.
pub enum Once {
    /// The same form was posted before: the registration it made.
    Replayed(String),
    Done(Result<crate::store::RegistrationRecord, IntakeError>),
}

/// Registers once per submitted form (the counter's and the owner's): the form's random
/// `submission` nonce claims an idempotency key of the dealer, and the answer (the registration's
/// id) is saved in the registration's own transaction, so a second post of the same form (a double
/// click, a reload) gets the first one's registration. Without a nonce, it simply registers.
pub async fn register_once(
    state: &AppState,
    dealer: &crate::workflows::DealerContext,
    req: &RegistrationRequest,
    submission: &str,
    values: &HashMap<String, String>,
) -> Result<Once, ApiError> {
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
                IdempotencyBegin::Claimed | IdempotencyBegin::Mismatch => break,
                IdempotencyBegin::Replay { body, .. } => {
                    let id = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned))
                        .unwrap_or_default();
                    return Ok(Once::Replayed(id));
                }
                // The first post is being stored: its answer comes within moments.
                IdempotencyBegin::InFlight => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await
                }
            }
        }
    }
    let registered = async {
        let mut registered = state.intake.register(dealer, req).await?;
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
    Ok(Once::Done(outcome))
}

#[derive(serde::Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    serial_number: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    locale: String,
}

/// `POST /dealer/transfers`: at the counter, a unit registered to another owner is offered to the
/// customer in front of the dealer (they accept by the link emailed to them).
pub async fn start_transfer(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Form(form): Form<TransferForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let fr = s.lang() == "fr";
    let serial = crate::domain::contact::SerialNumber::parse(&form.serial_number).ok();
    let holder = match &serial {
        Some(serial) => state.store.active_serial_holder(serial.as_str()).await?,
        None => None,
    };
    let values = HashMap::from([
        ("serial_number".to_owned(), form.serial_number.clone()),
        ("customer_email".to_owned(), form.email.clone()),
        ("customer_locale".to_owned(), form.locale.clone()),
    ]);
    let Some((registration_id, _, _)) = holder else {
        return Err(ApiError::NotFound);
    };
    let locale = if form.locale.trim().is_empty() {
        s.dealer().locale.clone()
    } else {
        form.locale.clone()
    };
    let refused = |message: &str| {
        let transfer = context! {
            serial => &form.serial_number, email => &form.email, locale => &form.locale, error => message,
        };
        (transfer, message.to_owned())
    };
    let (transfer, message) = match state
        .intake
        .start_transfer(
            crate::workflows::transfer::Starter::Dealer {
                dealer_id: s.dealer().id,
                actor: Some(s.account.id),
            },
            registration_id,
            &form.email,
            &locale,
        )
        .await
    {
        Ok(offered) => {
            crate::http::owner_pages::send_offer(&state, &offered).await?;
            tracing::info!(transfer_id = %offered.id, "transfer started at the counter");
            return Ok(Redirect::to("/dealer/register?transfer=sent").into_response());
        }
        Err(crate::workflows::transfer::TransferError::Invalid(_)) => refused(if fr {
            "Saisissez l'adresse e-mail du nouveau propriétaire pour lui envoyer le lien de transfert."
        } else {
            "Enter the new owner's email address to send them the transfer link."
        }),
        Err(crate::workflows::transfer::TransferError::NotTransferable) => refused(if fr {
            "La garantie de ce produit ne peut pas être transférée à un nouveau propriétaire."
        } else {
            "This product's warranty cannot be transferred to a new owner."
        }),
        Err(e) => return Err(e.into()),
    };
    let errors = HashMap::from([("transfer".to_owned(), message)]);
    counter_page_with(
        &state,
        &s,
        StatusCode::UNPROCESSABLE_ENTITY,
        &values,
        &errors,
        None,
        Some(transfer),
    )
    .await
}
