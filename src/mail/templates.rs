//! Templates, compiled into the binary: emails (`templates/email/<kind>/<lang>/{subject.txt,
//! body.txt,body.html}.j2` on shared per-language bases) and customer web pages (`templates/web/`).
//! HTML templates are autoescaped; text ones are not.

use chrono::{Datelike, NaiveDate};
use minijinja::{Environment, Value, context};
use serde::Serialize;

/// Languages with a full set of templates; the first is the fallback.
pub const LANGUAGES: [&str; 2] = ["en", "fr"];
pub const KINDS: [&str; 3] = [
    "registration_confirmation",
    "service_due",
    "warranty_expiring",
];

macro_rules! embedded {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $dir, "/", $name)))),*]
    };
}

const EMAIL: &[(&str, &str)] = embedded!("email":
    "base.en.html.j2", "base.fr.html.j2", "footer.en.txt.j2", "footer.fr.txt.j2",
    "registration_confirmation/en/subject.txt.j2", "registration_confirmation/en/body.txt.j2", "registration_confirmation/en/body.html.j2",
    "registration_confirmation/fr/subject.txt.j2", "registration_confirmation/fr/body.txt.j2", "registration_confirmation/fr/body.html.j2",
    "service_due/en/subject.txt.j2", "service_due/en/body.txt.j2", "service_due/en/body.html.j2",
    "service_due/fr/subject.txt.j2", "service_due/fr/body.txt.j2", "service_due/fr/body.html.j2",
    "warranty_expiring/en/subject.txt.j2", "warranty_expiring/en/body.txt.j2", "warranty_expiring/en/body.html.j2",
    "warranty_expiring/fr/subject.txt.j2", "warranty_expiring/fr/body.txt.j2", "warranty_expiring/fr/body.html.j2",
);

