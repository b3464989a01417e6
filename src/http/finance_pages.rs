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
fn recent_periods(state: &AppState, lang: &str) -> Vec<Value> {
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
            parse_amount(amount, cur)
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

// Adjustments.

#[derive(Deserialize, Default)]
pub struct AdjustQuery {
    dealer: Option<String>,
    currency: Option<String>,
}

async fn adjustment_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    values: Value,
    errors: HashMap<&'static str, String>,
) -> Result<Response, ApiError> {
    let dealers: Vec<Value> = state
        .store
        .list_dealers()
        .await?
        .into_iter()
        .map(|d| context! { code => d.code, name => d.name })
        .collect();
    let lang = s.lang();
    Ok(session::page(
        state,
        s,
        "/finance/adjustments/new",
        status,
        "finance/adjustment.html.j2",
        context! {
            dealers => dealers, values => values, errors => errors, periods => recent_periods(state, lang),
            order => ["dealer", "currency", "amount", "period", "reason"],
        },
    ))
}

pub async fn adjustment_form(
    State(state): State<AppState>,
    FinanceUser(s): FinanceUser,
    Query(q): Query<AdjustQuery>,
) -> Result<Response, ApiError> {
    let period =
        AccountingMonth::of(state.clock.now(), state.settings.ledger.manufacturer_tz).to_string();
    adjustment_page(
        &state,
        &s,
        StatusCode::OK,
        context! { dealer => q.dealer, currency => q.currency.unwrap_or_else(|| "EUR".into()), period => period },
        HashMap::new(),
    )
    .await
}

/// A decimal amount as typed (`-12.50`, `12,5`) in minor units of `currency`.
fn parse_amount(raw: &str, currency: &str) -> Option<i64> {
    let exponent = crate::domain::ledger::currency_exponent(currency) as usize;
    let text = raw
        .trim()
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .replace(',', ".");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, text.trim_start_matches('+').to_owned()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > exponent
        || whole.len() > 12
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = if exponent == 0 {
        0
    } else {
        format!("{fraction:0<exponent$}").parse().ok()?
    };
    let minor = whole * 10i64.pow(exponent as u32) + fraction;
    Some(if negative { -minor } else { minor })
}

#[derive(Deserialize)]
pub struct AdjustForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    dealer: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    reason: String,
}

pub async fn adjust(
    State(state): State<AppState>,
    headers: HeaderMap,
    FinanceUser(s): FinanceUser,
    Form(form): Form<AdjustForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let fr = s.lang() == "fr";
    let mut errors: HashMap<&'static str, String> = HashMap::new();
    let dealer = state.store.dealer_by_code(form.dealer.trim()).await?;
    if dealer.is_none() {
        errors.insert(
            "dealer",
            if fr {
                "Choisissez un revendeur."
            } else {
                "Choose a dealer."
            }
            .into(),
        );
    }
    let currency = crate::domain::ledger::parse_currency(&form.currency.to_uppercase()).ok();
    if currency.is_none() {
        errors.insert(
            "currency",
            if fr {
                "Saisissez un code de devise à 3 lettres, par exemple EUR."
            } else {
                "Enter a 3-letter currency code such as EUR."
            }
            .into(),
        );
    }
    let amount = currency
        .as_deref()
        .and_then(|c| parse_amount(&form.amount, c))
        .filter(|a| *a != 0);
    if amount.is_none() {
        errors.insert(
            "amount",
            if fr {
                "Saisissez un montant non nul, par exemple 25,00 ou -12,50."
            } else {
                "Enter an amount other than zero, such as 25.00 or -12.50."
            }
            .into(),
        );
    }
    let period = AccountingMonth::parse(form.period.trim());
    let open = match period {
        Some(p) => !state.store.period_closed(&p.to_string()).await?,
        None => false,
    };
    if !open {
        errors.insert(
            "period",
            if fr {
                "Choisissez un mois qui n'est pas clôturé."
            } else {
                "Choose a month that is not closed."
            }
            .into(),
        );
    }
    let reason = crate::domain::field::clean_text(&form.reason, 500)
        .ok()
        .filter(|r| !r.is_empty());
    if reason.is_none() {
        errors.insert(
            "reason",
            if fr {
                "Indiquez la raison de l'ajustement ; le revendeur la verra."
            } else {
                "Give the reason for the adjustment; the dealer will see it."
            }
            .into(),
        );
    }
    if !errors.is_empty() {
        let values = context! { dealer => form.dealer, currency => form.currency, amount => form.amount, period => form.period, reason => form.reason };
        return adjustment_page(&state, &s, StatusCode::UNPROCESSABLE_ENTITY, values, errors).await;
    }
    let dealer = dealer.expect("checked");
    let adjustment = crate::workflows::ledger::NewAdjustment {
        dealer_id: dealer.id,
        currency: currency.as_deref().expect("checked"),
        amount_minor: amount.expect("checked"),
        period: period.expect("checked"),
        reason: reason.as_deref().expect("checked"),
        actor: s.account.id,
    };
    let line =
        crate::workflows::ledger::add_adjustment(&state.store, &adjustment, state.clock.now())
            .await?;
    tracing::info!(entry_id = %line.entry_id, dealer = %dealer.code, account = %s.account.id, "adjustment added on the page");
    Ok(Redirect::to(&format!(
        "/finance/statements?dealer={}&added=1",
        dealer.code
    ))
    .into_response())
}

