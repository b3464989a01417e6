//! The web pages without a browser: sign-in by a one-time link, sessions, CSRF, the counter form
//! (one registration per double click, national phone numbers, values kept on error), the finance
//! four-eyes rules, closing a period only after a confirmation, and pages (not JSON) for people.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, hidden_csrf, spawn_app};

fn notices_to(app: &TestApp, email: &str) -> usize {
    app.notices
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.to.iter().any(|t| t == email))
        .count()
}

async fn a_sign_in_link_works_once_and_for_fifteen_minutes(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("A", "Europe/Paris").await;
    let ana = app
        .person("Ana@A.test", "Ana", "dealer_staff", Some("A"))
        .await;
    // Asking answers the same for an unknown address, and sends nothing to it.
    let unknown = app.ask_link("nobody@a.test").await;
    assert_eq!(unknown.status.as_u16(), 200);
    assert_eq!(notices_to(&app, "nobody@a.test"), 0);
    let asked = app.ask_link("ANA@a.test").await;
    assert_eq!(asked.status.as_u16(), 200);
    assert!(asked.text.contains("id=\"link-sent\""), "{}", asked.text);
    let link = app.last_link_to(&ana);
    let used = app.use_link(&link).await;
    assert_eq!(used.status.as_u16(), 303, "{}", used.text);
    assert_eq!(used.header("location"), Some("/dealer"));
    let set = used
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wd_session="))
        .unwrap()
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Secure"),
        "{set}"
    );
    // Once only.
    let again = app.use_link(&link).await;
    assert_eq!(again.status.as_u16(), 410, "{}", again.text);
    // A new link expires after 15 minutes.
    app.ask_link(&ana).await;
    let late = app.last_link_to(&ana);
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(app.use_link(&late).await.status.as_u16(), 410);
}

async fn a_disabled_account_loses_its_session_at_the_next_request(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("A", "Europe/Paris").await;
    let ana = app
        .person("ana@a.test", "Ana", "dealer_manager", Some("A"))
        .await;
    let cookie = app.sign_in(&ana).await;
    assert_eq!(app.page("/dealer", &cookie).await.status.as_u16(), 200);
    let account = app.store.account_by_email(&ana).await.unwrap().unwrap();
    app.store
        .disable_account(account.id, app.now())
        .await
        .unwrap();
    let after = app.page("/dealer", &cookie).await;
    assert_eq!(after.status.as_u16(), 303);
    assert_eq!(after.header("location"), Some("/sign-in?next=%2Fdealer"));
    // Nor can a disabled person ask for a new link.
    app.ask_link(&ana).await;
    assert_eq!(notices_to(&app, &ana), 1, "only the first sign-in link");
}

async fn posts_need_the_sessions_csrf_token_and_this_sites_origin(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("A", "Europe/Paris").await;
    let ana = app
        .person("ana@a.test", "Ana", "dealer_staff", Some("A"))
        .await;
    let cookie = app.sign_in(&ana).await;
    let page = app.page("/dealer/register", &cookie).await;
    let csrf = hidden_csrf(&page.text);
    let fields = [
        ("serial_number", "CSRF-1"),
        ("sku", "MOWER-500"),
        ("purchase_date", "2026-11-20"),
        ("customer_name", "Eve"),
    ];
    let no_token = app
        .form_from_site("/dealer/register", &cookie, &fields)
        .await;
    assert_eq!(no_token.status.as_u16(), 403);
    let mut with_token = fields.to_vec();
    with_token.push(("csrf", &csrf));
    let elsewhere = app
        .send(
            axum::http::Method::POST,
            "/dealer/register",
            None,
            Some("application/x-www-form-urlencoded"),
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&with_token)
                .finish()
                .into_bytes(),
            &[
                ("cookie", &cookie),
                ("origin", "https://evil.test"),
                ("accept", "text/html"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status.as_u16(), 403);
    assert!(
        elsewhere.text.contains("<html"),
        "a page for people: {}",
        elsewhere.text
    );
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
    // A browser that sends no referrer posts with `Origin: null`: its Sec-Fetch-Site decides.
    let sign_in_page = app.get("/sign-in", None).await;
    let nonce = crate::helpers::set_cookie(&sign_in_page, "wd_signin").unwrap();
    let token = hidden_csrf(&sign_in_page.text);
    let post = |site: &'static str| {
        let (app, nonce, token) = (&app, nonce.clone(), token.clone());
        async move {
            let cookie = format!("wd_signin={nonce}");
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([("email", "ana@a.test"), ("csrf", token.as_str())])
                .finish()
                .into_bytes();
            app.send(
                axum::http::Method::POST,
                "/sign-in",
                None,
                Some("application/x-www-form-urlencoded"),
                body,
                &[
                    ("cookie", cookie.as_str()),
                    ("origin", "null"),
                    ("sec-fetch-site", site),
                ],
            )
            .await
        }
    };
    assert_eq!(post("cross-site").await.status.as_u16(), 403);
    assert_eq!(post("same-origin").await.status.as_u16(), 200);
}

