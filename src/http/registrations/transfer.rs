//! `POST /v1/transfers`: a dealer starts an ownership transfer for a unit's new owner (instead of
//! the 409 a second registration gets); the new owner accepts by the emailed link. And a unit's
//! history as schema.org JSON-LD: `GET /v1/registrations/{id}/history` (its selling dealer) and
//! `GET /v1/admin/registrations/{id}/history`: an `IndividualProduct` and one `OwnershipInfo` per
//! owner, with dates only (who the owners were is never in it).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::contact::SerialNumber;
use crate::domain::field::FieldError;
use crate::http::AppState;
use crate::http::auth::{AdminKey, DealerKey};
use crate::http::body::Json;
use crate::http::error::{ApiError, Problem};
use crate::workflows::transfer::Starter;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The unit's serial number, as registered.
    #[schema(example = "SN-000123")]
    pub serial_number: String,
    /// Where the acceptance link goes: the new owner's email address.
    #[schema(example = "new.owner@example.com")]
    pub new_owner_email: String,
    /// The language of that email (BCP 47; default the dealer's).
    #[schema(example = "fr")]
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferResponse {
    pub id: Uuid,
    /// `pending` until the new owner accepts.
    pub status: String,
    /// When the acceptance link stops working.
    pub expires_at: DateTime<Utc>,
    pub serial_number: String,
    pub product: String,
}

/// Start a transfer to a unit's new owner.
///
/// For a unit registered to another owner (a second-hand sale): the new owner gets a link to
/// accept with their own details and choices. The selling dealer keeps its credit; nothing about
/// the previous owner is shown. The calling dealer is recorded as serving the new owner.
#[utoipa::path(
    post,
    path = "/v1/transfers",
    tag = "registrations",
    request_body = TransferRequest,
    responses(
        (status = 201, description = "Offered; the new owner was emailed a link", body = TransferResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No active registration of this serial", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The product's warranty cannot be transferred", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn start_transfer(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Json(req): Json<TransferRequest>,
) -> Result<Response, ApiError> {
    let serial = SerialNumber::parse(&req.serial_number).map_err(|(code, message)| {
        ApiError::Validation(vec![FieldError::new("serial_number", code, message)])
    })?;
    let Some((registration_id, _, _)) = state.store.active_serial_holder(serial.as_str()).await?
    else {
        return Err(ApiError::NotFound);
    };
    let language = req
        .language
        .as_deref()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or(&dealer.locale);
    let offered = state
        .intake
        .start_transfer(
            Starter::Dealer {
                dealer_id: dealer.id,
                actor: dealer.actor,
            },
            registration_id,
            &req.new_owner_email,
            language,
        )
        .await
        .map_err(|e| match e {
            crate::workflows::transfer::TransferError::Invalid(errors) => ApiError::Validation(
                errors
                    .into_iter()
                    .map(|e| FieldError::new("new_owner_email", &e.code, e.message))
                    .collect(),
            ),
            other => other.into(),
        })?;
    crate::http::owner_pages::send_offer(&state, &offered).await?;
    let t = &offered.transfer;
    Ok((
        StatusCode::CREATED,
        axum::Json(TransferResponse {
            id: offered.id,
            status: t.status.clone(),
            expires_at: offered.expires_at,
            serial_number: t.serial_number.clone(),
            product: t.product_name.clone(),
        }),
    )
        .into_response())
}

/// The unit's history as schema.org JSON-LD (an `IndividualProduct` and its `OwnershipInfo`s).
async fn history(state: &AppState, id: Uuid, dealer: Option<Uuid>) -> Result<Response, ApiError> {
    let dealer = match dealer {
        Some(dealer) => dealer,
        None => state
            .store
            .registration_dealer(id)
            .await?
            .ok_or(ApiError::NotFound)?,
    };
    let record = state
        .store
        .registration_for_dealer(dealer, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let product = state
        .store
        .product_by_sku(&record.sku)
        .await?
        .ok_or(ApiError::NotFound)?;
    let seller = state.store.dealer_by_id(record.dealer_id).await?;
    let base = state.config.public_url.trim_end_matches('/');
    let unit_id = format!(
        "{base}{}",
        crate::domain::gtin::unit_path(
            product.gtin.as_deref(),
            &product.sku,
            record
                .serial_display
                .as_deref()
                .unwrap_or(&record.serial_number)
        )
    );
    let periods = state.store.ownership_periods(id).await?;
    let mut graph = vec![serde_json::json!({
        "@id": unit_id, "@type": "IndividualProduct",
        "name": product.name, "sku": product.sku, "gtin14": product.gtin,
        "serialNumber": record.serial_display.as_deref().unwrap_or(&record.serial_number),
        "category": product.category,
        "purchaseDate": record.purchase_date,
        "warrantyExpires": record.warranty_expires_on,
    })];
    for (i, p) in periods.iter().enumerate() {
        let mut info = serde_json::json!({
            "@id": format!("{unit_id}#owner-{}", i + 1), "@type": "OwnershipInfo",
            "typeOfGood": {"@id": unit_id},
            "ownedFrom": p.from,
        });
        if let Some(through) = p.through {
            info["ownedThrough"] = serde_json::json!(through);
        }
        // The first owner bought it from the selling dealer; a later one acquired it from the
        // previous owner (not named), served by a dealer when one started the transfer.
        let from = if i == 0 {
            seller.as_ref().map(|d| d.name.clone())
        } else {
            p.serving_dealer.clone()
        };
        if let Some(name) = from {
            info["acquiredFrom"] = serde_json::json!({"@type": "Organization", "name": name});
        }
        graph.push(info);
    }
    let doc = serde_json::json!({
        "@context": {"@vocab": "https://schema.org/"},
        "@graph": graph,
    });
    Ok((
        [(header::CONTENT_TYPE, "application/ld+json")],
        serde_json::to_vec(&doc).map_err(|e| ApiError::Internal(e.into()))?,
    )
        .into_response())
}

/// A registered unit's history (its selling dealer): schema.org JSON-LD.
///
/// An `IndividualProduct` and one `OwnershipInfo` per owner, first to current, with the dates the
/// unit changed hands; who the owners were is never in it.
#[utoipa::path(
    get,
    path = "/v1/registrations/{id}/history",
    tag = "registrations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "JSON-LD", body = Object, content_type = "application/ld+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration of this dealer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn registration_history(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    history(&state, id, Some(dealer.id)).await
}

/// Any registered unit's history (admin): schema.org JSON-LD.
#[utoipa::path(
    get,
    path = "/v1/admin/registrations/{id}/history",
    tag = "admin",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "JSON-LD", body = Object, content_type = "application/ld+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn admin_registration_history(
    State(state): State<AppState>,
    _admin: AdminKey,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    history(&state, id, None).await
}
