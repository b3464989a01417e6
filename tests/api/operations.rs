//! Health, readiness and the OpenAPI document.

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

async fn health_and_readiness_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let health = app.get("/healthz", None).await;
    assert_eq!(
        (health.status.as_u16(), health.json["status"].as_str()),
        (200, Some("ok"))
    );
    let ready = app.get("/readyz", None).await;
    assert_eq!(
        (ready.status.as_u16(), ready.json["status"].as_str()),
        (200, Some("ready")),
        "{}",
        ready.text
    );
    assert!(health.header("x-request-id").is_some());

    // With the database gone, readiness fails with a problem document and requests get 503.
    app.store.close().await;
    app.get("/readyz", None).await.assert_problem(503);
    let key = app.admin_key.clone();
    let resp = app.get("/v1/admin/dealers", Some(&key)).await;
    resp.assert_problem(503);
    assert!(resp.header("retry-after").is_some());
}

async fn the_openapi_document_describes_every_route_and_its_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app.get("/openapi.json", None).await;
    assert_eq!(doc.status.as_u16(), 200);
    assert_eq!(doc.json["openapi"], "3.1.0");
    let paths = doc.json["paths"].as_object().unwrap();
    let expected = [
        ("/v1/registrations", "post"),
        ("/v1/registrations", "get"),
        ("/v1/registrations/batch", "post"),
        ("/v1/registrations/{id}", "get"),
        ("/v1/registrations/{id}/void", "post"),
        ("/v1/admin/dealers", "get"),
        ("/v1/admin/dealers/{code}", "put"),
        ("/v1/admin/dealers/{code}", "get"),
        ("/v1/admin/dealers/{code}/keys", "post"),
        ("/v1/admin/keys", "post"),
        ("/v1/admin/keys", "get"),
        ("/v1/admin/keys/{id}/revoke", "post"),
        ("/v1/admin/products", "get"),
        ("/v1/admin/products/{sku}", "put"),
        ("/v1/admin/products/{sku}", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    let create = &paths["/v1/registrations"]["post"];
    for status in ["201", "401", "409", "413", "422"] {
        assert!(
            create["responses"].get(status).is_some(),
            "POST /v1/registrations lacks {status}"
        );
    }
    // Every keyed operation documents the refusals every key can meet (schemathesis checks the
    // rest of the statuses against the live service).
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            if operation
                .get("security")
                .is_some_and(|s| !s.as_array().unwrap().is_empty())
            {
                for status in ["401", "403", "429"] {
                    assert!(
                        operation["responses"].get(status).is_some(),
                        "{method} {path} does not document {status}"
                    );
                }
            }
        }
    }
    let problem =
        &create["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"];
    assert_eq!(problem, "#/components/schemas/Problem");
    assert!(
        doc.json["components"]["schemas"]["RegistrationRequest"]["properties"]["customer"]
            .is_object()
    );
    assert!(doc.json["components"]["securitySchemes"]["api_key"].is_object());
}

async fn readiness_fails_while_migrations_are_pending(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::fresh_database(backend, dir.path()).await;
    let store = warrantyd::store::Store::connect(&url, 2).await.unwrap();
    let clock = std::sync::Arc::new(warrantyd::clock::SystemClock);
    let router = warrantyd::http::router(
        warrantyd::app::state(
            warrantyd::config::Config::default(),
            store.clone(),
            clock.clone(),
        )
        .unwrap(),
    );
    let ready = |router: axum::Router| async move {
        use tower::ServiceExt;
        let request = axum::http::Request::get("/readyz")
            .body(axum::body::Body::empty())
            .unwrap();
        router.oneshot(request).await.unwrap().status().as_u16()
    };
    assert_eq!(ready(router.clone()).await, 503);
    store.migrate().await.unwrap();
    assert_eq!(ready(router).await, 200);
}

async fn metrics_report_requests_intake_and_the_reminder_queue(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("M", "Europe/Paris").await;
    app.register(&key, &crate::helpers::registration("METRIC-01"))
        .await;
    let mut bad = crate::helpers::registration("METRIC-02");
    bad["customer"]["email"] = serde_json::json!("nope");
    app.register(&key, &bad).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status.as_u16(), 200);
    // nextest runs each test in its own process, so the process-wide recorder holds this test's
    // requests only, and the counters can be read exactly.
    for exact in [
        "http_requests_total{route=\"/v1/registrations\",method=\"POST\",status=\"201\"} 1",
        "registrations_accepted_total 1",
        "registrations_rejected_total{reason=\"invalid\"} 1",
    ] {
        assert!(
            metrics.text.lines().any(|l| l == exact),
            "{exact} not in /metrics:\n{}",
            metrics.text
        );
    }
    for expected in [
        "http_requests_total{route=\"/v1/registrations\",method=\"POST\",status=\"201\"}",
        "http_request_duration_seconds_bucket{route=\"/v1/registrations\"",
        "registrations_accepted_total",
        "registrations_rejected_total{reason=\"invalid\"}",
        "reminders{status=\"pending\"}",
        "reminder_queue_depth",
        "reminder_oldest_due_age_seconds",
    ] {
        assert!(
            metrics.text.contains(expected),
            "{expected} missing from /metrics"
        );
    }
}

