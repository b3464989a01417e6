//! The finance console: statements searched by dealer, filtered by status and period, paged, with
//! totals per currency; a statement's lines grouped by kind with subtotals, its history with
//! people's names; approve / hold / release / mark paid under the four-eyes rules; adjustments;
//! CSV downloads and a print view; closing a period after a confirmation naming what it closes.

use std::collections::{BTreeMap, HashMap};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::charts;
use super::error::ApiError;
use super::finance::apply_action;
use super::present;
use super::session::{self, FinanceUser, Session};
use crate::domain::ledger::{AccountingMonth, StatementAction};
use crate::store::LedgerLine;
use crate::store::portal::StatementSearch;

const PER_PAGE: i64 = 25;
pub const STATUSES: [&str; 4] = ["pending_review", "on_hold", "approved", "paid"];

pub async fn home() -> Redirect {
    Redirect::to("/finance/statements")
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    period: Option<String>,
    status: Option<String>,
    dealer: Option<String>,
    page: Option<i64>,
    added: Option<String>,
}

pub async fn statements(
    State(state): State<AppState>,
    FinanceUser(s): FinanceUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let mut errors: HashMap<&str, String> = HashMap::new();
    let period = q.period.clone().filter(|p| !p.trim().is_empty());
    let valid_period = match period.as_deref() {
        Some(p) => match AccountingMonth::parse(p.trim()) {
            Some(m) => Some(m.to_string()),
            None => {
                errors.insert(
                    "period",
                    if lang == "fr" {
                        "Choisissez un mois."
                    } else {
                        "Choose a month."
                    }
                    .to_owned(),
                );
                None
            }
        },
        None => None,
    };
    let status = q.status.clone().filter(|v| STATUSES.contains(&v.as_str()));
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let search = StatementSearch {
        period: valid_period.clone(),
        status: status.clone(),
        dealer: q.dealer.clone(),
        dealer_id: None,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let (rows, totals) = state.store.search_statements(&search).await?;
    let count: i64 = totals.iter().map(|t| t.count).sum();
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let st = &r.statement;
            context! {
                id => st.id.to_string(), dealer => &r.dealer_name, dealer_code => &st.dealer_code,
                period => charts::month_name(&st.period, lang), status => &st.status,
                total => present::money(st.total_minor, &st.currency, lang), hold_reason => &st.hold_reason,
            }
        })
        .collect();
    let totals: Vec<Value> = totals
        .iter()
        .map(|t| context! { currency => &t.currency, count => t.count, total => present::money(t.total_minor, &t.currency, lang) })
        .collect();
    let pages = ((count + PER_PAGE - 1) / PER_PAGE).max(1);
    let periods = recent_periods(&state, lang);
    Ok(session::page(
        &state,
        &s,
        "/finance/statements",
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        "finance/statements.html.j2",
        context! {
            rows => rows, totals => totals, count => count, page => page, pages => pages,
            period => period, status => status, dealer => q.dealer.unwrap_or_default(),
            statuses => STATUSES, periods => periods, errors => errors, added => q.added.is_some(),
        },
    ))
}

/// The last 24 months, newest first, as choices.
pub(super) fn recent_periods(state: &AppState, lang: &str) -> Vec<Value> {
    let mut month = AccountingMonth::of(state.clock.now(), state.settings.ledger.manufacturer_tz);
    let mut out = Vec::new();
    for _ in 0..24 {
        let key = month.to_string();
        out.push(context! { value => &key, label => charts::month_name(&key, lang) });
        month = month.previous();
    }
    out
}

/// A statement's lines grouped by kind, with subtotals.
pub fn statement_lines_view(lines: &[LedgerLine], lang: &str) -> Vec<Value> {
    let mut groups: BTreeMap<&str, Vec<&LedgerLine>> = BTreeMap::new();
    for line in lines {
        groups.entry(line.kind.as_str()).or_default().push(line);
    }
    groups
        .into_iter()
        .map(|(kind, lines)| {
            let currency = lines.first().map_or("EUR", |l| l.currency.as_str());
            let subtotal: i64 = lines.iter().map(|l| l.amount_minor).sum();
            context! {
                kind => kind, count => lines.len(),
                subtotal => present::money(subtotal, currency, lang),
                lines => lines.iter().map(|l| context! {
                    serial => &l.serial_number, reason => &l.reason,
                    program => l.program_id.as_ref().map(|p| format!("{p} v{}", l.program_version.unwrap_or(0))),
                    period => charts::month_name(&l.period, lang),
                    amount => present::money(l.amount_minor, &l.currency, lang),
                }).collect::<Vec<_>>(),
            }
        })
        .collect()
}

