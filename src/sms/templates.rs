//! Text templates, compiled into the binary: `templates/sms/<kind>/<lang>.txt.j2`, one line each.
//! A rendered text has its whitespace collapsed and the characters GSM-7 lacks folded to their
//! nearest letter (`domain::sms::fold_to_gsm`); `check_all` renders each with long sample values
//! and counts its segments against the budget.

use chrono::NaiveDate;
use minijinja::{Environment, Value, context};

use crate::domain::sms::{Segments, fold_to_gsm, segments};
use crate::mail::templates::{DealerView, KINDS};
use crate::templating::{LANGUAGES, embedded, environment, format_date};

const SMS: &[(&str, &str)] = embedded!("sms":
    "registration_confirmation/en.txt.j2", "registration_confirmation/fr.txt.j2",
    "service_due/en.txt.j2", "service_due/fr.txt.j2",
    "warranty_expiring/en.txt.j2", "warranty_expiring/fr.txt.j2",
    "help/en.txt.j2", "help/fr.txt.j2",
);

/// The longest dealer or product name a text carries; longer ones are cut (with "...").
pub const NAME_CHARS: usize = 30;

pub struct TextRenderer {
    env: Environment<'static>,
}

impl Default for TextRenderer {
    fn default() -> Self {
        Self::new()
    }
}

/// The links a text carries (short tokens).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TextLinks {
    pub verify: Option<String>,
    pub booking: Option<String>,
}

/// `name`, cut to `NAME_CHARS` characters.
fn short(name: &str) -> String {
    let name = name.trim();
    if name.chars().count() <= NAME_CHARS {
        name.to_owned()
    } else {
        let cut: String = name.chars().take(NAME_CHARS - 3).collect();
        format!("{}...", cut.trim_end())
    }
}

/// Everything a text template may use.
pub fn text_context(
    lang: &str,
    dealer: &DealerView,
    product_name: &str,
    date: NaiveDate,
    links: &TextLinks,
) -> Value {
    context! {
        dealer => context! { name => short(&dealer.name), phone => dealer.phone, email => dealer.email },
        product => context! { name => short(product_name) },
        reminder => context! { date => format_date(date, lang) },
        links => links,
    }
}

impl TextRenderer {
    pub fn new() -> Self {
        Self {
            env: environment(SMS),
        }
    }

    /// The text of `kind` (a reminder kind, or `help`) in `lang`.
    pub fn render(&self, kind: &str, lang: &str, ctx: &Value) -> Result<String, minijinja::Error> {
        let raw = self
            .env
            .get_template(&format!("{kind}/{lang}.txt.j2"))?
            .render(ctx)?;
        Ok(fold_to_gsm(
            &raw.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }

    /// Renders every text in every language with long sample values (the longest names a text
    /// carries, a booking link or a phone); returns each rendering's segments, or the first
    /// error, or the first text over `budget` segments.
    pub fn check_all(&self, budget: usize) -> Result<Vec<(String, Segments)>, String> {
        let mut checked = Vec::new();
        let date = NaiveDate::from_ymd_opt(2027, 8, 20).expect("valid");
        for lang in LANGUAGES {
            for kind in KINDS.iter().chain(&["help"]) {
                for booking in [true, false] {
                    let dealer = DealerView {
                        name: "Établissements Lefèvre & Fils — Atelier".into(),
                        email: Some("atelier.lefevre@garage-lefevre.example".into()),
                        phone: Some("+33 1 23 45 67 89".into()),
                        address: None,
                    };
                    let links = TextLinks {
                        verify: Some(format!("{SAMPLE_URL}/v/{SAMPLE_TOKEN}")),
                        booking: booking.then(|| format!("{SAMPLE_URL}/r/{SAMPLE_TOKEN}")),
                    };
                    let ctx = text_context(
                        lang,
                        &dealer,
                        "Chaudière à condensation 24 kW <script>",
                        date,
                        &links,
                    );
                    let text = self
                        .render(kind, lang, &ctx)
                        .map_err(|e| format!("sms {kind}/{lang}: {e:#}"))?;
                    if *kind == "registration_confirmation"
                        && !text.contains(links.verify.as_deref().unwrap_or_default())
                    {
                        return Err(format!("sms {kind}/{lang}: no verification link"));
                    }
                    if *kind != "help" && !text.contains("STOP") {
                        return Err(format!("sms {kind}/{lang}: no STOP instruction"));
                    }
                    let cost = segments(&text);
                    if cost.count > budget {
                        return Err(format!(
                            "sms {kind}/{lang}: {} segments ({}, {} units) over the budget of {budget}",
                            cost.count,
                            cost.encoding.as_str(),
                            cost.units
                        ));
                    }
                    let links = if booking {
                        "booking link"
                    } else {
                        "dealer's phone"
                    };
                    checked.push((format!("{kind}/{lang} ({links})"), cost));
                }
            }
        }
        Ok(checked)
    }
}

/// A deployment's address and a short token, as long as real ones.
const SAMPLE_URL: &str = "https://warranty.manufacturer.example";
const SAMPLE_TOKEN: &str = "AZLXq2yTd7m0bS4tR9uVwA3xYz1bC5dE";
