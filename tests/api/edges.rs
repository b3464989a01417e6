//! Rules that hold at the edges: addresses the mailer cannot send to are refused at intake, a
//! voided registration cannot be confirmed, serials are shown as typed.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

async fn unsendable_addresses_are_refused_at_intake(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    for (i, email) in [
        "\"john..doe\"@example.com",
        "\"<svg/onload=alert(1)>\"@example.com",
        "a..b@example.com",
    ]
    .iter()
    .enumerate()
    {
        let mut body = registration(&format!("ADDR-{i}"));
        body["customer"]["email"] = json!(email);
        let refused = app.register(&key, &body).await;
        refused.assert_problem(422);
        assert_eq!(
            refused.field_errors(),
            [("customer.email".to_owned(), "invalid_email".to_owned())],
            "{email}"
        );
    }
}

async fn a_voided_registration_cannot_be_confirmed(backend: Backend) {
    use warrantyd::tokens::Purpose;
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let created = app.register(&key, &registration("VOID-0001")).await;
    let id: uuid::Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    app.void(&key, &id.to_string(), None).await;
    let link = format!("/v/{}", app.state.signer.sign(Purpose::Verify, id));
    let page = app.get(&link, None).await;
    assert!(page.text.contains("annulé"), "{}", page.text);
    assert!(!page.text.contains("<form"), "nothing to confirm");
    let posted = app
        .send(axum::http::Method::POST, &link, None, None, Vec::new(), &[])
        .await;
    assert!(!posted.text.contains("est confirmé"), "{}", posted.text);
    let target = app.store.verify_target(id).await.unwrap().unwrap();
    assert!(target.verified_at.is_none(), "nothing is recorded");
}

async fn the_unsubscribe_page_offers_both_purposes_and_a_way_back(backend: Backend) {
    use axum::http::Method;
    use warrantyd::tokens::Purpose;
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let mut body = registration("UNSUB-0001");
    body["consent"]["marketing"] = json!(true);
    body["customer"]["locale"] = json!("en-GB");
    let created = app.register(&key, &body).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let reminder: uuid::Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let link = format!(
        "/u/{}",
        app.state.signer.sign(Purpose::Unsubscribe, reminder)
    );
    let path = format!("/v1/registrations/{id}");
    let consent = || {
        let (app, key, path) = (&app, key.clone(), path.clone());
        async move { app.get(&path, Some(&key)).await.json["consent"].clone() }
    };
    let post = |form: &'static str| {
        let (app, link) = (&app, link.clone());
        async move {
            app.send(
                Method::POST,
                &link,
                None,
                Some("application/x-www-form-urlencoded"),
                form.as_bytes().to_vec(),
                &[],
            )
            .await
        }
    };
    let page = app.get(&link, None).await;
    assert!(page.text.contains("name=\"marketing\"") && page.text.contains("name=\"scope\""));
    let done = post("service_reminders=on&marketing=on").await;
    assert!(
        done.text.contains("service reminders or offers"),
        "says what was withdrawn: {}",
        done.text
    );
    assert!(done.text.contains("name=\"action\" value=\"resubscribe\""));
    let now = consent().await;
    assert_eq!(
        (now["service_reminders"].clone(), now["marketing"].clone()),
        (json!(false), json!(false))
    );
    let back = post("action=resubscribe").await;
    assert!(back.text.contains("again"), "{}", back.text);
    assert_eq!(consent().await["service_reminders"], true);
}

async fn messages_to_one_customer_keep_a_minimum_spacing(backend: Backend) {
    use warrantyd::store::Outcome;
    let app = crate::helpers::spawn_app_with(backend, |c| c.min_spacing_days = 3).await;
    let (a, _) = crate::attribution::setup(&app).await;
    // Bought six months ago: the confirmation and the first service reminder are both due now.
    let created = app
        .register(
            &a,
            &crate::attribution::unit("SPACE-0001", "space@client.test"),
        )
        .await;
    let confirmation = crate::attribution::reminder(&created, "registration_confirmation", 0);
    let service = crate::attribution::reminder(&created, "service_due", 1);
    let sender = app.sender(warrantyd::mail::Mailer::Memory(Default::default()));
    sender.dispatch_once().await.unwrap();
    let sent_at = app.now();
    assert!(matches!(
        sender.send_reminder(confirmation).await.unwrap(),
        Some(Outcome::Sent { .. })
    ));
    let deferred = sender.send_reminder(service).await.unwrap();
    let Some(Outcome::Deferred { send_after, reason }) = deferred else {
        panic!("the reminder went out in the same minute as the confirmation: {deferred:?}");
    };
    assert_eq!(reason, "min_spacing");
    assert!(
        send_after >= sent_at + chrono::Duration::days(3),
        "{send_after}"
    );
    app.finish_claimed().await;
}

