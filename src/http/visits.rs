//! Service visits reported by the servicing dealer.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::auth::DealerKey;
use super::body::Json;
use super::error::{ApiError, Problem};
use super::registrations::IncentiveView;
use crate::workflows::visit::VisitRequest;

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitResponse {
    pub id: Uuid,
    pub serial_number: String,
    pub service_date: NaiveDate,
    pub kind: String,
    /// Whether a reminder led to this visit.
    pub attributed: bool,
    /// `click` (its booking link was followed) or `send` (it was sent).
    pub attributed_via: Option<String>,
    /// Whether you sold the unit and are credited for the visit.
    pub credited_to_you: bool,
    /// What you earned for it (only when credited to you).
    pub incentive: Option<IncentiveView>,
}

/// Report a service visit.
///
/// Accepted from the dealer that sold the unit, or from a dealer the manufacturer authorized to
/// service others' units (`authorized_servicer` on the dealer: anywhere, or within a territory or
/// for listed selling dealers). Any other serial is answered as an unknown one.
///
/// A visit within the attribution window after a reminder was sent (or its booking link clicked,
/// which wins) is attributed to that reminder and credits the selling dealer; the servicing dealer
/// is recorded too. One visit is credited at most once, and a reminder at most once. The visit also
/// drops the pending reminder of the plan step it fulfils. Reporting the same visit again (serial,
/// date, kind) changes nothing and answers 200.
#[utoipa::path(post, path = "/v1/service-events", tag = "registrations", request_body = VisitRequest,
    responses(
        (status = 201, description = "Recorded", body = VisitResponse),
        (status = 200, description = "Already recorded", body = VisitResponse),
        (status = 403, description = "Not a dealer key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a serial you neither sold nor may service (answered as an unknown serial)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = [])))]
pub async fn record_visit(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
    Json(req): Json<VisitRequest>,
) -> Result<(StatusCode, axum::Json<VisitResponse>), ApiError> {
    let recorded = state.intake.record_visit(&dealer, &req).await?;
    let visit = &recorded.visit;
    let credited_to_you =
        visit.attributed_reminder_id.is_some() && visit.selling_dealer_id == dealer.id;
    let status = if recorded.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(VisitResponse {
            id: visit.id,
            serial_number: visit.serial_number.clone(),
            service_date: visit.service_date,
            kind: visit.kind.clone(),
            attributed: visit.attributed_reminder_id.is_some(),
            attributed_via: visit.attributed_via.clone(),
            credited_to_you,
            incentive: credited_to_you.then(|| IncentiveView::from_lines(&recorded.incentive)),
        }),
    ))
}
