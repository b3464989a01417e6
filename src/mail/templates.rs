//! Email templates, compiled into the binary: `templates/email/<kind>/<lang>/{subject.txt,
//! body.txt,body.html}.j2` on shared per-language bases, and the context a reminder renders with.
//! HTML templates are autoescaped; text ones are not. Web pages render through
//! `crate::http::pages`; both share `crate::templating`.

use chrono::NaiveDate;
use minijinja::{Environment, Value, context};

use crate::templating::{LANGUAGES, embedded, environment, format_date};
use serde::Serialize;

pub const KINDS: [&str; 3] = [
    "registration_confirmation",
    "service_due",
    "warranty_expiring",
];

const EMAIL: &[(&str, &str)] = embedded!("email":
    "base.en.html.j2", "base.fr.html.j2", "footer.en.txt.j2", "footer.fr.txt.j2",
    "registration_confirmation/en/subject.txt.j2", "registration_confirmation/en/body.txt.j2", "registration_confirmation/en/body.html.j2",
    "registration_confirmation/fr/subject.txt.j2", "registration_confirmation/fr/body.txt.j2", "registration_confirmation/fr/body.html.j2",
    "service_due/en/subject.txt.j2", "service_due/en/body.txt.j2", "service_due/en/body.html.j2",
    "service_due/fr/subject.txt.j2", "service_due/fr/body.txt.j2", "service_due/fr/body.html.j2",
    "warranty_expiring/en/subject.txt.j2", "warranty_expiring/en/body.txt.j2", "warranty_expiring/en/body.html.j2",
    "warranty_expiring/fr/subject.txt.j2", "warranty_expiring/fr/body.txt.j2", "warranty_expiring/fr/body.html.j2",
    "notice_base.html.j2",
    "sign_in/en/subject.txt.j2", "sign_in/en/body.txt.j2", "sign_in/en/body.html.j2",
    "sign_in/fr/subject.txt.j2", "sign_in/fr/body.txt.j2", "sign_in/fr/body.html.j2",
    "invitation/en/subject.txt.j2", "invitation/en/body.txt.j2", "invitation/en/body.html.j2",
    "invitation/fr/subject.txt.j2", "invitation/fr/body.txt.j2", "invitation/fr/body.html.j2",
    "transfer/en/subject.txt.j2", "transfer/en/body.txt.j2", "transfer/en/body.html.j2",
    "transfer/fr/subject.txt.j2", "transfer/fr/body.txt.j2", "transfer/fr/body.html.j2",
    "transfer_notice/en/subject.txt.j2", "transfer_notice/en/body.txt.j2", "transfer_notice/en/body.html.j2",
    "transfer_notice/fr/subject.txt.j2", "transfer_notice/fr/body.txt.j2", "transfer_notice/fr/body.html.j2",
);

/// Notices to the people who use the pages (`crate::mail::notices`).
pub const NOTICE_KINDS: [&str; 4] = ["sign_in", "invitation", "transfer", "transfer_notice"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Renderer {
    email: Environment<'static>,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Self {
        Self {
            email: environment(EMAIL),
        }
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

    /// Renders every email kind in every language with sample data (including hostile text);
    /// returns how many renderings succeeded or the first error.
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
            for kind in NOTICE_KINDS {
                let ctx = context! {
                    manufacturer => "Acme <script>", name => "Ana <script>", link => "https://warranty.test/sign-in/t",
                    minutes => 15, invited_by => "Ada <script>", role => "Dealer manager", dealer => "Garage <script>",
                    product => "Boiler <script>", serial => "SN-<script>", warranty_until => "1 June 2028",
                    until => "15 December 2026", serving_dealer => "Garage <script>",
                };
                let rendered = self
                    .email(kind, lang, &ctx)
                    .map_err(|e| format!("{kind}/{lang}: {e:#}"))?;
                if rendered.subject.is_empty()
                    || !rendered.text.contains("https://warranty.test/sign-in/t")
                {
                    return Err(format!("{kind}/{lang}: no subject or no link"));
                }
                if rendered.html.contains("<script>") {
                    return Err(format!("{kind}/{lang}: text is not escaped in HTML"));
                }
                count += 1;
            }
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
    /// The owner's own page (their units, warranty, next service, choices).
    pub owner: String,
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
            owner: "https://warranty.example/o/token".into(),
        },
    )
}