async fn serials_are_shown_as_typed_and_matched_normalized(backend: Backend) {
    use warrantyd::mail::Mailer;
    use warrantyd::tokens::Purpose;
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let typed = |serial: &str| {
        let mut body = registration(serial);
        body["customer"]["email"] = json!("owner@customer.example");
        body
    };
    let created = app.register(&key, &typed("MW 500 / 7781")).await;
    assert_eq!(
        created.json["serial_number"], "MW5007781",
        "{}",
        created.text
    );
    assert_eq!(created.json["serial_number_as_typed"], "MW 500 / 7781");
    // The same unit typed another way is the same unit.
    app.register(&key, &typed("mw-500-7781"))
        .await
        .assert_problem(409);
    // The customer sees it as the dealer typed it, in the email and on the confirmation page.
    let outbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(Mailer::Memory(outbox.clone()));
    sender.dispatch_once().await.unwrap();
    let confirmation: uuid::Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    sender.send_reminder(confirmation).await.unwrap();
    let raw = outbox.lock().unwrap()[0].raw.clone();
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    assert!(message.body_text(0).unwrap().contains("MW 500 / 7781"));
    let id: uuid::Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    let page = app
        .get(
            &format!("/v/{}", app.state.signer.sign(Purpose::Verify, id)),
            None,
        )
        .await;
    assert!(page.text.contains("MW 500 / 7781"), "{}", page.text);
}

async fn a_phone_only_registrations_held_incentive_is_released_after_the_verification_days(
    backend: Backend,
) {
    use warrantyd::mail::Mailer;
    use warrantyd::store::Outcome;
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    app.put_json(
        "/v1/admin/programs/HOLD",
        Some(&admin),
        &json!({"name": "Held bonus", "currency": "EUR", "valid_from": "2026-01-01", "clawback_days": 60,
            "rules": [{"id": "mowers", "sku": "MOWER-500", "registration_minor": 1500, "hold_until_verified": true,
                "verification_days": 14}]}),
    )
    .await;
    let key = app.dealer("A", "Europe/Paris").await;
    // A dealer whose messages go by email only: a phone-only customer gets nothing to confirm by.
    let email_only = app
        .put_json(
            "/v1/admin/dealers/A",
            Some(&admin),
            &json!({"name": "Dealer A", "locale": "fr-FR", "time_zone": "Europe/Paris", "message_channels": "email"}),
        )
        .await;
    assert_eq!(
        email_only.json["message_channels"], "email",
        "{}",
        email_only.text
    );
    let mut body = registration("PHONE-0001");
    body["customer"].as_object_mut().unwrap().remove("email");
    body["customer"]["phone"] = json!("+33612345678");
    let created = app.register(&key, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let confirmation: uuid::Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let sender = app.sender(Mailer::Memory(Default::default()));
    sender.dispatch_once().await.unwrap();
    assert_eq!(
        sender.send_reminder(confirmation).await.unwrap(),
        Some(Outcome::Skipped { reason: "no_email" })
    );
    let held = app
        .get("/v1/dealer/scorecard?period=2026-11", Some(&key))
        .await;
    assert_eq!(held.json["incentives"]["held_minor"], 1500, "{}", held.text);
    // Not before the verification days: nothing to confirm through, but a void could still come.
    app.clock.advance(chrono::Duration::days(13));
    sender.ledger_upkeep().await.unwrap();
    let card = app
        .get("/v1/dealer/scorecard?period=2026-11", Some(&key))
        .await;
    assert_eq!(card.json["incentives"]["held_minor"], 1500);
    app.clock.advance(chrono::Duration::days(2));
    sender.ledger_upkeep().await.unwrap();
    let card = app
        .get("/v1/dealer/scorecard?period=2026-11", Some(&key))
        .await;
    assert_eq!(card.json["incentives"]["held_minor"], 0, "{}", card.text);
    let released: Vec<_> = app
        .store
        .ledger()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.reason.as_deref() == Some("no_email_channel"))
        .collect();
    assert_eq!(released.len(), 1);
    assert_eq!(released[0].amount_minor, 1500);
}

