//! Registering, reading, listing and voiding units.

use chrono::Duration;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

async fn a_registration_is_stored_with_reminders_planned_in_the_customers_time_zone(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    // Friday 27 Nov 2026 15:00 UTC = 10:00 in New York: the send window is open there.
    app.clock.set("2026-11-27T15:00:00Z".parse().unwrap());
    app.put_product("SNOW-1", json!({
        "name": "Snow blower", "category": "garden", "warranty_months": 12, "warranty_start": "purchase",
        "service_plan": ["P4M", "P12M"], "registration_window_days": 30
    }))
    .await;
    let key = app.dealer("NYC", "America/New_York").await;
    let mut body = registration("sb-000-123");
    body["sku"] = json!("SNOW-1");
    body["customer"]["time_zone"] = json!("America/New_York");
    let resp = app.register(&key, &body).await;

    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    let id = resp.json["id"].as_str().unwrap();
    assert_eq!(
        resp.header("location"),
        Some(format!("/v1/registrations/{id}").as_str())
    );
    assert_eq!(resp.json["serial_number"], "SB000123");
    assert_eq!(resp.json["status"], "active");
    assert_eq!(resp.json["warranty_expires_on"], "2027-11-19");
    let reminders: Vec<(String, String, String)> = resp.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().into(),
                r["due_at"].as_str().unwrap().into(),
                r["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expect = |kind: &str, due: &str| (kind.to_owned(), due.to_owned(), "pending".to_owned());
    assert_eq!(
        reminders,
        vec![
            // Sent as soon as possible: the window is open now.
            expect("registration_confirmation", "2026-11-27T15:00:00Z"),
            // 20 March 2027 is a Saturday after the DST change: Monday 09:00 EDT = 13:00 UTC.
            expect("service_due", "2027-03-22T13:00:00Z"),
            // 20 Nov 2027, a Saturday in standard time again: Monday 09:00 EST = 14:00 UTC.
            expect("warranty_expiring", "2027-10-20T13:00:00Z"),
            expect("service_due", "2027-11-22T14:00:00Z"),
        ]
    );

    // What was answered is what is stored.
    let read = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    assert_eq!(read.status.as_u16(), 200);
    assert_eq!(read.json, resp.json);
}

async fn a_confirmation_outside_the_send_window_waits_for_the_next_slot(backend: Backend) {
    let app = spawn_app(backend).await;
    // Saturday 28 Nov 2026, 20:00 UTC.
    app.clock.set("2026-11-28T20:00:00Z".parse().unwrap());
    let key = app.dealer("PARIS", "Europe/Paris").await;
    let resp = app.register(&key, &registration("SAT-0001")).await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    let confirmation = &resp.json["reminders"][0];
    assert_eq!(confirmation["kind"], "registration_confirmation");
    // Monday 30 Nov, 09:00 in Paris.
    assert_eq!(confirmation["due_at"], "2026-11-30T08:00:00Z");
}

async fn the_warranty_runs_from_the_installation_for_products_that_say_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("HEAT", "Europe/Paris").await;
    let mut body = registration("BOIL-0001");
    body["sku"] = json!("BOILER-24");
    body["installed_on"] = json!("2026-11-25");
    let resp = app.register(&key, &body).await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    assert_eq!(resp.json["warranty_start_basis"], "installation");
    assert_eq!(resp.json["warranty_starts_on"], "2026-11-25");
    assert_eq!(resp.json["warranty_expires_on"], "2031-11-24");
    assert_eq!(resp.json["reminders"][1]["nominal_date"], "2027-11-25");
}

