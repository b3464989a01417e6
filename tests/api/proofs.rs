//! Proof of purchase: the selling dealer (API) and the owner (their page) attach a file, read
//! from its bytes (PDF, JPEG, PNG, HEIC); too large is 413, another kind or a polyglot 415; it is
//! served only to the owner who added it (or on whose behalf), the selling dealer and admins, as a
//! download nothing runs; a later owner never sees it; erasing the owner removes it.

use axum::http::Method;
use serde_json::json;
use uuid::Uuid;
use warrantyd::tokens::Purpose;

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, hidden_csrf, set_cookie, spawn_app_with};

/// A real PNG photo of `w` x `h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    })
    .write_to(&mut out, image::ImageFormat::Png)
    .unwrap();
    out.into_inner()
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

async fn put(app: &TestApp, key: &str, id: Uuid, declared: &str, bytes: Vec<u8>) -> Resp {
    app.send(
        Method::PUT,
        &format!("/v1/registrations/{id}/proof"),
        Some(key),
        Some(declared),
        bytes,
        &[],
    )
    .await
}

const BOUNDARY: &str = "----warrantyd-test-boundary";

/// A browser's multipart form: text fields, then the file.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"receipt.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(app: &TestApp, path: &str, cookie: &str, body: Vec<u8>) -> Resp {
    app.send(
        Method::POST,
        path,
        None,
        Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
        body,
        &[("cookie", cookie), ("origin", "https://warranty.test")],
    )
    .await
}

/// Posts `file` to the owner's page as a browser's multipart form.
async fn owner_upload(app: &TestApp, page: &str, registration: Uuid, file: &[u8]) -> Resp {
    let opened = app.get(page, None).await;
    let cookie = format!("wd_signin={}", set_cookie(&opened, "wd_signin").unwrap());
    let csrf = hidden_csrf(&opened.text);
    let body = multipart(
        &[("csrf", &csrf), ("registration", &registration.to_string())],
        file,
    );
    post_multipart(app, &format!("{page}/proof"), &cookie, body).await
}

async fn a_dealer_attaches_a_proof_from_the_registration_page(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let key = app.dealer("GM", "Europe/Paris").await;
    app.dealer("HB", "Europe/Paris").await;
    let created = app
        .register(&key, &crate::helpers::registration("PAGE-0001"))
        .await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let dana = app
        .person("dana@gm.test", "Dana", "dealer_staff", Some("GM"))
        .await;
    let cookie = app.sign_in(&dana).await;
    let page = app
        .page(&format!("/dealer/registrations/{id}"), &cookie)
        .await;
    assert!(page.text.contains("id=\"proof-file\""), "{}", page.text);
    let csrf = hidden_csrf(&page.text);
    // A refused file: the reason next to the field, 415, nothing kept.
    let mut polyglot = png(10, 10);
    polyglot.extend_from_slice(b"PK\x03\x04");
    let path = format!("/dealer/registrations/{id}/proof");
    let refused = post_multipart(
        &app,
        &path,
        &cookie,
        multipart(&[("csrf", &csrf)], &polyglot),
    )
    .await;
    assert_eq!(refused.status.as_u16(), 415, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"error-proof\""),
        "{}",
        refused.text
    );
    // Without the form's token: refused.
    let forged = post_multipart(
        &app,
        &path,
        &cookie,
        multipart(&[("csrf", "forged")], &pdf()),
    )
    .await;
    assert_eq!(forged.status.as_u16(), 403);
    let saved = post_multipart(&app, &path, &cookie, multipart(&[("csrf", &csrf)], &pdf())).await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let after = app.page(saved.header("location").unwrap(), &cookie).await;
    assert!(
        after.text.contains("id=\"proof-saved\"") && after.text.contains("id=\"proof-link\""),
        "{}",
        after.text
    );
    let download = app.page(&path, &cookie).await;
    assert_eq!(
        (download.status.as_u16(), download.body == pdf()),
        (200, true)
    );
    // Another dealer's people: not theirs.
    let hugo = app
        .person("hugo@hb.test", "Hugo", "dealer_staff", Some("HB"))
        .await;
    let other = app.sign_in(&hugo).await;
    assert_eq!(app.page(&path, &other).await.status.as_u16(), 404);
}

