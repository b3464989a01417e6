//! The administrators' catalog pages: dealers (profile, send window, branding shown in emails),
//! products (service plan, warranty start basis), programs (every version side by side, a new
//! version), and fraud signals (with their evidence, resolved with what the admin found).

use std::collections::HashMap;

use minijinja::{Value, context};
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;
use super::present;
use super::session::Session;
use crate::domain::field::FieldError;

mod dealers;
mod products;
mod programs;
mod signals;

pub use dealers::{dealer, dealers, new_dealer, save_dealer};
pub use products::{new_product, product, products, save_product};
pub use programs::{new_program, program, programs, save_program};
pub use signals::{resolve_signal, signals};

/// Field errors as a page shows them: the first message per field.
pub(super) fn field_errors(errors: &[FieldError]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in errors {
        let field = e
            .field
            .split(['.', '['])
            .next()
            .unwrap_or(&e.field)
            .to_owned();
        out.entry(field).or_insert_with(|| e.message.clone());
    }
    out
}

/// A product's stored service plan (a JSON list) as people type it: `P12M, P24M`.
pub(super) fn plan_text(stored: &str) -> String {
    serde_json::from_str::<Vec<String>>(stored).map_or_else(|_| stored.to_owned(), |p| p.join(", "))
}

pub(super) fn text(form: &HashMap<String, String>, name: &str) -> Option<String> {
    form.get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Who changed a dealer or a product, and when (newest first).
pub(super) async fn changes(
    state: &AppState,
    s: &Session,
    subject: &str,
    id: &str,
) -> Result<Vec<Value>, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let rows = state.store.audit_log(subject, id).await?;
    let names = present::names(&state.store, rows.iter().map(|r| r.actor)).await?;
    Ok(rows
        .iter()
        .rev()
        .take(20)
        .map(|r| {
            context! {
                at => present::time(r.at, tz, lang), created => r.action.ends_with(".created"),
                who => r.actor.and_then(|id| names.get(&id).cloned()),
            }
        })
        .collect())
}

/// A valid code as typed in an "add" form: to its page.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub(super) code: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub(super) saved: Option<String>,
}