async fn the_counter_registers_once_on_a_double_click_and_reads_national_phones(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    app.put_json(
        "/v1/admin/dealers/GB1",
        Some(&admin),
        &json!({"name": "Garage London", "locale": "en-GB", "time_zone": "Europe/London", "country": "GB"}),
    )
    .await;
    let ana = app
        .person("ana@gb.test", "Ana", "dealer_staff", Some("GB1"))
        .await;
    let cookie = app.sign_in(&ana).await;
    let page = app.page("/dealer/register", &cookie).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    // Consent starts unticked (GDPR): no checkbox is checked on a fresh form.
    assert!(!page.text.contains(" checked"), "a pre-ticked box");
    assert!(
        page.text.contains("autofocus"),
        "the serial field has focus"
    );
    let csrf = hidden_csrf(&page.text);
    let nonce = {
        let marker = "name=\"submission\" value=\"";
        let at = page.text.find(marker).expect("a submission nonce") + marker.len();
        page.text[at..at + page.text[at..].find('"').unwrap()].to_owned()
    };
    let fields = [
        ("csrf", csrf.as_str()),
        ("submission", nonce.as_str()),
        ("serial_number", "SCAN-0001"),
        ("sku", "Robotic mower"),
        ("purchase_date", "2026-11-20"),
        ("customer_name", "Eve Example"),
        ("customer_phone", "07700 900123"),
        ("customer_locale", "en"),
        ("external_ref", "INV-77"),
        ("customer_postal_code", "SW1A 1AA"),
    ];
    let first = app
        .form_from_site("/dealer/register", &cookie, &fields)
        .await;
    assert_eq!(first.status.as_u16(), 303, "{}", first.text);
    let second = app
        .form_from_site("/dealer/register", &cookie, &fields)
        .await;
    assert_eq!(second.status.as_u16(), 303, "{}", second.text);
    assert_eq!(
        first.header("location"),
        second.header("location"),
        "the same registration"
    );
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 1);
    let done = app.page(first.header("location").unwrap(), &cookie).await;
    assert!(done.text.contains("id=\"registered\""), "{}", done.text);
    let id = first
        .header("location")
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    let record = app
        .store
        .registration_for_dealer(
            app.store.dealer_by_code("GB1").await.unwrap().unwrap().id,
            id.parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.customer.phone.as_deref(), Some("+447700900123"));
    assert_eq!(record.external_ref.as_deref(), Some("INV-77"));
    assert_eq!(record.sku, "MOWER-500", "the product chosen by its name");
    let account = app.store.account_by_email(&ana).await.unwrap().unwrap();
    assert_eq!(record.registered_by, Some(account.id), "who registered it");
    // Its page names the person, and the receipt prints.
    let own = app
        .page(&format!("/dealer/registrations/{id}"), &cookie)
        .await;
    assert!(own.text.contains("Ana"), "{}", own.text);
    assert_eq!(
        app.page(&format!("/dealer/registrations/{id}/receipt"), &cookie)
            .await
            .status
            .as_u16(),
        200
    );
}

