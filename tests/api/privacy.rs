//! A dealer's customer data is its own: what a registration shows and uses is what its dealer
//! captured; consent belongs to a party and a purpose; the manufacturer sees one person across
//! dealers without any dealer seeing another's data.

use axum::http::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use warrantyd::store::Outcome;
use warrantyd::tokens::Purpose;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

/// Dealer A's customer, with everything A captured.
fn alice(serial: &str) -> Value {
    let mut body = registration(serial);
    body["customer"] = json!({
        "name": "Alice Aubert", "email": "shared.person@customer.example", "phone": "+33612345678",
        "locale": "fr-FR", "time_zone": "Europe/Paris", "country": "FR", "postal_code": "75011"
    });
    body
}

/// The same person's email, typed at dealer B with other details and no reminder consent.
fn mallory(serial: &str) -> Value {
    let mut body = registration(serial);
    body["customer"] = json!({
        "name": "Mallory Other", "email": "Shared.Person@Customer.Example",
        "locale": "en-GB", "time_zone": "America/New_York"
    });
    body["consent"] = json!({"service_reminders": false, "marketing": false});
    body
}

fn first_reminder(created: &Value, kind: &str) -> Uuid {
    created["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {created}"))["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn a_dealer_never_sees_or_changes_customer_data_another_dealer_captured(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let mine = app.register(&a, &alice("PRIV-0001")).await;
    assert_eq!(mine.status, 201, "{}", mine.text);
    let theirs = app.register(&b, &mallory("PRIV-0002")).await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);

    // B learns nothing that A captured: not in its answer, not in a read, not in its list.
    let b_id = theirs.json["id"].as_str().unwrap();
    let read = app
        .get(&format!("/v1/registrations/{b_id}"), Some(&b))
        .await;
    let list = app.get("/v1/registrations", Some(&b)).await;
    for text in [&theirs.text, &read.text, &list.text] {
        for secret in ["+33612345678", "75011", "Alice", "\"FR\""] {
            assert!(!text.contains(secret), "B sees A's {secret}: {text}");
        }
    }
    assert_eq!(read.json["customer"]["name"], "Mallory Other");
    assert_eq!(read.json["customer"]["phone"], Value::Null);

    // A's registration still shows and uses exactly what A captured, consent included.
    let a_id = mine.json["id"].as_str().unwrap();
    let read = app
        .get(&format!("/v1/registrations/{a_id}"), Some(&a))
        .await;
    assert_eq!(read.json["customer"]["name"], "Alice Aubert");
    assert_eq!(read.json["customer"]["locale"], "fr-FR");
    assert_eq!(read.json["customer"]["time_zone"], "Europe/Paris");
    assert_eq!(read.json["customer"]["phone"], "+33612345678");
    assert_eq!(read.json["customer"]["postal_code"], "75011");
    assert_eq!(read.json["consent"]["service_reminders"], true);

    // And A's reminders still go, in A's customer's name and language.
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(sent.clone()));
    let service = first_reminder(&mine.json, "service_due");
    app.clock.advance(chrono::Duration::days(200));
    sender.dispatch_once().await.unwrap();
    let outcome = sender.send_reminder(service).await.unwrap();
    assert!(
        matches!(outcome, Some(Outcome::Sent { .. })),
        "A's reminder after B withdrew: {outcome:?}"
    );
    let messages = sent.lock().unwrap();
    let message = &messages.last().unwrap().raw;
    assert!(message.contains("Alice Aubert"), "{message}");
    assert!(!message.contains("Mallory"), "{message}");
}

async fn the_same_dealer_keeps_one_record_per_person(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let first = app.register(&a, &alice("PRIV-0101")).await;
    let mut again = alice("PRIV-0102");
    again["customer"]
        .as_object_mut()
        .unwrap()
        .remove("postal_code");
    let second = app.register(&a, &again).await;
    assert_eq!(second.status, 201, "{}", second.text);
    // What this dealer captured before still fills in what it left out this time.
    let id = second.json["id"].as_str().unwrap();
    let read = app.get(&format!("/v1/registrations/{id}"), Some(&a)).await;
    assert_eq!(read.json["customer"]["postal_code"], "75011");
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(
        app.store.table_counts().await.unwrap().customers,
        1,
        "one person at one dealer is one customer record"
    );
}

async fn unsubscribing_withdraws_for_the_dealer_whose_message_carried_the_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let at_a = app.register(&a, &alice("PRIV-0201")).await;
    let mut at_b = alice("PRIV-0202");
    at_b["customer"]["name"] = json!("Alice at B");
    let at_b = app.register(&b, &at_b).await;

    // The link in B's message withdraws B's reminders only.
    let token = app.state.signer.sign(
        Purpose::Unsubscribe,
        first_reminder(&at_b.json, "service_due"),
    );
    let page = app.get(&format!("/u/{token}"), None).await;
    assert!(
        page.text.contains("name=\"scope\""),
        "the page offers withdrawing from every sender: {}",
        page.text
    );
    let done = app
        .send(
            Method::POST,
            &format!("/u/{token}"),
            None,
            Some("application/x-www-form-urlencoded"),
            b"List-Unsubscribe=One-Click".to_vec(),
            &[],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let consent = |key: &str, id: &str| {
        let (key, path) = (key.to_owned(), format!("/v1/registrations/{id}"));
        let app = &app;
        async move { app.get(&path, Some(&key)).await.json["consent"].clone() }
    };
    let a_id = at_a.json["id"].as_str().unwrap();
    let b_id = at_b.json["id"].as_str().unwrap();
    assert_eq!(consent(&b, b_id).await["service_reminders"], false);
    assert_eq!(
        consent(&a, a_id).await["service_reminders"],
        true,
        "B's unsubscribe link withdrew A's grant"
    );

    // From the page, the customer may withdraw from everyone at once.
    let all = app
        .send(
            Method::POST,
            &format!("/u/{token}"),
            None,
            Some("application/x-www-form-urlencoded"),
            b"scope=all".to_vec(),
            &[],
        )
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(consent(&a, a_id).await["service_reminders"], false);
    assert_eq!(consent(&a, a_id).await["marketing"], false);
}

async fn the_manufacturer_sees_one_person_across_dealers(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    app.register(&a, &alice("PRIV-0301")).await;
    app.register(&b, &mallory("PRIV-0302")).await;
    let admin = app.admin_key.clone();
    let person = app
        .get(
            "/v1/admin/people?email=shared.person%40customer.example",
            Some(&admin),
        )
        .await;
    assert_eq!(person.status, 200, "{}", person.text);
    let records = person.json["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "{}", person.text);
    let dealers: Vec<&str> = records
        .iter()
        .map(|r| r["dealer_code"].as_str().unwrap())
        .collect();
    assert_eq!(dealers, ["A", "B"]);
    assert_eq!(records[0]["registrations"][0]["serial_number"], "PRIV0301");
    assert_eq!(records[1]["consent"]["dealer"]["service_reminders"], false);
    // A dealer key cannot ask.
    app.get(
        "/v1/admin/people?email=shared.person%40customer.example",
        Some(&a),
    )
    .await
    .assert_problem(403);
}

both_backends!(
    a_dealer_never_sees_or_changes_customer_data_another_dealer_captured,
    the_same_dealer_keeps_one_record_per_person,
    unsubscribing_withdraws_for_the_dealer_whose_message_carried_the_link,
    the_manufacturer_sees_one_person_across_dealers,
);
