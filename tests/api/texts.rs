//! Texts end to end against a fake provider process (`sms_provider`) that speaks Twilio's or
//! Vonage's API and signs its webhooks with the providers' own libraries: a phone-only customer is
//! texted and verifies by the text's link (the held amount is released); STOP stops texts while
//! email goes on, START restores them; a text the carrier could not deliver suppresses the number;
//! a timeout after the provider took a text sends it once; forged webhooks change nothing.

use serde_json::{Value, json};
use uuid::Uuid;
use warrantyd::mail::Mailer;
use warrantyd::store::Outcome;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::sms_provider::{FakeProvider, NUMBER};

const PHONE: &str = "+33612345678";

pub(crate) struct Texting {
    pub app: TestApp,
    pub provider: FakeProvider,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Texting {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An app listening on a real port, sending texts to a fake provider of `flavor` that posts its
/// webhooks back to it.
pub(crate) async fn texting(backend: Backend, flavor: &str) -> Texting {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let provider = FakeProvider::start(flavor, &address, "https://warranty.test");
    let app = spawn_app_with(backend, |c| provider.configure(flavor, c)).await;
    listener.set_nonblocking(true).unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    let state = app.state.clone();
    let server = tokio::spawn(async move {
        let _ = warrantyd::app::serve(state, listener, std::future::pending()).await;
    });
    Texting {
        app,
        provider,
        server,
    }
}

pub(crate) fn now(app: &TestApp) -> i64 {
    use warrantyd::clock::Clock;
    app.clock.now().timestamp()
}

fn phone_only(serial: &str) -> Value {
    json!({
        "serial_number": serial,
        "sku": "MOWER-500",
        "purchase_date": "2026-11-20",
        "customer": {"name": "Camille Martin", "phone": PHONE, "locale": "fr-FR",
                     "time_zone": "Europe/Paris", "country": "FR"},
        "consent": {"service_reminders": true, "marketing": false}
    })
}

fn with_both(serial: &str) -> Value {
    let mut body = phone_only(serial);
    body["customer"]["email"] = json!(format!("{}@customer.example", serial.to_lowercase()));
    body
}

/// Dispatches what is due and sends each of it: (reminder, channel, outcome).
pub(crate) async fn send_due(app: &TestApp) -> Vec<(Uuid, Outcome)> {
    let sender = app.sender(Mailer::Memory(Default::default()));
    sender.dispatch_once().await.unwrap();
    let mut outcomes = Vec::new();
    for id in app.store.unfinished_reminders().await.unwrap() {
        if let Some(outcome) = sender.send_reminder(id).await.unwrap() {
            outcomes.push((id, outcome));
        }
    }
    outcomes
}

fn reminder(created: &Value, kind: &str, channel: &str) -> Uuid {
    created["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["kind"] == kind && r["channel"] == channel && r["occurrence"].as_i64() <= Some(1)
        })
        .unwrap_or_else(|| panic!("no {kind} by {channel} in {created}"))["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn dealer_with_channels(app: &TestApp, code: &str, channels: &str) -> String {
    let key = app.dealer(code, "Europe/Paris").await;
    let resp = app
        .put_json(
            &format!("/v1/admin/dealers/{code}"),
            Some(&app.admin_key.clone()),
            &json!({"name": format!("Garage {code}"), "locale": "fr-FR", "time_zone": "Europe/Paris",
                    "email": "shop@dealer.example", "phone": "+33123456789", "message_channels": channels}),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.text);
    assert_eq!(resp.json["message_channels"], channels);
    key
}

async fn a_phone_only_customer_is_texted_and_the_texts_link_releases_the_held_amount(
    backend: Backend,
) {
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let program = app
        .put_json(
            "/v1/admin/programs/QUALITY",
            Some(&app.admin_key.clone()),
            &json!({"name": "Registration bonus", "currency": "EUR", "valid_from": "2026-01-01",
                    "valid_to": null, "cap_per_dealer_per_period_minor": null, "clawback_days": 60,
                    "rules": [{"id": "mowers", "sku": "MOWER-500", "registration_minor": 1500,
                               "hold_until_verified": true}]}),
        )
        .await;
    assert!(program.status.is_success(), "{}", program.text);
    let key = app.dealer("A", "Europe/Paris").await;
    let created = app.register(&key, &phone_only("SMS-0001")).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    // Email when there is one, SMS otherwise: every message of this unit goes by text.
    assert!(
        created.json["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["channel"] == "sms"),
        "{}",
        created.json["reminders"]
    );
    assert_eq!(created.json["incentive"]["lines"][0]["held"], true);

    let confirmation = reminder(&created.json, "registration_confirmation", "sms");
    let outcomes = send_due(app).await;
    assert!(
        matches!(&outcomes[..], [(id, Outcome::Sent { message_id, .. })] if *id == confirmation && message_id.starts_with("SM")),
        "{outcomes:?}"
    );
    let texts = t.provider.messages().await;
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0]["to"], PHONE);
    assert_eq!(texts[0]["from"], NUMBER);
    assert_eq!(
        texts[0]["key"],
        confirmation.to_string(),
        "the idempotency key"
    );
    assert_eq!(
        texts[0]["status_callback"],
        "https://warranty.test/v1/sms/twilio/status"
    );
    let body = texts[0]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Dealer A : merci d'avoir enregistré votre Robotic mower."),
        "{body}"
    );
    assert!(
        body.ends_with("STOP pour ne plus recevoir de SMS."),
        "{body}"
    );
    let cost = warrantyd::domain::sms::segments(body);
    assert_eq!(
        cost.encoding,
        warrantyd::domain::sms::Encoding::Gsm7,
        "{body}"
    );
    assert!(cost.count <= 2, "{cost:?}");

