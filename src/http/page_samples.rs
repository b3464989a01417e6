//! `check-templates` for the pages: every page rendered in every language with sample data that
//! includes hostile text (it must come out escaped), and the scorecard's charts drawn from
//! all-zero, missing and normal series (every coordinate must be finite).

use minijinja::{Value, context};

use super::charts::coordinates_finite;
use super::dealer_pages::TrendPoint;
use super::pages::Pages;
use crate::templating::LANGUAGES;

const HOSTILE: &str = "Garage <script>alert(1)</script>";

fn layout(lang: &str, area: &str, role: &str) -> Value {
    context! {
        lang, manufacturer => "Acme <b>Outdoor</b>", area, role,
        person => context! { name => HOSTILE, email => "ana@example.com" },
        dealer_name => HOSTILE, manages => true, approver => true, csrf => "token", path => format!("/{area}"),
        signed_in => true,
    }
}

/// A 12-month trend whose figures are all zero, all missing, or ordinary (with gaps and targets).
fn trend(kind: &str) -> Vec<TrendPoint> {
    (1..=12)
        .map(|m| {
            let period = format!("2026-{m:02}");
            match kind {
                "zero" => TrendPoint {
                    period,
                    registrations: Some(0.0),
                    attributed_visits: Some(0.0),
                    on_time_rate: Some(0.0),
                    contact_completeness: Some(0.0),
                    ..Default::default()
                },
                "missing" => TrendPoint {
                    period,
                    ..Default::default()
                },
                _ => TrendPoint {
                    period,
                    registrations: (m > 2).then(|| f64::from(m * 3)),
                    on_time_rate: (m % 3 != 0).then_some(0.8 + f64::from(m) / 100.0),
                    contact_completeness: Some(1.0),
                    attributed_visits: Some(f64::from(m % 4)),
                    targets: if m > 6 {
                        vec![("registrations".to_owned(), 20.0)]
                    } else {
                        vec![]
                    },
                },
            }
        })
        .collect()
}

