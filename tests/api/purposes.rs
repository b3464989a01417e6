//! Consent by party and purpose: a registration for safety messages only gets nothing else (not
//! even its confirmation) and says so; surveys are the manufacturer's to be granted; a dealer's
//! marketing choice never grants or withdraws the manufacturer's.

use axum::http::Method;
use serde_json::json;
use warrantyd::mail::Mailer;

use crate::both_backends;
use crate::helpers::{Backend, hidden_csrf, registration, set_cookie, spawn_app};

async fn a_registration_for_safety_messages_only_gets_nothing_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("S", "Europe/Paris").await;
    let mut body = registration("SAFE-0001");
    body["consent"] = json!({"service_reminders": false, "marketing": false, "safety_only": true});
    let created = app.register(&key, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    assert_eq!(created.json["consent"]["safety_only"], true);
    assert!(
        created.json["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "skipped"),
        "{}",
        created.json["reminders"]
    );
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(Mailer::Memory(sent.clone()));
    sender.dispatch_once().await.unwrap();
    assert!(
        app.store.unfinished_reminders().await.unwrap().is_empty(),
        "nothing claimed"
    );
    assert!(sent.lock().unwrap().is_empty(), "not even the confirmation");
    // The consent log says what the contact may be used for.
    let export = app
        .get(
            "/v1/admin/people/export?email=safe-0001%40customer.example",
            Some(&app.admin_key.clone()),
        )
        .await;
    assert!(
        export.json["consent_events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["party"] == "manufacturer"
                && e["purpose"] == "safety"
                && e["granted"] == true),
        "{}",
        export.json["consent_events"]
    );
    // A correction keeps it so.
    let id = created.json["id"].as_str().unwrap();
    let corrected = app
        .send(
            Method::PATCH,
            &format!("/v1/registrations/{id}"),
            Some(&key),
            Some("application/json"),
            serde_json::to_vec(&json!({"purchase_date": "2026-11-21"})).unwrap(),
            &[],
        )
        .await;
    assert_eq!(corrected.status.as_u16(), 200, "{}", corrected.text);
    assert_eq!(corrected.json["consent"]["safety_only"], true);
    assert!(
        corrected.json["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "skipped")
    );

    // Safety only allows no other use.
    let mut conflicting = registration("SAFE-0002");
    conflicting["consent"] = json!({"service_reminders": true, "marketing": false, "surveys": true, "safety_only": true});
    let refused = app.register(&key, &conflicting).await;
    assert_eq!(refused.status.as_u16(), 422);
    assert_eq!(
        refused.field_errors(),
        [
            (
                "consent.service_reminders".to_owned(),
                "conflicts_with_safety_only".to_owned()
            ),
            (
                "consent.surveys".to_owned(),
                "conflicts_with_safety_only".to_owned()
            ),
        ]
    );
}

async fn surveys_and_marketing_are_each_partys_own(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("T", "Europe/Paris").await;
    let mut body = registration("PARTY-0001");
    body["consent"] = json!({"service_reminders": true, "marketing": true, "manufacturer_marketing": true, "surveys": true});
    let created = app.register(&key, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    assert_eq!(created.json["consent"]["surveys"], true);
    assert_eq!(created.json["consent"]["safety_only"], false);
    // The owner withdraws the dealer's offers from their page; the manufacturer's stay, and so
    // do the surveys.
    let sender = app.sender(Mailer::Memory(Default::default()));
    sender.dispatch_once().await.unwrap();
    let confirmation: uuid::Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    sender.send_reminder(confirmation).await.unwrap();
    let path = format!(
        "/o/{}",
        app.state
            .signer
            .sign(warrantyd::tokens::Purpose::Owner, confirmation)
    );
    let page = app.get(&path, None).await;
    let cookie = format!("wd_signin={}", set_cookie(&page, "wd_signin").unwrap());
    let csrf = hidden_csrf(&page.text);
    let saved = app
        .form_from_site(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("consent_service_reminders", "true"),
                ("consent_manufacturer_marketing", "true"),
            ],
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let id = created.json["id"].as_str().unwrap();
    let now = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    let c = &now.json["consent"];
    assert_eq!(
        (&c["marketing"], &c["manufacturer_marketing"], &c["surveys"]),
        (&json!(false), &json!(true), &json!(true)),
        "{c}"
    );
    // And the other way: the manufacturer's withdrawn, the dealer's granted again.
    let saved = app
        .form_from_site(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("consent_service_reminders", "true"),
                ("consent_marketing", "true"),
            ],
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303);
    let now = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    let c = &now.json["consent"];
    assert_eq!(
        (&c["marketing"], &c["manufacturer_marketing"]),
        (&json!(true), &json!(false)),
        "{c}"
    );
}

async fn at_the_counter_a_clerk_records_safety_only_or_a_preferred_channel(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("C", "Europe/Paris").await;
    let ana = app
        .person("ana@c.test", "Ana", "dealer_staff", Some("C"))
        .await;
    let cookie = app.sign_in(&ana).await;
    let page = app.page("/dealer/register", &cookie).await;
    assert!(
        page.text.contains("id=\"consent_safety_only\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("id=\"customer_preferred_channel\""));
    let csrf = hidden_csrf(&page.text);
    let base = |serial: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("serial_number", serial.to_owned()),
            ("sku", "MOWER-500".to_owned()),
            ("purchase_date", "2026-11-20".to_owned()),
            ("customer_name", "Cleo".to_owned()),
            (
                "customer_email",
                format!("{}@client.test", serial.to_lowercase()),
            ),
            ("customer_phone", "06 12 34 56 78".to_owned()),
            ("customer_country", "FR".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.form_from_site("/dealer/register", &cookie, &pairs)
                .await
        }
    };
    // Safety only with the reminders ticked: the conflict is named next to the reminders' box.
    let mut conflict = base("CTR-0001");
    conflict.push(("consent_service_reminders", "true".to_owned()));
    conflict.push(("consent_safety_only", "true".to_owned()));
    let refused = post(conflict).await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    assert!(
        refused
            .text
            .contains("id=\"error-consent_service_reminders\""),
        "{}",
        refused.text
    );
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
    let mut safe = base("CTR-0001");
    safe.push(("consent_safety_only", "true".to_owned()));
    safe.push(("submission", "s1".to_owned()));
    assert_eq!(post(safe).await.status.as_u16(), 303);
    let mut texts = base("CTR-0002");
    texts.push(("consent_service_reminders", "true".to_owned()));
    texts.push(("customer_preferred_channel", "sms".to_owned()));
    texts.push(("submission", "s2".to_owned()));
    assert_eq!(post(texts).await.status.as_u16(), 303);
    let key = app.dealer("C", "Europe/Paris").await;
    let list = app.get("/v1/registrations", Some(&key)).await;
    let by_serial = |serial: &str| {
        list.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["serial_number_as_typed"] == serial)
            .cloned()
            .unwrap_or_else(|| panic!("{serial}: {}", list.text))
    };
    let safe = by_serial("CTR-0001");
    let one = app
        .get(
            &format!("/v1/registrations/{}", safe["id"].as_str().unwrap()),
            Some(&key),
        )
        .await;
    assert_eq!(one.json["consent"]["safety_only"], true, "{}", one.text);
    assert!(
        safe["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "skipped")
    );
    let texted = by_serial("CTR-0002");
    assert_eq!(texted["customer"]["preferred_channel"], "sms");
    assert_eq!(
        texted["customer"]["phone"], "+33612345678",
        "the national number, as E.164"
    );
    assert!(
        texted["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["channel"] == "sms")
    );
}

both_backends!(
    at_the_counter_a_clerk_records_safety_only_or_a_preferred_channel,
    a_registration_for_safety_messages_only_gets_nothing_else,
    surveys_and_marketing_are_each_partys_own,
);
