//! Idempotency-Key semantics: replay, refusal of a different body, 409 while in flight, and a
//! key freed when its request failed.

use chrono::Duration;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

async fn a_retry_with_the_same_key_replays_the_identical_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("IDEM", "Europe/Paris").await;
    let body = registration("IDEM-0001");
    let first = app.register_with_key(&key, "order-42", &body).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.text);

    app.clock.advance(Duration::seconds(30));
    // Same meaning, different formatting and key order: still the same request.
    let reordered = serde_json::to_vec_pretty(&body).unwrap();
    let again = app
        .send(
            axum::http::Method::POST,
            "/v1/registrations",
            Some(&key),
            Some("application/json"),
            reordered,
            &[("idempotency-key", "order-42")],
        )
        .await;
    assert_eq!(again.status.as_u16(), 201);
    assert_eq!(again.text, first.text, "the replay must be byte-identical");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 1);
}

async fn the_same_key_with_a_different_body_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("IDEM", "Europe/Paris").await;
    app.register_with_key(&key, "k-1", &registration("IDEM-0001"))
        .await;
    let other = app
        .register_with_key(&key, "k-1", &registration("IDEM-0002"))
        .await;
    other.assert_problem(422);
    assert_eq!(
        other.json["type"],
        "urn:warrantyd:problem:idempotency-key-reused"
    );
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 1);
}

async fn keys_are_scoped_to_the_dealer(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    assert_eq!(
        app.register_with_key(&a, "shared", &registration("SCOPE-0001"))
            .await
            .status
            .as_u16(),
        201
    );
    assert_eq!(
        app.register_with_key(&b, "shared", &registration("SCOPE-0002"))
            .await
            .status
            .as_u16(),
        201
    );
}

async fn a_request_in_flight_makes_its_key_busy_until_its_lease_expires(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("IDEM", "Europe/Paris").await;
    let body = registration("IDEM-0001");
    // Another process claimed the key for this very body and has not answered yet.
    let dealer = app.store.dealer_by_code("IDEM").await.unwrap().unwrap();
    let hash = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(serde_json::to_vec(&body).unwrap()))
    };
    app.store
        .idempotency_begin(dealer.id, "busy", &hash, app.now())
        .await
        .unwrap();

    let busy = app.register_with_key(&key, "busy", &body).await;
    busy.assert_problem(409);
    assert_eq!(
        busy.json["type"],
        "urn:warrantyd:problem:idempotency-key-in-flight"
    );

    // The claimant crashed: after the lease, a retry takes the key over and succeeds once.
    app.clock.advance(Duration::seconds(61));
    let retried = app.register_with_key(&key, "busy", &body).await;
    assert_eq!(retried.status.as_u16(), 201, "{}", retried.text);
    let replay = app.register_with_key(&key, "busy", &body).await;
    assert_eq!(replay.text, retried.text);
}

async fn a_failed_request_frees_its_key_for_a_corrected_retry(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("IDEM", "Europe/Paris").await;
    let mut body = registration("IDEM-0001");
    body["sku"] = json!("NOT-YET");
    let refused = app.register_with_key(&key, "k", &body).await;
    refused.assert_problem(422);
    // The catalog is fixed; the same request with the same key now goes through.
    app.put_product("NOT-YET", json!({
        "name": "New", "category": "garden", "warranty_months": 12, "warranty_start": "purchase",
        "service_plan": [], "registration_window_days": 30
    }))
    .await;
    assert_eq!(
        app.register_with_key(&key, "k", &body)
            .await
            .status
            .as_u16(),
        201
    );
}

async fn a_malformed_key_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("IDEM", "Europe/Paris").await;
    let long = "x".repeat(256);
    let resp = app
        .register_with_key(&key, &long, &registration("IDEM-0001"))
        .await;
    resp.assert_problem(422);
    assert_eq!(
        resp.field_errors(),
        vec![("Idempotency-Key".to_owned(), "invalid".to_owned())]
    );
}

both_backends!(
    a_retry_with_the_same_key_replays_the_identical_answer,
    the_same_key_with_a_different_body_is_refused,
    keys_are_scoped_to_the_dealer,
    a_request_in_flight_makes_its_key_busy_until_its_lease_expires,
    a_failed_request_frees_its_key_for_a_corrected_retry,
    a_malformed_key_is_refused,
);