const WEB: &[(&str, &str)] = embedded!("web":
    "base.html.j2", "unsubscribe.html.j2", "verify.html.j2", "not_found.html.j2",
    "app_base.html.j2", "finance/login.html.j2", "finance/statements.html.j2", "finance/statement.html.j2",
    "dealer/login.html.j2", "dealer/counter.html.j2", "dealer/scorecard.html.j2",
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Renderer {
    email: Environment<'static>,
    web: Environment<'static>,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

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

fn environment(files: &'static [(&'static str, &'static str)]) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_formatter(escape_html);
    for (name, source) in files {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("template {name} does not compile: {e}"));
    }
    env
}

impl Renderer {
    pub fn new() -> Self {
        Self {
            email: environment(EMAIL),
            web: environment(WEB),
        }
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

    pub fn email(&self, kind: &str, lang: &str, ctx: &Value) -> Result<Rendered, minijinja::Error> {
        let render = |part: &str| {
            self.email
                .get_template(&format!("{kind}/{lang}/{part}.j2"))?
                .render(ctx)
        };
        Ok(Rendered {
            subject: render("subject.txt")?
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or_default()
                .to_owned(),
            text: render("body.txt")?,
            html: render("body.html")?,
        })
    }

    pub fn page(&self, name: &str, ctx: &Value) -> Result<String, minijinja::Error> {
        self.web.get_template(name)?.render(ctx)
    }

    /// Renders every email kind in every language and every page with sample data (including
    /// hostile text); returns how many renderings succeeded or the first error.
    pub fn check_all(&self) -> Result<usize, String> {
        let mut count = 0;
        for lang in LANGUAGES {
            for kind in KINDS {
                for booking in [true, false] {
                    let ctx = sample_context(kind, lang, booking);
                    let rendered = self
                        .email(kind, lang, &ctx)
                        .map_err(|e| format!("{kind}/{lang}: {e:#}"))?;
                    if rendered.subject.is_empty()
                        || rendered.text.trim().is_empty()
                        || rendered.html.trim().is_empty()
                    {
                        return Err(format!("{kind}/{lang}: an empty part"));
                    }
                    if rendered.html.contains("<script>") {
                        return Err(format!("{kind}/{lang}: text is not escaped in HTML"));
                    }
                    count += 1;
                }
            }
            for (page, done, all) in [
                ("unsubscribe.html.j2", false, false),
                ("unsubscribe.html.j2", true, false),
                ("unsubscribe.html.j2", true, true),
                ("verify.html.j2", false, false),
                ("verify.html.j2", true, false),
                ("not_found.html.j2", false, false),
            ] {
                let ctx = context! {
                    lang, done, all, voided => false, resubscribed => false,
                    withdrawn => if all { "all" } else { "service_reminders" }, dealer_name => "Garage <script>", email_masked => "c•••@example.com",
                    action => "/u/token", product_name => "Mower", serial_number => "SN1",
                };
                self.page(page, &ctx)
                    .map_err(|e| format!("{page}/{lang}: {e:#}"))?;
                count += 1;
            }
            let voided = context! {
                lang, done => false, voided => true, dealer_name => "Garage <script>", product_name => "Mower",
                serial_number => "SN1", action => "/v/token",
            };
            self.page("verify.html.j2", &voided)
                .map_err(|e| format!("verify.html.j2 (voided)/{lang}: {e:#}"))?;
            count += 1;
            for (withdrawn, resubscribed) in [("sender_all", false), ("", true)] {
                let ctx = context! {
                    lang, done => !resubscribed, all => false, resubscribed, withdrawn,
                    dealer_name => "Garage <script>", email_masked => "c•••@example.com", action => "/u/token",
                };
                self.page("unsubscribe.html.j2", &ctx)
                    .map_err(|e| format!("unsubscribe.html.j2 ({withdrawn})/{lang}: {e:#}"))?;
                count += 1;
            }
        }
        let statement = context! {
            id => "00000000-0000-0000-0000-000000000000", dealer_code => "<b>GM</b>", period => "2026-11", currency => "EUR",
            status => "on_hold", total => "12.50", hold_reason => "<script>", payment_reference => (), approved_at => (), paid_at => (),
            created_at => "2026-12-01T00:00:00Z",
            lines => vec![context! { kind => "registration", serial_number => "SN1", reason => (), program_id => "P", program_version => 1,
                rule_id => "r", period => "2026-11", amount => "12.50", currency => "EUR" }],
        };
        for (page, ctx) in [
            (
                "finance/login.html.j2",
                context! { area => "finance", signed_in => false, error => "bad key", csrf => "t" },
            ),
            (
                "dealer/login.html.j2",
                context! { area => "dealer", signed_in => false, error => (), csrf => "t" },
            ),
            (
                "dealer/counter.html.j2",
                context! { area => "dealer", signed_in => true, csrf => "t", error => "<script>",
                products => vec![context! { sku => "P1", name => "<b>GM</b>" }], values => context! { serial_number => "<script>" },
                errors => context! { customer_email => "<script>" }, registered => () },
            ),
            (
                "finance/statements.html.j2",
                context! { signed_in => true, csrf => "t", error => (), statements => vec![statement.clone()], period => "2026-11", status => () },
            ),
            (
                "finance/statement.html.j2",
                context! { signed_in => true, csrf => "t", error => (), s => statement.clone(), audit => Vec::<Value>::new() },
            ),
        ] {
            let html = self
                .page(page, &ctx)
                .map_err(|e| format!("{page}: {e:#}"))?;
            if html.contains("<script>") || html.contains("<b>GM") {
                return Err(format!("{page}: text is not escaped"));
            }
            count += 1;
        }
        Ok(count)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DealerView {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Links {
    pub booking: Option<String>,
    pub unsubscribe: String,
    pub verify: Option<String>,
}

/// Everything an email template may use.
#[allow(clippy::too_many_arguments)]
pub fn email_context(
    lang: &str,
    customer_name: &str,
    dealer: &DealerView,
    product_name: &str,
    sku: &str,
    serial_number: &str,
    purchase_date: NaiveDate,
    warranty_expires_on: NaiveDate,
    kind: &str,
    occurrence: i32,
    date: NaiveDate,
    links: &Links,
) -> Value {
    context! {
        customer => context! { name => customer_name },
        dealer => dealer,
        product => context! { name => product_name, sku => sku },
        registration => context! {
            serial_number => serial_number,
            purchase_date => format_date(purchase_date, lang),
            warranty_expires_on => format_date(warranty_expires_on, lang),
        },
        reminder => context! { kind => kind, occurrence => occurrence, date => format_date(date, lang) },
        links => links,
    }
}

fn sample_context(kind: &str, lang: &str, booking: bool) -> Value {
    let date = NaiveDate::from_ymd_opt(2027, 5, 20).expect("valid");
    email_context(
        lang,
        "Camille <script>alert(1)</script> Martin",
        &DealerView {
            name: "Garage \"Martin\" & Fils".into(),
            email: Some("atelier@garage.example".into()),
            phone: booking.then(|| "+33 1 23 45 67 89".into()),
            address: Some("12 rue des Lilas, 75011 Paris".into()),
        },
        "Robotic mower {{ 7*7 }}",
        "MOWER-500",
        "SN0001",
        date,
        date,
        kind,
        1,
        date,
        &Links {
            booking: booking.then(|| "https://warranty.example/r/token".into()),
            unsubscribe: "https://warranty.example/u/token".into(),
            verify: Some("https://warranty.example/v/token".into()),
        },
    )
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
        assert_eq!(Renderer::language(["fr-CA", "en"]), "fr");
        assert_eq!(Renderer::language(["de-DE", "fr-FR"]), "fr");
        assert_eq!(Renderer::language(["de-DE"]), "en");
    }

    #[test]
    fn dates_are_written_per_language() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 3).unwrap();
        assert_eq!(format_date(d, "en"), "3 August 2026");
        assert_eq!(format_date(d, "fr"), "3 août 2026");
    }
}
