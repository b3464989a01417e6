//! What email and page templates share: embedding the files into the binary, the HTML escaping
//! both use, the languages we have templates for, and dates as people write them.

use chrono::{Datelike, NaiveDate};
use minijinja::{Environment, Value};

/// Languages with a full set of templates; the first is the fallback.
pub const LANGUAGES: [&str; 2] = ["en", "fr"];

/// `(name, source)` of each listed file under `templates/<dir>/`, compiled into the binary.
macro_rules! embedded {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $dir, "/", $name)))),*]
    };
}
pub(crate) use embedded;

/// HTML escaping of what templates print: `&`, `<`, `>` and both quotes, which is all that text and
/// quoted attributes need. minijinja's default also writes `/` as `&#x2f;`, which left every link
/// in an email as `https:&#x2f;&#x2f;…` — valid, but what spam filters and people reading the
/// source distrust.
fn escape_html(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (minijinja::AutoEscape::Html, Some(text)) if !value.is_safe() => {
            let mut escaped = String::with_capacity(text.len());
            for c in text.chars() {
                match c {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#39;"),
                    c => escaped.push(c),
                }
            }
            out.write_str(&escaped).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// A template environment of these files: strict about undefined values, escaping as above.
pub fn environment(files: &'static [(&'static str, &'static str)]) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_formatter(escape_html);
    for (name, source) in files {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("template {name} does not compile: {e}"));
    }
    env
}

/// The first of `preferences` (BCP 47 tags, best first) we have templates for, else English.
pub fn language<'a>(preferences: impl IntoIterator<Item = &'a str>) -> &'static str {
    preferences
        .into_iter()
        .filter_map(|tag| tag.split(['-', '_']).next())
        .find_map(|primary| {
            LANGUAGES
                .iter()
                .find(|l| l.eq_ignore_ascii_case(primary))
                .copied()
        })
        .unwrap_or(LANGUAGES[0])
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A date as people write it: "20 November 2026", "20 novembre 2026".
/// A date as people write it: `20 May 2027`; in French `20 mai 2027`, and `1er` for the first
/// of the month.
pub fn format_date(date: NaiveDate, lang: &str) -> String {
    let months = if lang == "fr" { &MONTHS_FR } else { &MONTHS_EN };
    let day = match (lang, date.day()) {
        ("fr", 1) => "1er".to_owned(),
        (_, d) => d.to_string(),
    };
    format!("{day} {} {}", months[date.month0() as usize], date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_each_languages_rules() {
        let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let second = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(format_date(first, "fr"), "1er décembre 2026");
        assert_eq!(format_date(second, "fr"), "2 décembre 2026");
        assert_eq!(format_date(first, "en"), "1 December 2026");
    }

    #[test]
    fn languages_fall_back_to_english() {
        assert_eq!(language(["fr-CA", "en"]), "fr");
        assert_eq!(language(["de-DE", "fr-FR"]), "fr");
        assert_eq!(language(["de-DE"]), "en");
    }

    #[test]
    fn dates_are_written_per_language() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 3).unwrap();
        assert_eq!(format_date(d, "en"), "3 August 2026");
        assert_eq!(format_date(d, "fr"), "3 août 2026");
    }
}
