//! An owner registers a unit alone through its public address: recorded, credited to no dealer,
//! no reminders; the selling dealer claims it with the sale's reference within claim_days and it
//! becomes that dealer's registration (channel owner_web, reminders, incentives); a second
//! dealer's claim is refused and raised as a fraud signal.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, hidden_csrf, set_cookie, spawn_app};

/// The owner's form on the unit's page, filled and sent as a phone would (French browser).
pub(crate) async fn owner_registers(app: &TestApp, serial: &str, fields: &[(&str, &str)]) -> Resp {
    let unit = app.get(&format!("/unit/MOWER-500/{serial}"), None).await;
    assert_eq!(unit.status.as_u16(), 200, "{}", unit.text);
    let register = format!("/unit/MOWER-500/{serial}/register");
    assert!(
        unit.text.contains(&format!("href=\"{register}\"")),
        "{}",
        unit.text
    );
    let form = app
        .send(
            axum::http::Method::GET,
            &register,
            None,
            None,
            Vec::new(),
            &[("accept-language", "fr-FR")],
        )
        .await;
    assert_eq!(form.status.as_u16(), 200, "{}", form.text);
    assert!(!form.text.contains(" checked"), "consent starts unticked");
    let cookie = format!("wd_signin={}", set_cookie(&form, "wd_signin").unwrap());
    let csrf = hidden_csrf(&form.text);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(all)
        .finish()
        .into_bytes();
    app.send(
        axum::http::Method::POST,
        &register,
        None,
        Some("application/x-www-form-urlencoded"),
        body,
        &[
            ("cookie", cookie.as_str()),
            ("origin", "https://warranty.test"),
            ("accept-language", "fr-FR"),
        ],
    )
    .await
}

const OLIVE: [(&str, &str); 5] = [
    ("purchase_date", "2026-11-21"),
    ("customer_name", "Olive Owner"),
    ("customer_email", "olive@client.test"),
    ("consent_service_reminders", "true"),
    ("customer_phone", ""),
];

async fn an_owners_registration_waits_for_its_dealer_who_claims_it_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    let program = app
        .put_json("/v1/admin/programs/REG", Some(&admin), &json!({"name": "Bonus", "currency": "EUR", "valid_from": "2020-01-01", "rules": [
            {"id": "web", "category": "garden", "registration_minor": 300, "channels": ["owner_web"]},
            {"id": "dealers", "category": "garden", "registration_minor": 1250, "channels": ["dealer_api"]}
        ]}))
        .await;
    assert!(program.status.is_success(), "{}", program.text);
    let gm = app.dealer("GM", "Europe/Paris").await;
    let hb = app.dealer("HB", "Europe/Paris").await;

    // Bad input first: the reasons next to the fields, nothing recorded.
    let refused = owner_registers(&app, "UW-0001", &[("purchase_date", "2026-11-21")]).await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"error-customer_name\""),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("id=\"error-customer\""),
        "{}",
        refused.text
    );
    let recorded = owner_registers(&app, "UW-0001", &OLIVE).await;
    assert_eq!(recorded.status.as_u16(), 303, "{}", recorded.text);
    let page = app.get(recorded.header("location").unwrap(), None).await;
    assert!(
        page.text.contains("id=\"unit-recorded\"") && page.text.contains("id=\"unit-waiting\""),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains("Olive"),
        "the unit's page names its owner"
    );
    // Credited to no dealer: no registration, no reminder, nothing in anyone's ledger.
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
    assert!(app.store.ledger().await.unwrap().is_empty());

    // Bad claims: unknown serial, missing reference.
    app.post_json(
        "/v1/claims",
        Some(&gm),
        &json!({"serial_number": "NOPE-1", "reference": "INV-1"}),
    )
    .await
    .assert_problem(404);
    let invalid = app
        .post_json(
            "/v1/claims",
            Some(&gm),
            &json!({"serial_number": "UW-0001", "reference": " "}),
        )
        .await;
    invalid.assert_problem(422);
    assert_eq!(invalid.field_errors()[0].0, "reference");

    // The selling dealer claims it with the sale's reference.
    let claimed = app
        .post_json(
            "/v1/claims",
            Some(&gm),
            &json!({"serial_number": "uw 0001", "reference": "INV-42"}),
        )
        .await;
    assert_eq!(claimed.status.as_u16(), 201, "{}", claimed.text);
    assert_eq!(claimed.json["channel"], "owner_web");
    assert_eq!(claimed.json["external_ref"], "INV-42");
    assert_eq!(claimed.json["customer"]["name"], "Olive Owner");
    assert_eq!(claimed.json["customer"]["locale"], "fr");
    assert_eq!(
        claimed.json["reminders"][0]["kind"],
        "registration_confirmation"
    );
    let id: uuid::Uuid = claimed.json["id"].as_str().unwrap().parse().unwrap();
    let lines = app.store.incentive_lines(id).await.unwrap();
    assert_eq!(
        lines
            .iter()
            .map(|l| (l.rule_id.as_str(), l.amount_minor))
            .collect::<Vec<_>>(),
        [("web", 300)],
        "paid under the owner_web rule"
    );
    let after = app.get("/unit/MOWER-500/UW-0001", None).await;
    assert!(
        after.text.contains("id=\"unit-registered\""),
        "{}",
        after.text
    );

    // The same dealer again: 409, no signal. Another dealer: 409 and a fraud signal.
    let again = app
        .post_json(
            "/v1/claims",
            Some(&gm),
            &json!({"serial_number": "UW-0001", "reference": "INV-42"}),
        )
        .await;
    again.assert_problem(409);
    assert_eq!(again.json["type"], "urn:warrantyd:problem:already-claimed");
    assert_eq!(
        app.store.fraud_signal_count("double_claim").await.unwrap(),
        0
    );
    let second = app
        .post_json(
            "/v1/claims",
            Some(&hb),
            &json!({"serial_number": "UW-0001", "reference": "HB-7"}),
        )
        .await;
    second.assert_problem(409);
    assert_eq!(
        second.json["type"],
        "urn:warrantyd:problem:claimed-by-another-dealer"
    );
    assert_eq!(
        app.store.fraud_signal_count("double_claim").await.unwrap(),
        1
    );
    // HB cannot read what GM claimed.
    app.get(&format!("/v1/registrations/{id}"), Some(&hb))
        .await
        .assert_problem(404);

    // Past the claim window (60 days): refused.
    assert_eq!(
        owner_registers(&app, "UW-0002", &OLIVE)
            .await
            .status
            .as_u16(),
        303
    );
    app.clock.advance(chrono::Duration::days(61));
    let late = app
        .post_json(
            "/v1/claims",
            Some(&gm),
            &json!({"serial_number": "UW-0002", "reference": "INV-43"}),
        )
        .await;
    late.assert_problem(409);
    assert_eq!(
        late.json["type"],
        "urn:warrantyd:problem:claim-window-closed"
    );
}

