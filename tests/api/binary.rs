//! The real binary, started the way the README says: the demo on a fresh directory, and `serve`
//! on PostgreSQL with keys made by the CLI, stopped by SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{Backend, fresh_database};

pub const BIN: &str = env!("CARGO_BIN_EXE_warrantyd");

pub fn command(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("WARRANTYD_LOG", "warn");
    for (name, _) in std::env::vars() {
        if name.starts_with("WARRANTYD_") && name != "WARRANTYD_TEST_PG_URL" {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Starts `cmd` and collects its stdout until the "listening" line; returns the lines and address.
#[allow(clippy::zombie_processes)] // callers stop it with `terminate`
pub fn start(mut cmd: Command) -> (Child, Vec<String>, String) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("start warrantyd");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("warrantyd did not start listening");
        if let Some(addr) = line.strip_prefix("warrantyd listening on ") {
            return (child, lines, addr.to_owned());
        }
        lines.push(line);
    }
}

/// Creates the database of a fresh directory (commands other than serve, migrate and demo refuse
/// to create one).
pub fn migrate(dir: &std::path::Path) {
    let out = command(dir).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn terminate(mut child: Child) {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "warrantyd exited with {status} after SIGTERM"
            );
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().ok();
    panic!("warrantyd did not stop within 5 s of SIGTERM");
}

#[tokio::test]
async fn the_demo_starts_on_a_fresh_directory_and_its_curl_command_registers_a_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path());
    cmd.args(["demo", "--listen", "127.0.0.1:0"]);
    let (child, lines, addr) = start(cmd);
    let output = lines.join("\n");
    let curl_start = output
        .find("curl ")
        .expect("the demo prints a curl command");
    let curl_end = output[curl_start..]
        .find("}}'")
        .expect("end of the curl command")
        + curl_start
        + 3;
    let curl = &output[curl_start..curl_end];
    assert!(curl.contains(&addr));

    let result = Command::new("bash")
        .args(["-c", &format!("{curl} -w '\\n%{{http_code}}'")])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout);
    let (body, code) = stdout.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(code, "201", "curl answered {stdout}");
    let registration: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(registration["status"], "active");
    assert_eq!(registration["reminders"].as_array().unwrap().len(), 5);
    assert!(
        dir.path().join("data/warrantyd.db").exists(),
        "the demo keeps its data in ./data"
    );
    terminate(child);

    // The first ten minutes, continued in the same directory.
    let run = |args: &[&str], at: &std::path::Path| command(at).args(args).output().unwrap();
    // Run again, the demo replaces its keys: one live dealer key and one finance key.
    let (again, _, _) = start({
        let mut cmd = command(dir.path());
        cmd.args(["demo", "--listen", "127.0.0.1:0"]);
        cmd
    });
    terminate(again);
    let list = run(&["key", "list"], dir.path());
    let list = String::from_utf8_lossy(&list.stdout);
    let header = list.lines().next().unwrap();
    for column in ["id", "role", "label", "created", "last used", "state"] {
        assert!(header.contains(column), "key list header: {header}");
    }
    let live_demo = list
        .lines()
        .filter(|l| l.contains("demo") && l.trim_end().ends_with("active"))
        .count();
    assert_eq!(live_demo, 2, "{list}");
    // Logs written to a file carry no colour codes.
    let status = run(&["status"], dir.path());
    assert!(status.status.success());
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        stdout.contains("holdout") || stdout.contains("reminders by status"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("  skipped    -"),
        "a skip without its reason: {stdout}"
    );
    assert!(!String::from_utf8_lossy(&status.stderr).contains('\u{1b}'));
    // Elsewhere, a command says where it looked instead of creating an empty database.
    let elsewhere = tempfile::tempdir().unwrap();
    let lost = run(&["status"], elsewhere.path());
    assert!(!lost.status.success());
    let said = String::from_utf8_lossy(&lost.stderr);
    assert!(
        said.contains("no database at") && said.contains("data/warrantyd.db"),
        "{said}"
    );
    assert!(
        !elsewhere.path().join("data").exists(),
        "nothing was created"
    );
    // A closed pipe ends a command quietly; preview takes the serial.
    let serial = registration["serial_number"].as_str().unwrap();
    let piped = Command::new("bash")
        .current_dir(dir.path())
        .args([
            "-c",
            &format!("'{BIN}' reminders preview {serial} | head -1"),
        ])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert_eq!(String::from_utf8_lossy(&piped.stdout).lines().count(), 1);
    assert!(
        !String::from_utf8_lossy(&piped.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}

#[tokio::test]
async fn serve_on_postgres_uses_cli_made_keys_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Postgres, dir.path()).await;
    let with_env = |args: &[&str]| {
        let mut cmd = command(dir.path());
        cmd.env("DATABASE_URL", &url)
            .env("WARRANTYD_SECRET_KEY", "k".repeat(40))
            .args(args);
        cmd
    };
    assert!(with_env(&["migrate"]).status().unwrap().success());
    let admin = with_env(&["key", "create", "--role", "admin"])
        .output()
        .unwrap();
    assert!(admin.status.success());
    let admin = String::from_utf8(admin.stdout).unwrap().trim().to_owned();

    let (child, _, addr) = start(with_env(&["serve", "--listen", "127.0.0.1:0"]));
    let http = reqwest::Client::new();
    let dealer = http
        .put(format!("{addr}/v1/admin/dealers/PG1"))
        .bearer_auth(&admin)
        .json(&json!({"name": "PG dealer", "locale": "en-GB", "time_zone": "Europe/London"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dealer.status().as_u16(), 201);
    let product = http
        .put(format!("{addr}/v1/admin/products/P1"))
        .bearer_auth(&admin)
        .json(&json!({"name": "P", "category": "c", "warranty_months": 12, "warranty_start": "purchase", "service_plan": ["P6M"], "registration_window_days": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(product.status().as_u16(), 201);
    let dealer_key = with_env(&["key", "create", "--dealer", "PG1"])
        .output()
        .unwrap();
    let dealer_key = String::from_utf8(dealer_key.stdout)
        .unwrap()
        .trim()
        .to_owned();
    let today = chrono::Utc::now()
        .date_naive()
        .pred_opt()
        .unwrap()
        .to_string();
    let created = http
        .post(format!("{addr}/v1/registrations"))
        .bearer_auth(&dealer_key)
        .json(&json!({"serial_number": "PG-0001", "sku": "P1", "purchase_date": today,
            "customer": {"name": "Sam", "phone": "+447911123456"}, "consent": {"service_reminders": true, "marketing": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(
        http.get(format!("{addr}/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    terminate(child);

    // Without a shared secret key, PostgreSQL deployments refuse to start.
    let mut no_secret = command(dir.path());
    no_secret
        .env("DATABASE_URL", &url)
        .args(["serve", "--listen", "127.0.0.1:0"]);
    let out = no_secret.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARRANTYD_SECRET_KEY"));
}

#[test]
fn bad_configuration_is_reported_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path())
        .env("WARRANTYD_SEND_WINDOW", "whenever")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("send window"));
    assert!(!dir.path().join("data").exists());
}

#[tokio::test]
async fn preview_prints_the_messages_a_registration_would_send() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Sqlite, dir.path()).await;
    let ids = crate::crash::registrations(&url, 1, |_| "preview@client.test".into()).await;
    let out = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["reminders", "preview", &ids[0]])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "==== registration_confirmation",
        "==== service_due",
        "Subject: ",
        "List-Unsubscribe: ",
        "To: \"Customer 0\" <preview@client.test>",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let unknown = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["reminders", "preview", &uuid::Uuid::nil().to_string()])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
}

#[test]
fn check_templates_renders_every_template() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path()).arg("check-templates").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("194 templates rendered"), "{stdout}");
    // Each text shows what it costs.
    assert!(
        stdout.contains("sms registration_confirmation/fr (booking link): 2 segments (GSM-7,"),
        "{stdout}"
    );
    // A budget the texts do not fit fails the check, naming the first text over it.
    let tight = command(dir.path())
        .env("WARRANTYD_SMS_SEGMENT_BUDGET", "1")
        .arg("check-templates")
        .output()
        .unwrap();
    assert!(!tight.status.success());
    let stderr = String::from_utf8_lossy(&tight.stderr);
    assert!(
        stderr.contains(
            "sms registration_confirmation/en: 2 segments (GSM-7, 218 units) over the budget of 1"
        ),
        "{stderr}"
    );
}

#[test]
fn programs_and_period_closes_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    crate::binary::migrate(dir.path());
    let file = dir.path().join("program.json");
    std::fs::write(
        &file,
        r#"{"name": "CLI bonus", "currency": "EUR", "valid_from": "2026-01-01",
        "rules": [{"id": "all", "category": "garden", "registration_minor": 1000}]}"#,
    )
    .unwrap();
    let put = |expect: &str| {
        let out = command(dir.path())
            .args(["program", "put", "CLI-1"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expect);
    };
    put("program CLI-1: version 1");
    put("program CLI-1: version 1 (unchanged)");
    let list = command(dir.path())
        .args(["program", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).starts_with("CLI-1\tv1\t"));
    std::fs::write(
        &file,
        r#"{"name": "", "currency": "eur", "valid_from": "2026-01-01", "rules": []}"#,
    )
    .unwrap();
    let bad = command(dir.path())
        .args(["program", "put", "CLI-1"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("currency"));
    for expect in [
        "period 2026-10: closed (0 statements)",
        "period 2026-10: already closed (0 statements)",
    ] {
        let out = command(dir.path())
            .args(["close-period", "2026-10"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expect);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_import_streams_reports_bad_rows_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Sqlite, dir.path()).await;
    // A dealer and a product through the library (the registrations helper sets up dealer W1, sku P1).
    crate::crash::registrations(&url, 0, |_| String::new()).await;
    let today = chrono::Utc::now().date_naive().pred_opt().unwrap();
    let n = 3000;
    let mut csv = String::from(
        "serial_number,sku,purchase_date,customer_name,customer_email,consent_service_reminders,consent_marketing\n",
    );
    for i in 0..n {
        let email = if i % 500 == 7 {
            "broken@".to_owned()
        } else {
            format!("c{i}@client.test")
        };
        csv.push_str(&format!(
            "IMP-{i:06},P1,{today},Customer {i},{email},true,false\n"
        ));
    }
    let full = dir.path().join("registrations.csv");
    std::fs::write(&full, &csv).unwrap();
    // An interrupted first run: only the first third was imported.
    let first_third: String = csv
        .lines()
        .take(1 + n / 3)
        .map(|l| format!("{l}\n"))
        .collect();
    let partial = dir.path().join("partial.csv");
    std::fs::write(&partial, first_third).unwrap();
    let import = |file: &std::path::Path| {
        let out = command(dir.path())
            .env("DATABASE_URL", &url)
            .args(["import", "registrations"])
            .arg(file)
            .args(["--dealer", "W1", "--errors"])
            .arg(dir.path().join("errors.csv"))
            .output()
            .unwrap();
        // Rows were rejected: the documented exit status 3, the rest stored.
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (first, _) = import(&partial);
    assert_eq!(
        first,
        format!(
            "1000 rows: 998 created, 0 already stored, 2 rejected (see {})",
            dir.path().join("errors.csv").display()
        )
    );
    let (second, progress) = import(&full);
    assert!(
        second.starts_with("3000 rows: 1996 created, 998 already stored, 6 rejected"),
        "{second}"
    );
    assert!(
        progress.contains("import: 1000 rows"),
        "plain progress lines when not on a terminal: {progress}"
    );
    let report = std::fs::read_to_string(dir.path().join("errors.csv")).unwrap();
    assert_eq!(report.lines().count(), 7);
    // Numbered as a spreadsheet numbers rows: the header is row 1, IMP-000007 is on row 9.
    assert!(
        report
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("9,customer_email,invalid_email,"),
        "{report}"
    );
    // Running it again changes no figure: the same rejected rows are the same submissions.
    let store = warrantyd::store::Store::connect(&url, 1).await.unwrap();
    let dealer = store.dealer_by_code("W1").await.unwrap().unwrap();
    let tz = chrono_tz::UTC;
    let count = || async {
        let facts = store
            .scorecard_facts(
                dealer.id,
                &warrantyd::store::PeriodBounds {
                    start: "2000-01-01T00:00:00Z".parse().unwrap(),
                    end: "2100-01-01T00:00:00Z".parse().unwrap(),
                    first_day: chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
                    next_first_day: chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
                    tz,
                    period: "all".into(),
                },
            )
            .await
            .unwrap();
        (facts.rejected, facts.duplicates, facts.registrations.len())
    };
    let before = count().await;
    assert_eq!(before.0, 6, "each rejected row counted once over two runs");
    assert_eq!(
        before.1, 0,
        "rows already stored by this dealer are no conflict"
    );
    let (third, _) = import(&full);
    assert!(
        third.starts_with("3000 rows: 0 created, 2994 already stored, 6 rejected"),
        "{third}"
    );
    assert_eq!(count().await, before, "a rerun changed the scorecard");

    // Export, status and retry on the same database.
    let export = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["export", "registrations", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&export.stdout).lines().count(),
        2994
    );
    let first_line: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&export.stdout)
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first_line["serial_number"], "IMP-000000", "as typed");
    // For the manufacturer's marketing: no contact of anyone who did not agree to it.
    let marketing = command(dir.path())
        .env("DATABASE_URL", &url)
        .args([
            "export",
            "registrations",
            "--format",
            "jsonl",
            "--purpose",
            "marketing",
        ])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&marketing.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2994);
    let left_out = rows
        .iter()
        .filter(|r| r["consent_manufacturer_marketing"] != true)
        .inspect(|r| {
            assert!(
                r["customer_email"].is_null()
                    && r["customer_name"].is_null()
                    && r["customer_phone"].is_null(),
                "{r}"
            );
        })
        .count();
    assert!(left_out > 0);
    let all: Vec<serde_json::Value> = String::from_utf8_lossy(&export.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        all.iter()
            .any(|r| r["consent_manufacturer_marketing"] != true && !r["customer_email"].is_null())
    );
    let csv_export = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["export", "registrations"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&csv_export.stdout).lines().count(),
        2995
    );
    // The export imports again, as is, into another database.
    let other_dir = tempfile::tempdir().unwrap();
    let other = fresh_database(Backend::Sqlite, other_dir.path()).await;
    crate::crash::registrations(&other, 0, |_| String::new()).await;
    let exported = dir.path().join("export.csv");
    std::fs::write(&exported, &csv_export.stdout).unwrap();
    let reimport = command(dir.path())
        .env("DATABASE_URL", &other)
        .args(["import", "registrations"])
        .arg(&exported)
        .args(["--dealer", "W1", "--errors"])
        .arg(dir.path().join("reimport-errors.csv"))
        .output()
        .unwrap();
    assert!(
        reimport.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&reimport.stdout),
        std::fs::read_to_string(dir.path().join("reimport-errors.csv")).unwrap_or_default()
    );
    assert!(
        String::from_utf8_lossy(&reimport.stdout).starts_with("2994 rows: 2994 created"),
        "{}",
        String::from_utf8_lossy(&reimport.stdout)
    );
    let status = command(dir.path())
        .env("DATABASE_URL", &url)
        .arg("status")
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.contains("reminders due now:") && status.contains("pending"),
        "{status}"
    );
    let retry = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["reminders", "retry", "--failed"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&retry.stdout).trim(),
        "0 failed reminders queued again"
    );
    let erase = command(dir.path())
        .env("DATABASE_URL", &url)
        .args(["customer", "erase", "--email", "c1@client.test"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&erase.stdout).contains("erased"));
}
