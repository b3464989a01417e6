//! The pages in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core;
//! `scripts/browser-setup` installs both, and axe-core) against the real binary, its outbox and
//! its workers. `tests/browser/portal.mjs` goes through what people do (an admin invites a dealer
//! manager, who signs in by the emailed link and registers a unit with a scanner; finance adjusts,
//! approves and pays under four eyes; a period is closed after its confirmation), then checks every
//! page at 390 px and 1280 px: no horizontal overflow, no console error, and no serious or critical
//! axe-core violation.

use std::process::Command;

use serde_json::json;

use crate::binary::{command, terminate};

/// A free port on loopback, so the public URL in emails can name the server's own address.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn invite(dir: &std::path::Path, base: &str, email: &str, name: &str, role: &str) -> String {
    let out = command(dir)
        .env("WARRANTYD_PUBLIC_URL", base)
        .args([
            "person", "invite", "--email", email, "--name", name, "--role", role,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_use_the_portal_and_every_page_passes_overflow_console_and_axe_checks() {
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
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut serve = command(dir.path());
    serve
        .env("WARRANTYD_PUBLIC_URL", &base)
        .env("WARRANTYD_MANUFACTURER_NAME", "Acme Outdoor")
        // The test closes last month itself, after its confirmation page.
        .env("WARRANTYD_AUTO_CLOSE_PERIODS", "false")
        // Confirmations go out at once whatever the hour and the day the test runs (the default
        // window, weekdays 09:00-18:00 in the customer's zone, held them in the evening).
        .env("WARRANTYD_SEND_WINDOW", "0 0 * * * *")
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    let (child, _, listening) = crate::binary::start(serve);
    assert_eq!(listening, base);

    let http = reqwest::Client::new();
    let put = |path: &str, body: serde_json::Value| {
        http.put(format!("{base}{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    for (path, body) in [
        (
            "/v1/admin/dealers/GM",
            json!({"name": "Garage Martin & Fils", "locale": "en-GB", "time_zone": "Europe/London", "country": "GB",
                "email": "shop@garage-martin.example", "address": "1 High Street, London"}),
        ),
        (
            "/v1/admin/products/P1",
            json!({"name": "Robotic mower 500", "category": "garden", "warranty_months": 24,
                "warranty_start": "purchase", "service_plan": ["P12M"], "registration_window_days": 30}),
        ),
        (
            "/v1/admin/products/BOILER-24",
            json!({"name": "Condensing boiler 24 kW", "category": "heating", "warranty_months": 60,
                "warranty_start": "installation", "service_plan": ["P12M"], "registration_window_days": 30}),
        ),
        (
            "/v1/admin/programs/REG",
            json!({"name": "Registration bonus", "currency": "GBP", "valid_from": "2020-01-01",
                "rules": [{"id": "garden", "category": "garden", "registration_minor": 1250, "hold_until_verified": true}]}),
        ),
    ] {
        let resp = put(path, body).await.unwrap();
        assert!(
            resp.status().is_success(),
            "{path}: {}",
            resp.text().await.unwrap()
        );
    }
    // One registration through the API, so the customer's confirmation email (and its links to
    // the customer pages) is in the outbox.
    let key = crate::helpers::issue_dealer_key(&http, &base, &admin, "GM").await;
    let today = chrono::Utc::now().date_naive();
    let registered = http
        .post(format!("{base}/v1/registrations"))
        .bearer_auth(&key)
        .json(
            &json!({"serial_number": "API-0001", "sku": "P1", "purchase_date": today.to_string(),
            "customer": {"name": "Ann Customer", "email": "ann@client.test", "locale": "en-GB"},
            "consent": {"service_reminders": true, "marketing": false}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status().as_u16(), 201);

    let links = json!({
        "admin": invite(dir.path(), &base, "admin@oem.test", "Ada Admin", "admin"),
        "clerk": invite(dir.path(), &base, "clerk@oem.test", "Chris Clerk", "finance_clerk"),
        "approver": invite(dir.path(), &base, "approver@oem.test", "Alex Approver", "finance_approver"),
        "payer": invite(dir.path(), &base, "payer@oem.test", "Pat Payer", "finance_clerk"),
    });
    let shots = concat!(env!("CARGO_MANIFEST_DIR"), "/target/browser-shots");
    let report = concat!(env!("CARGO_MANIFEST_DIR"), "/target/browser-report.json");
    let run = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/browser/portal.mjs"
        ))
        .env("BASE_URL", &base)
        .env("OUTBOX", dir.path().join("outbox"))
        .env("LINKS", links.to_string())
        .env("DEALER_CODE", "GM")
        .env("CUSTOMER_EMAIL", "ann@client.test")
        .env("SCREENSHOT_DIR", shots)
        .env("REPORT", report)
        .output()
        .expect("node is required (scripts/browser-setup installs what the browser test needs)");
    terminate(child);
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "browser test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("portal browser test: ok"), "{stdout}");
}