    // The customer opens the text's (short) link and confirms: the held amount is released.
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("https://warranty.test/v/"))
        .unwrap();
    let path = link.trim_start_matches("https://warranty.test");
    assert_eq!(path.len(), "/v/".len() + 32, "a short token");
    assert!(
        app.store.ledger().await.unwrap().is_empty(),
        "held until verified"
    );
    let page = app.get(path, None).await;
    assert_eq!(page.status.as_u16(), 200);
    let done = app
        .send(axum::http::Method::POST, path, None, None, vec![], &[])
        .await;
    assert_eq!(done.status.as_u16(), 200, "{}", done.text);
    let ledger = app.store.ledger().await.unwrap();
    assert_eq!(ledger.iter().map(|l| l.amount_minor).sum::<i64>(), 1500);
    assert!(
        ledger
            .iter()
            .all(|l| l.reason.as_deref() == Some("verified"))
    );

    // The provider reports it delivered: kept on the text.
    let id = texts[0]["id"].as_str().unwrap();
    let (status, _) = t.provider.status(id, "sent", None, now(app)).await;
    assert_eq!(status, 200);
    let (status, _) = t.provider.status(id, "delivered", None, now(app)).await;
    assert_eq!(status, 200);
    // A late "sent" does not overwrite a final state.
    t.provider.status(id, "sent", None, now(app)).await;
    assert_eq!(
        app.store
            .text_provider_status(confirmation)
            .await
            .unwrap()
            .as_deref(),
        Some("delivered")
    );
}

