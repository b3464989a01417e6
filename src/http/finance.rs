//! Finance: close periods into statements, review them with their lines, approve / hold / release /
//! mark paid. Dealers read their own statements. Adjustments and the CSV export are in
//! `crate::http::ledger`; admins manage the incentive programs in `crate::http::programs`.

use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::auth::{DealerKey, FinanceKey};
use super::body::{Json, Query};
use super::error::{ApiError, Problem};
use crate::domain::field::clean_text;
use crate::domain::ledger::{AccountingMonth, StatementAction, StatementStatus, format_minor};
use crate::store::{LedgerLine, StatementRecord};
use crate::workflows::ledger;

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView {
    pub id: Uuid,
    pub dealer_code: String,
    pub period: String,
    pub currency: String,
    /// `pending_review`, `approved`, `on_hold` or `paid`.
    pub status: String,
    /// Equals the sum of the lines.
    pub total_minor: i64,
    /// The total as a decimal, e.g. `125.50`.
    pub total: String,
    pub hold_reason: Option<String>,
    pub payment_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    /// On single reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineView>>,
}

/// One ledger entry on a statement, with its cause.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub entry_id: Uuid,
    /// `registration`, `on_time_bonus`, `clawback`, `adjustment`, `service_attribution`.
    pub kind: String,
    pub amount_minor: i64,
    pub amount: String,
    pub currency: String,
    /// The period the entry accrued in.
    pub period: String,
    pub registration_id: Option<Uuid>,
    pub serial_number: Option<String>,
    pub program_id: Option<String>,
    pub program_version: Option<i32>,
    pub rule_id: Option<String>,
    /// The entry this one reverses (clawbacks).
    pub reverses: Option<Uuid>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&LedgerLine> for LineView {
    fn from(l: &LedgerLine) -> Self {
        Self {
            entry_id: l.entry_id,
            kind: l.kind.clone(),
            amount_minor: l.amount_minor,
            amount: format_minor(l.amount_minor, &l.currency),
            currency: l.currency.clone(),
            period: l.period.clone(),
            registration_id: l.registration_id,
            serial_number: l.serial_number.clone(),
            program_id: l.program_id.clone(),
            program_version: l.program_version,
            rule_id: l.rule_id.clone(),
            reverses: l.reverses,
            reason: l.reason.clone(),
            created_at: l.created_at,
        }
    }
}

pub fn statement_view(s: &StatementRecord, lines: Option<&[LedgerLine]>) -> StatementView {
    StatementView {
        id: s.id,
        dealer_code: s.dealer_code.clone(),
        period: s.period.clone(),
        currency: s.currency.clone(),
        status: s.status.clone(),
        total_minor: s.total_minor,
        total: format_minor(s.total_minor, &s.currency),
        hold_reason: s.hold_reason.clone(),
        payment_reference: s.payment_reference.clone(),
        created_at: s.created_at,
        approved_at: s.approved_at,
        paid_at: s.paid_at,
        lines: lines.map(|lines| lines.iter().map(LineView::from).collect()),
    }
}