async fn proofs_are_checked_by_their_bytes_and_served_only_to_those_allowed(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.proof_max_bytes = 200_000).await;
    let seller = app.dealer("GM", "Europe/Paris").await;
    let other = app.dealer("HB", "Europe/Paris").await;
    let mut body = crate::helpers::registration("PROOF-0001");
    body["customer"]["email"] = json!("olive@client.test");
    body["customer"]["name"] = json!("Olive Oldowner");
    let created = app.register(&seller, &body).await;
    let id: Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    let confirmation: Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let page = format!("/o/{}", app.state.signer.sign(Purpose::Owner, confirmation));

    // The dealer attaches a PDF (declared as anything: the bytes decide).
    let attached = put(&app, &seller, id, "application/octet-stream", pdf()).await;
    assert_eq!(attached.status.as_u16(), 201, "{}", attached.text);
    assert_eq!(attached.json["content_type"], "application/pdf");
    assert_eq!(attached.json["uploaded_by"], "dealer");
    let read = app
        .get(&format!("/v1/registrations/{id}/proof"), Some(&seller))
        .await;
    assert_eq!(read.status.as_u16(), 200);
    assert_eq!(read.body, pdf());
    assert_eq!(read.header("content-type"), Some("application/pdf"));
    assert_eq!(read.header("x-content-type-options"), Some("nosniff"));
    assert!(
        read.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(
        read.header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );

    // Too large, another kind, a polyglot, active content: refused, nothing kept.
    let mut big = png(10, 10);
    big.resize(200_001, 0);
    put(&app, &seller, id, "image/png", big)
        .await
        .assert_problem(413);
    put(
        &app,
        &seller,
        id,
        "image/gif",
        b"GIF89a\x01\x00\x01\x00".to_vec(),
    )
    .await
    .assert_problem(415);
    put(
        &app,
        &seller,
        id,
        "image/png",
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await
    .assert_problem(415);
    let mut polyglot = png(10, 10);
    polyglot.extend_from_slice(b"PK\x03\x04\x14\x00 a zip hiding behind the image");
    let refused = put(&app, &seller, id, "image/png", polyglot).await;
    refused.assert_problem(415);
    assert!(refused.text.contains("ZIP"), "{}", refused.text);
    let scripted = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n";
    put(&app, &seller, id, "application/pdf", scripted.to_vec())
        .await
        .assert_problem(415);
    // Another dealer: not theirs to add to or read.
    put(&app, &other, id, "application/pdf", pdf())
        .await
        .assert_problem(404);
    app.get(&format!("/v1/registrations/{id}/proof"), Some(&other))
        .await
        .assert_problem(404);
    let admin = app.admin_key.clone();
    let by_admin = app
        .get(&format!("/v1/admin/registrations/{id}/proof"), Some(&admin))
        .await;
    assert_eq!(by_admin.body, pdf());

    // The owner adds a photo from their page; it is theirs to read back.
    let photo = png(640, 480);
    let uploaded = owner_upload(&app, &page, id, &photo).await;
    assert_eq!(uploaded.status.as_u16(), 303, "{}", uploaded.text);
    let owner_view = app.get(&page, None).await;
    assert!(
        owner_view.text.contains("id=\"proof-link-1\""),
        "{}",
        owner_view.text
    );
    let own = app.get(&format!("{page}/proof/{id}"), None).await;
    assert_eq!((own.status.as_u16(), own.body == photo), (200, true));
    // A refused file on the page: the reason next to the field, with the status.
    let mut bad = png(10, 10);
    bad.extend_from_slice(b"<script>");
    let refused = owner_upload(&app, &page, id, &bad).await;
    assert_eq!(refused.status.as_u16(), 415, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"proof-error-1\""),
        "{}",
        refused.text
    );
    let mut huge = png(10, 10);
    huge.resize(300_000, 0);
    assert_eq!(
        owner_upload(&app, &page, id, &huge).await.status.as_u16(),
        413
    );

    // A later owner never sees the earlier owner's file.
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let olive = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap()
        .customer_id;
    let offered = app
        .state
        .intake
        .start_transfer(
            warrantyd::workflows::transfer::Starter::Owner { customer_id: olive },
            id,
            "nora@client.test",
            "en",
        )
        .await
        .unwrap();
    let nora = warrantyd::domain::registration::CustomerRequest {
        name: Some("Nora".into()),
        email: Some("nora@client.test".into()),
        phone: None,
        locale: Some("en".into()),
        time_zone: None,
        country: None,
        postal_code: None,
        preferred_channel: None,
    };
    let consent = warrantyd::domain::registration::Consent {
        service_reminders: true,
        marketing: false,
        manufacturer_marketing: None,
        surveys: None,
        safety_only: false,
    };
    let accepted = app
        .state
        .intake
        .accept_transfer(offered.id, &nora, consent)
        .await
        .unwrap();
    let nora_reminder = app
        .store
        .newest_reminder_of(accepted.customer_id, id)
        .await
        .unwrap()
        .unwrap();
    let nora_page = format!(
        "/o/{}",
        app.state.signer.sign(Purpose::Owner, nora_reminder)
    );
    let hers = app.get(&nora_page, None).await;
    assert!(
        hers.text.contains("PROOF-0001") && !hers.text.contains("proof-link-1"),
        "{}",
        hers.text
    );
    assert_eq!(
        app.get(&format!("{nora_page}/proof/{id}"), None)
            .await
            .status
            .as_u16(),
        404
    );

    // Erasing Olive removes her files; nothing else referred to them.
    assert_eq!(app.store.proof_file_count().await.unwrap(), 2);
    let erased = app
        .post_json(
            "/v1/admin/people/erase",
            Some(&admin),
            &json!({"email": "olive@client.test"}),
        )
        .await;
    assert_eq!(erased.status.as_u16(), 200, "{}", erased.text);
    assert_eq!(app.store.proof_file_count().await.unwrap(), 0);
    app.get(&format!("/v1/registrations/{id}/proof"), Some(&seller))
        .await
        .assert_problem(404);
}

