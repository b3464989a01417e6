//! Corrections without voiding: reminders planned again from the corrected facts (sent ones stay),
//! earnings reversed and accrued again only when they change, every correction kept with who and
//! what, lost updates refused by If-Match, and the dealer's window.

use serde_json::json;
use warrantyd::mail::Mailer;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, registration, spawn_app};

async fn program(app: &TestApp) {
    let resp = app
        .put_json(
            "/v1/admin/programs/REG",
            Some(&app.admin_key.clone()),
            &json!({"name": "Bonus", "currency": "EUR", "valid_from": "2026-01-01", "clawback_days": 60, "rules": [
                {"id": "mowers", "sku": "MOWER-500", "registration_minor": 1500, "on_time_bonus_minor": 500, "on_time_days": 14},
                {"id": "heating", "category": "heating", "registration_minor": 4000}
            ]}),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.text);
}

async fn patch(
    app: &TestApp,
    key: &str,
    id: &str,
    if_match: Option<&str>,
    body: serde_json::Value,
) -> crate::helpers::Resp {
    let mut headers = vec![];
    if let Some(tag) = if_match {
        headers.push(("if-match", tag));
    }
    app.send(
        axum::http::Method::PATCH,
        &format!("/v1/registrations/{id}"),
        Some(key),
        Some("application/json"),
        serde_json::to_vec(&body).unwrap(),
        &headers,
    )
    .await
}

async fn a_correction_plans_unsent_reminders_again_and_keeps_sent_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let mut body = registration("HEAT-0001");
    body["sku"] = json!("BOILER-24");
    body["installed_on"] = json!("2026-11-22");
    let created = app.register(&key, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    // The confirmation goes out first.
    let sender = app.sender(Mailer::Memory(Default::default()));
    sender.dispatch_once().await.unwrap();
    let confirmation: uuid::Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    sender.send_reminder(confirmation).await.unwrap();
    let service_before: Vec<String> = created.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "service_due")
        .map(|r| r["nominal_date"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(service_before, ["2027-11-22"]);
    let corrected = patch(
        &app,
        &key,
        &id,
        None,
        json!({"installed_on": "2026-11-25", "customer": {"name": "Camille Martin-Durand"}}),
    )
    .await;
    assert_eq!(corrected.status.as_u16(), 200, "{}", corrected.text);
    assert_eq!(corrected.json["warranty_starts_on"], "2026-11-25");
    assert_eq!(corrected.json["customer"]["name"], "Camille Martin-Durand");
    let reminders = corrected.json["reminders"].as_array().unwrap();
    let by = |kind: &str, status: &str| {
        reminders
            .iter()
            .filter(|r| r["kind"] == kind && r["status"] == status)
            .map(|r| r["nominal_date"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by("registration_confirmation", "sent").len(),
        1,
        "the sent confirmation stays: {reminders:?}"
    );
    assert!(
        by("registration_confirmation", "pending").is_empty(),
        "and is not planned again"
    );
    assert_eq!(
        by("service_due", "pending"),
        ["2027-11-25"],
        "planned again from the new date: {reminders:?}"
    );
    assert!(
        !reminders.iter().any(|r| r["nominal_date"] == "2027-11-22"),
        "nothing left at the old date"
    );
    // The correction is kept, with what changed.
    let events = app.store.audit_log("registration", &id).await.unwrap();
    assert!(events.iter().any(|e| e.action == "registration.corrected"));
    app.finish_claimed().await;
}

async fn earnings_are_reversed_and_accrued_again_only_when_they_change(backend: Backend) {
    let app = spawn_app(backend).await;
    program(&app).await;
    let key = app.dealer("A", "Europe/Paris").await;
    // Bought 3 weeks before it is registered: no on-time bonus.
    let mut body = registration("LATE-0001");
    body["purchase_date"] = json!("2026-11-05");
    let created = app.register(&key, &body).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let total = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .ledger()
                .await
                .unwrap()
                .iter()
                .map(|l| l.amount_minor)
                .sum::<i64>()
        }
    };
    assert_eq!(total(&app).await, 1500);
    // A customer detail only: nothing in the ledger moves.
    let entries = app.store.ledger().await.unwrap().len();
    assert_eq!(
        patch(
            &app,
            &key,
            &id,
            None,
            json!({"customer": {"phone": "+33612345678"}})
        )
        .await
        .status
        .as_u16(),
        200
    );
    assert_eq!(
        app.store.ledger().await.unwrap().len(),
        entries,
        "no reversal for the same earnings"
    );
    // The purchase was in fact 10 days ago: on time, so the bonus is earned; the old line is
    // reversed and both are accrued again (never edited).
    let corrected = patch(
        &app,
        &key,
        &id,
        None,
        json!({"purchase_date": "2026-11-20"}),
    )
    .await;
    assert_eq!(corrected.status.as_u16(), 200, "{}", corrected.text);
    let ledger = app.store.ledger().await.unwrap();
    let kinds: Vec<(&str, i64)> = ledger
        .iter()
        .map(|l| (l.kind.as_str(), l.amount_minor))
        .collect();
    assert_eq!(
        kinds,
        [
            ("registration", 1500),
            ("clawback", -1500),
            ("registration", 1500),
            ("on_time_bonus", 500)
        ],
        "{kinds:?}"
    );
    assert_eq!(total(&app).await, 2000);
    assert!(
        ledger[1]
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("corrected")),
        "{:?}",
        ledger[1].reason
    );
    app.finish_claimed().await;
}

