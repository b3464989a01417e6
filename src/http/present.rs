//! How pages write values for people: money in the reader's language (`€1,234.50`,
//! `1 234,50 €`), dates in words, times in a given time zone, people's names instead of ids.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::domain::ledger::format_minor;
use crate::store::Store;

fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "USD" => Some("$"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// Digits grouped by thousands with `sep`.
fn grouped(digits: &str, sep: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// An amount in minor units as people write it in `lang`.
pub fn money(minor: i64, currency: &str, lang: &str) -> String {
    let plain = format_minor(minor.abs(), currency);
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let sign = if minor < 0 { "-" } else { "" };
    if lang == "fr" {
        let number = if fraction.is_empty() {
            grouped(whole, "\u{202f}")
        } else {
            format!("{},{fraction}", grouped(whole, "\u{202f}"))
        };
        format!(
            "{sign}{number}\u{a0}{}",
            symbol(currency).unwrap_or(currency)
        )
    } else {
        let number = if fraction.is_empty() {
            grouped(whole, ",")
        } else {
            format!("{}.{fraction}", grouped(whole, ","))
        };
        match symbol(currency) {
            Some(s) => format!("{sign}{s}{number}"),
            None => format!("{sign}{currency}\u{a0}{number}"),
        }
    }
}

pub fn date(d: NaiveDate, lang: &str) -> String {
    crate::templating::format_date(d, lang)
}

/// A moment in `tz`, to the minute: `1 December 2026, 14:05`.
pub fn time(at: DateTime<Utc>, tz: Tz, lang: &str) -> String {
    let local = at.with_timezone(&tz);
    let day = crate::templating::format_date(local.date_naive(), lang);
    if lang == "fr" {
        format!("{day} à {}", local.format("%H:%M"))
    } else {
        format!("{day}, {}", local.format("%H:%M"))
    }
}

/// The names of the people and keys behind `ids` (`None` ids are the system).
pub async fn names(
    store: &Store,
    ids: impl IntoIterator<Item = Option<Uuid>>,
) -> Result<HashMap<Uuid, String>, crate::store::StoreError> {
    let mut wanted: Vec<Uuid> = ids.into_iter().flatten().collect();
    wanted.sort();
    wanted.dedup();
    Ok(store
        .actor_names(&wanted)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(money(7500, "GBP", "en"), "£75.00");
        assert_eq!(money(123450, "EUR", "en"), "€1,234.50");
        assert_eq!(money(123450, "EUR", "fr"), "1\u{202f}234,50\u{a0}€");
        assert_eq!(money(-1250, "EUR", "en"), "-€12.50");
        assert_eq!(money(500, "JPY", "en"), "¥500");
        assert_eq!(money(1000, "CHF", "en"), "CHF\u{a0}10.00");
    }
}
