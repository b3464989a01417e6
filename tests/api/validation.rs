//! Bad input gets a problem document naming the field, and stores nothing.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

/// (what is changed, the change, the field and code expected)
type Case = (
    &'static str,
    Box<dyn Fn(&mut Value)>,
    &'static str,
    &'static str,
);

fn cases() -> Vec<Case> {
    vec![
        (
            "serial with symbols",
            Box::new(|b| b["serial_number"] = json!("AB#12")),
            "serial_number",
            "invalid_serial",
        ),
        (
            "serial too short",
            Box::new(|b| b["serial_number"] = json!("A-1")),
            "serial_number",
            "invalid_serial",
        ),
        (
            "missing serial",
            Box::new(|b| drop(b.as_object_mut().unwrap().remove("serial_number"))),
            "serial_number",
            "required",
        ),
        (
            "unknown sku",
            Box::new(|b| b["sku"] = json!("NOPE")),
            "sku",
            "unknown_sku",
        ),
        (
            "bad date",
            Box::new(|b| b["purchase_date"] = json!("20/11/2026")),
            "purchase_date",
            "invalid_date",
        ),
        (
            "impossible date",
            Box::new(|b| b["purchase_date"] = json!("2026-02-30")),
            "purchase_date",
            "invalid_date",
        ),
        (
            "future purchase",
            Box::new(|b| b["purchase_date"] = json!("2026-11-28")),
            "purchase_date",
            "in_future",
        ),
        (
            "ancient purchase",
            Box::new(|b| b["purchase_date"] = json!("2015-01-01")),
            "purchase_date",
            "too_old",
        ),
        (
            "delivery before purchase",
            Box::new(|b| b["delivered_on"] = json!("2026-11-01")),
            "delivered_on",
            "before_purchase",
        ),
        (
            "bad email",
            Box::new(|b| b["customer"]["email"] = json!("camille@")),
            "customer.email",
            "invalid_email",
        ),
        (
            "header injection in email",
            Box::new(|b| b["customer"]["email"] = json!("a@b.fr\r\nBcc: x@y.z")),
            "customer.email",
            "invalid_email",
        ),
        (
            "bad phone",
            Box::new(|b| b["customer"]["phone"] = json!("0612345678")),
            "customer.phone",
            "invalid_phone",
        ),
        (
            "bad time zone",
            Box::new(|b| b["customer"]["time_zone"] = json!("Europe/Atlantis")),
            "customer.time_zone",
            "invalid_time_zone",
        ),
        (
            "bad locale",
            Box::new(|b| b["customer"]["locale"] = json!("french please")),
            "customer.locale",
            "invalid_locale",
        ),
        (
            "bad country",
            Box::new(|b| b["customer"]["country"] = json!("XX")),
            "customer.country",
            "invalid_country",
        ),
        (
            "bad postal code",
            Box::new(|b| b["customer"]["postal_code"] = json!("75<001>")),
            "customer.postal_code",
            "invalid_postal_code",
        ),
        (
            "no contact",
            Box::new(|b| drop(b["customer"].as_object_mut().unwrap().remove("email"))),
            "customer",
            "contact_required",
        ),
        (
            "control characters in name",
            Box::new(|b| b["customer"]["name"] = json!("Eve\u{202E}gnp.exe")),
            "customer.name",
            "invalid_characters",
        ),
        (
            "empty name",
            Box::new(|b| b["customer"]["name"] = json!("  ")),
            "customer.name",
            "required",
        ),
        (
            "missing consent",
            Box::new(|b| drop(b.as_object_mut().unwrap().remove("consent"))),
            "consent",
            "required",
        ),
        (
            "half a consent",
            Box::new(|b| b["consent"] = json!({"service_reminders": true})),
            "consent.marketing",
            "required",
        ),
        (
            "unknown field",
            Box::new(|b| b["colour"] = json!("red")),
            "colour",
            "unknown_field",
        ),
        (
            "unknown nested field",
            Box::new(|b| b["customer"]["age"] = json!(42)),
            "customer.age",
            "unknown_field",
        ),
        (
            "wrong type",
            Box::new(|b| b["consent"]["marketing"] = json!("yes")),
            "consent.marketing",
            "invalid_type",
        ),
        (
            "external ref too long",
            Box::new(|b| b["external_ref"] = json!("x".repeat(101))),
            "external_ref",
            "too_long",
        ),
    ]
}

