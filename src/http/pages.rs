//! The web pages' templates (`templates/web/`: customer pages, sign-in, the dealer's and finance's
//! pages), compiled into the binary and rendered autoescaped.

use minijinja::{Environment, Value, context};

use crate::templating::{LANGUAGES, embedded, environment};

const WEB: &[(&str, &str)] = embedded!("web":
    "base.html.j2", "unsubscribe.html.j2", "verify.html.j2", "not_found.html.j2",
    "app_base.html.j2", "finance/login.html.j2", "finance/statements.html.j2", "finance/statement.html.j2",
    "dealer/login.html.j2", "dealer/counter.html.j2", "dealer/scorecard.html.j2",
);

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
        Self {
            web: environment(WEB),
        }
    }

    pub fn page(&self, name: &str, ctx: &Value) -> Result<String, minijinja::Error> {
        self.web.get_template(name)?.render(ctx)
    }

    /// Renders every page in every language with sample data (including hostile text); returns
    /// how many renderings succeeded or the first error.
    pub fn check_all(&self) -> Result<usize, String> {
        let mut count = 0;
        for lang in LANGUAGES {
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