async fn stop_stops_texts_while_email_goes_on_and_start_restores_them(backend: Backend) {
    let t = texting(backend, "vonage").await;
    let app = &t.app;
    let key = dealer_with_channels(app, "B", "both").await;
    let created = app.register(&key, &with_both("SMS-0002")).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let outcomes = send_due(app).await;
    assert_eq!(
        outcomes.len(),
        2,
        "the confirmation by both channels: {outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|(_, o)| matches!(o, Outcome::Sent { .. }))
    );
    assert_eq!(t.provider.messages().await.len(), 1);

    // The customer answers STOP (Vonage's signed inbound webhook).
    let (status, body) = t.provider.inbound(PHONE, "Stop", now(app)).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        app.store
            .number_suppression(PHONE)
            .await
            .unwrap()
            .as_deref(),
        Some("stop")
    );

    // The first service reminder: skipped as unsubscribed by text, sent by email.
    app.clock.set("2027-05-20T09:00:00Z".parse().unwrap());
    let sms = reminder(&created.json, "service_due", "sms");
    let email = reminder(&created.json, "service_due", "email");
    let outcomes = send_due(app).await;
    let of = |id: Uuid| {
        outcomes
            .iter()
            .find(|(r, _)| *r == id)
            .map(|(_, o)| o.clone())
    };
    assert_eq!(
        of(sms),
        Some(Outcome::Skipped {
            reason: "unsubscribed"
        }),
        "{outcomes:?}"
    );
    assert!(
        matches!(of(email), Some(Outcome::Sent { .. })),
        "{outcomes:?}"
    );
    assert_eq!(t.provider.messages().await.len(), 1, "no text after STOP");

    // START restores texts: the next reminder goes by both channels again.
    let (status, _) = t.provider.inbound(PHONE, "START", now(app)).await;
    assert_eq!(status, 204);
    assert_eq!(app.store.number_suppression(PHONE).await.unwrap(), None);
    app.clock.set("2027-11-23T10:00:00Z".parse().unwrap());
    let outcomes = send_due(app).await;
    let texted: Vec<_> = outcomes
        .iter()
        .filter(
            |(_, o)| matches!(o, Outcome::Sent { message_id, .. } if !message_id.starts_with('<')),
        )
        .collect();
    assert_eq!(texted.len(), 1, "{outcomes:?}");
    let texts = t.provider.messages().await;
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[1]["to"], PHONE);
    assert_eq!(texts[1]["key"], texted[0].0.to_string());
}

async fn an_undelivered_text_suppresses_the_number(backend: Backend) {
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let key = app.dealer("C", "Europe/Paris").await;
    let created = app.register(&key, &phone_only("SMS-0003")).await;
    let confirmation = reminder(&created.json, "registration_confirmation", "sms");
    send_due(app).await;
    let id = t.provider.messages().await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The carrier could not deliver it (30005: unknown handset).
    let (status, body) = t
        .provider
        .status(&id, "undelivered", Some(30005), now(app))
        .await;
    assert_eq!(status, 200, "{body}");
    let delivery = app
        .store
        .reminder_delivery(confirmation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (delivery.status.as_str(), delivery.outcome.as_deref()),
        ("failed", Some("undelivered"))
    );
    assert_eq!(
        app.store
            .number_suppression(PHONE)
            .await
            .unwrap()
            .as_deref(),
        Some("undeliverable")
    );
    // The next text to that number is not sent.
    app.clock.set("2027-05-20T09:00:00Z".parse().unwrap());
    let outcomes = send_due(app).await;
    assert!(
        outcomes.iter().all(|(_, o)| *o
            == Outcome::Skipped {
                reason: "suppressed"
            }),
        "{outcomes:?}"
    );
    assert_eq!(t.provider.messages().await.len(), 1);
    // START does not lift a number that cannot take texts.
    t.provider.inbound(PHONE, "START", now(app)).await;
    assert_eq!(
        app.store
            .number_suppression(PHONE)
            .await
            .unwrap()
            .as_deref(),
        Some("undeliverable")
    );
}