// Closing a period: a confirmation page first.

#[derive(Deserialize, Default)]
pub struct CloseQuery {
    period: Option<String>,
}

pub async fn close_confirm(
    State(state): State<AppState>,
    FinanceUser(s): FinanceUser,
    Query(q): Query<CloseQuery>,
) -> Result<Response, ApiError> {
    close_page(&state, &s, StatusCode::OK, q.period, None).await
}

async fn close_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    period: Option<String>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let now = state.clock.now();
    let current = AccountingMonth::of(now, state.settings.ledger.manufacturer_tz);
    // The default is the last month that has ended, never the one under way.
    let chosen = period
        .as_deref()
        .and_then(AccountingMonth::parse)
        .unwrap_or_else(|| current.previous());
    let key = chosen.to_string();
    let closed = state.store.period_closed(&key).await?;
    let rows: Vec<Value> = state
        .store
        .open_totals(&key)
        .await?
        .iter()
        .map(|t| context! { dealer => &t.dealer_name, count => t.count, total => present::money(t.total_minor, &t.currency, lang) })
        .collect();
    Ok(session::page(
        state,
        s,
        "/finance/periods/close",
        status,
        "finance/close.html.j2",
        context! {
            period => &key, period_name => charts::month_name(&key, lang), closed => closed,
            under_way => chosen >= current, rows => rows, error => error,
            periods => recent_periods(state, lang),
        },
    ))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    period: String,
    confirm: Option<String>,
}

pub async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    FinanceUser(s): FinanceUser,
    Form(form): Form<CloseForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    let fr = s.lang() == "fr";
    let now = state.clock.now();
    let current = AccountingMonth::of(now, state.settings.ledger.manufacturer_tz);
    let Some(period) = AccountingMonth::parse(form.period.trim()).filter(|p| *p < current) else {
        let message = if fr {
            "Choisissez un mois terminé."
        } else {
            "Choose a month that has ended."
        };
        return close_page(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(form.period),
            Some(message.into()),
        )
        .await;
    };
    if form.confirm.as_deref() != Some("yes") {
        let message = if fr {
            "Cochez la case pour confirmer la clôture."
        } else {
            "Tick the box to confirm the close."
        };
        return close_page(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(period.to_string()),
            Some(message.into()),
        )
        .await;
    }
    crate::workflows::ledger::close_period(&state.store, period, Some(s.account.id), now).await?;
    tracing::info!(%period, account = %s.account.id, "period closed on the page");
    Ok(Redirect::to(&format!("/finance/statements?period={period}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_are_read_as_typed() {
        assert_eq!(parse_amount("12.50", "EUR"), Some(1250));
        assert_eq!(parse_amount("-12,5", "EUR"), Some(-1250));
        assert_eq!(parse_amount("1 234,56", "EUR"), Some(123_456));
        assert_eq!(parse_amount("7", "JPY"), Some(7));
        assert_eq!(parse_amount("1.234", "EUR"), None);
        assert_eq!(parse_amount("abc", "EUR"), None);
        assert_eq!(parse_amount("", "EUR"), None);
    }
}
