//! The authorization matrix: every route of the OpenAPI document (generated from the router, so a
//! new route appears here by itself) against every identity. A route nobody classified fails the
//! test until it is added below.

use axum::http::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone, no key needed.
    Public,
    Dealer,
    Finance,
    Admin,
}

fn access(method: &str, path: &str) -> Option<Access> {
    use Access::*;
    let public = [
        "/healthz",
        "/readyz",
        "/metrics",
        "/u/{token}",
        "/r/{token}",
        "/v/{token}",
        // Its own bearer token (inbound_token), not an API key; absent here, so 404 for all.
        "/v1/inbound/email",
        // Signed by the SMS provider, not an API key; no provider is configured here, so 404.
        "/v1/sms/twilio/status",
        "/v1/sms/twilio/inbound",
        "/v1/sms/vonage/status",
        "/v1/sms/vonage/inbound",
    ];
    if public.contains(&path) {
        return Some(Public);
    }
    let dealer = [
        "/v1/registrations",
        "/v1/registrations/batch",
        "/v1/registrations/{id}",
        "/v1/registrations/{id}/void",
        "/v1/registrations/{id}/history",
        "/v1/registrations/{id}/proof",
        "/v1/transfers",
        "/v1/claims",
        "/v1/service-events",
        "/v1/dealer/scorecard",
        "/v1/dealer/statements",
    ];
    if dealer.contains(&path) {
        return Some(Dealer);
    }
    if path.starts_with("/v1/finance/") {
        return Some(Finance);
    }
    if path.starts_with("/v1/admin/") {
        return Some(Admin);
    }
    let _ = method;
    None
}

async fn every_route_admits_exactly_its_role(backend: Backend) {
    // Every route is tried with a revoked key from one address: room for all of them.
    let app = crate::helpers::spawn_app_with(backend, |c| {
        c.rate_limit_failed_auth_per_address_per_minute = 10_000;
    })
    .await;
    let admin = app.admin_key.clone();
    let dealer_a = app.dealer("A", "Europe/Paris").await;
    let dealer_b = app.dealer("B", "Europe/Paris").await;
    let finance = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "finance"}))
        .await
        .json["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "admin"}))
        .await;
    app.post_json(
        &format!(
            "/v1/admin/keys/{}/revoke",
            revoked.json["id"].as_str().unwrap()
        ),
        Some(&admin),
        &json!({}),
    )
    .await;
    let revoked = revoked.json["key"].as_str().unwrap().to_owned();
    let registration_a = app
        .register(&dealer_a, &registration("AUTHZ-0001"))
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A throwaway key for the revoke route (revoking the admin's own key would end the test).
    let key_id = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "finance"}))
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let doc = warrantyd::http::openapi();
    let mut checked = 0;
    let mut unclassified = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let methods: Vec<Method> = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ]
        .into_iter()
        .filter_map(|(m, present)| present.then_some(m))
        .collect();
        for method in methods {
            let Some(rule) = access(method.as_str(), path) else {
                unclassified.push(format!("{method} {path}"));
                continue;
            };
            let concrete = path
                .replace(
                    "{id}",
                    &if path.contains("registrations") {
                        registration_a.clone()
                    } else if path.contains("keys") {
                        key_id.clone()
                    } else {
                        uuid::Uuid::nil().to_string()
                    },
                )
                .replace("{code}", "A")
                .replace("{sku}", "MOWER-500")
                .replace("{period}", "2026-11")
                .replace("{token}", "not-a-token");
            let concrete = if concrete.ends_with(".csv") {
                format!("{concrete}?period=2026-11")
            } else {
                concrete
            };
            let call = |key: Option<String>| {
                let (app, method, concrete) = (&app, method.clone(), concrete.clone());
                async move {
                    let body = if method == Method::GET {
                        vec![]
                    } else {
                        b"{}".to_vec()
                    };
                    let ct = (method != Method::GET).then_some("application/json");
                    app.send(method, &concrete, key.as_deref(), ct, body, &[])
                        .await
                        .status
                        .as_u16()
                }
            };
            let identities = [
                ("no key", None),
                ("revoked key", Some(revoked.clone())),
                ("dealer A", Some(dealer_a.clone())),
                ("dealer B", Some(dealer_b.clone())),
                ("finance", Some(finance.clone())),
                ("admin", Some(admin.clone())),
            ];
            for (who, key) in identities {
                let status = call(key).await;
                let allowed = match rule {
                    Access::Public => true,
                    Access::Dealer => who.starts_with("dealer"),
                    Access::Finance => who == "finance",
                    Access::Admin => who == "admin",
                };
                let what = format!("{method} {concrete} as {who}");
                if rule == Access::Public {
                    assert!(status != 401 && status != 403, "{what}: {status}");
                } else if !allowed {
                    let expected = if matches!(who, "no key" | "revoked key") {
                        401
                    } else {
                        403
                    };
                    assert_eq!(status, expected, "{what}");
                } else {
                    assert!(
                        status != 401 && status != 403 && status < 500,
                        "{what}: {status}"
                    );
                    // Another dealer's registration does not exist for dealer B.
                    if who == "dealer B" && concrete.contains(&registration_a) {
                        assert_eq!(status, 404, "{what}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(
        unclassified.is_empty(),
        "classify these new routes in tests/api/authz.rs: {unclassified:?}"
    );
    assert!(checked > 200, "only {checked} checks ran");
}

/// Service visits: the seller, or a servicer the manufacturer authorized; to anyone else another
/// dealer's unit is indistinguishable from an unknown serial.
async fn visits_on_a_unit_need_its_seller_or_an_authorized_servicer(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    app.register(&a, &registration("AUTHZ-VISIT-1")).await;
    let visit = |key: String, serial: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                "/v1/service-events",
                Some(&key),
                &json!({"serial_number": serial, "service_date": "2026-11-26", "kind": "maintenance"}),
            )
            .await
        }
    };
    let theirs = visit(b.clone(), "AUTHZ-VISIT-1").await;
    let unknown = visit(b.clone(), "AUTHZ-VISIT-404").await;
    assert_eq!(
        (theirs.status.as_u16(), &theirs.json["errors"]),
        (422, &unknown.json["errors"])
    );
    assert_eq!(visit(a.clone(), "AUTHZ-VISIT-1").await.status.as_u16(), 201);
    let authorize = app
        .put_json(
            "/v1/admin/dealers/B",
            Some(&admin),
            &json!({"name": "Dealer B", "locale": "fr-FR", "time_zone": "Europe/Paris", "authorized_servicer": {}}),
        )
        .await;
    assert_eq!(authorize.status.as_u16(), 200, "{}", authorize.text);
    assert_eq!(visit(b.clone(), "AUTHZ-VISIT-1").await.status.as_u16(), 201);
    // Only an admin may authorize.
    app.put_json(
        "/v1/admin/dealers/B",
        Some(&b),
        &json!({"name": "B", "locale": "fr", "time_zone": "UTC", "authorized_servicer": {}}),
    )
    .await
    .assert_problem(403);
}

both_backends!(
    every_route_admits_exactly_its_role,
    visits_on_a_unit_need_its_seller_or_an_authorized_servicer,
);
