//! Finance: close periods into statements, review them with their lines, approve / hold / release /
//! mark paid, add adjustments, export CSV. Dealers read their own statements. (Admins manage the
//! incentive programs in `crate::http::programs`.)

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::auth::{DealerKey, FinanceKey};
use super::body::{Json, Query};
use super::error::{ApiError, Problem};
use crate::csv_safe::{Cell, SafeCsv};
use crate::domain::field::clean_text;
use crate::domain::ledger::{
    AccountingMonth, MAX_AMOUNT_MINOR, StatementAction, StatementStatus, format_minor,
    parse_currency,
};
use crate::store::{LedgerLine, StatementRecord};
use crate::workflows::ledger::{self, NewAdjustment};

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

fn check_period(raw: &str) -> Result<AccountingMonth, ApiError> {
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    pub dealer_code: String,
    /// Positive (owed to the dealer) or negative, never zero, in minor units.
    pub amount_minor: i64,
    pub currency: String,
    /// Why (required).
    pub reason: String,
    /// YYYY-MM; defaults to the current period.
    pub period: Option<String>,
}

/// Add a manual ledger entry (a correction or a bonus).
#[utoipa::path(post, path = "/v1/finance/adjustments", tag = "finance", request_body = AdjustmentRequest,
    responses((status = 201, body = LineView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn add_adjustment(
    State(state): State<AppState>,
    FinanceKey(finance): FinanceKey,
    Json(req): Json<AdjustmentRequest>,
) -> Result<(StatusCode, axum::Json<LineView>), ApiError> {
    let mut errors = crate::domain::field::Errors::default();
    let currency = errors.take("currency", parse_currency(&req.currency));
    let reason = errors.take("reason", clean_text(&req.reason, 500));
    if req.amount_minor == 0 || req.amount_minor.unsigned_abs() > MAX_AMOUNT_MINOR.unsigned_abs() {
        errors.push(
            "amount_minor",
            "out_of_range",
            "must be non-zero and at most 100,000,000,000 in absolute value",
        );
    }
    let now = state.clock.now();
    let period = match req.period.as_deref() {
        Some(raw) => errors.take(
            "period",
            AccountingMonth::parse(raw).ok_or(("invalid_period", "must be YYYY-MM".to_owned())),
        ),
        None => Some(AccountingMonth::of(
            now,
            state.settings.ledger.manufacturer_tz,
        )),
    };
    let dealer = state.store.dealer_by_code(&req.dealer_code).await?;
    if dealer.is_none() {
        errors.push("dealer_code", "unknown_dealer", "no dealer with this code");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors.0));
    }
    let (dealer, currency, reason, period) = (
        dealer.expect("checked"),
        currency.expect("checked"),
        reason.expect("checked"),
        period.expect("checked"),
    );
    let adjustment = NewAdjustment {
        dealer_id: dealer.id,
        currency: &currency,
        amount_minor: req.amount_minor,
        period,
        reason: &reason,
        actor: finance.key_id,
    };
    let line = ledger::add_adjustment(&state.store, &adjustment, now).await?;
    tracing::info!(entry_id = %line.entry_id, dealer = %dealer.code, actor_key = %finance.key_id, "adjustment added");
    Ok((StatusCode::CREATED, axum::Json(LineView::from(&line))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// YYYY-MM (required).
    pub period: String,
}

/// The CSV columns of the export, in order (documented in the README; stable).
pub const CSV_COLUMNS: [&str; 15] = [
    "statement_id",
    "period",
    "dealer_code",
    "statement_status",
    "currency",
    "statement_total",
    "entry_id",
    "entry_kind",
    "amount",
    "entry_period",
    "serial_number",
    "program_id",
    "program_version",
    "rule_id",
    "reason",
];

/// Export a period's statements as CSV (RFC 4180), one row per statement line.
#[utoipa::path(get, path = "/v1/finance/statements.csv", tag = "finance", params(ExportParams),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn export_csv(
    State(state): State<AppState>,
    _: FinanceKey,
    Query(params): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let period = check_period(&params.period)?.to_string();
    let mut out = SafeCsv::new(Vec::new(), true);
    out.header(&CSV_COLUMNS).map_err(ApiError::internal)?;
    for s in state.store.statements(Some(&period), None, None).await? {
        for line in state.store.statement_lines(s.id).await? {
            let version = line
                .program_version
                .map(|v| v.to_string())
                .unwrap_or_default();
            let text = |t: &Option<String>| Cell::text(t.clone().unwrap_or_default());
            out.row([
                Cell::value(s.id.to_string()),
                Cell::value(s.period.clone()),
                Cell::text(s.dealer_code.clone()),
                Cell::value(s.status.clone()),
                Cell::value(s.currency.clone()),
                Cell::value(format_minor(s.total_minor, &s.currency)),
                Cell::value(line.entry_id.to_string()),
                Cell::value(line.kind.clone()),
                Cell::value(format_minor(line.amount_minor, &line.currency)),
                Cell::value(line.period.clone()),
                text(&line.serial_number),
                text(&line.program_id),
                Cell::value(version),
                text(&line.rule_id),
                text(&line.reason),
            ])
            .map_err(ApiError::internal)?;
        }
    }
    let body = out.into_inner().map_err(ApiError::internal)?;
    Ok(super::session::csv_download(
        &format!("statements-{period}.csv"),
        body,
    ))
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
