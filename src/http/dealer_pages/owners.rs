//! The dealer's side of the owner's door in the portal: a registration's proof of purchase
//! (attach, download) and claiming a sale its customer registered alone.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::registrations::{own_registration, registration_page};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self, DealerUser, Session};
use crate::workflows::claim::ClaimError;
use crate::workflows::proof::{ProofError, Uploader, attach};

/// `POST /dealer/registrations/{id}/proof`: attach a proof of purchase (multipart form).
pub async fn proof_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response, ApiError> {
    let upload = crate::http::multipart::read(form).await?;
    let r = own_registration(&state, &s, &id).await?;
    let lang = s.lang();
    let text = |key: &str| crate::http::pages::text(lang, key, &HashMap::new()).unwrap_or_default();
    let (status, key) = if upload.too_large {
        (StatusCode::PAYLOAD_TOO_LARGE, "proof-too-large")
    } else {
        session::check_post(&state, &headers, &s, upload.field("csrf"))?;
        if r.status != "active" {
            return Err(ApiError::NotFound);
        }
        match upload.file.as_deref() {
            None => (StatusCode::UNPROCESSABLE_ENTITY, "proof-missing"),
            Some(bytes) => match attach(
                &state.store,
                &state.proof_files,
                r.id,
                r.customer_id,
                Uploader::Dealer(Some(s.account.id)),
                bytes,
                state.config.proof_max_bytes,
                state.settings.ledger.manufacturer_tz,
                state.clock.now(),
            )
            .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/dealer/registrations/{}?proof=saved",
                        r.id
                    ))
                    .into_response());
                }
                Err(ProofError::TooLarge(_)) => (StatusCode::PAYLOAD_TOO_LARGE, "proof-too-large"),
                Err(ProofError::Refused(_)) => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, "proof-refused")
                }
                Err(e) => return Err(e.into()),
            },
        }
    };
    let errors = HashMap::from([("proof".to_owned(), text(key))]);
    registration_page(&state, &s, &r, status, errors, None, false).await
}

/// `GET /dealer/registrations/{id}/proof`: the newest proof of purchase (a download).
pub async fn proof_download(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    crate::http::registrations::proof::download(&state, &id, Some(s.dealer().id)).await
}

fn claim_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> Response {
    session::page(
        state,
        s,
        "/dealer/register",
        status,
        "dealer/claim.html.j2",
        context! {
            values, errors, days => state.settings.claim_days,
            order => ["serial_number", "reference"],
        },
    )
}

/// `GET /dealer/claims`: claim a sale the customer registered alone.
pub async fn claim_form(
    State(state): State<AppState>,
    DealerUser(s): DealerUser,
) -> Result<Response, ApiError> {
    Ok(claim_page(
        &state,
        &s,
        StatusCode::OK,
        &HashMap::new(),
        &HashMap::new(),
    ))
}

/// `POST /dealer/claims`.
pub async fn claim(
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
    let values = session::typed(&form);
    let get = |name: &str| form.get(name).map_or("", String::as_str);
    let lang = s.lang();
    let text = |key: &str, days: i64| {
        let args = HashMap::from([(
            std::borrow::Cow::Borrowed("days"),
            fluent_templates::fluent_bundle::FluentValue::from(days),
        )]);
        crate::http::pages::text(lang, key, &args).unwrap_or_default()
    };
    let days = state.settings.claim_days;
    let (status, errors) = match state
        .intake
        .claim(s.dealer(), get("serial_number"), get("reference"))
        .await
    {
        Ok(record) => {
            return Ok(
                Redirect::to(&format!("/dealer/registrations/{}?claimed=1", record.id))
                    .into_response(),
            );
        }
        Err(ClaimError::Invalid(field_errors)) => {
            let errors = crate::http::pages::field_messages(lang, field_errors);
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(e) => {
            let (status, key) = match &e {
                ClaimError::NotFound => (StatusCode::NOT_FOUND, "claim-not-found"),
                ClaimError::WindowClosed(_) => (StatusCode::CONFLICT, "claim-window-closed"),
                ClaimError::ClaimedByYou(_) => (StatusCode::CONFLICT, "claim-already-yours"),
                ClaimError::ClaimedByOther => (StatusCode::CONFLICT, "claim-by-another"),
                ClaimError::Registered => (StatusCode::CONFLICT, "claim-registered"),
                _ => return Err(e.into()),
            };
            (
                status,
                HashMap::from([("serial_number".to_owned(), text(key, days))]),
            )
        }
    };
    Ok(claim_page(&state, &s, status, &values, &errors))
}
