//! A person's subject-access export: a person seeded in every table that holds personal data, by
//! the flows that write them, then found whole by the admin's export and by the owner's own page.

use axum::http::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{Backend, registration};
use crate::texts::{now, send_due, texting};

const EMAIL: &str = "sam@client.test";
const PHONE: &str = "+33611223344";

fn ids(v: &Value, section: &str) -> usize {
    v[section].as_array().map_or(0, Vec::len)
}

async fn a_persons_export_holds_every_record_of_them(backend: Backend) {
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let admin = app.admin_key.clone();
    // Dealer A, with a booking page, registers Sam's mower.
    let a = app.dealer("A", "Europe/Paris").await;
    app.put_json(
        "/v1/admin/dealers/A",
        Some(&admin),
        &json!({"name": "Garage A", "locale": "fr-FR", "time_zone": "Europe/Paris",
                "email": "shop@a.test", "booking_url": "https://a.test/book"}),
    )
    .await;
    let mut body = registration("SAR-0001");
    body["customer"]["email"] = json!(EMAIL);
    body["customer"]["phone"] = json!(PHONE);
    body["customer"]["name"] = json!("Sam Subject");
    let first = app.register(&a, &body).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.text);
    let first_id: Uuid = first.json["id"].as_str().unwrap().parse().unwrap();
    // Messages: the confirmation by email; its booking link opened.
    send_due(app).await;
    let confirmation: Uuid = first.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let booking = format!(
        "/r/{}",
        app.state
            .signer
            .sign(warrantyd::tokens::Purpose::Booking, confirmation)
    );
    assert_eq!(app.get(&booking, None).await.status.as_u16(), 303);
    // A correction, a proof of purchase, a service visit.
    let corrected = app
        .send(
            Method::PATCH,
            &format!("/v1/registrations/{first_id}"),
            Some(&a),
            Some("application/json"),
            serde_json::to_vec(&json!({"external_ref": "INV-9"})).unwrap(),
            &[],
        )
        .await;
    assert_eq!(corrected.status.as_u16(), 200, "{}", corrected.text);
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let proof = app
        .send(
            Method::PUT,
            &format!("/v1/registrations/{first_id}/proof"),
            Some(&a),
            Some("application/pdf"),
            pdf,
            &[],
        )
        .await;
    assert!(proof.status.is_success(), "{}", proof.text);
    let visit = app
        .post_json("/v1/service-events", Some(&a),
                   &json!({"serial_number": "SAR-0001", "service_date": "2026-11-27", "kind": "maintenance"}))
        .await;
    assert!(visit.status.is_success(), "{}", visit.text);
    // Dealer B sells Sam a second unit, and starts its transfer to someone else.
    let b = app.dealer("B", "Europe/Paris").await;
    let mut second = registration("SAR-0002");
    second["customer"]["email"] = json!(EMAIL);
    assert_eq!(app.register(&b, &second).await.status.as_u16(), 201);
    let started = app
        .post_json(
            "/v1/transfers",
            Some(&a),
            &json!({"serial_number": "SAR-0002", "new_owner_email": "nico@client.test"}),
        )
        .await;
    assert_eq!(started.status.as_u16(), 201, "{}", started.text);
    // Sam registers a third unit alone through its address.
    let own = crate::claims::owner_registers(
        app,
        "SAR-0003",
        &[
            ("purchase_date", "2026-11-21"),
            ("customer_name", "Sam Subject"),
            ("customer_email", EMAIL),
            ("consent_service_reminders", "true"),
        ],
    )
    .await;
    assert!(
        own.status.is_success() || own.status.as_u16() == 303,
        "{}",
        own.text
    );
    // Sam's number says STOP; the email address bounces.
    let (status, _) = t.provider.inbound(PHONE, "STOP", now(app)).await;
    assert_eq!(status, 200);
    warrantyd::workflows::consent::record_report(
        &app.store,
        confirmation,
        "bounced",
        Some(550),
        "550 5.1.1",
        {
            use warrantyd::clock::Clock;
            app.clock.now()
        },
    )
    .await
    .unwrap();
    // Someone else, whose records must not appear.
    app.register(&a, &registration("SAR-0099")).await;

    let export = app
        .get(
            &format!("/v1/admin/people/export?email={EMAIL}&phone=%2B33611223344"),
            Some(&admin),
        )
        .await;
    assert_eq!(export.status.as_u16(), 200, "{}", export.text);
    let e = &export.json;
    assert_eq!(
        ids(e, "customers"),
        2,
        "one record per dealer: {}",
        e["customers"]
    );
    assert_eq!(ids(e, "registrations"), 2);
    for section in [
        "consent_events",
        "messages",
        "link_clicks",
        "service_visits",
        "proofs_of_purchase",
        "corrections",
        "transfers",
        "own_registrations",
        "texts_received",
    ] {
        assert!(ids(e, section) >= 1, "{section} missing: {e}");
    }
    assert_eq!(e["phone_suppressed"], "stop");
    assert_eq!(e["email_suppressed"], "hard_bounce");
    assert!(
        e["consent_events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["channel"] == "sms" && c["granted"] == false)
    );
    assert!(!export.text.contains("sar-0099"), "another person's data");
    // Nothing about nobody.
    let nobody = app
        .get(
            "/v1/admin/people/export?email=nobody%40client.test",
            Some(&admin),
        )
        .await;
    assert_eq!(nobody.status.as_u16(), 404);
    // A dealer's key may not ask.
    assert_eq!(
        app.get(&format!("/v1/admin/people/export?email={EMAIL}"), Some(&a))
            .await
            .status
            .as_u16(),
        403
    );

    // Sam, from their own page: the same, readable and as a file.
    let owner = format!(
        "/o/{}",
        app.state
            .signer
            .sign(warrantyd::tokens::Purpose::Owner, confirmation)
    );
    let page = app.get(&owner, None).await;
    assert!(
        page.text.contains(&format!("href=\"{owner}/my-data\"")),
        "{}",
        page.text
    );
    let readable = app.get(&format!("{owner}/my-data"), None).await;
    assert_eq!(readable.status.as_u16(), 200, "{}", readable.text);
    for seen in [
        "Sam Subject",
        EMAIL,
        PHONE,
        "SAR-0001",
        "SAR-0002",
        "SAR-0003",
        "Garage A",
        "Dealer B",
    ] {
        assert!(readable.text.contains(seen), "{seen}: {}", readable.text);
    }
    assert!(!readable.text.contains("SAR-0099"));
    let file = app.get(&format!("{owner}/my-data.json"), None).await;
    assert_eq!(file.status.as_u16(), 200);
    assert_eq!(
        file.header("content-disposition"),
        Some("attachment; filename=\"my-data.json\"")
    );
    assert_eq!(file.json["registrations"], e["registrations"]);
    assert_eq!(file.json["messages"], e["messages"]);
}

both_backends!(a_persons_export_holds_every_record_of_them);
