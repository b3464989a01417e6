//! Batch intake: JSON arrays and CSV files, where a bad row never blocks the good ones.

use axum::http::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

async fn a_csv_batch_stores_exactly_the_good_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("CSV", "Europe/Paris").await;
    app.register(&key, &registration("CSV-0003")).await;
    let csv = "\u{feff}serial_number,sku,purchase_date,customer_name,customer_email,customer_phone,consent_service_reminders,consent_marketing\n\
        CSV-0001,MOWER-500,2026-11-20,Ann,ann@customer.example,,yes,no\n\
        CSV-0002,MOWER-500,2026-11-21,Bob,bob@,,true,false\n\
        CSV-0003,MOWER-500,2026-11-20,Cy,cy@customer.example,,1,0\n\
        CSV-0004,NOPE,2026-11-20,Di,di@customer.example,,1,0\n\
        CSV-0005,MOWER-500,2026-11-19,\"Martin, Eve\",,+33612345678,true,maybe\n\
        CSV-0006,MOWER-500,2026-11-19,\"Martin, Fay\",,+33612345679,true,false\n\
        CSV-0007,MOWER-500\n";
    let resp = app
        .send(
            Method::POST,
            "/v1/registrations/batch",
            Some(&key),
            Some("text/csv; charset=utf-8"),
            csv.into(),
            &[],
        )
        .await;
    assert_eq!(resp.status.as_u16(), 200, "{}", resp.text);
    assert_eq!(
        (
            resp.json["created"].as_u64(),
            resp.json["duplicates"].as_u64(),
            resp.json["rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(4))
    );
    let rows = resp.json["rows"].as_array().unwrap();
    let statuses: Vec<_> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        [
            "created",
            "rejected",
            "duplicate",
            "rejected",
            "rejected",
            "created",
            "rejected"
        ]
    );
    assert_eq!(rows[1]["errors"][0]["field"], "customer_email");
    assert_eq!(rows[3]["errors"][0]["code"], "unknown_sku");
    assert_eq!(rows[4]["errors"][0]["field"], "consent_marketing");
    assert_eq!(rows[6]["errors"][0]["code"], "wrong_column_count");
    assert!(
        rows[2]["registration_id"].is_string(),
        "own duplicate names the existing registration"
    );

    let list = app.get("/v1/registrations", Some(&key)).await;
    let mut serials: Vec<_> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["serial_number"].as_str().unwrap().to_owned())
        .collect();
    serials.sort();
    assert_eq!(serials, ["CSV0001", "CSV0003", "CSV0006"]);
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 3);
}

async fn a_json_batch_reports_each_row_and_is_safe_to_resend(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("JSON", "Europe/Paris").await;
    let mut bad = registration("JSON-0002");
    bad["customer"]["shoe_size"] = json!(44);
    let batch = json!([registration("JSON-0001"), bad, registration("JSON-0003")]);
    let first = app
        .post_json("/v1/registrations/batch", Some(&key), &batch)
        .await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.text);
    assert_eq!(first.json["created"], 2);
    assert_eq!(
        first.json["rows"][1]["errors"][0]["field"],
        "customer.shoe_size"
    );
    assert_eq!(
        first.json["rows"][0]["registration"]["serial_number"],
        "JSON0001"
    );

    let again = app
        .post_json("/v1/registrations/batch", Some(&key), &batch)
        .await;
    assert_eq!(
        (
            again.json["created"].as_u64(),
            again.json["duplicates"].as_u64()
        ),
        (Some(0), Some(2))
    );
    assert_eq!(
        again.json["rows"][0]["registration_id"],
        first.json["rows"][0]["registration_id"]
    );
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 2);
}

async fn batches_that_cannot_be_processed_are_refused_whole(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("BIG", "Europe/Paris").await;
    let many: Value = (0..1001)
        .map(|i| registration(&format!("BIG-{i:05}")))
        .collect();
    let resp = app
        .post_json("/v1/registrations/batch", Some(&key), &many)
        .await;
    resp.assert_problem(422);
    assert_eq!(
        resp.field_errors(),
        vec![("rows".to_owned(), "too_many_rows".to_owned())]
    );
    app.post_json("/v1/registrations/batch", Some(&key), &json!([]))
        .await
        .assert_problem(422);
    let csv = "serial_number,sku,colour\nA-0001,MOWER-500,red\n";
    let resp = app
        .send(
            Method::POST,
            "/v1/registrations/batch",
            Some(&key),
            Some("text/csv"),
            csv.into(),
            &[],
        )
        .await;
    resp.assert_problem(422);
    assert_eq!(
        resp.field_errors(),
        vec![("columns[2]".to_owned(), "unknown_column".to_owned())]
    );
    app.send(
        Method::POST,
        "/v1/registrations/batch",
        Some(&key),
        Some("application/xml"),
        b"<a/>".to_vec(),
        &[],
    )
    .await
    .assert_problem(415);
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
}

async fn a_full_batch_of_a_thousand_rows_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("FULL", "Europe/Paris").await;
    let mut csv = String::from(
        "serial_number,sku,purchase_date,customer_name,customer_email,consent_service_reminders,consent_marketing\n",
    );
    for i in 0..1000 {
        csv.push_str(&format!(
            "FULL-{i:05},MOWER-500,2026-11-20,Customer {i},c{i}@customer.example,true,false\n"
        ));
    }
    let resp = app
        .send(
            Method::POST,
            "/v1/registrations/batch",
            Some(&key),
            Some("text/csv"),
            csv.into(),
            &[],
        )
        .await;
    assert_eq!(
        resp.status.as_u16(),
        200,
        "{}",
        &resp.text[..resp.text.len().min(500)]
    );
    assert_eq!(resp.json["created"], 1000);
    let counts = app.store.table_counts().await.unwrap();
    assert_eq!(
        (counts.registrations, counts.reminders, counts.customers),
        (1000, 4000, 1000)
    );
}

both_backends!(
    a_csv_batch_stores_exactly_the_good_rows,
    a_json_batch_reports_each_row_and_is_safe_to_resend,
    batches_that_cannot_be_processed_are_refused_whole,
    a_full_batch_of_a_thousand_rows_is_accepted,
);