async fn if_match_refuses_a_stale_correction_and_the_window_and_owner_are_enforced(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let other = app.dealer("B", "Europe/Paris").await;
    let created = app.register(&key, &registration("ETAG-0001")).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let read = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    let tag = read.header("etag").expect("an ETag").to_owned();
    let first = patch(
        &app,
        &key,
        &id,
        Some(&tag),
        json!({"external_ref": "INV-1"}),
    )
    .await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.text);
    assert_ne!(first.header("etag"), Some(tag.as_str()), "a new version");
    // The second writer read the old version: refused, nothing lost.
    let stale = patch(
        &app,
        &key,
        &id,
        Some(&tag),
        json!({"external_ref": "INV-2"}),
    )
    .await;
    stale.assert_problem(412);
    assert_eq!(
        app.get(&format!("/v1/registrations/{id}"), Some(&key))
            .await
            .json["external_ref"],
        "INV-1"
    );
    // Invalid values name their field; another dealer sees nothing.
    let bad = patch(
        &app,
        &key,
        &id,
        None,
        json!({"customer": {"email": "nope"}}),
    )
    .await;
    bad.assert_problem(422);
    assert_eq!(bad.field_errors()[0].0, "customer.email");
    patch(&app, &other, &id, None, json!({"external_ref": "X"}))
        .await
        .assert_problem(404);
    // Past the dealer's window, only an admin may correct.
    app.clock.advance(chrono::Duration::days(31));
    let late = patch(&app, &key, &id, None, json!({"external_ref": "INV-3"})).await;
    late.assert_problem(409);
    let admin = app
        .send(
            axum::http::Method::PATCH,
            &format!("/v1/admin/registrations/{id}"),
            Some(&app.admin_key.clone()),
            Some("application/json"),
            serde_json::to_vec(&json!({"external_ref": "INV-3"})).unwrap(),
            &[],
        )
        .await;
    assert_eq!(admin.status.as_u16(), 200, "{}", admin.text);
    // A voided registration is not corrected.
    app.void(&key, &id, Some("returned")).await;
    let voided = app
        .send(
            axum::http::Method::PATCH,
            &format!("/v1/admin/registrations/{id}"),
            Some(&app.admin_key.clone()),
            Some("application/json"),
            serde_json::to_vec(&json!({"external_ref": "INV-4"})).unwrap(),
            &[],
        )
        .await;
    voided.assert_problem(409);
}

both_backends!(
    a_correction_plans_unsent_reminders_again_and_keeps_sent_ones,
    earnings_are_reversed_and_accrued_again_only_when_they_change,
    if_match_refuses_a_stale_correction_and_the_window_and_owner_are_enforced,
);