async fn erasing_a_customer_removes_personal_data_and_keeps_the_books(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    app.put_json(
        "/v1/admin/programs/P",
        Some(&admin),
        &serde_json::json!({"name": "P", "currency": "EUR", "valid_from": "2026-01-01",
        "rules": [{"id": "r", "sku": "MOWER-500", "registration_minor": 1000}]}),
    )
    .await;
    let key = app.dealer("E", "Europe/Paris").await;
    let mut body = crate::helpers::registration("ERASE-01");
    body["customer"]["email"] = serde_json::json!("private.person@client.test");
    body["customer"]["phone"] = serde_json::json!("+33611111111");
    let created = app.register_with_key(&key, "erase-key", &body).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let customer = app
        .store
        .find_person(Some("Private.Person@client.test"), None)
        .await
        .unwrap()[0];
    let ledger_before = app.store.ledger().await.unwrap();

    let erased = app
        .post_json(
            &format!("/v1/admin/customers/{customer}/erase"),
            Some(&admin),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(erased.status.as_u16(), 200, "{}", erased.text);
    let read = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    assert_eq!(read.json["status"], "active", "the registration stays");
    assert_eq!(read.json["customer"]["name"], serde_json::Value::Null);
    assert!(!read.text.contains("private.person") && !read.text.contains("+33611111111"));
    let reminders = read.json["reminders"].as_array().unwrap();
    assert!(!reminders.is_empty());
    assert!(
        reminders.iter().all(|r| r["status"] == "skipped"),
        "no more reminders"
    );
    // The saved idempotent answer held the personal data: it is gone, so no replay can leak it.
    let replay = app.register_with_key(&key, "erase-key", &body).await;
    assert!(
        replay.header("idempotent-replayed").is_none(),
        "the saved answer is gone"
    );
    replay.assert_problem(409); // processed afresh: the serial is still this dealer's
    assert!(!replay.text.contains("private.person"));
    assert_eq!(
        app.store.ledger().await.unwrap()[..ledger_before.len()],
        ledger_before[..],
        "the ledger is untouched"
    );
    assert!(
        app.store
            .find_person(Some("private.person@client.test"), None)
            .await
            .unwrap()
            .is_empty()
    );
    app.post_json(
        &format!("/v1/admin/customers/{}/erase", uuid::Uuid::nil()),
        Some(&admin),
        &serde_json::json!({}),
    )
    .await
    .assert_problem(404);
    let audit = app
        .store
        .audit_log("customer", &customer.to_string())
        .await
        .unwrap();
    assert_eq!(audit[0].action, "customer.erased");
}

async fn intake_and_customer_pages_are_rate_limited(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |c| {
        c.rate_limit_per_key_per_minute = 3;
        c.rate_limit_per_address_per_minute = 2;
    })
    .await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    for i in 0..3 {
        assert_eq!(
            app.register(&a, &crate::helpers::registration(&format!("RATE-A-{i}")))
                .await
                .status
                .as_u16(),
            201
        );
    }
    let limited = app
        .register(&a, &crate::helpers::registration("RATE-A-9"))
        .await;
    limited.assert_problem(429);
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // Another dealer's key has its own allowance; reads are not limited.
    assert_eq!(
        app.register(&b, &crate::helpers::registration("RATE-B-1"))
            .await
            .status
            .as_u16(),
        201
    );
    assert_eq!(
        app.get("/v1/registrations", Some(&a)).await.status.as_u16(),
        200
    );
    for _ in 0..2 {
        assert_eq!(app.get("/u/not-a-token", None).await.status.as_u16(), 404);
    }
    app.get("/u/not-a-token", None).await.assert_problem(429);
}

both_backends!(
    health_and_readiness_answer,
    the_openapi_document_describes_every_route_and_its_errors,
    readiness_fails_while_migrations_are_pending,
    metrics_report_requests_intake_and_the_reminder_queue,
    erasing_a_customer_removes_personal_data_and_keeps_the_books,
    intake_and_customer_pages_are_rate_limited,
);
