//! Input no database can store is refused field by field on both backends, a batch keeps going
//! past a bad row, exports cannot carry spreadsheet formulas, and files holding personal data are
//! private to the service's user.

use axum::http::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, registration, spawn_app};

async fn post_raw(
    app: &TestApp,
    path: &str,
    key: &str,
    content_type: &str,
    body: &str,
) -> crate::helpers::Resp {
    app.send(
        Method::POST,
        path,
        Some(key),
        Some(content_type),
        body.as_bytes().to_vec(),
        &[],
    )
    .await
}

async fn text_with_a_nul_is_refused_naming_its_field_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let admin = app.admin_key.clone();

    let mut bad = registration("NUL-0001");
    bad["sku"] = json!("MOW\u{0}ER");
    bad["customer"]["name"] = json!("Cam\u{0}ille");
    let single = app.register(&key, &bad).await;
    single.assert_problem(422);
    let mut fields = single.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("customer.name".to_owned(), "invalid_text".to_owned()),
            ("sku".to_owned(), "invalid_text".to_owned())
        ]
    );

    // A batch: the bad row is that row's error; the rows around it are stored.
    let batch = app
        .post_json(
            "/v1/registrations/batch",
            Some(&key),
            &json!([registration("NUL-0010"), bad, registration("NUL-0012")]),
        )
        .await;
    assert_eq!(batch.status, 200, "{}", batch.text);
    let statuses: Vec<&str> = batch.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["created", "rejected", "created"]);
    assert_eq!(batch.json["rows"][1]["errors"][0]["code"], "invalid_text");

    let csv = "serial_number,sku,purchase_date,customer_name,customer_email,consent_service_reminders,consent_marketing\n\
        NUL-0020,MOWER-500,2026-11-20,Ann,ann@customer.example,true,false\n\
        NUL-0021,MOWER-500,2026-11-20,B\u{0}b,bob@customer.example,true,false\n\
        NUL-0022,MOWER-500,2026-11-20,Cy,cy@customer.example,true,false\n";
    let batch = post_raw(&app, "/v1/registrations/batch", &key, "text/csv", csv).await;
    assert_eq!(batch.status, 200, "{}", batch.text);
    assert_eq!(batch.json["created"], 2, "{}", batch.text);
    assert_eq!(batch.json["rows"][1]["errors"][0]["field"], "customer_name");

    // Paths, query strings, other JSON bodies and forms.
    app.get("/v1/admin/dealers/A%00B", Some(&admin))
        .await
        .assert_problem(404);
    app.put_json("/v1/admin/products/X%00", Some(&admin), &json!({}))
        .await
        .assert_problem(404);
    let query = app
        .get("/v1/registrations?status=active%00", Some(&key))
        .await;
    query.assert_problem(422);
    assert_eq!(query.field_errors()[0].0, "status");
    let finance = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "finance"}))
        .await;
    let finance = finance.json["key"].as_str().unwrap().to_owned();
    let adjustment = app
        .post_json(
            "/v1/finance/adjustments",
            Some(&finance),
            &json!({"dealer_code": "A\u{0}", "amount_minor": 100, "currency": "EUR", "reason": "x"}),
        )
        .await;
    adjustment.assert_problem(422);
    assert_eq!(adjustment.field_errors()[0].0, "dealer_code");
    let form = app
        .send(
            Method::POST,
            "/sign-in",
            None,
            Some("application/x-www-form-urlencoded"),
            b"email=a%00%40b.test&csrf=x".to_vec(),
            &[],
        )
        .await;
    form.assert_problem(422);
    assert_eq!(form.field_errors()[0].0, "email");
    // Nothing was half-stored, and the good rows were.
    let list = app.get("/v1/registrations?limit=100", Some(&key)).await;
    let serials: Vec<&str> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["serial_number"].as_str().unwrap())
        .collect();
    assert_eq!(serials.len(), 4, "{serials:?}");
}