async fn erasing_an_owner_removes_a_registration_no_dealer_claimed(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        owner_registers(&app, "UW-0003", &OLIVE)
            .await
            .status
            .as_u16(),
        303
    );
    let erased = app
        .post_json(
            "/v1/admin/people/erase",
            Some(&app.admin_key.clone()),
            &json!({"email": "olive@client.test"}),
        )
        .await;
    assert_eq!(erased.status.as_u16(), 200, "{}", erased.text);
    let row = app
        .store
        .owner_registration_of("UW0003")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.customer_name, row.customer_email),
        ("erased", None, None)
    );
    // The unit can be registered again.
    let unit = app.get("/unit/MOWER-500/UW-0003", None).await;
    assert!(unit.text.contains("id=\"register-unit\""), "{}", unit.text);
    let gm = app.dealer("GM", "Europe/Paris").await;
    app.post_json(
        "/v1/claims",
        Some(&gm),
        &json!({"serial_number": "UW-0003", "reference": "INV-1"}),
    )
    .await
    .assert_problem(404);
}

async fn a_dealer_claims_a_sale_from_the_portal(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("GM", "Europe/Paris").await;
    assert_eq!(
        owner_registers(&app, "UW-0004", &OLIVE)
            .await
            .status
            .as_u16(),
        303
    );
    let dana = app
        .person("dana@gm.test", "Dana", "dealer_staff", Some("GM"))
        .await;
    let cookie = app.sign_in(&dana).await;
    let counter = app.page("/dealer/register", &cookie).await;
    assert!(
        counter.text.contains("href=\"/dealer/claims\""),
        "the counter links to claims"
    );
    let page = app.page("/dealer/claims", &cookie).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    let csrf = hidden_csrf(&page.text);
    let unknown = app
        .form_from_site(
            "/dealer/claims",
            &cookie,
            &[
                ("csrf", &csrf),
                ("serial_number", "NOPE-9"),
                ("reference", "INV-9"),
            ],
        )
        .await;
    assert_eq!(unknown.status.as_u16(), 404, "{}", unknown.text);
    assert!(
        unknown.text.contains("id=\"error-serial_number\"")
            && unknown.text.contains("value=\"INV-9\""),
        "{}",
        unknown.text
    );
    let missing = app
        .form_from_site(
            "/dealer/claims",
            &cookie,
            &[
                ("csrf", &csrf),
                ("serial_number", "UW-0004"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(missing.status.as_u16(), 422, "{}", missing.text);
    assert!(
        missing.text.contains("id=\"error-reference\""),
        "{}",
        missing.text
    );
    let claimed = app
        .form_from_site(
            "/dealer/claims",
            &cookie,
            &[
                ("csrf", &csrf),
                ("serial_number", "UW-0004"),
                ("reference", "INV-77"),
            ],
        )
        .await;
    assert_eq!(claimed.status.as_u16(), 303, "{}", claimed.text);
    let registration = app.page(claimed.header("location").unwrap(), &cookie).await;
    assert!(
        registration.text.contains("id=\"claimed\"") && registration.text.contains("INV-77"),
        "{}",
        registration.text
    );
}

both_backends!(
    a_dealer_claims_a_sale_from_the_portal,
    an_owners_registration_waits_for_its_dealer_who_claims_it_once,
    erasing_an_owner_removes_a_registration_no_dealer_claimed,
);
