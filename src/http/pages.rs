//! The web pages' templates (`templates/web/`: customer pages, sign-in, the dealer's, finance's and
//! admins' pages), compiled into the binary and rendered autoescaped, with their words from
//! `locales/<lang>/pages.ftl` (Fluent) through the `t(key, name=value…)` function; the shared
//! stylesheet and script (`templates/web/assets/`) are embedded too and served under `/assets/`.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use minijinja::value::Kwargs;
use minijinja::{Environment, Value};

use crate::templating::{embedded, environment};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Plain text: no Unicode isolation marks around the values put into a sentence.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

const WEB: &[(&str, &str)] = embedded!("web":
    "base.html.j2", "unsubscribe.html.j2", "verify.html.j2", "not_found.html.j2",
    "app_base.html.j2", "plain_base.html.j2", "macros.html.j2",
    "landing.html.j2", "sign_in.html.j2", "sign_in_sent.html.j2", "sign_in_link.html.j2", "account.html.j2",
    "error.html.j2",
    "dealer/home.html.j2", "dealer/counter.html.j2", "dealer/receipt.html.j2",
    "dealer/registrations.html.j2", "dealer/registration.html.j2",
    "dealer/statements.html.j2", "dealer/statement.html.j2", "dealer/scorecard.html.j2", "dealer/team.html.j2",
    "finance/statements.html.j2", "finance/statement.html.j2",
    "finance/adjustment.html.j2", "finance/close.html.j2",
    "admin/home.html.j2", "admin/people.html.j2", "admin/dealers.html.j2", "admin/dealer.html.j2",
    "admin/products.html.j2", "admin/product.html.j2", "admin/programs.html.j2", "admin/program.html.j2",
    "admin/signals.html.j2", "admin/units.html.j2", "dealer/qr.html.j2",
    "owner/self_register.html.j2", "owner/self_registered.html.j2", "owner/unit.html.j2", "owner/unusable.html.j2", "owner/page.html.j2", "owner/my_data.html.j2",
    "owner/unit_register.html.j2", "dealer/claim.html.j2", "owner/transfer_accept.html.j2", "owner/transfer_done.html.j2", "owner/transfer_ended.html.j2",
);

/// The stylesheet and the script every page links to.
pub const STYLESHEET: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/web/assets/app.css"
));
pub const SCRIPT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/web/assets/app.js"
));

/// A page's words in `lang`, with `args` put in; `None` when no language has `key`.
pub fn text(
    lang: &str,
    key: &str,
    args: &HashMap<Cow<'static, str>, FluentValue<'_>>,
) -> Option<String> {
    let id: LanguageIdentifier = lang.parse().unwrap_or_else(|_| "en".parse().expect("en"));
    if args.is_empty() {
        LOCALES.try_lookup(&id, key)
    } else {
        LOCALES.try_lookup_with_args(&id, key, args)
    }
}

fn translate(
    state: &minijinja::State,
    key: &str,
    kwargs: Kwargs,
) -> Result<String, minijinja::Error> {
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "en".to_owned());
    let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let value = match value.as_i64() {
            Some(n) if value.kind() == minijinja::value::ValueKind::Number => FluentValue::from(n),
            _ => FluentValue::from(value.to_string()),
        };
        args.insert(Cow::Owned(name.to_owned()), value);
    }
    kwargs.assert_all_used()?;
    text(&lang, key, &args).ok_or_else(|| {
        minijinja::Error::new(
            minijinja::ErrorKind::UndefinedError,
            format!("no text {key:?} in locales/{lang}/pages.ftl"),
        )
    })
}

pub struct Pages {
    web: Environment<'static>,
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

impl Pages {
    pub fn new() -> Self {
        let mut web = environment(WEB);
        // Pages pass optional values (a form's fields, its errors) as maps that may lack a key.
        web.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        web.add_function("t", translate);
        Self { web }
    }

    pub fn page(&self, name: &str, ctx: &Value) -> Result<String, minijinja::Error> {
        self.web.get_template(name)?.render(ctx)
    }

    /// Renders every page in every language with sample data (including hostile text and charts
    /// of all-zero, missing and normal series); returns how many renderings succeeded or the
    /// first error.
    pub fn check_all(&self) -> Result<usize, String> {
        super::page_samples::check_all(self)
    }
}

/// The keys of a Fluent file (`key = ...` lines).
pub fn ftl_keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with(['#', ' ', '.', '\t']) && l.contains(" ="))
        .filter_map(|l| l.split(" =").next())
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect()
}

pub const FTL: [(&str, &str); 2] = [
    (
        "en",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en/pages.ftl")),
    ),
    (
        "fr",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/fr/pages.ftl")),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_text() {
        let en = ftl_keys(FTL[0].1);
        assert!(en.len() > 20, "{en:?}");
        for (lang, source) in FTL {
            let keys = ftl_keys(source);
            let missing: Vec<_> = en.iter().filter(|k| !keys.contains(k)).collect();
            let extra: Vec<_> = keys.iter().filter(|k| !en.contains(k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    #[test]
    fn texts_take_their_values_without_isolation_marks() {
        let mut args = HashMap::new();
        args.insert(Cow::Borrowed("name"), FluentValue::from("Ana"));
        assert_eq!(
            text("en", "sign-in-as", &args).as_deref(),
            Some("Sign in as Ana")
        );
        assert_eq!(
            text("fr", "sign-in-as", &args).as_deref(),
            Some("Se connecter en tant que Ana")
        );
        assert_eq!(text("fr", "no-such-key", &HashMap::new()), None);
    }
}

/// Field errors as a form shows them: by the form's field names (as the CSV names them; "give an
/// email or a phone" under `customer`), each in `lang` by its code, the rule's own words otherwise;
/// the first error of a field wins.
pub fn field_messages(
    lang: &str,
    errors: Vec<crate::domain::field::FieldError>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in errors {
        let name = match crate::registration_csv::csv_field_name(&e.field).as_str() {
            "customer_email" | "customer_phone" if e.code == "contact_required" => {
                "customer".to_owned()
            }
            other => other.to_owned(),
        };
        let message = text(lang, &format!("err-{}", e.code), &HashMap::new()).unwrap_or(e.message);
        out.entry(name).or_insert(message);
    }
    out
}
