//! Worker processes of the real binary on one PostgreSQL: two workers deliver each reminder exactly
//! once; a worker killed with SIGKILL mid-send and restarted delivers everything, resending at most
//! what was in flight, with the same Message-ID.

use std::collections::HashMap;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tower::ServiceExt;

use crate::binary::{command, terminate};
use crate::helpers::{Backend, fresh_database};
use crate::smtp::SmtpServer;

const SECRET: &str = "a shared secret key for every process of this test";

/// Registers `n` units whose confirmations are due at once, through the real router.
pub async fn registrations(url: &str, n: usize, email: impl Fn(usize) -> String) -> Vec<String> {
    let store = warrantyd::store::Store::connect(url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let config = warrantyd::config::Config {
        send_window: "* * * * * *".into(),
        ..Default::default()
    };
    let state = warrantyd::app::state(
        config,
        store.clone(),
        Arc::new(warrantyd::clock::SystemClock),
    );
    let (admin, key) = warrantyd::keys::generate(warrantyd::keys::Role::Admin, None, None);
    store.insert_key(&key, chrono::Utc::now()).await.unwrap();
    let router = warrantyd::http::router(state.unwrap());
    let call = |method: &str, path: String, key: String, body: serde_json::Value| {
        let router = router.clone();
        let request = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default(),
            )
        }
    };
    call(
        "PUT",
        "/v1/admin/dealers/W1".into(),
        admin.clone(),
        json!({"name": "Worker Test Dealer", "locale": "en", "time_zone": "UTC"}),
    )
    .await;
    call(
        "PUT",
        "/v1/admin/products/P1".into(),
        admin.clone(),
        json!({"name": "P", "category": "c", "warranty_months": 12,
        "warranty_start": "purchase", "service_plan": ["P6M"], "registration_window_days": 30}),
    )
    .await;
    let (_, dealer_key) = call("POST", "/v1/admin/dealers/W1/keys".into(), admin, json!({})).await;
    let dealer_key = dealer_key["key"].as_str().unwrap().to_owned();
    let today = chrono::Utc::now().date_naive().to_string();
    let mut ids = Vec::new();
    for i in 0..n {
        let (status, body) = call(
            "POST",
            "/v1/registrations".into(),
            dealer_key.clone(),
            json!({
                "serial_number": format!("CRASH-{i:05}"), "sku": "P1", "purchase_date": today,
                "customer": {"name": format!("Customer {i}"), "email": email(i)},
                "consent": {"service_reminders": true, "marketing": false}
            }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    store.close().await;
    ids
}

fn worker(dir: &std::path::Path, url: &str, smtp: &SmtpServer, extra: &[(&str, &str)]) -> Child {
    let mut cmd = command(dir);
    cmd.env("DATABASE_URL", url)
        .env("WARRANTYD_SECRET_KEY", SECRET)
        .env("WARRANTYD_SMTP_URL", smtp.url())
        .env("WARRANTYD_MAIL_FROM", "reminders@oem.test")
        .env("WARRANTYD_SEND_WINDOW", "* * * * * *")
        .env("WARRANTYD_DISPATCH_INTERVAL_MS", "100");
    for (name, value) in extra {
        cmd.env(name, value);
    }
    cmd.args(["serve", "--role", "worker"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Message-ID → how many times it was received.
fn deliveries(smtp: &SmtpServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for message in smtp.received() {
        *counts.entry(message.message_id()).or_insert(0) += 1;
    }
    counts
}

async fn wait_until(within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !done() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_worker_processes_on_one_postgres_deliver_each_reminder_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Postgres, dir.path()).await;
    let smtp = SmtpServer::start();
    let n = 150;
    registrations(&url, n, |i| format!("customer{i}@client.test")).await;
    let workers = [
        worker(dir.path(), &url, &smtp, &[]),
        worker(dir.path(), &url, &smtp, &[]),
    ];
    wait_until(Duration::from_secs(60), || smtp.received().len() >= n).await;
    // Give a duplicate, if there were one, the time to arrive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for child in workers {
        terminate(child);
    }
    let counts = deliveries(&smtp);
    assert_eq!(counts.len(), n, "every reminder delivered");
    assert!(
        counts.values().all(|c| *c == 1),
        "duplicates: {:?}",
        counts.iter().filter(|(_, c)| **c > 1).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_send_resends_at_most_once_with_the_same_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Postgres, dir.path()).await;
    let smtp = SmtpServer::start();
    let n = 24;
    // Each delivery takes a second at the server, four at a time: the kill lands mid-send.
    registrations(&url, n, |_| "slow1@client.test".into()).await;
    let settings = [
        ("WARRANTYD_SEND_CONCURRENCY", "4"),
        ("WARRANTYD_LEASE_SECS", "4"),
        ("WARRANTYD_SEND_TIMEOUT_SECS", "3"),
        ("WARRANTYD_SMS_TIMEOUT_SECS", "3"),
    ];
    let mut first = worker(dir.path(), &url, &smtp, &settings);
    wait_until(Duration::from_secs(30), || smtp.received().len() >= 6).await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let before_restart = smtp.received().len();
    assert!(
        before_restart < n,
        "the kill came too late to test anything"
    );

    let second = worker(dir.path(), &url, &smtp, &settings);
    wait_until(Duration::from_secs(60), || deliveries(&smtp).len() >= n).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    terminate(second);

    let counts = deliveries(&smtp);
    assert_eq!(
        counts.len(),
        n,
        "every reminder delivered after the restart"
    );
    // Only what was in flight at the kill (at most the 4 concurrent sends) may arrive twice.
    let duplicated: Vec<_> = counts.iter().filter(|(_, c)| **c > 1).collect();
    assert!(
        counts.values().all(|c| *c <= 2),
        "more than one duplicate per kill: {duplicated:?}"
    );
    assert!(duplicated.len() <= 4, "{duplicated:?}");
    // Duplicates carry the same Message-ID: the counts above are keyed by it, and each is a reminder's.
    assert!(counts.keys().all(|id| id.ends_with("@oem.test>")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_serves_its_health_and_metrics_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Postgres, dir.path()).await;
    let smtp = SmtpServer::start();
    registrations(&url, 3, |i| format!("m{i}@client.test")).await;
    let mut cmd = command(dir.path());
    cmd.env("DATABASE_URL", &url)
        .env("WARRANTYD_SECRET_KEY", SECRET)
        .env("WARRANTYD_SMTP_URL", smtp.url())
        .env("WARRANTYD_SEND_WINDOW", "* * * * * *")
        .env("WARRANTYD_DISPATCH_INTERVAL_MS", "100")
        .args(["serve", "--role", "worker", "--listen", "127.0.0.1:0"]);
    let (child, _, base) = crate::binary::start(cmd);
    wait_until(Duration::from_secs(30), || smtp.received().len() >= 3).await;
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("smtp_replies_total{class=\"2xx\"} 3"),
        "{metrics}"
    );
    assert!(metrics.contains("reminders_processed_total{state=\"sent\"} 3"));
    assert_eq!(
        http.get(format!("{base}/v1/registrations"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    terminate(child);
}
