//! Faults with the real binary: logs carry no personal data or keys; two processes closing the same
//! period make one set of statements; a second process writing to the same SQLite file alongside
//! the server loses nothing and surfaces no "database is locked".

use std::process::Stdio;
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;

use crate::binary::{command, start, terminate};
use crate::helpers::{Backend, fresh_database};
use crate::smtp::SmtpServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_personal_data_or_keys() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start();
    crate::binary::migrate(dir.path());
    let admin = command(dir.path())
        .args(["key", "create", "--role", "admin"])
        .output()
        .unwrap();
    let admin = String::from_utf8(admin.stdout).unwrap().trim().to_owned();
    let log = dir.path().join("server.log");
    let mut serve = command(dir.path());
    serve
        .env(
            "WARRANTYD_LOG",
            "debug,sqlx=info,hyper=info,h2=info,tower=info",
        )
        .env("WARRANTYD_LOG_FORMAT", "json")
        .env("WARRANTYD_SMTP_URL", smtp.url())
        .env("WARRANTYD_SEND_WINDOW", "* * * * * *")
        .env("WARRANTYD_DISPATCH_INTERVAL_MS", "100")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(std::fs::File::create(&log).unwrap());
    let (child, _, base) = start(serve);
    let http = reqwest::Client::new();
    http.put(format!("{base}/v1/admin/dealers/LOG")).bearer_auth(&admin)
        .json(&json!({"name": "Log Shop", "locale": "en", "time_zone": "UTC", "phone": "+33155550100", "email": "owner.private@dealer.test"}))
        .send().await.unwrap();
    http.put(format!("{base}/v1/admin/products/P1")).bearer_auth(&admin)
        .json(&json!({"name": "P", "category": "c", "warranty_months": 12, "warranty_start": "purchase", "service_plan": [], "registration_window_days": 30}))
        .send().await.unwrap();
    let dealer = crate::helpers::issue_dealer_key(&http, &base, &admin, "LOG").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let person = json!({"name": "Zelda Secretname", "email": "zelda.secret@client.test", "phone": "+33698765432"});
    for (serial, customer) in [
        ("LOG-0001", person.clone()),
        (
            "LOG-0002",
            json!({"name": "Zelda Secretname", "email": "rcpt550@client.test"}),
        ),
    ] {
        let r = http.post(format!("{base}/v1/registrations")).bearer_auth(&dealer)
            .json(&json!({"serial_number": serial, "sku": "P1", "purchase_date": today, "customer": customer, "consent": {"service_reminders": true, "marketing": false}}))
            .send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let mut bad = person.clone();
    bad["email"] = json!("broken.secret@");
    http.post(format!("{base}/v1/registrations")).bearer_auth(&dealer)
        .json(&json!({"serial_number": "LOG-0003", "sku": "P1", "purchase_date": today, "customer": bad, "consent": {"service_reminders": true, "marketing": false}}))
        .send().await.unwrap();
    http.get(format!("{base}/v1/registrations"))
        .bearer_auth("wd_000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .send()
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while smtp.received().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    terminate(child);
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(logs.lines().count() > 10, "the server logged: {logs}");
    for secret in [
        "Zelda",
        "Secretname",
        "zelda.secret",
        "+33698765432",
        "broken.secret",
        "rcpt550@",
        "owner.private",
        "+33155550100",
        &admin[16..],
        &dealer[16..],
    ] {
        assert!(!logs.contains(secret), "the logs contain {secret:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_closing_one_period_make_one_set_of_statements() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Postgres, dir.path()).await;
    crate::crash::registrations(&url, 0, |_| String::new()).await;
    let store = warrantyd::store::Store::connect(&url, 2).await.unwrap();
    let dealer = store.dealer_by_code("W1").await.unwrap().unwrap();
    let adjustment = warrantyd::workflows::ledger::NewAdjustment {
        dealer_id: dealer.id,
        currency: "EUR",
        amount_minor: 1234,
        period: warrantyd::domain::ledger::AccountingMonth::parse("2026-10").unwrap(),
        reason: "test",
        actor: uuid::Uuid::nil(),
    };
    warrantyd::workflows::ledger::add_adjustment(&store, &adjustment, chrono::Utc::now())
        .await
        .unwrap();
    let close = || {
        command(dir.path())
            .env("DATABASE_URL", &url)
            .args(["close-period", "2026-10"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (close(), close());
    let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let said: Vec<String> = outputs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .collect();
    assert!(outputs.iter().all(|o| o.status.success()), "{said:?}");
    assert!(
        said.contains(&"period 2026-10: closed (1 statements)".to_owned()),
        "{said:?}"
    );
    assert!(
        said.contains(&"period 2026-10: already closed (1 statements)".to_owned()),
        "{said:?}"
    );
    let statements = store.statements(Some("2026-10"), None, None).await.unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].total_minor, 1234);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_writing_to_the_same_sqlite_file_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Sqlite, dir.path()).await;
    crate::crash::registrations(&url, 0, |_| String::new()).await;
    let admin = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["key", "create", "--dealer", "W1"])
        .output()
        .unwrap();
    let key = String::from_utf8(admin.stdout).unwrap().trim().to_owned();
    let mut serve = command(dir.path());
    serve
        .env("DATABASE_URL", &url)
        .args(["serve", "--role", "api", "--listen", "127.0.0.1:0"]);
    let (child, _, base) = start(serve);
    let today = chrono::Utc::now().date_naive().pred_opt().unwrap();
    let mut csv = String::from(
        "serial_number,sku,purchase_date,customer_name,customer_email,consent_service_reminders,consent_marketing\n",
    );
    for i in 0..600 {
        csv.push_str(&format!(
            "SIDE-{i:05},P1,{today},C {i},side{i}@client.test,true,false\n"
        ));
    }
    let file = dir.path().join("side.csv");
    std::fs::write(&file, csv).unwrap();
    let importer = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["import", "registrations"])
        .arg(&file)
        .args(["--dealer", "W1", "--errors"])
        .arg(dir.path().join("errors.csv"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let statuses: Vec<u16> = futures::stream::iter(0..300)
        .map(|i| {
            let (http, base, key) = (http.clone(), base.clone(), key.clone());
            async move {
                let body = json!({"serial_number": format!("HTTP-{i:05}"), "sku": "P1", "purchase_date": today.to_string(),
                    "customer": {"name": "C", "email": format!("h{i}@client.test")}, "consent": {"service_reminders": true, "marketing": false}});
                http.post(format!("{base}/v1/registrations")).bearer_auth(&key).json(&body).send().await.unwrap().status().as_u16()
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let imported = importer.wait_with_output().unwrap();
    terminate(child);
    assert!(imported.status.success());
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout)
            .lines()
            .next()
            .unwrap()
            .split(" (")
            .next()
            .unwrap(),
        "600 rows: 600 created, 0 already stored, 0 rejected"
    );
    assert!(
        statuses.iter().all(|s| *s == 201),
        "the server answered {:?}",
        statuses.iter().filter(|s| **s != 201).collect::<Vec<_>>()
    );
    let store = warrantyd::store::Store::connect(&url, 1).await.unwrap();
    assert_eq!(store.table_counts().await.unwrap().registrations, 900);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_send_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut serve = command(dir.path());
    serve.env("WARRANTYD_HEADER_READ_TIMEOUT_SECS", "1").args([
        "serve",
        "--role",
        "api",
        "--listen",
        "127.0.0.1:0",
    ]);
    let (child, _, base) = start(serve);
    let addr = base.strip_prefix("http://").unwrap().to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap(); // and never finishes
    let mut buf = Vec::new();
    let started = std::time::Instant::now();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server kept a half-sent request open");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "closed too early: {:?}",
        started.elapsed()
    );
    // Well-behaved clients are unaffected.
    let ok = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    terminate(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_hyper_refuses_still_get_problem_documents() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut serve = command(dir.path());
    serve.args(["serve", "--role", "api", "--listen", "127.0.0.1:0"]);
    let (child, _, base) = start(serve);
    let addr = base.strip_prefix("http://").unwrap().to_owned();
    let long_path = format!(
        "GET /{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..500)
            .map(|i| format!("x-h{i}: v\r\n"))
            .collect::<String>()
    );
    for (request, status) in [
        (long_path, 414),
        (many_headers, 431),
        ("BLAH\r\n\r\n".to_owned(), 400),
    ] {
        let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
        conn.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut answer))
            .await
            .expect("the server closes after its answer")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        assert!(
            answer.contains("content-type: application/problem+json"),
            "{answer}"
        );
        let body: serde_json::Value =
            serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["status"], status);
        assert!(
            body["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:warrantyd:problem:")
        );
    }
    let ok = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    terminate(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooling_client_survives_an_early_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = command(dir.path());
    serve.args(["serve", "--role", "api", "--listen", "127.0.0.1:0"]);
    let (child, _, base) = start(serve);
    // One pooled connection: a refused POST with a body, then a normal request on the same client.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let body = serde_json::json!({"serial_number": "X".repeat(2000)}).to_string();
    for _ in 0..3 {
        let refused = client
            .post(format!("{base}/v1/registrations"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 401);
        assert_eq!(
            refused
                .headers()
                .get("connection")
                .and_then(|v| v.to_str().ok()),
            Some("close")
        );
        let ok = client.get(format!("{base}/healthz")).send().await;
        assert!(
            ok.is_ok_and(|r| r.status().is_success()),
            "the next request on the pool failed"
        );
    }
    terminate(child);
}
