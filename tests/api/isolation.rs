//! Least privilege: dealers see only their own registrations; keys are checked, revocable and
//! limited to their role.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

async fn a_dealer_cannot_read_list_or_void_another_dealers_registration(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let created = app.register(&a, &registration("ISO-0001")).await;
    let id = created.json["id"].as_str().unwrap();

    let read = app.get(&format!("/v1/registrations/{id}"), Some(&b)).await;
    read.assert_problem(404);
    let void = app
        .post_json(
            &format!("/v1/registrations/{id}/void"),
            Some(&b),
            &json!({}),
        )
        .await;
    void.assert_problem(404);
    let list = app.get("/v1/registrations", Some(&b)).await;
    assert_eq!(list.json["items"], json!([]));

    // And the registration is untouched.
    let mine = app.get(&format!("/v1/registrations/{id}"), Some(&a)).await;
    assert_eq!(mine.json["status"], "active");
}

async fn a_serial_held_by_another_dealer_is_refused_without_revealing_anything(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let first = app.register(&a, &registration("DUP-0001")).await;
    let id = first.json["id"].as_str().unwrap();

    let mut attempt = registration("dup 0001");
    attempt["customer"]["email"] = json!("someone.else@customer.example");
    let refused = app.register(&b, &attempt).await;
    refused.assert_problem(409);
    assert_eq!(
        refused.json["type"],
        "urn:warrantyd:problem:serial-already-registered"
    );
    for secret in [
        id,
        "Dealer A",
        "\"A\"",
        "dup0001@customer.example",
        "Camille",
    ] {
        assert!(
            !refused.text.contains(secret),
            "409 leaks {secret}: {}",
            refused.text
        );
    }
    assert_eq!(
        app.store
            .fraud_signal_count("serial_held_by_other_dealer")
            .await
            .unwrap(),
        1
    );

    // The dealer that holds it learns which registration it is.
    let own = app.register(&a, &registration("DUP-0001")).await;
    own.assert_problem(409);
    assert_eq!(own.json["existing_registration_id"], id);
    assert_eq!(
        app.store
            .fraud_signal_count("serial_held_by_other_dealer")
            .await
            .unwrap(),
        1
    );
}

async fn requests_without_a_valid_key_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let body = registration("AUTH-0001");
    let none = app.post_json("/v1/registrations", None, &body).await;
    none.assert_problem(401);
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    // Right prefix, wrong secret.
    let forged = format!("{}{}", &key[..16], "A".repeat(key.len() - 16));
    app.register(&forged, &body).await.assert_problem(401);
    app.register("not-a-key", &body).await.assert_problem(401);

    // Revoked keys stop working at once.
    let keys = app
        .get("/v1/admin/keys", Some(&app.admin_key.clone()))
        .await;
    let dealer_key = keys
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["dealer_code"] == "A")
        .unwrap();
    assert!(dealer_key.get("secret_hash").is_none() && !keys.text.contains(&key[16..]));
    let revoke = app
        .post_json(
            &format!(
                "/v1/admin/keys/{}/revoke",
                dealer_key["id"].as_str().unwrap()
            ),
            Some(&app.admin_key.clone()),
            &json!({}),
        )
        .await;
    assert_eq!(revoke.status.as_u16(), 200, "{}", revoke.text);
    assert!(revoke.json["revoked_at"].is_string());
    app.register(&key, &body).await.assert_problem(401);
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
}

async fn roles_are_enforced(backend: Backend) {
    let app = spawn_app(backend).await;
    let dealer = app.dealer("A", "Europe/Paris").await;
    let admin = app.admin_key.clone();
    let finance = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "finance"}))
        .await;
    assert_eq!(finance.status.as_u16(), 201, "{}", finance.text);
    let finance = finance.json["key"].as_str().unwrap().to_owned();

    // Staff keys cannot register units; dealer and finance keys cannot administer.
    app.register(&admin, &registration("ROLE-0001"))
        .await
        .assert_problem(403);
    app.register(&finance, &registration("ROLE-0001"))
        .await
        .assert_problem(403);
    app.get("/v1/admin/dealers", Some(&dealer))
        .await
        .assert_problem(403);
    app.get("/v1/admin/dealers", Some(&finance))
        .await
        .assert_problem(403);
    app.post_json("/v1/admin/keys", Some(&dealer), &json!({"role": "admin"}))
        .await
        .assert_problem(403);

    // An inactive dealer's keys are refused.
    let resp = app
        .put_json(
            "/v1/admin/dealers/A",
            Some(&admin),
            &json!({"name": "A", "locale": "fr", "time_zone": "Europe/Paris", "active": false}),
        )
        .await;
    assert_eq!(resp.status.as_u16(), 200);
    app.register(&dealer, &registration("ROLE-0002"))
        .await
        .assert_problem(403);
}

both_backends!(
    a_dealer_cannot_read_list_or_void_another_dealers_registration,
    a_serial_held_by_another_dealer_is_refused_without_revealing_anything,
    requests_without_a_valid_key_are_refused,
    roles_are_enforced,
);
