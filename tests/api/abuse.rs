//! Abuse resistance: limits that a stranger cannot spend on someone else's behalf, that cannot
//! grow without bound, separate budgets per purpose, proxies believed only when trusted, bounded
//! metrics series, and `/metrics` kept from the public.

use std::net::SocketAddr;

use axum::http::Method;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, registration, spawn_app, spawn_app_with};

fn peer(ip: &str) -> Option<SocketAddr> {
    Some(SocketAddr::new(ip.parse().unwrap(), 40_000))
}

async fn get_from(
    app: &TestApp,
    from: &str,
    path: &str,
    key: Option<&str>,
    extra: &[(&str, &str)],
) -> u16 {
    app.send_from(peer(from), Method::GET, path, key, None, Vec::new(), extra)
        .await
        .status
        .as_u16()
}

async fn register_from(app: &TestApp, from: &str, key: &str, serial: &str) -> u16 {
    app.send_from(
        peer(from),
        Method::POST,
        "/v1/registrations",
        Some(key),
        Some("application/json"),
        serde_json::to_vec(&registration(serial)).unwrap(),
        &[],
    )
    .await
    .status
    .as_u16()
}

async fn a_stranger_with_a_dealers_key_prefix_cannot_spend_its_budget(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.rate_limit_per_key_per_minute = 5;
        c.rate_limit_failed_auth_per_address_per_minute = 3;
    })
    .await;
    let victim = app.dealer("A", "Europe/Paris").await;
    // The attacker knows the key's public prefix but not its secret.
    let (prefix, _) = warrantyd::keys::split(&victim).unwrap();
    let forged = format!("wd_{prefix}_{}", "x".repeat(43));
    let mut statuses = Vec::new();
    for i in 0..20 {
        statuses.push(register_from(&app, "198.51.100.7", &forged, &format!("ATT-{i}")).await);
    }
    assert_eq!(&statuses[..3], [401, 401, 401]);
    assert!(
        statuses[3..].iter().all(|s| *s == 429),
        "failed authentication is limited by address: {statuses:?}"
    );
    // The victim, from its own counter, still has its whole allowance.
    for i in 0..5 {
        assert_eq!(
            register_from(&app, "203.0.113.10", &victim, &format!("VIC-{i}")).await,
            201,
            "request {i} of the victim"
        );
    }
    assert_eq!(
        register_from(&app, "203.0.113.10", &victim, "VIC-9").await,
        429
    );
}

async fn random_key_prefixes_add_no_limiter_state(backend: Backend) {
    let app = spawn_app(backend).await;
    for i in 0..2_000 {
        let key = format!("wd_{:012x}_{}", i, "y".repeat(43));
        let status = register_from(&app, "198.51.100.8", &key, "RND-1").await;
        assert!(status == 401 || status == 429, "{status}");
    }
    let tracked = app.state.limits.tracked();
    assert_eq!(
        tracked.intake_per_key, 0,
        "unauthenticated keys are never tracked: {tracked:?}"
    );
    assert!(tracked.failed_auth <= 1, "{tracked:?}");
}

async fn customer_links_and_sign_in_have_separate_budgets(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.rate_limit_per_address_per_minute = 3;
        c.rate_limit_sign_in_per_address_per_minute = 3;
    })
    .await;
    let from = "203.0.113.20";
    for _ in 0..3 {
        assert_eq!(get_from(&app, from, "/u/not-a-token", None, &[]).await, 404);
    }
    assert_eq!(get_from(&app, from, "/u/not-a-token", None, &[]).await, 429);
    // Spending the customer-link budget leaves staff sign-in open.
    assert_eq!(get_from(&app, from, "/sign-in", None, &[]).await, 200);
    assert_eq!(get_from(&app, from, "/sign-in", None, &[]).await, 200);
    assert_eq!(get_from(&app, from, "/sign-in", None, &[]).await, 200);
    assert_eq!(get_from(&app, from, "/sign-in", None, &[]).await, 429);
    // Another address is not affected.
    assert_eq!(
        get_from(&app, "203.0.113.21", "/u/not-a-token", None, &[]).await,
        404
    );
}

async fn forwarded_addresses_count_only_behind_a_trusted_proxy(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.rate_limit_per_address_per_minute = 2;
        c.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let proxy = "10.1.2.3";
    // Two customers behind the same proxy have their own budgets.
    for client in ["203.0.113.30", "203.0.113.31"] {
        let xff = [("x-forwarded-for", client)];
        assert_eq!(get_from(&app, proxy, "/u/x", None, &xff).await, 404);
        assert_eq!(get_from(&app, proxy, "/u/x", None, &xff).await, 404);
        assert_eq!(get_from(&app, proxy, "/u/x", None, &xff).await, 429);
    }
    // An untrusted client cannot reset its budget by making up a header.
    let direct = "198.51.100.40";
    assert_eq!(get_from(&app, direct, "/u/x", None, &[]).await, 404);
    assert_eq!(get_from(&app, direct, "/u/x", None, &[]).await, 404);
    let spoof = [("x-forwarded-for", "192.0.2.99")];
    assert_eq!(get_from(&app, direct, "/u/x", None, &spoof).await, 429);
}

async fn made_up_methods_and_paths_do_not_grow_the_metrics(backend: Backend) {
    let app = spawn_app(backend).await;
    let series = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("http_requests_total{"))
            .count()
    };
    for i in 0..500 {
        let method = Method::from_bytes(format!("M{i:07}").as_bytes()).unwrap();
        app.send(method, "/healthz", None, None, Vec::new(), &[])
            .await;
        app.get(&format!("/no/such/path/{i}"), None).await;
    }
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 200);
    let count = series(&metrics.text);
    assert!(
        count <= 10,
        "{count} series after a flood:\n{}",
        metrics.text
    );
    assert!(!metrics.text.contains("M0000001"));
    assert!(
        metrics.text.contains("# HELP http_requests_total "),
        "every series says what it means"
    );
}

async fn metrics_are_kept_from_the_public(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        get_from(&app, "127.0.0.1", "/metrics", None, &[]).await,
        200
    );
    assert_eq!(
        get_from(&app, "203.0.113.50", "/metrics", None, &[]).await,
        403
    );
    // A local reverse proxy forwarding a stranger is not a local client.
    let xff = [("x-forwarded-for", "203.0.113.50")];
    assert_eq!(
        get_from(&app, "127.0.0.1", "/metrics", None, &xff).await,
        403
    );

    let app = spawn_app_with(backend, |c| {
        c.metrics_token = Some(warrantyd::config::Secret::new("s3cret-metrics-token"));
    })
    .await;
    assert_eq!(
        get_from(&app, "203.0.113.50", "/metrics", None, &[]).await,
        401
    );
    let auth = [("authorization", "Bearer s3cret-metrics-token")];
    assert_eq!(
        get_from(&app, "203.0.113.50", "/metrics", None, &auth).await,
        200
    );

    let app = spawn_app_with(backend, |c| {
        c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    assert_eq!(
        get_from(&app, "127.0.0.1", "/metrics", None, &[]).await,
        404
    );
}

both_backends!(
    a_stranger_with_a_dealers_key_prefix_cannot_spend_its_budget,
    random_key_prefixes_add_no_limiter_state,
    customer_links_and_sign_in_have_separate_budgets,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
    made_up_methods_and_paths_do_not_grow_the_metrics,
    metrics_are_kept_from_the_public,
);
