//! What comes back after the next hop accepted a message: bounces (RFC 3464 DSNs), complaints
//! (RFC 5965 ARF) and mailto unsubscribes, posted by the mail server to `/v1/inbound/email`.

use axum::http::Method;
use uuid::Uuid;
use warrantyd::mail::Mailer;
use warrantyd::store::Outcome;

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, registration, spawn_app, spawn_app_with};

const TOKEN: &str = "inbound-secret-token-for-tests";

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |c| {
        c.inbound_token = Some(warrantyd::config::Secret::new(TOKEN));
    })
    .await
}

/// A fixture about `reminder` (its Message-ID swapped in), as the mail server would post it.
fn fixture(name: &str, reminder: Uuid) -> Vec<u8> {
    let text = std::fs::read_to_string(format!(
        "{}/tests/mail/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    text.replace(
        "01a2312f-0000-7000-8000-000000000001",
        &reminder.to_string(),
    )
    .replace(
        "01a2312f-0000-7000-8000-000000000002",
        &reminder.to_string(),
    )
    .into_bytes()
}

async fn post(app: &TestApp, token: Option<&str>, body: Vec<u8>) -> Resp {
    app.send(
        Method::POST,
        "/v1/inbound/email",
        token,
        Some("message/rfc822"),
        body,
        &[],
    )
    .await
}

/// A registered unit whose confirmation was sent (accepted by the next hop); its id, email and
/// the raw message.
async fn sent(app: &TestApp, key: &str, serial: &str) -> (Uuid, String, String) {
    let created = app.register(key, &registration(serial)).await;
    let id: Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let outbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(Mailer::Memory(outbox.clone()));
    sender.dispatch_once().await.unwrap();
    assert!(matches!(
        sender.send_reminder(id).await.unwrap(),
        Some(Outcome::Sent { .. })
    ));
    let raw = outbox.lock().unwrap()[0].raw.clone();
    let email = created.json["customer"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, email, raw)
}

async fn a_bounce_after_acceptance_suppresses_the_address(backend: Backend) {
    let app = app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let (id, email, _) = sent(&app, &key, "DSN-0001").await;

    let delayed = post(&app, Some(TOKEN), fixture("dsn-delayed.eml", id)).await;
    assert_eq!(delayed.json["result"], "delayed", "{}", delayed.text);
    assert!(!app.store.is_suppressed(&email).await.unwrap());

    let bounced = post(&app, Some(TOKEN), fixture("dsn-hard-bounce.eml", id)).await;
    assert_eq!(bounced.json["result"], "bounced", "{}", bounced.text);
    assert!(app.store.is_suppressed(&email).await.unwrap());
    let delivery = app.store.reminder_delivery(id).await.unwrap().unwrap();
    assert_eq!(
        (delivery.status.as_str(), delivery.outcome.as_deref()),
        ("failed", Some("bounced"))
    );
    let attempts = app.store.reminder_attempts(id).await.unwrap();
    let last = attempts.last().unwrap();
    assert_eq!(
        (last.outcome.as_str(), last.smtp_code),
        ("bounced", Some(550))
    );
    assert!(!last.detail.as_deref().unwrap_or("").contains('@'));
    // A report about a message that is not ours changes nothing.
    let foreign = post(
        &app,
        Some(TOKEN),
        fixture("dsn-hard-bounce.eml", Uuid::now_v7()),
    )
    .await;
    assert_eq!(foreign.json["result"], "ignored");
}

async fn a_complaint_withdraws_consent_and_suppresses(backend: Backend) {
    let app = app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let (id, email, _) = sent(&app, &key, "ARF-0001").await;
    let complained = post(&app, Some(TOKEN), fixture("arf-complaint.eml", id)).await;
    assert_eq!(
        complained.json["result"], "complained",
        "{}",
        complained.text
    );
    assert!(app.store.is_suppressed(&email).await.unwrap());
    let list = app.get("/v1/registrations", Some(&key)).await;
    let registration = list.json["items"][0]["id"].as_str().unwrap().to_owned();
    let read = app
        .get(&format!("/v1/registrations/{registration}"), Some(&key))
        .await;
    assert_eq!(read.json["consent"]["service_reminders"], false);
}

async fn the_advertised_mailto_unsubscribe_is_honoured(backend: Backend) {
    let app = app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let (_, email, raw) = sent(&app, &key, "MAILTO-0001").await;
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    let header = parsed
        .header_raw("List-Unsubscribe")
        .unwrap()
        .replace(['\r', '\n'], "");
    let mailto = header
        .split(['<', '>'])
        .find(|p| p.starts_with("mailto:"))
        .unwrap_or_else(|| panic!("no mailto in {header}"));
    let (address, query) = mailto
        .trim_start_matches("mailto:")
        .split_once('?')
        .unwrap();
    let subject = query.strip_prefix("subject=").unwrap();
    let mail = format!("From: {email}\r\nTo: {address}\r\nSubject: {subject}\r\n\r\n\r\n");
    let done = post(&app, Some(TOKEN), mail.into_bytes()).await;
    assert_eq!(done.json["result"], "unsubscribed", "{}", done.text);
    let list = app.get("/v1/registrations", Some(&key)).await;
    let registration = list.json["items"][0]["id"].as_str().unwrap().to_owned();
    let read = app
        .get(&format!("/v1/registrations/{registration}"), Some(&key))
        .await;
    assert_eq!(read.json["consent"]["service_reminders"], false);
    // A forged subject does nothing.
    let forged =
        "From: x@client.test\r\nTo: unsubscribe@oem.test\r\nSubject: unsubscribe-AAAA\r\n\r\n\r\n";
    assert_eq!(
        post(&app, Some(TOKEN), forged.as_bytes().to_vec())
            .await
            .json["result"],
        "ignored"
    );
}

async fn the_inbound_path_needs_its_token(backend: Backend) {
    let app = app(backend).await;
    post(&app, None, b"x".to_vec()).await.assert_problem(401);
    post(&app, Some("wrong"), b"x".to_vec())
        .await
        .assert_problem(401);
    let admin = app.admin_key.clone();
    post(&app, Some(&admin), b"x".to_vec())
        .await
        .assert_problem(401);
    // Without a token configured the path does not exist, and no mailto is advertised.
    let plain = spawn_app(backend).await;
    post(&plain, Some(TOKEN), b"x".to_vec())
        .await
        .assert_problem(404);
    let key = plain.dealer("A", "Europe/Paris").await;
    let (_, _, raw) = sent(&plain, &key, "NOMAIL-0001").await;
    assert!(!raw.contains("mailto:unsubscribe"));
}

both_backends!(
    a_bounce_after_acceptance_suppresses_the_address,
    a_complaint_withdraws_consent_and_suppresses,
    the_advertised_mailto_unsubscribe_is_honoured,
    the_inbound_path_needs_its_token,
);