async fn voiding_cancels_pending_reminders_and_frees_the_serial(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let created = app.register(&a, &registration("VOID-0001")).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    app.clock.advance(Duration::minutes(5));

    let voided = app
        .post_json(
            &format!("/v1/registrations/{id}/void"),
            Some(&a),
            &json!({"reason": "returned"}),
        )
        .await;
    assert_eq!(voided.status.as_u16(), 200, "{}", voided.text);
    assert_eq!(voided.json["status"], "voided");
    assert_eq!(voided.json["void_reason"], "returned");
    assert!(
        voided.json["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "cancelled")
    );

    // Voiding again changes nothing.
    app.clock.advance(Duration::minutes(5));
    let again = app
        .send(
            axum::http::Method::POST,
            &format!("/v1/registrations/{id}/void"),
            Some(&a),
            None,
            vec![],
            &[],
        )
        .await;
    assert_eq!(again.status.as_u16(), 200);
    assert_eq!(again.json, voided.json);

    // The unit can be registered again, by any dealer.
    assert_eq!(
        app.register(&b, &registration("VOID-0001"))
            .await
            .status
            .as_u16(),
        201
    );
}

async fn listing_pages_through_own_registrations_in_change_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("LIST", "Europe/Paris").await;
    let other = app.dealer("OTHER", "Europe/Paris").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        app.clock.advance(Duration::seconds(1));
        let resp = app
            .register(&key, &registration(&format!("LIST-{i:04}")))
            .await;
        ids.push(resp.json["id"].as_str().unwrap().to_owned());
    }
    app.register(&other, &registration("NOT-MINE-1")).await;

    let mut seen = Vec::new();
    let mut path = "/v1/registrations?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = app.get(&path, Some(&key)).await;
        assert_eq!(page.status.as_u16(), 200, "{}", page.text);
        pages += 1;
        seen.extend(
            page.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match page.json["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/registrations?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);

    // A change moves a registration to the end, and updated_since finds only what changed.
    let since = app.now() + Duration::seconds(1);
    app.clock.advance(Duration::seconds(10));
    app.post_json(
        &format!("/v1/registrations/{}/void", ids[1]),
        Some(&key),
        &json!({}),
    )
    .await;
    let changed = app
        .get(
            &format!(
                "/v1/registrations?updated_since={}",
                since.to_rfc3339().replace('+', "%2B")
            ),
            Some(&key),
        )
        .await;
    let changed_ids: Vec<_> = changed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(changed_ids, vec![ids[1].as_str()]);
    let voided = app.get("/v1/registrations?status=voided", Some(&key)).await;
    assert_eq!(voided.json["items"].as_array().unwrap().len(), 1);
}

async fn consent_is_an_append_only_log_whose_latest_entry_wins(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("CONSENT", "Europe/Paris").await;
    let mut first = registration("CONS-0001");
    first["customer"]["email"] = json!("same.person@customer.example");
    first["consent"] = json!({"service_reminders": true, "marketing": true});
    let r1 = app.register(&key, &first).await;
    app.clock.advance(Duration::minutes(1));
    let mut second = registration("CONS-0002");
    second["customer"]["email"] = json!("Same.Person@CUSTOMER.example");
    second["consent"] = json!({"service_reminders": true, "marketing": false});
    let r2 = app.register(&key, &second).await;
    assert_eq!(r2.status.as_u16(), 201, "{}", r2.text);

    // Both registrations belong to one customer, whose current consent is the latest given.
    let read = app
        .get(
            &format!("/v1/registrations/{}", r1.json["id"].as_str().unwrap()),
            Some(&key),
        )
        .await;
    assert_eq!(
        read.json["consent"],
        json!({"service_reminders": true, "marketing": false, "manufacturer_marketing": null,
               "surveys": null, "safety_only": false})
    );
    let counts = app.store.table_counts().await.unwrap();
    assert_eq!((counts.customers, counts.consent_events), (1, 4));
}

both_backends!(
    a_registration_is_stored_with_reminders_planned_in_the_customers_time_zone,
    a_confirmation_outside_the_send_window_waits_for_the_next_slot,
    the_warranty_runs_from_the_installation_for_products_that_say_so,
    voiding_cancels_pending_reminders_and_frees_the_serial,
    listing_pages_through_own_registrations_in_change_order,
    consent_is_an_append_only_log_whose_latest_entry_wins,
);
