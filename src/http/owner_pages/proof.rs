//! The owner's proof of purchase, from their page: upload (`POST /o/{token}/proof`, a multipart
//! form) and read back their own (`GET /o/{token}/proof/{registration}`). A later owner never
//! sees an earlier owner's file.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use uuid::Uuid;

use super::owner::{owner_target, render};
use super::unusable;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session;
use crate::workflows::proof::{ProofError, Uploader, attach};

/// `POST /o/{token}/proof`: the owner attaches a proof of purchase to one of their units.
pub async fn owner_proof_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: Multipart,
) -> Result<Response, ApiError> {
    let Some(target) = owner_target(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    let max = state.config.proof_max_bytes;
    let upload = crate::http::multipart::read(form).await?;
    let (csrf, registration, file, too_large) = (
        upload.field("csrf").to_owned(),
        upload.field("registration").to_owned(),
        upload.file.clone(),
        upload.too_large,
    );
    let lang = crate::templating::language([target.customer_locale.as_str()]);
    let units = state
        .store
        .owned_units(target.customer_id, state.clock.now())
        .await?;
    let unit_id = registration.parse::<Uuid>().ok();
    let fail = |status: StatusCode, key: &str, unit: Option<Uuid>| {
        let message = crate::http::pages::text(lang, key, &Default::default())
            .unwrap_or_else(|| key.to_owned());
        (status, message, unit)
    };
    let (status, message, unit) = if too_large {
        fail(StatusCode::PAYLOAD_TOO_LARGE, "proof-too-large", unit_id)
    } else {
        if !session::sign_in_form_genuine(&state, &headers, &csrf) {
            return Err(ApiError::Forbidden);
        }
        let unit = units
            .iter()
            .find(|u| Some(u.id) == unit_id && u.status == "active")
            .ok_or(ApiError::NotFound)?;
        match file {
            None => fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "proof-missing",
                Some(unit.id),
            ),
            Some(bytes) => match attach(
                &state.store,
                &state.proof_files,
                unit.id,
                target.customer_id,
                Uploader::Owner,
                &bytes,
                max,
                state.settings.ledger.manufacturer_tz,
                state.clock.now(),
            )
            .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!("/o/{token}?proof=saved")).into_response());
                }
                Err(ProofError::TooLarge(_)) => fail(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "proof-too-large",
                    Some(unit.id),
                ),
                Err(ProofError::Refused(_)) => fail(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "proof-refused",
                    Some(unit.id),
                ),
                Err(e) => return Err(e.into()),
            },
        }
    };
    let notices = context! {
        proof_error => context! { unit => unit.map(|u| u.to_string()), message },
    };
    render(&state, &token, &target, status, notices).await
}

/// `GET /o/{token}/proof/{registration}`: the owner's own proof of purchase of that unit.
pub async fn owner_proof(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, registration)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let Some(target) = owner_target(&state, &token).await? else {
        return Ok(unusable(&state, &headers));
    };
    let id: Uuid = registration.parse().map_err(|_| ApiError::NotFound)?;
    let unit = state
        .store
        .owned_units(target.customer_id, state.clock.now())
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(ApiError::NotFound)?;
    let proof = state
        .store
        .latest_proof(id, Some(target.customer_id))
        .await?
        .ok_or(ApiError::NotFound)?;
    crate::http::registrations::proof::serve(&state, proof, &unit.serial_number).await
}