/// An S3-compatible server (s3s-fs from crates.io: the S3 protocol with SigV4 authentication
/// over a directory; `scripts/test` installs it into target/s3s) on a free port, with `bucket`.
struct S3Server {
    child: std::process::Child,
    root: tempfile::TempDir,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3_server(bucket: &str) -> S3Server {
    use std::io::BufRead;
    let binary = std::env::var("WARRANTYD_TEST_S3S").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/s3s/bin/s3s-fs").to_owned()
    });
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(bucket)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(&binary)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--access-key",
            "WDTESTACCESS",
            "--secret-key",
            "wd-test-secret-key-0123456789",
        ])
        .arg(root.path())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{binary} (scripts/test installs s3s-fs): {e}"));
    // It says when it listens.
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .expect("s3s-fs ended before listening")
            .unwrap();
        if line.contains("server is running at") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    S3Server {
        child,
        root,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}

async fn proofs_can_live_in_an_s3_compatible_object_store(backend: Backend) {
    let s3 = s3_server("proofs");
    let endpoint = s3.endpoint.clone();
    let app = spawn_app_with(backend, move |c| {
        c.proof_store = "s3".into();
        c.s3_endpoint = Some(endpoint);
        c.s3_bucket = Some("proofs".into());
        c.s3_access_key_id = Some("WDTESTACCESS".into());
        c.s3_secret_access_key = Some(warrantyd::config::Secret::new(
            "wd-test-secret-key-0123456789",
        ));
    })
    .await;
    let seller = app.dealer("GM", "Europe/Paris").await;
    let mut body = crate::helpers::registration("S3-0001");
    body["customer"]["email"] = json!("olive@client.test");
    let created = app.register(&seller, &body).await;
    let id: Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    let photo = png(320, 240);
    let attached = put(&app, &seller, id, "image/png", photo.clone()).await;
    assert_eq!(attached.status.as_u16(), 201, "{}", attached.text);
    let sha = attached.json["sha256"].as_str().unwrap().to_owned();
    // The bytes are in the object store (as the server keeps them on disk), not in the database.
    let object = s3.root.path().join("proofs").join("proofs").join(&sha);
    assert_eq!(
        std::fs::read(&object).unwrap(),
        photo,
        "{}",
        object.display()
    );
    assert_eq!(app.store.proof_content(&sha).await.unwrap(), None);
    let read = app
        .get(&format!("/v1/registrations/{id}/proof"), Some(&seller))
        .await;
    assert_eq!((read.status.as_u16(), read.body == photo), (200, true));
    // Erasing the owner deletes the object too.
    let erased = app
        .post_json(
            "/v1/admin/people/erase",
            Some(&app.admin_key.clone()),
            &json!({"email": "olive@client.test"}),
        )
        .await;
    assert_eq!(erased.status.as_u16(), 200, "{}", erased.text);
    assert!(!object.exists(), "the object outlived the erasure");
    app.get(&format!("/v1/registrations/{id}/proof"), Some(&seller))
        .await
        .assert_problem(404);
    // Wrong credentials: the server refuses, the upload fails cleanly (503), nothing is kept.
    let s3b = s3_server("proofs");
    let endpoint = s3b.endpoint.clone();
    let wrong = spawn_app_with(backend, move |c| {
        c.proof_store = "s3".into();
        c.s3_endpoint = Some(endpoint);
        c.s3_bucket = Some("proofs".into());
        c.s3_access_key_id = Some("WDTESTACCESS".into());
        c.s3_secret_access_key = Some(warrantyd::config::Secret::new("not-the-secret"));
    })
    .await;
    let key = wrong.dealer("GM", "Europe/Paris").await;
    let created = wrong
        .register(&key, &crate::helpers::registration("S3-0002"))
        .await;
    let id: Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    put(&wrong, &key, id, "image/png", photo)
        .await
        .assert_problem(503);
    assert_eq!(wrong.store.proof_file_count().await.unwrap(), 0);
}