async fn each_validation_rule_names_its_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("VAL", "Europe/Paris").await;
    for (what, change, field, code) in cases() {
        let mut body = registration("VALID-0001");
        change(&mut body);
        let resp = app.register(&key, &body).await;
        resp.assert_problem(422);
        assert!(
            resp.field_errors()
                .contains(&(field.to_owned(), code.to_owned())),
            "{what}: expected {field}/{code}, got {:?}",
            resp.field_errors()
        );
    }
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
    // The untouched body is fine.
    assert_eq!(
        app.register(&key, &registration("VALID-0001"))
            .await
            .status
            .as_u16(),
        201
    );
}

async fn the_future_is_judged_in_the_dealers_time_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    // 27 Nov 23:30 UTC: already the 28th in Auckland, still the 27th in Los Angeles.
    app.clock.set("2026-11-27T23:30:00Z".parse().unwrap());
    let auckland = app.dealer("AKL", "Pacific/Auckland").await;
    let los_angeles = app.dealer("LAX", "America/Los_Angeles").await;
    let mut body = registration("TZ-0001");
    body["purchase_date"] = json!("2026-11-28");
    assert_eq!(app.register(&auckland, &body).await.status.as_u16(), 201);
    body["serial_number"] = json!("TZ-0002");
    let resp = app.register(&los_angeles, &body).await;
    assert_eq!(
        resp.field_errors(),
        vec![("purchase_date".to_owned(), "in_future".to_owned())]
    );
}

async fn malformed_oversized_and_mistyped_bodies_get_problems(backend: Backend) {
    let app = spawn_app_with_small_limit(backend).await;
    let key = app.dealer("VAL", "Europe/Paris").await;
    let post = |body: Vec<u8>, ct: Option<&'static str>| {
        let key = key.clone();
        let app = &app;
        async move {
            app.send(
                axum::http::Method::POST,
                "/v1/registrations",
                Some(&key),
                ct,
                body,
                &[],
            )
            .await
        }
    };
    post(b"{\"serial_number\": ".to_vec(), Some("application/json"))
        .await
        .assert_problem(400);
    post(b"[1, 2]".to_vec(), Some("application/json"))
        .await
        .assert_problem(422);
    post(
        serde_json::to_vec(&registration("X-0001")).unwrap(),
        Some("text/plain"),
    )
    .await
    .assert_problem(415);
    post(serde_json::to_vec(&registration("X-0001")).unwrap(), None)
        .await
        .assert_problem(415);
    let mut huge = registration("X-0001");
    huge["external_ref"] = json!("x".repeat(5000));
    post(serde_json::to_vec(&huge).unwrap(), Some("application/json"))
        .await
        .assert_problem(413);
    // Unknown routes and methods answer in the same format.
    app.get("/v1/nowhere", Some(&key)).await.assert_problem(404);
    let wrong_method = app
        .send(
            axum::http::Method::DELETE,
            "/v1/registrations",
            Some(&key),
            None,
            vec![],
            &[],
        )
        .await;
    wrong_method.assert_problem(405);
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
}

async fn spawn_app_with_small_limit(backend: Backend) -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(backend, |c| c.max_body_bytes = 4096).await
}

async fn bad_list_parameters_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("VAL", "Europe/Paris").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("cursor=garbage", "cursor"),
        ("updated_since=yesterday", "updated_since"),
        ("status=lost", "status"),
        ("colour=red", "colour"),
    ] {
        let resp = app
            .get(&format!("/v1/registrations?{query}"), Some(&key))
            .await;
        resp.assert_problem(422);
        assert_eq!(resp.field_errors()[0].0, field, "{query}: {}", resp.text);
    }
}

both_backends!(
    each_validation_rule_names_its_field,
    the_future_is_judged_in_the_dealers_time_zone,
    malformed_oversized_and_mistyped_bodies_get_problems,
    bad_list_parameters_are_named,
);
