//! The real binary scaled out on one PostgreSQL: two API processes and three worker processes,
//! 5,000 registrations posted across both APIs, every reminder due now delivered exactly once, a
//! worker stopped by SIGTERM mid-run without losing anything, and every process stopping cleanly.

use std::collections::HashMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;

use crate::binary::{command, start, terminate};
use crate::helpers::{Backend, fresh_database};
use crate::smtp::SmtpServer;

fn env_for(cmd: &mut std::process::Command, url: &str, smtp: &SmtpServer) {
    cmd.env("DATABASE_URL", url)
        .env(
            "WARRANTYD_SECRET_KEY",
            "a shared secret key for the scale-out test processes",
        )
        .env("WARRANTYD_SMTP_URL", smtp.url())
        .env("WARRANTYD_MAIL_FROM", "reminders@oem.test")
        .env("WARRANTYD_SEND_WINDOW", "* * * * * *")
        .env("WARRANTYD_DISPATCH_INTERVAL_MS", "100")
        .env("WARRANTYD_DISPATCH_BATCH", "500")
        .env("WARRANTYD_LEASE_SECS", "20")
        .env("WARRANTYD_SEND_TIMEOUT_SECS", "10")
        .env("WARRANTYD_DB_MAX_CONNECTIONS", "10")
        .env("WARRANTYD_RATE_LIMIT_PER_KEY_PER_MINUTE", "1000000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_apis_and_three_workers_deliver_five_thousand_reminders_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Postgres, dir.path()).await;
    let smtp = SmtpServer::start();
    let run = |args: &[&str]| {
        let mut cmd = command(dir.path());
        env_for(&mut cmd, &url, &smtp);
        cmd.args(args).output().unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    let admin = String::from_utf8(run(&["key", "create", "--role", "admin"]).stdout)
        .unwrap()
        .trim()
        .to_owned();
    let api = |_: usize| {
        let mut cmd = command(dir.path());
        env_for(&mut cmd, &url, &smtp);
        cmd.args(["serve", "--role", "api", "--listen", "127.0.0.1:0"]);
        start(cmd)
    };
    let (api_1, _, base_1) = api(1);
    let (api_2, _, base_2) = api(2);
    let worker = || -> Child {
        let mut cmd = command(dir.path());
        env_for(&mut cmd, &url, &smtp);
        cmd.args(["serve", "--role", "worker"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut workers: Vec<Child> = (0..3).map(|_| worker()).collect();

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let admin_call = |path: String, body: serde_json::Value| {
        http.put(format!("{base_1}{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    assert!(
        admin_call(
            "/v1/admin/dealers/SCALE".into(),
            json!({"name": "Scale", "locale": "en", "time_zone": "UTC"})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    assert!(
        admin_call(
            "/v1/admin/products/P1".into(),
            json!({"name": "P", "category": "c", "warranty_months": 12,
        "warranty_start": "purchase", "service_plan": ["P6M"], "registration_window_days": 30})
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    let key = crate::helpers::issue_dealer_key(&http, &base_2, &admin, "SCALE").await;

    let n = 5000usize;
    let today = chrono::Utc::now().date_naive().to_string();
    let started = Instant::now();
    let statuses: Vec<u16> = futures::stream::iter(0..n)
        .map(|i| {
            let base = if i % 2 == 0 { base_1.clone() } else { base_2.clone() };
            let (http, key, today) = (http.clone(), key.clone(), today.clone());
            async move {
                let body = json!({"serial_number": format!("SCALE-{i:06}"), "sku": "P1", "purchase_date": today,
                    "customer": {"name": format!("Customer {i}"), "email": format!("c{i}@client.test")},
                    "consent": {"service_reminders": true, "marketing": false}});
                http.post(format!("{base}/v1/registrations")).bearer_auth(&key).header("idempotency-key", format!("k{i}")).json(&body).send().await.unwrap().status().as_u16()
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let intake_secs = started.elapsed().as_secs_f64();
    assert!(
        statuses.iter().all(|s| *s == 201),
        "{:?}",
        statuses
            .iter()
            .filter(|s| **s != 201)
            .take(5)
            .collect::<Vec<_>>()
    );

    // Stop one worker gracefully while the others are still sending.
    let deadline = Instant::now() + Duration::from_secs(240);
    while smtp.received().len() < n / 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    terminate(workers.remove(0));
    while smtp.received().len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // room for a duplicate, were there one
    let delivery_secs = started.elapsed().as_secs_f64();
    for child in workers.into_iter().chain([api_1, api_2]) {
        terminate(child);
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for message in smtp.received() {
        *counts.entry(message.message_id()).or_default() += 1;
    }
    eprintln!(
        "scale-out: {n} registrations in {intake_secs:.1} s, all reminders delivered after {delivery_secs:.1} s"
    );
    assert_eq!(counts.len(), n, "every confirmation delivered");
    assert!(
        counts.values().all(|c| *c == 1),
        "delivered more than once: {:?}",
        counts
            .iter()
            .filter(|(_, c)| **c > 1)
            .take(5)
            .collect::<Vec<_>>()
    );
}