async fn the_registration_export_neutralizes_spreadsheet_formulas(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let mut body = registration("CSV-0001");
    body["customer"]["name"] = json!("=HYPERLINK(\"http://evil.example\",\"Click\")");
    body["customer"]["phone"] = json!("+33612345678");
    assert_eq!(app.register(&key, &body).await.status, 201);
    let mut out = Vec::new();
    warrantyd::ops::export_registrations(&app.store, None, false, false, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(
        cell("customer_name"),
        "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    );
    assert_eq!(cell("customer_phone"), "'+33612345678");
    assert!(
        !text.lines().any(|l| l.starts_with('=') || l.contains(",=")),
        "{text}"
    );
}

/// SQLite's files and the outbox (PostgreSQL's files are the database server's own).
#[cfg(unix)]
#[tokio::test]
async fn files_holding_personal_data_are_private_to_the_service() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = format!("sqlite://{}?mode=rwc", data.join("w.db").display());
    let store = warrantyd::store::Store::connect(&url, 2).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(mode(&data), 0o700, "data directory");
    assert_eq!(mode(&data.join("w.db")), 0o600, "database file");
    assert_eq!(mode(&data.join("w.db-wal")), 0o600, "write-ahead log");
    store.close().await;

    let outbox = dir.path().join("outbox");
    let mailer = warrantyd::mail::Mailer::Outbox(outbox.clone());
    let envelope = lettre::address::Envelope::new(
        Some("a@oem.test".parse().unwrap()),
        vec!["b@customer.test".parse().unwrap()],
    )
    .unwrap();
    mailer
        .send(&envelope, "<m1@oem.test>", b"Subject: x\r\n\r\nbody")
        .await
        .unwrap();
    assert_eq!(mode(&outbox), 0o700, "outbox directory");
    let file = std::fs::read_dir(&outbox)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(mode(&file), 0o600, "outbox email");
}

async fn customer_links_work_for_a_documented_time_after_the_message(backend: Backend) {
    use warrantyd::tokens::Purpose;
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let created = app.register(&key, &registration("LINK-0001")).await;
    let id: uuid::Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    let confirmation: uuid::Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let sender = app.sender(warrantyd::mail::Mailer::Memory(Default::default()));
    sender.dispatch_once().await.unwrap();
    sender.send_reminder(confirmation).await.unwrap();
    let unsubscribe = format!(
        "/u/{}",
        app.state.signer.sign(Purpose::Unsubscribe, confirmation)
    );
    let verify = format!("/v/{}", app.state.signer.sign(Purpose::Verify, id));

    // Well past the 60 days mailbox providers expect, the unsubscribe link still works.
    app.clock.advance(chrono::Duration::days(89));
    assert_eq!(app.get(&verify, None).await.status, 200);
    assert_eq!(app.get(&unsubscribe, None).await.status, 200);
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(
        app.get(&verify, None).await.status,
        410,
        "the confirmation link lasts 90 days"
    );
    app.post_json(&verify, None, &json!({})).await;
    app.clock.advance(chrono::Duration::days(275));
    let gone = app.get(&unsubscribe, None).await;
    assert_eq!(gone.status, 410, "the unsubscribe link lasts a year");
    assert!(
        gone.text.contains("lang=\"fr\""),
        "in the customer's language"
    );
    app.send(Method::POST, &unsubscribe, None, None, Vec::new(), &[])
        .await;
    let read = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    assert_eq!(
        read.json["consent"]["service_reminders"], true,
        "an expired link changes nothing"
    );
    let target = app.store.verify_target(id).await.unwrap().unwrap();
    assert!(
        target.verified_at.is_none(),
        "an expired confirmation link verifies nothing"
    );
}

both_backends!(
    customer_links_work_for_a_documented_time_after_the_message,
    text_with_a_nul_is_refused_naming_its_field_everywhere,
    the_registration_export_neutralizes_spreadsheet_formulas,
);