async fn a_timeout_after_the_provider_took_a_text_sends_it_once(backend: Backend) {
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let key = app.dealer("D", "Europe/Paris").await;
    let created = app.register(&key, &phone_only("SMS-0004")).await;
    let confirmation = reminder(&created.json, "registration_confirmation", "sms");
    // The provider takes the text and answers after the client gave up; then is down (503);
    // then asks to slow down (429).
    t.provider.plan(json!([{"hang": 3}])).await;
    let outcomes = send_due(app).await;
    assert!(
        matches!(&outcomes[..], [(_, Outcome::Retry { smtp_code: None, detail, .. })] if detail.contains("in time")),
        "{outcomes:?}"
    );
    assert_eq!(
        t.provider.messages().await.len(),
        1,
        "taken by the provider"
    );

    // The retry carries the same idempotency key: the provider answers as before and sends
    // nothing new.
    app.clock.advance(chrono::Duration::hours(1));
    let outcomes = send_due(app).await;
    assert!(
        matches!(&outcomes[..], [(id, Outcome::Sent { .. })] if *id == confirmation),
        "{outcomes:?}"
    );
    assert_eq!(t.provider.messages().await.len(), 1, "exactly one text");
    let attempts = app.store.reminder_attempts(confirmation).await.unwrap();
    assert_eq!(
        attempts
            .iter()
            .map(|a| a.outcome.as_str())
            .collect::<Vec<_>>(),
        ["retry", "sent"]
    );

    // A provider down, then rate limiting: retried (after its Retry-After), never lost.
    let second = app.register(&key, &phone_only("SMS-0005")).await;
    let confirmation = reminder(&second.json, "registration_confirmation", "sms");
    t.provider
        .plan(json!([{"status": 503}, {"status": 429, "retry_after": 7200}]))
        .await;
    let outcomes = send_due(app).await;
    assert!(
        matches!(
            &outcomes[..],
            [(
                _,
                Outcome::Retry {
                    smtp_code: Some(503),
                    ..
                }
            )]
        ),
        "{outcomes:?}"
    );
    app.clock.advance(chrono::Duration::hours(1));
    let outcomes = send_due(app).await;
    let Outcome::Retry {
        send_after,
        smtp_code: Some(429),
        ..
    } = &outcomes[0].1
    else {
        panic!("{outcomes:?}");
    };
    {
        use warrantyd::clock::Clock;
        assert!(*send_after >= app.clock.now() + chrono::Duration::seconds(7200));
    }
    app.clock.set(*send_after + chrono::Duration::seconds(1));
    let outcomes = send_due(app).await;
    assert!(
        matches!(&outcomes[..], [(id, Outcome::Sent { .. })] if *id == confirmation),
        "{outcomes:?}"
    );
    assert_eq!(t.provider.messages().await.len(), 2);
}

async fn forged_webhooks_change_nothing_and_an_unknown_numbers_stop_is_kept(backend: Backend) {
    for flavor in ["twilio", "vonage"] {
        let t = texting(backend, flavor).await;
        let app = &t.app;
        let key = app.dealer("E", "Europe/Paris").await;
        app.register(&key, &phone_only("SMS-0006")).await;
        send_due(app).await;

        let (status, body) = t.provider.forged_inbound(PHONE, "STOP", now(app)).await;
        assert_eq!(status, 403, "{flavor}: {body}");
        assert!(
            body.contains("application/problem+json") || body.contains("\"status\":403"),
            "{body}"
        );
        assert_eq!(
            app.store.number_suppression(PHONE).await.unwrap(),
            None,
            "{flavor}"
        );
        if flavor == "vonage" {
            // A token signed an hour before (a replay): refused.
            let (status, _) = t.provider.inbound(PHONE, "STOP", now(app) - 3600).await;
            assert_eq!(status, 403);
            assert_eq!(app.store.number_suppression(PHONE).await.unwrap(), None);
        }
        // The other provider's paths are not open.
        let other = if flavor == "twilio" {
            "vonage"
        } else {
            "twilio"
        };
        let closed = app
            .send(
                axum::http::Method::POST,
                &format!("/v1/sms/{other}/inbound"),
                None,
                Some("application/json"),
                b"{}".to_vec(),
                &[],
            )
            .await;
        assert_eq!(closed.status.as_u16(), 404);

        // A number nobody registered says STOP: kept anyway.
        let stranger = "+447700900123";
        let (status, _) = t.provider.inbound(stranger, "STOP", now(app)).await;
        assert!(status == 200 || status == 204, "{flavor}");
        assert_eq!(
            app.store
                .number_suppression(stranger)
                .await
                .unwrap()
                .as_deref(),
            Some("stop")
        );
    }
}

