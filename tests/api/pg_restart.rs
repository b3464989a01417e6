//! PostgreSQL restarted under load, on a private cluster of the test's own (so other tests keep
//! theirs): while it is down the API answers 503 problems quickly (no hang, no internals), every
//! acknowledged registration is there afterwards, and API and worker recover without a restart.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::binary::{command, start, terminate};
use crate::smtp::SmtpServer;

struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

fn as_postgres(program: &Path) -> Command {
    let mut cmd = Command::new("runuser");
    cmd.args(["-u", "postgres", "--"]).arg(program);
    cmd
}

impl Cluster {
    fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL server binaries (scripts/test installs them)")
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .max()
            .unwrap();
        let dir = tempfile::Builder::new()
            .prefix("wd-pg-")
            .tempdir_in("/tmp")
            .unwrap();
        let data = dir.path().join("data");
        assert!(
            Command::new("chown")
                .args(["postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success()
        );
        let init = as_postgres(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(init.success(), "initdb failed");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self {
            bin,
            data,
            port,
            _dir: dir,
        };
        cluster.up();
        cluster
    }

    fn pg_ctl(&self, args: &[&str]) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.data.display()
        );
        let status = as_postgres(&self.bin.join("pg_ctl"))
            .args(["-D"])
            .arg(&self.data)
            .args(["-o", &options, "-l"])
            .arg(self.data.join("log"))
            .args(["-w", "-m", "fast"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctl {args:?} failed");
    }

    fn up(&self) {
        self.pg_ctl(&["start"]);
    }

    fn down(&self) {
        self.pg_ctl(&["stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .args(["-D"])
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_gives_503s_loses_nothing_and_heals_itself() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start();
    let with_env = |cmd: &mut std::process::Command| {
        cmd.env("DATABASE_URL", cluster.url())
            .env(
                "WARRANTYD_SECRET_KEY",
                "a shared secret key for the restart test processes",
            )
            .env("WARRANTYD_SMTP_URL", smtp.url())
            .env("WARRANTYD_SEND_WINDOW", "* * * * * *")
            .env("WARRANTYD_DISPATCH_INTERVAL_MS", "100")
            // A claim caught by the outage is taken again after this (the lease).
            .env("WARRANTYD_LEASE_SECS", "15")
            .env("WARRANTYD_SEND_TIMEOUT_SECS", "5");
    };
    let mut migrate = command(dir.path());
    with_env(&mut migrate);
    assert!(migrate.arg("migrate").status().unwrap().success());
    let mut key = command(dir.path());
    with_env(&mut key);
    let admin = String::from_utf8(
        key.args(["key", "create", "--role", "admin"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let mut serve = command(dir.path());
    with_env(&mut serve);
    serve.args(["serve", "--listen", "127.0.0.1:0"]); // API and workers in one process
    let (child, _, base) = start(serve);

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    http.put(format!("{base}/v1/admin/dealers/R"))
        .bearer_auth(&admin)
        .json(&json!({"name": "R", "locale": "en", "time_zone": "UTC"}))
        .send()
        .await
        .unwrap();
    http.put(format!("{base}/v1/admin/products/P1"))
        .bearer_auth(&admin)
        .json(&json!({"name": "P", "category": "c", "warranty_months": 12,
        "warranty_start": "purchase", "service_plan": ["P6M"], "registration_window_days": 30}))
        .send()
        .await
        .unwrap();
    let dealer = crate::helpers::issue_dealer_key(&http, &base, &admin, "R").await;
    let today = chrono::Utc::now().date_naive().to_string();

    // A steady load of registrations while the database goes away and comes back.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (http, base, dealer, stop) = (http.clone(), base.clone(), dealer.clone(), stop.clone());
        tokio::spawn(async move {
            let mut results = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"serial_number": format!("RESTART-{i:05}"), "sku": "P1", "purchase_date": today,
                    "customer": {"name": "C", "email": format!("r{i}@client.test")}, "consent": {"service_reminders": true, "marketing": false}});
                let started = Instant::now();
                let response = http
                    .post(format!("{base}/v1/registrations"))
                    .bearer_auth(&dealer)
                    .json(&body)
                    .send()
                    .await;
                let elapsed = started.elapsed();
                match response {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let content_type = r
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned();
                        let text = r.text().await.unwrap_or_default();
                        results.push((
                            format!("RESTART{i:05}"),
                            status,
                            content_type,
                            text,
                            elapsed,
                        ));
                    }
                    Err(e) => panic!(
                        "request {i} failed at the HTTP level (a hang or a dropped connection): {e}"
                    ),
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            results
        })
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    cluster.down();
    tokio::time::sleep(Duration::from_secs(4)).await;
    cluster.up();
    // Recovery: keep the load on until registrations succeed again.
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, Ordering::Relaxed);
    let results = load.await.unwrap();

    let unavailable: Vec<_> = results.iter().filter(|r| r.1 == 503).collect();
    assert!(!unavailable.is_empty(), "no request saw the outage");
    for (_, _, content_type, text, elapsed) in &unavailable {
        assert!(
            content_type.starts_with("application/problem+json"),
            "{content_type}: {text}"
        );
        assert!(
            !text.contains("sqlx") && !text.contains("connection") && !text.contains("5432"),
            "internals leaked: {text}"
        );
        assert!(*elapsed < Duration::from_secs(6), "a 503 took {elapsed:?}");
    }
    assert!(
        results.iter().all(|r| r.1 == 201 || r.1 == 503),
        "only 201 and 503: {:?}",
        results
            .iter()
            .map(|r| r.1)
            .filter(|s| *s != 201 && *s != 503)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        results.last().unwrap().1,
        201,
        "the API recovered by itself"
    );
    // Every acknowledged registration is stored.
    let acknowledged: Vec<_> = results
        .iter()
        .filter(|r| r.1 == 201)
        .map(|r| r.0.clone())
        .collect();
    let mut stored = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{base}/v1/registrations?limit=200&cursor={c}"),
            None => format!("{base}/v1/registrations?limit=200"),
        };
        let page: serde_json::Value = http
            .get(path)
            .bearer_auth(&dealer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stored.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["serial_number"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    for serial in &acknowledged {
        assert!(
            stored.contains(serial),
            "{serial} was acknowledged but is not stored"
        );
    }
    // The workers resumed too: every acknowledged registration's confirmation arrives.
    let deadline = Instant::now() + Duration::from_secs(90);
    while smtp.received().len() < acknowledged.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        smtp.received().len() >= acknowledged.len(),
        "{} of {} confirmations delivered",
        smtp.received().len(),
        acknowledged.len()
    );
    eprintln!(
        "pg restart: {} acknowledged, {} answered 503, all stored and mailed",
        acknowledged.len(),
        unavailable.len()
    );
    terminate(child);
}