async fn a_rule_requiring_proof_pays_only_once_a_proof_is_attached(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let admin = app.admin_key.clone();
    let program = app
        .put_json("/v1/admin/programs/REG", Some(&admin), &json!({"name": "Bonus", "currency": "EUR", "valid_from": "2020-01-01", "rules": [
            {"id": "proof", "sku": "MOWER-500", "registration_minor": 500, "requires_proof": true},
            {"id": "both", "sku": "BOILER-24", "registration_minor": 900, "requires_proof": true, "hold_until_verified": true}
        ]}))
        .await;
    assert!(program.status.is_success(), "{}", program.text);
    let key = app.dealer("GM", "Europe/Paris").await;
    let paid = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .ledger()
                .await
                .unwrap()
                .iter()
                .map(|l| (l.rule_id.clone().unwrap_or_default(), l.amount_minor))
                .collect::<Vec<_>>()
        }
    };
    // A rule requiring proof only: held, confirming does not release it, the proof does (once).
    let created = app
        .register(&key, &crate::helpers::registration("RULE-0001"))
        .await;
    let id: Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        created.json["incentive"]["lines"][0]["held"], true,
        "{}",
        created.text
    );
    let verify = format!("/v/{}", app.state.signer.sign(Purpose::Verify, id));
    assert!(app.post_form(&verify, None, &[]).await.status.is_success());
    assert!(paid(&app).await.is_empty(), "paid without a proof");
    assert_eq!(
        put(&app, &key, id, "application/pdf", pdf())
            .await
            .status
            .as_u16(),
        201
    );
    assert_eq!(paid(&app).await, [("proof".to_owned(), 500)]);
    assert_eq!(
        put(&app, &key, id, "image/png", png(8, 8))
            .await
            .status
            .as_u16(),
        201
    );
    assert_eq!(
        paid(&app).await.len(),
        1,
        "a second proof pays nothing more"
    );
    // Both conditions: the proof alone does not release it; the confirmation then does.
    let mut boiler = crate::helpers::registration("RULE-0002");
    boiler["sku"] = json!("BOILER-24");
    let created = app.register(&key, &boiler).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let id: Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        put(&app, &key, id, "application/pdf", pdf())
            .await
            .status
            .as_u16(),
        201
    );
    assert_eq!(
        paid(&app).await.len(),
        1,
        "released before the customer confirmed"
    );
    let verify = format!("/v/{}", app.state.signer.sign(Purpose::Verify, id));
    assert!(app.post_form(&verify, None, &[]).await.status.is_success());
    assert_eq!(
        paid(&app).await,
        [("proof".to_owned(), 500), ("both".to_owned(), 900)]
    );
}

both_backends!(
    a_dealer_attaches_a_proof_from_the_registration_page,
    a_rule_requiring_proof_pays_only_once_a_proof_is_attached,
    proofs_are_checked_by_their_bytes_and_served_only_to_those_allowed,
    proofs_can_live_in_an_s3_compatible_object_store,
);
