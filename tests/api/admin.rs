//! The admin API: dealers, keys and the catalog.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

async fn dealers_are_created_then_updated_by_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    let body = json!({"name": "Garage Martin", "locale": "fr-fr", "time_zone": "Europe/Paris", "country": "fr",
        "phone": "+33 1 23 45 67 89", "booking_url": "https://garage-martin.example/rdv"});
    let created = app
        .put_json("/v1/admin/dealers/GM-01", Some(&admin), &body)
        .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    assert_eq!(
        (
            created.json["locale"].as_str(),
            created.json["country"].as_str()
        ),
        (Some("fr-FR"), Some("FR"))
    );
    assert_eq!(created.json["phone"], "+33123456789");
    let mut renamed = body.clone();
    renamed["name"] = json!("Garage Martin & Fils");
    let updated = app
        .put_json("/v1/admin/dealers/GM-01", Some(&admin), &renamed)
        .await;
    assert_eq!(updated.status.as_u16(), 200);
    assert_eq!(updated.json["created_at"], created.json["created_at"]);
    let read = app.get("/v1/admin/dealers/GM-01", Some(&admin)).await;
    assert_eq!(read.json["name"], "Garage Martin & Fils");
    assert_eq!(
        app.get("/v1/admin/dealers", Some(&admin))
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.get("/v1/admin/dealers/NOPE", Some(&admin))
        .await
        .assert_problem(404);
}

async fn invalid_dealers_and_products_are_refused_field_by_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    let resp = app
        .put_json("/v1/admin/dealers/OK", Some(&admin), &json!({"name": "", "locale": "??", "time_zone": "Nowhere", "booking_url": "javascript:alert(1)"}))
        .await;
    resp.assert_problem(422);
    let fields: Vec<_> = resp.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["name", "locale", "time_zone", "booking_url"]);
    app.put_json(
        "/v1/admin/dealers/bad%20code",
        Some(&admin),
        &json!({"name": "x", "locale": "fr", "time_zone": "UTC"}),
    )
    .await
    .assert_problem(422);

    let resp = app
        .put_json("/v1/admin/products/KETTLE", Some(&admin), &json!({"name": "Kettle", "category": "kitchen", "warranty_months": 0,
            "warranty_start": "purchase", "service_plan": ["P6M", "6 months"], "registration_window_days": 30}))
        .await;
    resp.assert_problem(422);
    assert_eq!(
        resp.field_errors(),
        vec![
            ("warranty_months".into(), "out_of_range".into()),
            ("service_plan[1]".into(), "invalid_period".into())
        ]
    );
    let resp = app
        .put_json(
            "/v1/admin/products/KETTLE",
            Some(&admin),
            &json!({"name": "Kettle", "category": "kitchen", "warranty_months": 12,
            "warranty_start": "unboxing", "service_plan": [], "registration_window_days": 30}),
        )
        .await;
    resp.assert_problem(422);
    assert_eq!(resp.field_errors()[0].0, "warranty_start");
}

async fn products_keep_a_normalized_service_plan(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    let resp = app
        .put_json("/v1/admin/products/KETTLE", Some(&admin), &json!({"name": "Kettle", "category": "kitchen", "warranty_months": 12,
            "warranty_start": "delivery", "service_plan": ["P1Y", "P2W"], "registration_window_days": 14}))
        .await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    assert_eq!(resp.json["service_plan"], json!(["P12M", "P14D"]));
    let list = app.get("/v1/admin/products", Some(&admin)).await;
    let skus: Vec<_> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["BOILER-24", "KETTLE", "MOWER-500"]);
}

async fn dealer_keys_are_shown_once_and_work_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("KEYS", "Europe/Paris").await;
    assert!(key.starts_with("wd_"));
    let list = app
        .get("/v1/admin/keys", Some(&app.admin_key.clone()))
        .await;
    assert!(
        !list.text.contains(&key),
        "a listed key must not include its secret"
    );
    assert_eq!(
        app.get("/v1/registrations", Some(&key))
            .await
            .status
            .as_u16(),
        200
    );
    app.post_json(
        "/v1/admin/dealers/NOPE/keys",
        Some(&app.admin_key.clone()),
        &json!({}),
    )
    .await
    .assert_problem(404);
    app.post_json(
        "/v1/admin/keys",
        Some(&app.admin_key.clone()),
        &json!({"role": "dealer"}),
    )
    .await
    .assert_problem(422);
}

both_backends!(
    dealers_are_created_then_updated_by_code,
    invalid_dealers_and_products_are_refused_field_by_field,
    products_keep_a_normalized_service_plan,
    dealer_keys_are_shown_once_and_work_at_once,
);