async fn counter_errors_keep_the_values_and_name_each_field(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("A", "Europe/Paris").await;
    let ana = app
        .person("ana@a.test", "Ana", "dealer_staff", Some("A"))
        .await;
    let cookie = app.sign_in(&ana).await;
    let page = app.page("/dealer/register", &cookie).await;
    // The customer's language defaults to the dealer's (French), not the clerk's page language.
    assert!(
        page.text
            .contains(r#"<option value="fr" lang="fr" selected>"#),
        "{}",
        page.text
    );
    let csrf = hidden_csrf(&page.text);
    let answer = app
        .form_from_site(
            "/dealer/register",
            &cookie,
            &[
                ("csrf", &csrf),
                ("submission", "n1"),
                ("serial_number", "KEEP-0001"),
                ("sku", "MOWER-500"),
                ("purchase_date", "2026-11-20"),
                ("customer_email", "not-an-email"),
                ("consent_marketing", "true"),
            ],
        )
        .await;
    assert_eq!(answer.status.as_u16(), 422, "{}", answer.text);
    assert!(
        answer.text.contains("id=\"error-summary\""),
        "{}",
        answer.text
    );
    assert!(
        answer.text.contains("href=\"#customer_name\"")
            && answer.text.contains("href=\"#customer_email\""),
        "{}",
        answer.text
    );
    assert!(
        answer.text.contains("value=\"KEEP-0001\"")
            && answer.text.contains("value=\"not-an-email\"")
    );
    assert!(
        answer.text.contains(" checked"),
        "the ticked box stays ticked"
    );
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
}

/// Finance with a program, a registration and a closed period: the statement's id, and a fresh
/// session of `email` (the clock moved past the first one's 8 hours).
async fn statement_to_review(app: &TestApp, email: &str) -> (String, String) {
    let clerk_cookie = &app.sign_in(email).await;
    let admin = app.admin_key.clone();
    app.put_json(
        "/v1/admin/programs/REG",
        Some(&admin),
        &json!({"name": "Bonus", "currency": "EUR", "valid_from": "2020-01-01",
            "rules": [{"id": "all", "category": "garden", "registration_minor": 1250}]}),
    )
    .await;
    let key = app.dealer("A", "Europe/Paris").await;
    app.register(&key, &crate::helpers::registration("FOUR-0001"))
        .await;
    // The clerk enters an adjustment for November.
    let form = app.page("/finance/adjustments/new", clerk_cookie).await;
    let csrf = hidden_csrf(&form.text);
    let added = app
        .form_from_site(
            "/finance/adjustments/new",
            clerk_cookie,
            &[
                ("csrf", &csrf),
                ("dealer", "A"),
                ("currency", "EUR"),
                ("amount", "-2.50"),
                ("period", "2026-11"),
                ("reason", "Late paperwork"),
            ],
        )
        .await;
    assert_eq!(added.status.as_u16(), 303, "{}", added.text);
    app.clock.set("2026-12-02T09:00:00Z".parse().unwrap());
    let clerk_cookie = &app.sign_in(email).await;
    let confirm = app
        .page("/finance/periods/close?period=2026-11", clerk_cookie)
        .await;
    assert!(
        confirm.text.contains("Dealer A"),
        "the confirmation names what it closes: {}",
        confirm.text
    );
    let csrf = hidden_csrf(&confirm.text);
    let unconfirmed = app
        .form_from_site(
            "/finance/periods/close",
            clerk_cookie,
            &[("csrf", &csrf), ("period", "2026-11")],
        )
        .await;
    assert_eq!(unconfirmed.status.as_u16(), 422);
    assert!(
        !app.store.period_closed("2026-11").await.unwrap(),
        "nothing closed without confirmation"
    );
    let closed = app
        .form_from_site(
            "/finance/periods/close",
            clerk_cookie,
            &[("csrf", &csrf), ("period", "2026-11"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(closed.status.as_u16(), 303, "{}", closed.text);
    let statements = app
        .store
        .statements(Some("2026-11"), None, None)
        .await
        .unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0].total_minor, 1000,
        "12.50 earned, 2.50 deducted"
    );
    (statements[0].id.to_string(), clerk_cookie.clone())
}

async fn finance_is_four_eyes_clerk_adjusts_approver_approves_a_third_person_pays(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let clerk = app
        .person("clerk@oem.test", "Chris Clerk", "finance_clerk", None)
        .await;
    let approver = app
        .person(
            "approver@oem.test",
            "Alex Approver",
            "finance_approver",
            None,
        )
        .await;
    let (id, clerk_cookie) = statement_to_review(&app, &clerk).await;
    let approver_cookie = app.sign_in(&approver).await;
    let path = format!("/finance/statements/{id}");
    let page = app.page(&path, &clerk_cookie).await;
    assert!(
        page.text.contains("Dealer A") && page.text.contains("€10.00"),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains("id=\"approve\""),
        "a clerk is offered no approval"
    );
    let csrf = hidden_csrf(&page.text);
    // A clerk may not approve.
    let refused = app
        .form_from_site(
            &format!("{path}/approve"),
            &clerk_cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status.as_u16(), 403);
    // The approver approves.
    let page = app.page(&path, &approver_cookie).await;
    let csrf = hidden_csrf(&page.text);
    let approved = app
        .form_from_site(
            &format!("{path}/approve"),
            &approver_cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(approved.status.as_u16(), 303, "{}", approved.text);
    // ... and may not also pay.
    let own = app
        .form_from_site(
            &format!("{path}/pay"),
            &approver_cookie,
            &[("csrf", &csrf), ("reference", "PAY-1")],
        )
        .await;
    assert_eq!(own.status.as_u16(), 409, "{}", own.text);
    // A third person (the clerk) pays; the history names each person.
    let page = app.page(&path, &clerk_cookie).await;
    let csrf = hidden_csrf(&page.text);
    let paid = app
        .form_from_site(
            &format!("{path}/pay"),
            &clerk_cookie,
            &[("csrf", &csrf), ("reference", "PAY-1")],
        )
        .await;
    assert_eq!(paid.status.as_u16(), 303, "{}", paid.text);
    let page = app.page(&path, &clerk_cookie).await;
    assert!(
        page.text.contains("Alex Approver") && page.text.contains("Chris Clerk"),
        "{}",
        page.text
    );
    // The statement downloads as CSV, its lines naming their causes.
    let csv = app.page(&format!("{path}/lines.csv"), &clerk_cookie).await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.text.contains("Late paperwork") && csv.text.contains("-2.50"),
        "{}",
        csv.text
    );
    assert!(
        !page.text.contains("pending_review")
            && !page.text.contains("1000")
            && !page.text.contains("10.00 EUR"),
        "raw values: {}",
        page.text
    );
}

async fn an_approver_cannot_approve_a_statement_with_their_own_adjustment(backend: Backend) {
    let app = spawn_app(backend).await;
    let approver = app
        .person(
            "approver@oem.test",
            "Alex Approver",
            "finance_approver",
            None,
        )
        .await;
    let (id, cookie) = statement_to_review(&app, &approver).await;
    let path = format!("/finance/statements/{id}");
    let page = app.page(&path, &cookie).await;
    assert!(
        !page.text.contains("id=\"approve\""),
        "no approve button on one's own adjustment"
    );
    let csrf = hidden_csrf(&page.text);
    let refused = app
        .form_from_site(&format!("{path}/approve"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(refused.status.as_u16(), 409, "{}", refused.text);
    let st = app
        .store
        .statement(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(st.status, "pending_review");
}

async fn people_get_pages_not_problem_documents(backend: Backend) {
    let app = spawn_app(backend).await;
    let html = |path: &'static str| {
        let app = &app;
        async move {
            app.send(
                axum::http::Method::GET,
                path,
                None,
                None,
                Vec::new(),
                &[("accept", "text/html")],
            )
            .await
        }
    };
    // A fresh form shows no error summary (it did, empty, before the macro checked its messages).
    let sign_in = html("/sign-in").await;
    assert!(!sign_in.text.contains("error-summary"), "{}", sign_in.text);
    let landing = html("/").await;
    assert_eq!(landing.status.as_u16(), 200);
    assert!(landing.text.contains("href=\"/sign-in\""));
    let missing = html("/dealer/statements/nope").await;
    assert_eq!(
        missing.status.as_u16(),
        303,
        "signed out: to the sign-in page"
    );
    let unknown = html("/no/such/page").await;
    assert_eq!(unknown.status.as_u16(), 404);
    assert!(
        unknown.text.contains("<html") && !unknown.text.contains("problem"),
        "{}",
        unknown.text
    );
    // The API still answers problem documents.
    let api = app.get("/v1/nothing", None).await;
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    // Every page links the shared stylesheet, which is served.
    assert!(landing.text.contains("/assets/app.css"));
    let css = app.get("/assets/app.css", None).await;
    assert_eq!(css.status.as_u16(), 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
}

async fn admins_edit_the_catalog_on_pages_and_their_names_are_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.person("ada@oem.test", "Ada Admin", "admin", None).await;
    let cookie = app.sign_in(&ada).await;
    // A new dealer: a wrong send window is named and every value kept.
    let form = app.page("/admin/dealers/NEW1", &cookie).await;
    assert_eq!(form.status.as_u16(), 200, "{}", form.text);
    let csrf = hidden_csrf(&form.text);
    let dealer_form = |window: &'static str| {
        [
            ("csrf", csrf.as_str()),
            ("name", "Garage Neuf"),
            ("locale", "fr"),
            ("time_zone", "Europe/Paris"),
            ("country", "fr"),
            ("send_window", window),
            ("address", "3 rue de la Paix, Paris"),
            ("active", "true"),
        ]
    };
    let refused = app
        .form_from_site("/admin/dealers/NEW1", &cookie, &dealer_form("not a cron"))
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    assert!(
        refused.text.contains("href=\"#send_window\"")
            && refused.text.contains("value=\"Garage Neuf\""),
        "{}",
        refused.text
    );
    assert!(app.store.dealer_by_code("NEW1").await.unwrap().is_none());
    let saved = app
        .form_from_site(
            "/admin/dealers/NEW1",
            &cookie,
            &dealer_form("0 0 10-16 * * Mon-Sat"),
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let dealer = app.store.dealer_by_code("NEW1").await.unwrap().unwrap();
    assert_eq!(
        (dealer.country.as_deref(), dealer.send_window.as_deref()),
        (Some("FR"), Some("0 0 10-16 * * Mon-Sat"))
    );
    let page = app.page("/admin/dealers/NEW1", &cookie).await;
    assert!(
        page.text.contains("id=\"changes\"") && page.text.contains("Ada Admin"),
        "who changed it: {}",
        page.text
    );
    // A product that starts its warranty at installation.
    let form = app.page("/admin/products/HEAT-9", &cookie).await;
    let csrf = hidden_csrf(&form.text);
    let saved = app
        .form_from_site(
            "/admin/products/HEAT-9",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Heat pump"),
                ("category", "heating"),
                ("warranty_months", "60"),
                ("warranty_start", "installation"),
                ("service_plan", "p12m, P24M"),
                ("registration_window_days", "30"),
            ],
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let product = app.store.product_by_sku("HEAT-9").await.unwrap().unwrap();
    assert_eq!(
        (
            product.warranty_start.as_str(),
            product.service_plan.as_str()
        ),
        ("installation", r#"["P12M","P24M"]"#)
    );
    // A program: broken JSON is refused and kept; a valid one is version 1, shown in money.
    let form = app.page("/admin/programs/SPRING", &cookie).await;
    let csrf = hidden_csrf(&form.text);
    let broken = app
        .form_from_site(
            "/admin/programs/SPRING",
            &cookie,
            &[("csrf", &csrf), ("definition", "{\"name\": ")],
        )
        .await;
    assert_eq!(broken.status.as_u16(), 422);
    assert!(
        broken.text.contains("{&quot;name&quot;: "),
        "the draft is kept: {}",
        broken.text
    );
    let definition = r#"{"name": "Spring", "currency": "EUR", "valid_from": "2026-03-01", "rules": [{"id": "all", "category": "heating", "registration_minor": 2500}]}"#;
    let saved = app
        .form_from_site(
            "/admin/programs/SPRING",
            &cookie,
            &[("csrf", &csrf), ("definition", definition)],
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let page = app.page("/admin/programs/SPRING", &cookie).await;
    assert!(
        page.text.contains("€25.00"),
        "amounts as money: {}",
        page.text
    );
    assert_eq!(
        app.page("/admin/signals", &cookie).await.status.as_u16(),
        200
    );
}

async fn a_dealer_corrects_a_registration_on_its_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let created = app
        .register(&key, &crate::helpers::registration("FIX-0001"))
        .await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let ana = app
        .person("ana@a.test", "Ana", "dealer_staff", Some("A"))
        .await;
    let cookie = app.sign_in(&ana).await;
    let path = format!("/dealer/registrations/{id}");
    let page = app.page(&path, &cookie).await;
    assert!(page.text.contains("id=\"correct-form\""), "{}", page.text);
    let csrf = hidden_csrf(&page.text);
    let tag = {
        let marker = "name=\"etag\" value=\"";
        let at = page.text.find(marker).unwrap() + marker.len();
        page.text[at..at + page.text[at..].find('"').unwrap()].replace("&quot;", "\"")
    };
    let fields = |email: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("etag", tag.clone()),
            ("customer_name", "Camille Martin".into()),
            ("customer_email", email.into()),
            ("purchase_date", "2026-11-20".into()),
            ("external_ref", "INV-9".into()),
        ]
    };
    let typed =
        |f: &[(&'static str, String)]| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    // A wrong email is named, with what was typed kept.
    let bad = typed(&fields("camille@"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app
        .form_from_site(&format!("{path}/correct"), &cookie, &bad)
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    assert!(
        refused.text.contains("value=\"camille@\"")
            && refused.text.contains("href=\"#customer_email\""),
        "{}",
        refused.text
    );
    let good = typed(&fields("camille@new.example"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app
        .form_from_site(&format!("{path}/correct"), &cookie, &good)
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let after = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    assert_eq!(
        (
            after.json["customer"]["email"].as_str(),
            after.json["external_ref"].as_str()
        ),
        (Some("camille@new.example"), Some("INV-9"))
    );
    // The same form again carries the old version: refused, and the page shows the registration as it is now.
    let stale = app
        .form_from_site(&format!("{path}/correct"), &cookie, &good)
        .await;
    assert_eq!(stale.status.as_u16(), 412, "{}", stale.text);
    assert!(
        stale.text.contains("value=\"camille@new.example\""),
        "{}",
        stale.text
    );
    app.finish_claimed().await;
}

both_backends!(
    a_dealer_corrects_a_registration_on_its_page,
    admins_edit_the_catalog_on_pages_and_their_names_are_kept,
    a_sign_in_link_works_once_and_for_fifteen_minutes,
    a_disabled_account_loses_its_session_at_the_next_request,
    posts_need_the_sessions_csrf_token_and_this_sites_origin,
    the_counter_registers_once_on_a_double_click_and_reads_national_phones,
    counter_errors_keep_the_values_and_name_each_field,
    finance_is_four_eyes_clerk_adjusts_approver_approves_a_third_person_pays,
    an_approver_cannot_approve_a_statement_with_their_own_adjustment,
    people_get_pages_not_problem_documents,
);