async fn a_changed_send_window_applies_to_every_reminder_not_yet_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let created = app.register(&key, &registration("WINDOW-0001")).await;
    let service = created.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "service_due")
        .unwrap()
        .clone();
    // Planned with the default window: 09:00 in Paris (summer time in May).
    assert!(
        service["due_at"].as_str().unwrap().ends_with("T07:00:00Z"),
        "{service}"
    );
    let sender = app.sender(warrantyd::mail::Mailer::Memory(Default::default()));
    sender.ledger_upkeep().await.unwrap(); // records the window in use
    // The operator moves the window to the afternoon and restarts the workers.
    let mut config = (*app.state.config).clone();
    config.send_window = "0 0 14-17 * * Mon-Fri".into();
    let restarted = warrantyd::jobs::Sender::new(
        std::sync::Arc::new(config),
        app.store.clone(),
        std::sync::Arc::new(app.clock.clone()),
        app.state.signer.clone(),
        warrantyd::mail::Mailer::Memory(Default::default()),
    )
    .unwrap();
    restarted.ledger_upkeep().await.unwrap();
    let id = created.json["id"].as_str().unwrap();
    // The service reminder as the dealer reads it now.
    let current = || {
        let (app, key, path) = (&app, key.clone(), format!("/v1/registrations/{id}"));
        let wanted = service["id"].clone();
        async move {
            let read = app.get(&path, Some(&key)).await;
            read.json["reminders"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == wanted)
                .unwrap()
                .clone()
        }
    };
    let replanned = current().await;
    assert!(
        replanned["due_at"]
            .as_str()
            .unwrap()
            .ends_with("T12:00:00Z"),
        "{replanned}"
    );
    assert_eq!(replanned["nominal_date"], service["nominal_date"]);

    // A dealer's own window, changed by an admin, applies to its pending reminders at once.
    let admin = app.admin_key.clone();
    let changed = app
        .put_json(
            "/v1/admin/dealers/A",
            Some(&admin),
            &json!({"name": "Dealer A", "locale": "fr-FR", "time_zone": "Europe/Paris",
                "email": "shop@dealer.example", "send_window": "0 0 10-11 * * Mon-Fri"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let own = current().await;
    assert!(
        own["due_at"].as_str().unwrap().ends_with("T08:00:00Z"),
        "{own}"
    );
}

/// The operators' export shows the consent in force, by the same rule as everything else: a
/// customer's own unsubscribe stands even when the dealer later registers another unit for them
/// with consent ticked.
async fn the_export_shows_a_customers_unsubscribe_over_later_dealer_consent(backend: Backend) {
    use warrantyd::tokens::Purpose;
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let unit = |serial: &str| {
        let mut body = registration(serial);
        body["customer"]["email"] = json!("same.person@customer.example");
        body
    };
    let first = app.register(&key, &unit("EXP-CONSENT-1")).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.text);
    let reminder: uuid::Uuid = first.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let link = format!(
        "/u/{}",
        app.state.signer.sign(Purpose::Unsubscribe, reminder)
    );
    let done = app
        .post_form(&link, None, &[("service_reminders", "on")])
        .await;
    assert_eq!(done.status.as_u16(), 200, "{}", done.text);
    // The same person buys again: the dealer captures consent once more.
    let second = app.register(&key, &unit("EXP-CONSENT-2")).await;
    assert_eq!(second.status.as_u16(), 201, "{}", second.text);
    let read = app
        .get(
            &format!("/v1/registrations/{}", second.json["id"].as_str().unwrap()),
            Some(&key),
        )
        .await;
    assert_eq!(
        read.json["consent"]["service_reminders"], false,
        "the API view"
    );
    let mut out = Vec::new();
    warrantyd::ops::export_registrations(&app.store, None, false, false, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = headers
        .iter()
        .position(|h| h == "consent_service_reminders")
        .unwrap();
    let values: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[column].to_owned())
        .collect();
    assert_eq!(values, ["false", "false"], "{text}");
    let mut jsonl = Vec::new();
    warrantyd::ops::export_registrations(&app.store, None, true, false, &mut jsonl)
        .await
        .unwrap();
    for line in String::from_utf8(jsonl).unwrap().lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(row["consent_service_reminders"], false, "{line}");
    }
}

both_backends!(
    the_export_shows_a_customers_unsubscribe_over_later_dealer_consent,
    a_changed_send_window_applies_to_every_reminder_not_yet_sent,
    unsendable_addresses_are_refused_at_intake,
    a_voided_registration_cannot_be_confirmed,
    the_unsubscribe_page_offers_both_purposes_and_a_way_back,
    messages_to_one_customer_keep_a_minimum_spacing,
    serials_are_shown_as_typed_and_matched_normalized,
    a_phone_only_registrations_held_incentive_is_released_after_the_verification_days,
);