async fn help_is_answered_with_the_dealers_contact(backend: Backend) {
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let key = dealer_with_channels(app, "F", "auto").await;
    app.register(&key, &phone_only("SMS-0007")).await;
    send_due(app).await;
    let (status, body) = t.provider.inbound(PHONE, "help", now(app)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<Response>"), "TwiML: {body}");
    let texts = t.provider.messages().await;
    assert_eq!(texts.len(), 2, "{texts:?}");
    let answer = texts[1]["body"].as_str().unwrap();
    assert_eq!(texts[1]["to"], PHONE);
    assert!(
        answer.starts_with("Garage F, +33123456789, shop@dealer.example."),
        "{answer}"
    );
    assert!(answer.contains("STOP"), "{answer}");
}

async fn a_text_in_another_script_is_counted_in_ucs2_segments(backend: Backend) {
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let key = app.dealer("G", "Europe/Athens").await;
    app.put_json(
        "/v1/admin/dealers/G",
        Some(&app.admin_key.clone()),
        &json!({"name": "Συνεργείο Παπαδόπουλος", "locale": "el-GR", "time_zone": "Europe/Athens"}),
    )
    .await;
    let mut body = phone_only("SMS-0008");
    body["customer"]["locale"] = json!("el-GR");
    body["customer"]["time_zone"] = json!("Europe/Athens");
    body["customer"]["country"] = json!("GR");
    body["customer"]["phone"] = json!("+306912345678");
    app.register(&key, &body).await;
    send_due(app).await;
    let texts = t.provider.messages().await;
    let text = texts[0]["body"].as_str().unwrap();
    assert!(
        text.starts_with("Συνεργείο Παπαδόπουλος: thank you"),
        "{text}"
    );
    let cost = warrantyd::domain::sms::segments(text);
    assert_eq!(cost.encoding, warrantyd::domain::sms::Encoding::Ucs2);
    // One UTF-16 unit per character here; 67 per part once split.
    assert_eq!(cost.units, text.encode_utf16().count());
    assert_eq!(cost.count, cost.units.div_ceil(67), "{cost:?}");
    assert!(cost.count >= 2);
}

async fn a_customer_may_prefer_texts_and_change_their_mind(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let key = app.dealer("H", "Europe/Paris").await;
    let mut body = with_both("SMS-0009");
    body["customer"]["preferred_channel"] = json!("sms");
    let created = app.register(&key, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    assert_eq!(created.json["customer"]["preferred_channel"], "sms");
    let channels = |r: &Value| -> Vec<String> {
        r["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["status"] == "pending")
            .map(|m| m["channel"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        channels(&created.json),
        ["sms"; 4],
        "{}",
        created.json["reminders"]
    );

    // A preference needs its contact, and is one of the two channels.
    let mut no_phone = crate::helpers::registration("SMS-0010");
    no_phone["customer"]["preferred_channel"] = json!("sms");
    let refused = app.register(&key, &no_phone).await;
    assert_eq!(refused.status.as_u16(), 422);
    assert_eq!(
        refused.field_errors(),
        [(
            "customer.preferred_channel".to_owned(),
            "missing_contact".to_owned()
        )]
    );
    no_phone["customer"]["preferred_channel"] = json!("pigeon");
    let refused = app.register(&key, &no_phone).await;
    assert_eq!(
        refused.field_errors(),
        [(
            "customer.preferred_channel".to_owned(),
            "invalid_channel".to_owned()
        )]
    );

    // The customer changes their mind: the reminders not sent yet go by email.
    let id = created.json["id"].as_str().unwrap();
    let corrected = app
        .send(
            axum::http::Method::PATCH,
            &format!("/v1/registrations/{id}"),
            Some(&key),
            Some("application/json"),
            serde_json::to_vec(&json!({"customer": {"preferred_channel": "email"}})).unwrap(),
            &[],
        )
        .await;
    assert_eq!(corrected.status.as_u16(), 200, "{}", corrected.text);
    assert_eq!(corrected.json["customer"]["preferred_channel"], "email");
    assert_eq!(
        channels(&corrected.json),
        ["email"; 4],
        "{}",
        corrected.json["reminders"]
    );
    let outcomes = send_due(&app).await;
    assert!(
        matches!(&outcomes[..], [(_, Outcome::Sent { message_id, .. })] if message_id.starts_with('<')),
        "the confirmation by email only: {outcomes:?}"
    );
}

async fn admins_choose_a_dealers_channels_and_sender_on_its_page(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let ada = app.person("ada@oem.test", "Ada Admin", "admin", None).await;
    let cookie = app.sign_in(&ada).await;
    let form = app.page("/admin/dealers/TXT1", &cookie).await;
    assert!(
        form.text
            .contains("<select id=\"message_channels\" name=\"message_channels\""),
        "{}",
        form.text
    );
    let csrf = crate::helpers::hidden_csrf(&form.text);
    let fields = |sender: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("name", "Garage SMS".to_owned()),
            ("locale", "fr".to_owned()),
            ("time_zone", "Europe/Paris".to_owned()),
            ("message_channels", "both".to_owned()),
            ("sms_sender_id", sender.to_owned()),
            ("active", "true".to_owned()),
        ]
    };
    let as_refs = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    let post = |f: Vec<(&'static str, String)>| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.form_from_site("/admin/dealers/TXT1", &cookie, &pairs)
                .await
        }
    };
    // A sender ID carriers would refuse is named next to its field; nothing is saved.
    let refused = post(as_refs(&fields("x!"))).await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"error-sms_sender_id\""),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("<option value=\"both\" selected>"),
        "kept: {}",
        refused.text
    );
    assert!(app.store.dealer_by_code("TXT1").await.unwrap().is_none());
    let saved = post(as_refs(&fields("GMARTIN"))).await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let dealer = app.store.dealer_by_code("TXT1").await.unwrap().unwrap();
    assert_eq!(
        (
            dealer.message_channels.as_deref(),
            dealer.sms_sender_id.as_deref()
        ),
        (Some("both"), Some("GMARTIN"))
    );
    // Its customers' messages go by both channels, texts from its sender ID.
    let key = app
        .post_json(
            "/v1/admin/dealers/TXT1/keys",
            Some(&app.admin_key.clone()),
            &json!({}),
        )
        .await
        .json["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app.register(&key, &with_both("SMS-0011")).await;
    let confirmations: Vec<_> = created.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "registration_confirmation")
        .map(|r| r["channel"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(confirmations, ["email", "sms"]);
    let outcomes = send_due(&app).await;
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    let sms = reminder(&created.json, "registration_confirmation", "sms");
    let text = std::fs::read_to_string(app.state.config.sms_outbox_dir.join(format!("{sms}.txt")))
        .unwrap();
    assert!(
        text.starts_with(&format!("To: {PHONE}\nFrom: GMARTIN\n")),
        "{text}"
    );
    // The dealer's page of the unit says which channel each message goes by.
    let page = app
        .page(
            &format!(
                "/dealer/registrations/{}",
                created.json["id"].as_str().unwrap()
            ),
            &{
                let dee = app
                    .person("dee@txt1.test", "Dee Dealer", "dealer_staff", Some("TXT1"))
                    .await;
                app.sign_in(&dee).await
            },
        )
        .await;
    assert!(
        page.text.contains("<td>Text message</td>") || page.text.contains("<td>SMS</td>"),
        "{}",
        page.text
    );
}

async fn a_recipient_who_opted_out_at_the_provider_is_recorded_as_withdrawn(backend: Backend) {
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let key = app.dealer("J", "Europe/Paris").await;
    let created = app.register(&key, &phone_only("SMS-0012")).await;
    let confirmation = reminder(&created.json, "registration_confirmation", "sms");
    // Twilio refuses: the recipient replied STOP to this sender before (21610).
    t.provider
        .plan(json!([{"status": 400, "code": 21610, "message": "Attempt to send to unsubscribed recipient +33612345678"}]))
        .await;
    let outcomes = send_due(app).await;
    assert!(
        matches!(
            &outcomes[..],
            [(
                _,
                Outcome::Failed {
                    smtp_code: Some(400),
                    ..
                }
            )]
        ),
        "{outcomes:?}"
    );
    assert_eq!(
        app.store
            .number_suppression(PHONE)
            .await
            .unwrap()
            .as_deref(),
        Some("provider_opt_out")
    );
    let attempts = app.store.reminder_attempts(confirmation).await.unwrap();
    let detail = attempts[0].detail.clone().unwrap();
    assert!(
        detail.starts_with("21610: ")
            && detail.contains("[number]")
            && !detail.contains("612345678"),
        "{detail}"
    );
    // The next reminder is the customer's own opt-out, not a broken number.
    app.clock.set("2027-05-20T09:00:00Z".parse().unwrap());
    let outcomes = send_due(app).await;
    assert!(
        outcomes.iter().all(|(_, o)| *o
            == Outcome::Skipped {
                reason: "unsubscribed"
            }),
        "{outcomes:?}"
    );
    // Their START lifts it.
    t.provider.inbound(PHONE, "Start", now(app)).await;
    assert_eq!(app.store.number_suppression(PHONE).await.unwrap(), None);
}

async fn an_owner_chooses_texts_on_their_page_and_sees_when_texts_are_stopped(backend: Backend) {
    use warrantyd::tokens::Purpose;
    let t = texting(backend, "twilio").await;
    let app = &t.app;
    let key = app.dealer("K", "Europe/Paris").await;
    let created = app.register(&key, &with_both("SMS-0013")).await;
    let confirmation = reminder(&created.json, "registration_confirmation", "email");
    let outcomes = send_due(app).await;
    assert_eq!(
        outcomes.len(),
        1,
        "auto: the confirmation by email: {outcomes:?}"
    );
    // The owner's page, from the email's link: the two channels offered, email chosen.
    let path = format!("/o/{}", app.state.signer.sign(Purpose::Owner, confirmation));
    let page = app.get(&path, None).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    assert!(
        page.text.contains("value=\"email\" checked"),
        "{}",
        page.text
    );
    assert!(page.text.contains(PHONE), "{}", page.text);
    assert!(!page.text.contains("id=\"texts-stopped\""));
    let cookie = format!(
        "wd_signin={}",
        crate::helpers::set_cookie(&page, "wd_signin").unwrap()
    );
    let csrf = crate::helpers::hidden_csrf(&page.text);
    let saved = app
        .form_from_site(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("consent_service_reminders", "true"),
                ("preferred_channel", "sms"),
            ],
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    // The next reminders go by text.
    let id = created.json["id"].as_str().unwrap();
    let unit = app
        .get(&format!("/v1/registrations/{id}"), Some(&key))
        .await;
    assert_eq!(unit.json["customer"]["preferred_channel"], "sms");
    let pending: Vec<_> = unit.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "pending")
        .map(|r| r["channel"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pending, ["sms"; 3], "{}", unit.json["reminders"]);
    app.clock.set("2027-05-20T09:00:00Z".parse().unwrap());
    let outcomes = send_due(app).await;
    assert!(
        matches!(&outcomes[..], [(_, Outcome::Sent { message_id, .. })] if message_id.starts_with("SM")),
        "{outcomes:?}"
    );
    // They answer STOP: their page says texts are stopped and how to restart them.
    t.provider.inbound(PHONE, "STOP", now(app)).await;
    let page = app.get(&path, None).await;
    assert!(page.text.contains("id=\"texts-stopped\""), "{}", page.text);
}

both_backends!(
    an_owner_chooses_texts_on_their_page_and_sees_when_texts_are_stopped,
    a_recipient_who_opted_out_at_the_provider_is_recorded_as_withdrawn,
    admins_choose_a_dealers_channels_and_sender_on_its_page,
    a_customer_may_prefer_texts_and_change_their_mind,
    a_phone_only_customer_is_texted_and_the_texts_link_releases_the_held_amount,
    stop_stops_texts_while_email_goes_on_and_start_restores_them,
    an_undelivered_text_suppresses_the_number,
    a_timeout_after_the_provider_took_a_text_sends_it_once,
    forged_webhooks_change_nothing_and_an_unknown_numbers_stop_is_kept,
    help_is_answered_with_the_dealers_contact,
    a_text_in_another_script_is_counted_in_ucs2_segments,
);