pub(super) fn check_period(raw: &str) -> Result<AccountingMonth, ApiError> {
    AccountingMonth::parse(raw)
        .ok_or_else(|| ApiError::field("period", "invalid_period", "must be YYYY-MM"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CloseResult {
    pub period: String,
    /// False when the period was already closed (nothing changed).
    pub closed_now: bool,
    pub statements: Vec<StatementView>,
}

/// Close a period: one statement per dealer and currency from every entry not yet on a statement.
/// Closing a closed period changes nothing.
#[utoipa::path(post, path = "/v1/finance/periods/{period}/close", tag = "finance", params(("period" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = CloseResult), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or future period", body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn close_period(
    State(state): State<AppState>,
    FinanceKey(finance): FinanceKey,
    Path(period): Path<String>,
) -> Result<axum::Json<CloseResult>, ApiError> {
    let period = check_period(&period)?;
    let now = state.clock.now();
    if period > AccountingMonth::of(now, state.settings.ledger.manufacturer_tz) {
        return Err(ApiError::field(
            "period",
            "future_period",
            "a period can only be closed once it has begun",
        ));
    }
    let (closed_now, statements) =
        ledger::close_period(&state.store, period, Some(finance.key_id), now).await?;
    tracing::info!(%period, closed_now, statements = statements.len(), "period close");
    Ok(axum::Json(CloseResult {
        period: period.to_string(),
        closed_now,
        statements: statements.iter().map(|s| statement_view(s, None)).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementFilter {
    /// YYYY-MM.
    pub period: Option<String>,
    /// `pending_review`, `approved`, `on_hold`, `paid`.
    pub status: Option<String>,
}

fn check_filter(f: &StatementFilter) -> Result<(Option<String>, Option<String>), ApiError> {
    let period = f
        .period
        .as_deref()
        .map(check_period)
        .transpose()?
        .map(|p| p.to_string());
    if let Some(status) = &f.status
        && StatementStatus::parse(status).is_none()
    {
        return Err(ApiError::field(
            "status",
            "invalid_status",
            "must be pending_review, approved, on_hold or paid",
        ));
    }
    Ok((period, f.status.clone()))
}

/// List statements.
#[utoipa::path(get, path = "/v1/finance/statements", tag = "finance", params(StatementFilter),
    responses((status = 200, body = Vec<StatementView>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list_statements(
    State(state): State<AppState>,
    _: FinanceKey,
    Query(filter): Query<StatementFilter>,
) -> Result<axum::Json<Vec<StatementView>>, ApiError> {
    let (period, status) = check_filter(&filter)?;
    let statements = state
        .store
        .statements(period.as_deref(), status.as_deref(), None)
        .await?;
    Ok(axum::Json(
        statements.iter().map(|s| statement_view(s, None)).collect(),
    ))
}

/// Read a statement with its lines and their causes.
#[utoipa::path(get, path = "/v1/finance/statements/{id}", tag = "finance", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatementView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get_statement(
    State(state): State<AppState>,
    _: FinanceKey,
    Path(id): Path<String>,
) -> Result<axum::Json<StatementView>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let statement = state.store.statement(id).await?.ok_or(ApiError::NotFound)?;
    let lines = state.store.statement_lines(id).await?;
    Ok(axum::Json(statement_view(&statement, Some(&lines))))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    /// Why the statement is held (required).
    pub reason: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaidRequest {
    /// The payment's reference in the accounts-payable system (required).
    pub reference: String,
}

/// Applies a workflow action; shared by the API and the finance pages.
pub async fn apply_action(
    state: &AppState,
    actor: Uuid,
    id: Uuid,
    action: StatementAction,
    note: Option<&str>,
) -> Result<StatementRecord, ApiError> {
    let field = match action {
        StatementAction::Hold => "reason",
        _ => "reference",
    };
    let note = match (action.needs_note(), note) {
        (true, Some(raw)) => Some(
            clean_text(raw, 200)
                .map_err(|(code, message)| ApiError::field(field, code, message))?,
        ),
        (true, None) => return Err(ApiError::field(field, "required", "is required")),
        (false, _) => None,
    };
    let now = state.clock.now();
    let statement =
        ledger::transition_statement(&state.store, id, action, note.as_deref(), actor, now).await?;
    tracing::info!(statement_id = %id, action = action.as_str(), status = %statement.status, actor_key = %actor, "statement updated");
    Ok(statement)
}

async fn act(
    state: AppState,
    actor: Uuid,
    id: String,
    action: StatementAction,
    note: Option<&str>,
) -> Result<axum::Json<StatementView>, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let statement = apply_action(&state, actor, id, action, note).await?;
    Ok(axum::Json(statement_view(&statement, None)))
}

/// Approve a statement under review.
#[utoipa::path(post, path = "/v1/finance/statements/{id}/approve", tag = "finance", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatementView), (status = 409, description = "Not allowed from the current status", body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    FinanceKey(f): FinanceKey,
    Path(id): Path<String>,
) -> Result<axum::Json<StatementView>, ApiError> {
    act(state, f.key_id, id, StatementAction::Approve, None).await
}

/// Put a statement on hold, with a reason.
#[utoipa::path(post, path = "/v1/finance/statements/{id}/hold", tag = "finance", params(("id" = Uuid, Path)), request_body = HoldRequest,
    responses((status = 200, body = StatementView), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn hold(
    State(state): State<AppState>,
    FinanceKey(f): FinanceKey,
    Path(id): Path<String>,
    Json(req): Json<HoldRequest>,
) -> Result<axum::Json<StatementView>, ApiError> {
    act(
        state,
        f.key_id,
        id,
        StatementAction::Hold,
        Some(&req.reason),
    )
    .await
}

/// Take a statement off hold, back to review.
#[utoipa::path(post, path = "/v1/finance/statements/{id}/release", tag = "finance", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatementView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn release(
    State(state): State<AppState>,
    FinanceKey(f): FinanceKey,
    Path(id): Path<String>,
) -> Result<axum::Json<StatementView>, ApiError> {
    act(state, f.key_id, id, StatementAction::Release, None).await
}

/// Mark an approved statement paid, with the payment reference. Paid statements never change.
#[utoipa::path(post, path = "/v1/finance/statements/{id}/paid", tag = "finance", params(("id" = Uuid, Path)), request_body = PaidRequest,
    responses((status = 200, body = StatementView), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn paid(
    State(state): State<AppState>,
    FinanceKey(f): FinanceKey,
    Path(id): Path<String>,
    Json(req): Json<PaidRequest>,
) -> Result<axum::Json<StatementView>, ApiError> {
    act(
        state,
        f.key_id,
        id,
        StatementAction::Pay,
        Some(&req.reference),
    )
    .await
}

/// The calling dealer's statements, with their lines.
#[utoipa::path(get, path = "/v1/dealer/statements", tag = "dealer",
    responses((status = 200, body = Vec<StatementView>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn dealer_statements(
    State(state): State<AppState>,
    DealerKey(dealer): DealerKey,
) -> Result<axum::Json<Vec<StatementView>>, ApiError> {
    let mut views = Vec::new();
    for s in state.store.statements(None, None, Some(dealer.id)).await? {
        let lines = state.store.statement_lines(s.id).await?;
        views.push(statement_view(&s, Some(&lines)));
    }
    Ok(axum::Json(views))
}
