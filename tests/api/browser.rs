//! The finance pages driven in headless Chromium (Debian's `chromium`, through playwright-core;
//! `scripts/browser-setup` installs both): sign in, open a statement, approve it, mark it paid.

use std::process::Command;

use serde_json::json;

use crate::binary::{command, terminate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_reviews_and_pays_a_statement_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    crate::binary::migrate(dir.path());
    let admin = command(dir.path())
        .args(["key", "create", "--role", "admin"])
        .output()
        .unwrap();
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );
    let admin = String::from_utf8(admin.stdout).unwrap().trim().to_owned();
    let mut serve = command(dir.path());
    serve.args(["serve", "--listen", "127.0.0.1:0"]);
    let (child, _, base) = crate::binary::start(serve);

    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, key: &str, body: serde_json::Value| {
        http.request(method, format!("{base}{path}"))
            .bearer_auth(key)
            .json(&body)
            .send()
    };
    let put = reqwest::Method::PUT;
    let post = reqwest::Method::POST;
    assert!(
        call(
            put.clone(),
            "/v1/admin/dealers/GM",
            &admin,
            json!({"name": "Garage Martin", "locale": "fr", "time_zone": "Europe/Paris"})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    assert!(
        call(
            put.clone(),
            "/v1/admin/products/P1",
            &admin,
            json!({"name": "Mower", "category": "garden", "warranty_months": 24,
        "warranty_start": "purchase", "service_plan": ["P12M"], "registration_window_days": 30})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    assert!(
        call(
            put,
            "/v1/admin/programs/REG",
            &admin,
            json!({"name": "Bonus", "currency": "EUR", "valid_from": "2020-01-01",
        "rules": [{"id": "all", "category": "garden", "registration_minor": 1250}]})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    let dealer: serde_json::Value =
        call(post.clone(), "/v1/admin/dealers/GM/keys", &admin, json!({}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let finance: serde_json::Value = call(
        post.clone(),
        "/v1/admin/keys",
        &admin,
        json!({"role": "finance"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let (dealer, finance) = (
        dealer["key"].as_str().unwrap().to_owned(),
        finance["key"].as_str().unwrap().to_owned(),
    );
    let today = chrono::Utc::now().date_naive();
    let registered = call(
        post.clone(),
        "/v1/registrations",
        &dealer,
        json!({"serial_number": "BROWSER-1", "sku": "P1",
        "purchase_date": today.to_string(), "customer": {"name": "Ann", "email": "ann@client.test"},
        "consent": {"service_reminders": true, "marketing": false}}),
    )
    .await
    .unwrap();
    assert_eq!(registered.status().as_u16(), 201);
    let period = today.format("%Y-%m").to_string();
    let closed = call(
        post,
        &format!("/v1/finance/periods/{period}/close"),
        &finance,
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(closed.status().as_u16(), 200);

    let shots = concat!(env!("CARGO_MANIFEST_DIR"), "/target/browser-shots");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/finance.mjs");
    let run = Command::new("node")
        .arg(script)
        .env("BASE_URL", &base)
        .env("FINANCE_KEY", &finance)
        .env("PERIOD", &period)
        .env("SCREENSHOT_DIR", shots)
        .output()
        .expect("node is required (scripts/browser-setup installs what the browser test needs)");
    terminate(child);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "browser test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("finance browser test: ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dealer_registers_at_the_counter_and_sees_it_on_the_scorecard_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    crate::binary::migrate(dir.path());
    let admin = command(dir.path())
        .args(["key", "create", "--role", "admin"])
        .output()
        .unwrap();
    let admin = String::from_utf8(admin.stdout).unwrap().trim().to_owned();
    let mut serve = command(dir.path());
    serve.args(["serve", "--listen", "127.0.0.1:0"]);
    let (child, _, base) = crate::binary::start(serve);
    let http = reqwest::Client::new();
    let put = |path: &str, body: serde_json::Value| {
        http.put(format!("{base}{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    assert!(
        put(
            "/v1/admin/dealers/COUNTER",
            json!({"name": "Counter Shop", "locale": "en", "time_zone": "Europe/Paris"})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    assert!(
        put(
            "/v1/admin/products/P1",
            json!({"name": "Mower", "category": "garden", "warranty_months": 24,
        "warranty_start": "purchase", "service_plan": ["P12M"], "registration_window_days": 30})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    let key = crate::helpers::issue_dealer_key(&http, &base, &admin, "COUNTER").await;

    let run = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/browser/dealer.mjs"
        ))
        .env("BASE_URL", &base)
        .env("DEALER_KEY", &key)
        .env("SERIAL", "ctr-0001")
        .env(
            "SCREENSHOT_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/browser-shots"),
        )
        .output()
        .expect("node is required (scripts/browser-setup installs what the browser test needs)");
    terminate(child);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "browser test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("dealer browser test: ok"));
}
