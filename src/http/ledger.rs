//! Finance's ledger tools beside the statement workflow: adjustments (a manual entry with its
//! reason and audit row) and the statements' CSV export, one row per ledger line.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::FinanceKey;
use super::body::{Json, Query};
use super::error::{ApiError, Problem};
use super::finance::{LineView, check_period};
use crate::csv_safe::{Cell, SafeCsv};
use crate::domain::field::clean_text;
use crate::domain::ledger::{AccountingMonth, MAX_AMOUNT_MINOR, format_minor, parse_currency};
use crate::workflows::ledger::{self, NewAdjustment};

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
    let statements = state.store.statements(Some(&period), None, None).await?;
    statements_csv(&state, &statements, &format!("statements-{period}.csv")).await
}

/// Statements as CSV (RFC 4180), one row per statement line, as a download named `filename`: the
/// API's export and the finance pages' downloads.
pub async fn statements_csv(
    state: &AppState,
    statements: &[crate::store::StatementRecord],
    filename: &str,
) -> Result<Response, ApiError> {
    let mut out = SafeCsv::new(Vec::new(), true);
    out.header(&CSV_COLUMNS).map_err(ApiError::internal)?;
    for s in statements {
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
    Ok(super::session::csv_download(filename, body))
}
