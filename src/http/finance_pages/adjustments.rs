//! Adjustments: a form with amounts typed as people write them; the dealer sees the reason.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use super::recent_periods;
use crate::domain::ledger::AccountingMonth;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self, FinanceUser, Session};

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
pub(super) fn parse_amount(raw: &str, currency: &str) -> Option<i64> {
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