pub fn check_all(pages: &Pages) -> Result<usize, String> {
    let mut count = 0;
    let mut render = |name: &str, ctx: Value| -> Result<String, String> {
        let html = pages
            .page(name, &ctx)
            .map_err(|e| format!("{name}: {e:#}"))?;
        if html.contains("<script>alert") || html.contains("<b>Outdoor") {
            return Err(format!("{name}: text is not escaped"));
        }
        count += 1;
        Ok(html)
    };
    for lang in LANGUAGES {
        // Customer pages.
        for (page, done, all) in [
            ("unsubscribe.html.j2", false, false),
            ("unsubscribe.html.j2", true, false),
            ("unsubscribe.html.j2", true, true),
            ("verify.html.j2", false, false),
            ("verify.html.j2", true, false),
            ("not_found.html.j2", false, false),
        ] {
            render(
                page,
                context! {
                    lang, done, all, voided => false, resubscribed => false,
                    withdrawn => if all { "all" } else { "service_reminders" }, dealer_name => HOSTILE, email_masked => "c•••@example.com",
                    action => "/u/token", product_name => "Mower", serial_number => "SN1",
                },
            )?;
        }
        // Pages for people not signed in.
        let public = context! { lang, manufacturer => "Acme <b>Outdoor</b>", signed_in => false };
        render("landing.html.j2", public.clone())?;
        for extra in [
            context! { csrf => "t", values => context! { email => HOSTILE }, errors => context! { email => "invalid" } },
            context! { csrf => "t", dead_link => true, values => context! {}, errors => context! {} },
            context! { csrf => "t", expired => true, signed_out => true, not_sent => true, values => context! {}, errors => context! {} },
        ] {
            render("sign_in.html.j2", context! { ..extra, ..public.clone() })?;
        }
        render(
            "sign_in_sent.html.j2",
            context! { email => HOSTILE, minutes => 15, ..public.clone() },
        )?;
        render(
            "sign_in_link.html.j2",
            context! { name => HOSTILE, email => "a@example.com", dealer_name => HOSTILE, role => "dealer_staff", token => "t", csrf => "t", next => "/dealer", ..public.clone() },
        )?;
        for status in [403, 404, 409, 422, 500, 503] {
            render(
                "error.html.j2",
                context! { status, home => "/", ..public.clone() },
            )?;
        }
        // Signed-in pages.
        let dealer = layout(lang, "dealer", "dealer_manager");
        render(
            "account.html.j2",
            context! { saved => true, ..dealer.clone() },
        )?;
        let summary = context! {
            id => "0190", serial => HOSTILE, product => HOSTILE, sku => "P1", customer => HOSTILE, reference => HOSTILE,
            purchase_date => "1 December 2026", status => "active", confirmed => false,
        };
        render(
            "dealer/home.html.j2",
            context! { month => "December 2026", registered => 3, awaiting => 1, held => vec!["€12.50"], latest => vec![summary.clone()], ..dealer.clone() },
        )?;
        let products = vec![
            context! { sku => "P1", name => HOSTILE, needs => "" },
            context! { sku => "P2", name => "Boiler", needs => "installed_on" },
        ];
        for (values, errors, done, transfer) in [
            (
                context! { purchase_date => "2026-12-01" },
                context! {},
                Value::from(()),
                context! { sent => true },
            ),
            (
                context! { serial_number => HOSTILE, consent_service_reminders => "true", consent_safety_only => "true", customer_preferred_channel => "sms" },
                context! { serial_number => HOSTILE, customer => "email or phone", customer_phone => "not a phone", transfer => HOSTILE,
                consent_service_reminders => HOSTILE, customer_preferred_channel => HOSTILE },
                Value::from(()),
                context! { serial => HOSTILE, email => HOSTILE, locale => "fr", error => HOSTILE },
            ),
            (
                context! {},
                context! {},
                context! { id => "0190", serial => HOSTILE, sku => "P1", warranty_expires_on => "1 December 2028", reminders => 2, confirmation => true, incentive => "€12.50", held => true },
                Value::from(()),
            ),
        ] {
            render(
                "dealer/counter.html.j2",
                context! {
                    products => products.clone(), values, errors, done, transfer, submission => "n", dealer_country => "GB",
                    privacy_url => "https://example.com/privacy", languages => LANGUAGES,
                    order => ["serial_number", "sku", "customer"], ..dealer.clone()
                },
            )?;
        }
        let registration = context! {
            id => "0190", serial => HOSTILE, sku => "P1", product => HOSTILE, purchase_date => "1 December 2026",
            delivered_on => (), installed_on => "2 December 2026", warranty_starts_on => "2 December 2026",
            warranty_start_basis => "installation", warranty_expires_on => "2 December 2028", reference => HOSTILE,
            status => "voided", void_reason => HOSTILE, voided_at => "3 December 2026, 10:00", created_at => "1 December 2026, 09:00",
            registered_by => HOSTILE, voided_by => HOSTILE,
            customer => context! { name => HOSTILE, email => "c@example.com", phone => "+447700900123", postal_code => "SW1", country => "GB" },
            reminders => vec![context! { kind => "registration_confirmation", status => "sent", channel => "sms", due => "1 December 2026" },
                context! { kind => "service_due", status => "cancelled", channel => "email", due => "1 December 2027" }],
            consent => context! { service_reminders => true, marketing => false },
            lines => vec![context! { kind => "registration", program => "REG v1", amount => "€12.50", held => true, capped => false }],
        };
        let active = context! { status => "active", ..registration.clone() };
        for (r, errors) in [
            (registration.clone(), context! {}),
            (
                active.clone(),
                context! { reason => "required", confirm => "required" },
            ),
        ] {
            render(
                "dealer/registration.html.j2",
                context! {
                    r, verified => (), errors, values => context! { reason => HOSTILE }, corrected => true,
                    edit => context! { days => 30, etag => "\"abc\"", customer_name => HOSTILE, purchase_date => "2026-11-20", external_ref => HOSTILE },
                    proof => "1 December 2026", proof_saved => true, claimed => true,
                    ..dealer.clone()
                },
            )?;
        }
        for errors in [
            context! {},
            context! { serial_number => HOSTILE, reference => HOSTILE },
        ] {
            render(
                "dealer/claim.html.j2",
                context! {
                    values => context! { serial_number => HOSTILE, reference => HOSTILE }, errors, days => 60,
                    order => ["serial_number", "reference"], ..dealer.clone()
                },
            )?;
        }
        render(
            "dealer/receipt.html.j2",
            context! { r => active.clone(), dealer => context! { name => HOSTILE, address => HOSTILE, phone => "1", email => "d@example.com" }, ..dealer.clone() },
        )?;
        for rows in [vec![summary.clone()], vec![]] {
            render(
                "dealer/registrations.html.j2",
                context! { rows, total => 30, page => 2, pages => 2, first => 26, last => 30, q => HOSTILE, status => "active", confirmed => "no", ..dealer.clone() },
            )?;
        }
        let statement_row = context! { id => "0190", period => "November 2026", status => "paid", total => "€12.50", reference => HOSTILE, paid_at => "1 December 2026, 10:00" };
        render(
            "dealer/statements.html.j2",
            context! { rows => vec![statement_row], held => vec!["€5.00"], ..dealer.clone() },
        )?;
        let groups = vec![context! {
            kind => "registration", count => 1, subtotal => "€12.50",
            lines => vec![context! { serial => HOSTILE, reason => HOSTILE, program => "REG v1", period => "November 2026", amount => "€12.50" }],
        }];
        let statement = context! {
            id => "0190", dealer => HOSTILE, dealer_code => "GM", period => "November 2026", period_key => "2026-11",
            status => "pending_review", total => "€12.50", currency => "EUR", hold_reason => HOSTILE, reference => HOSTILE,
            created_at => "1 December 2026, 00:00", approved_at => (), paid_at => (),
        };
        render(
            "dealer/statement.html.j2",
            context! { s => statement.clone(), groups => groups.clone(), ..dealer.clone() },
        )?;
        for kind in ["zero", "missing", "normal"] {
            let charts = super::dealer_pages::scorecard_charts(&trend(kind), lang);
            for chart in &charts {
                let svg = chart
                    .get_attr("svg")
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                if svg.is_empty() || !coordinates_finite(&svg) {
                    return Err(format!(
                        "scorecard chart ({kind} series, {lang}): a coordinate is not finite: {svg}"
                    ));
                }
            }
            render(
                "dealer/scorecard.html.j2",
                context! {
                    period => "2026-12", period_name => "December 2026", periods => vec![context! { value => "2026-12", label => "December 2026" }],
                    card => context! { registrations => 3, voided => 0, on_time => "80%", completeness => "–", median_days => (), rejected => 0, duplicates => 0,
                        sent => 0, bounced => 0, clicked => 0, visits => 0, attribution => "–", manufacturer_on_time => "–" },
                    money => context! { accrued => "€1.00", held => "€0.00", approved => "–", paid => "–" },
                    targets => if kind == "normal" { vec![context! { metric => "registrations", target => "20", actual => "36", attainment => "180%", met => true }] } else { vec![] },
                    charts, ..dealer.clone()
                },
            )?;
        }
        let person = context! { id => "0190", name => HOSTILE, email => "p@example.com", role => "dealer_staff", dealer => HOSTILE, disabled => false, last_sign_in => (), is_me => false };
        render(
            "dealer/team.html.j2",
            context! { people => vec![person.clone()], values => context! { name => HOSTILE }, errors => context! { email => "invalid" }, notice => (), roles => ["dealer_staff", "dealer_manager"], ..dealer.clone() },
        )?;
        let finance = layout(lang, "finance", "finance_approver");
        render(
            "finance/statements.html.j2",
            context! {
                rows => vec![context! { id => "0190", dealer => HOSTILE, dealer_code => "GM", period => "November 2026", status => "on_hold", total => "€12.50", hold_reason => HOSTILE }],
                totals => vec![context! { currency => "EUR", count => 1, total => "€12.50" }], count => 1, page => 1, pages => 1,
                period => "2026-11", status => "on_hold", dealer => HOSTILE, statuses => super::finance_pages::STATUSES,
                periods => vec![context! { value => "2026-11", label => "November 2026" }], errors => context! {}, ..finance.clone()
            },
        )?;
        for (status, approved_by_me, own) in [
            ("pending_review", false, true),
            ("approved", true, false),
            ("approved", false, false),
            ("on_hold", false, false),
            ("paid", false, false),
        ] {
            render(
                "finance/statement.html.j2",
                context! {
                    s => context! { status, ..statement.clone() }, groups => groups.clone(), held => vec!["€5.00"],
                    audit => vec![context! { at => "1 December 2026, 10:00", action => "approve", detail => HOSTILE, who => HOSTILE },
                        context! { at => "1 December 2026, 09:00", action => "created", detail => "€12.50", who => () }],
                    error => HOSTILE, values => context! { reason => HOSTILE }, may_approve => !own, own_adjustment => own, approved_by_me, ..finance.clone()
                },
            )?;
        }
        render(
            "finance/adjustment.html.j2",
            context! {
                dealers => vec![context! { code => "GM", name => HOSTILE }], values => context! { reason => HOSTILE, dealer => "GM" },
                errors => context! { amount => "bad", reason => "missing" }, periods => vec![context! { value => "2026-12", label => "December 2026" }],
                order => ["dealer", "currency", "amount", "period", "reason"], ..finance.clone()
            },
        )?;
        for (closed, rows) in [
            (
                false,
                vec![context! { dealer => HOSTILE, count => 3, total => "€12.50" }],
            ),
            (false, vec![]),
            (true, vec![]),
        ] {
            render(
                "finance/close.html.j2",
                context! {
                    period => "2026-11", period_name => "November 2026", closed, under_way => false, rows, error => HOSTILE,
                    periods => vec![context! { value => "2026-11", label => "November 2026" }], ..finance.clone()
                },
            )?;
        }
        let admin = layout(lang, "admin", "admin");
        render(
            "admin/home.html.j2",
            context! { dealers => 2, products => 3, people => 4, ..admin.clone() },
        )?;
        render(
            "admin/people.html.j2",
            context! {
                people => vec![person], dealers => vec![context! { code => "GM", name => HOSTILE }], values => context! { name => HOSTILE },
                errors => context! { dealer => "missing" }, notice => "sent", roles => crate::domain::account::ROLES.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                ..admin.clone()
            },
        )?;
        // The owner's pages and the QR codes.
        let qr = super::qr::svg("https://warranty.test/s/token", HOSTILE);
        for (values, errors) in [
            (
                context! { purchase_date => "2026-12-01", serial_number => HOSTILE },
                context! {},
            ),
            (
                context! { customer_name => HOSTILE, sku => "P1" },
                context! { serial_number => HOSTILE, customer => "contact", form => "expired", proof => HOSTILE },
            ),
        ] {
            render(
                "owner/self_register.html.j2",
                context! {
                    dealer_name => HOSTILE, token => "t", products => vec![context! { sku => "P1", name => HOSTILE }], values, errors,
                    csrf => "t", submission => "n", privacy_url => "https://example.com/privacy",
                    order => ["serial_number", "sku", "customer"], ..public.clone()
                },
            )?;
        }
        render(
            "owner/self_registered.html.j2",
            context! { dealer_name => HOSTILE, serial => HOSTILE, warranty_expires_on => "1 December 2028", email => true, ..public.clone() },
        )?;
        for (registered, waiting, register_url) in [
            (true, false, None),
            (false, true, None),
            (false, false, Some("/unit/P1/%3Cb%3E/register")),
        ] {
            render(
                "owner/unit.html.j2",
                context! { product => HOSTILE, serial => HOSTILE, registered, waiting, register_url, recorded => waiting, ..public.clone() },
            )?;
        }
        for errors in [
            context! {},
            context! { purchase_date => HOSTILE, customer => "contact", form => "expired" },
        ] {
            render(
                "owner/unit_register.html.j2",
                context! {
                    product => HOSTILE, serial => HOSTILE, csrf => "t", values => context! { customer_name => HOSTILE },
                    errors, action => "/unit/P1/x/register", privacy_url => "https://example.com/privacy",
                    order => ["purchase_date", "customer"], ..public.clone()
                },
            )?;
        }
        render("owner/unusable.html.j2", public.clone())?;
        for full in [true, false] {
            let rows = |v: Value| if full { vec![v] } else { vec![] };
            render(
                "owner/my_data.html.j2",
                context! {
                    token => "t",
                    customers => rows(context! { dealer => HOSTILE, name => HOSTILE, email => HOSTILE, phone => "+33612345678",
                        language => "fr", country => "FR", postal_code => HOSTILE, since => "1 December 2026", preferred_channel => "sms" }),
                    registrations => rows(context! { product => HOSTILE, serial => HOSTILE, dealer => "GM", purchase_date => "1 December 2026",
                        warranty_expires_on => "1 December 2028", active => true, confirmed => false }),
                    messages => rows(context! { kind => "service_due", channel => "sms", status => "sent", sent => "1 June 2027" }),
                    choices => rows(context! { on => "1 December 2026", party => "manufacturer", purpose => "marketing", channel => "sms", granted => false }),
                    others => context! { clicks => 2, visits => rows(Value::from("1 June 2027")), proofs => Vec::<String>::new(),
                        corrections => rows(Value::from("2 December 2026")), transfers => rows(context! { role => "from", status => "accepted", on => "3 December 2026" }),
                        own_registrations => rows(context! { serial => HOSTILE, on => "1 December 2026" }), texts_received => Vec::<String>::new(),
                        email_suppressed => full, phone_suppressed => full },
                    ..public.clone()
                },
            )?;
        }
        for (saved, reported, transfer_sent) in [(true, false, true), (false, true, false)] {
            let transfer_error = (!transfer_sent)
                .then(|| context! { unit => "0190", message => HOSTILE, email => HOSTILE });
            render(
                "owner/page.html.j2",
                context! {
                    token => "t", csrf => "t", dealer_name => HOSTILE, reminders => true, marketing => false, saved, reported,
                    channels => saved.then(|| context! { email => HOSTILE, phone => "+33612345678", preferred => "sms" }), texts_stopped => saved,
                    transfer_sent, transfer_error, proof_saved => transfer_sent, transfer_stopped => transfer_sent,
                    proof_error => if transfer_sent { context! { unit => (), message => HOSTILE } } else { context! { unit => "0190", message => HOSTILE } },
                    units => vec![
                        context! { id => "0190", product => HOSTILE, dealer => HOSTILE, serial => HOSTILE, purchase_date => "1 December 2026",
                            warranty_expires_on => "1 December 2028", next_service => "1 December 2027", active => true, confirmed => false,
                            transferable => true, offered_until => "15 December 2026", proof => "1 December 2026" },
                        context! { id => "0191", product => "Boiler", dealer => HOSTILE, serial => "S2", purchase_date => "1 December 2026",
                            warranty_expires_on => "1 December 2028", next_service => (), active => false, confirmed => true,
                            transferable => false, offered_until => (), proof => () },
                    ],
                    handed_on => vec![context! { id => "0190", product => HOSTILE, serial => HOSTILE, on => "1 December 2026" }],
                    transfer_disputed => transfer_sent,
                    ..public.clone()
                },
            )?;
        }
        for errors in [
            context! {},
            context! { customer_name => HOSTILE, customer => "contact", form => "expired" },
        ] {
            render(
                "owner/transfer_accept.html.j2",
                context! {
                    token => "t", csrf => "t", values => context! { customer_email => HOSTILE }, errors,
                    privacy_url => "https://example.com/privacy", product => HOSTILE, dealer_name => HOSTILE, serial => HOSTILE,
                    warranty_expires_on => "1 December 2028", order => ["customer_name", "customer"], ..public.clone()
                },
            )?;
        }
        for owner_page in [Some("https://warranty.test/o/t"), None] {
            render(
                "owner/transfer_done.html.j2",
                context! { product => HOSTILE, dealer_name => HOSTILE, serial => HOSTILE, warranty_expires_on => "1 December 2028", owner_page, ..public.clone() },
            )?;
        }
        for accepted in [true, false] {
            render(
                "owner/transfer_ended.html.j2",
                context! { accepted, ..public.clone() },
            )?;
        }
        render(
            "dealer/qr.html.j2",
            context! { url => "https://warranty.test/s/t?serial=%3Cb%3E", svg => qr.clone(), products => vec![context! { sku => "P1", name => HOSTILE }],
            sku => "P1", serial => HOSTILE, query => "?serial=x", ..dealer.clone() },
        )?;
        render(
            "admin/units.html.j2",
            context! {
                products => vec![context! { sku => "P1", name => HOSTILE, gtin => "00000096385074" }], sku => "P1", serials => HOSTILE,
                labels => vec![context! { serial => HOSTILE, svg => qr.clone(), url => "https://warranty.test/unit/P1/x" }], error => HOSTILE,
                ..layout(lang, "admin", "admin")
            },
        )?;
        // The admin catalog pages.
        let people = vec![
            context! { id => "0190", name => HOSTILE, email => "p@example.com", role => "dealer_manager", dealer => HOSTILE, disabled => true, last_sign_in => "1 December 2026, 10:00", is_me => false },
        ];
        render(
            "admin/dealers.html.j2",
            context! { rows => vec![context! { code => "GM", name => HOSTILE, country => "GB", locale => "en-GB", time_zone => "Europe/London", active => false, send_window => "0 0 9-17 * * Mon-Fri" }], ..admin.clone() },
        )?;
        for (exists, errors) in [
            (true, context! {}),
            (
                false,
                context! { name => "required", send_window => HOSTILE, code => "bad code", sms_sender_id => "invalid" },
            ),
        ] {
            render(
                "admin/dealer.html.j2",
                context! {
                    code => "GM", exists, values => context! { name => HOSTILE, locale => "en-GB", address => HOSTILE, active => "true",
                        message_channels => "both", sms_sender_id => HOSTILE },
                    errors, saved => exists, people => people.clone(), default_window => "0 0 9-17 * * Mon-Fri",
                    history => vec![context! { at => "1 December 2026, 10:00", created => true, who => HOSTILE }],
                    order => ["name", "email", "phone", "locale", "time_zone", "country", "booking_url", "address", "send_window", "message_channels", "sms_sender_id"],
                    channel_policies => crate::domain::sms::CHANNEL_POLICIES, ..admin.clone()
                },
            )?;
        }
        render(
            "admin/products.html.j2",
            context! { rows => vec![context! { sku => "P1", name => HOSTILE, category => "garden", warranty_months => 24, warranty_start => "installation", service_plan => "P6M, P12M" }], ..admin.clone() },
        )?;
        for (exists, errors) in [
            (true, context! {}),
            (
                false,
                context! { warranty_months => "whole number", sku => "bad" },
            ),
        ] {
            render(
                "admin/product.html.j2",
                context! {
                    sku => "P1", exists, values => context! { name => HOSTILE, warranty_start => "delivery", service_plan => "P12M", transfer_policy => "once", message_channels => "sms" }, errors, saved => exists,
                    history => vec![context! { at => "1 December 2026, 10:00", created => false, who => () }],
                    bases => ["purchase", "delivery", "installation"],
                    policies => ["transferable", "once", "not_transferable"],
                    channel_policies => crate::domain::sms::CHANNEL_POLICIES,
                    order => ["name", "category", "warranty_months", "warranty_start", "service_plan", "registration_window_days"], ..admin.clone()
                },
            )?;
        }
        render(
            "admin/programs.html.j2",
            context! { rows => vec![context! { id => "REG", version => 2, saved_at => "1 December 2026, 10:00", name => HOSTILE, currency => "EUR", valid_from => "2026-01-01", valid_to => () }], ..admin.clone() },
        )?;
        for (exists, error) in [(true, Value::from(())), (false, Value::from(HOSTILE))] {
            render(
                "admin/program.html.j2",
                context! {
                    id => "REG", exists, error, draft => HOSTILE,
                    heads => vec![context! { version => 2, saved_at => "2 December 2026, 10:00" }, context! { version => 1, saved_at => "1 December 2026, 10:00" }],
                    table => vec![context! { field => "rules[all].registration_minor", cells => vec!["1500", "1250"], changed => true },
                        context! { field => "name", cells => vec![HOSTILE, HOSTILE], changed => false }],
                    ..admin.clone()
                },
            )?;
        }
        render(
            "admin/signals.html.j2",
            context! {
                rows => vec![
                    context! { key => "k1", kind => "serial_held_by_other_dealer", dealer => HOSTILE, dealer_code => "GM",
                        evidence => vec![context! { name => "serial_number", value => HOSTILE }, context! { name => "held_by", value => "null" }], resolved => () },
                    context! { key => "k2", kind => "something_new", dealer => HOSTILE, dealer_code => "GM",
                        evidence => vec![context! { name => "unknown_name", value => HOSTILE }],
                        resolved => context! { resolution => HOSTILE, at => "1 December 2026, 10:00", by => HOSTILE } },
                ],
                period => "2026-11", period_name => "November 2026", periods => vec![context! { value => "2026-11", label => "November 2026" }],
                ..admin.clone()
            },
        )?;
    }
    Ok(count)
}