async fn statement_page(
    state: &AppState,
    s: &Session,
    id: Uuid,
    status: StatusCode,
    error: Option<String>,
    values: Value,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let st = state.store.statement(id).await?.ok_or(ApiError::NotFound)?;
    let dealer = state.store.dealer_by_code(&st.dealer_code).await?;
    let lines = state.store.statement_lines(id).await?;
    let audit = state.store.audit_log("statement", &id.to_string()).await?;
    let names = present::names(&state.store, audit.iter().map(|a| a.actor)).await?;
    let audit: Vec<Value> = audit
        .iter()
        .map(|a| {
            context! {
                at => present::time(a.at, tz, lang),
                action => a.action.trim_start_matches("statement."),
                detail => audit_detail(&a.action, a.detail.as_deref(), &st.currency, lang),
                who => a.actor.map(|id| names.get(&id).cloned().unwrap_or_else(|| "?".into())),
            }
        })
        .collect();
    let held: Vec<String> = match dealer.as_ref() {
        Some(d) => state
            .store
            .dealer_held(d.id)
            .await?
            .into_iter()
            .map(|h| present::money(h.amount_minor, &h.currency, lang))
            .collect(),
        None => Vec::new(),
    };
    let (approved_by, authors) = state.store.statement_people(id).await?;
    let me = s.account.id;
    Ok(session::page(
        state,
        s,
        "/finance/statements",
        status,
        "finance/statement.html.j2",
        context! {
            s => context! {
                id => st.id.to_string(), dealer => dealer.as_ref().map(|d| d.name.clone()), dealer_code => &st.dealer_code,
                period => charts::month_name(&st.period, lang), period_key => &st.period, status => &st.status,
                total => present::money(st.total_minor, &st.currency, lang), currency => &st.currency,
                hold_reason => &st.hold_reason, reference => &st.payment_reference,
                created_at => present::time(st.created_at, tz, lang),
                approved_at => st.approved_at.map(|t| present::time(t, tz, lang)),
                paid_at => st.paid_at.map(|t| present::time(t, tz, lang)),
            },
            groups => statement_lines_view(&lines, lang),
            held => held, audit => audit, error => error, values => values,
            may_approve => s.role.may_approve() && !authors.contains(&me),
            own_adjustment => authors.contains(&me),
            approved_by_me => approved_by == Some(me),
        },
    ))
}

/// An audit row's detail as people read it: amounts as money, statuses in words.
fn audit_detail(action: &str, detail: Option<&str>, currency: &str, lang: &str) -> Option<String> {
    let detail = detail?;
    if action == "statement.created" {
        // `-2.50 GBP` (or minor units, as older rows were written): as money.
        let mut words = detail.split_whitespace();
        let amount = words.next().unwrap_or("");
        let cur = words.next().unwrap_or(currency);
        let minor = if amount.contains('.') {
            adjustments::parse_amount(amount, cur)
        } else {
            amount.parse::<i64>().ok()
        };
        return Some(minor.map_or_else(|| detail.to_owned(), |m| present::money(m, cur, lang)));
    }
    // `pending_review -> approved: note`: the note only (the action says the rest).
    Some(
        detail
            .split_once(": ")
            .map_or("", |(_, note)| note)
            .to_owned(),
    )
    .filter(|d| !d.is_empty())
}

pub async fn statement(
    State(state): State<AppState>,
    FinanceUser(s): FinanceUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    statement_page(&state, &s, id, StatusCode::OK, None, context! {}).await
}

/// A statement's lines as CSV: the same columns as the API's export.
pub async fn statement_csv(
    State(state): State<AppState>,
    FinanceUser(_s): FinanceUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let st = state.store.statement(id).await?.ok_or(ApiError::NotFound)?;
    let name = format!(
        "statement-{}-{}.csv",
        st.dealer_code
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        st.period
    );
    super::ledger::statements_csv(&state, &[st], &name).await
}

#[derive(Deserialize, Default)]
pub struct CsvQuery {
    period: Option<String>,
}

/// A period's statements as CSV (the list page's download).
pub async fn period_csv(
    State(state): State<AppState>,
    FinanceUser(_s): FinanceUser,
    Query(q): Query<CsvQuery>,
) -> Result<Response, ApiError> {
    let period = q
        .period
        .as_deref()
        .and_then(AccountingMonth::parse)
        .ok_or(ApiError::NotFound)?
        .to_string();
    let statements = state.store.statements(Some(&period), None, None).await?;
    super::ledger::statements_csv(&state, &statements, &format!("statements-{period}.csv")).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    reason: Option<String>,
    reference: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    FinanceUser(s): FinanceUser,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let action = StatementAction::parse(&action).ok_or(ApiError::NotFound)?;
    if action == StatementAction::Approve && !s.role.may_approve() {
        return Err(ApiError::Forbidden);
    }
    let note = form.reason.as_deref().or(form.reference.as_deref());
    let values = context! { reason => &form.reason, reference => &form.reference };
    match apply_action(&state, s.account.id, id, action, note).await {
        // Post/redirect/get: a reload does not repeat the action.
        Ok(_) => Ok(Redirect::to(&format!("/finance/statements/{id}")).into_response()),
        Err(ApiError::Conflict { detail, .. }) => {
            statement_page(&state, &s, id, StatusCode::CONFLICT, Some(detail), values).await
        }
        Err(ApiError::Validation(_)) => {
            let message = match (action, s.lang()) {
                (StatementAction::Hold, "fr") => "Indiquez pourquoi ce relevé est suspendu.",
                (StatementAction::Hold, _) => "Say why this statement is put on hold.",
                (_, "fr") => "Saisissez la référence du paiement.",
                _ => "Enter the payment's reference.",
            };
            statement_page(
                &state,
                &s,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message.into()),
                values,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

mod adjustments;
mod close;

pub use adjustments::{adjust, adjustment_form};
pub use close::{close, close_confirm};
