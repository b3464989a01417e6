//! The owner's door: self-registration through a dealer's QR code (credited to that dealer, once,
//! held until the owner confirms), unit addresses (GS1 Digital Link) that reveal nothing about
//! owners, and QR codes that an independent decoder (zbarimg) reads back to their addresses.

use serde_json::json;
use warrantyd::tokens::Purpose;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, hidden_csrf, set_cookie, spawn_app};

/// A program paying dealers' own registrations 12.50 and owners' self-registrations through the
/// dealer's QR code 4.00, held until the owner confirms.
async fn program(app: &TestApp) {
    let resp = app
        .put_json(
            "/v1/admin/programs/REG",
            Some(&app.admin_key.clone()),
            &json!({"name": "Bonus", "currency": "EUR", "valid_from": "2020-01-01", "rules": [
                {"id": "dealers", "category": "garden", "registration_minor": 1250, "channels": ["dealer_api", "dealer_counter"]},
                {"id": "owners", "category": "garden", "registration_minor": 400, "channels": ["owner_qr"], "hold_until_verified": true}
            ]}),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.text);
}

/// Opens the self-registration form of `token` as a phone would; returns (cookie, csrf, nonce).
async fn open_form(app: &TestApp, path: &str) -> (String, String, String, String) {
    let page = app
        .send(
            axum::http::Method::GET,
            path,
            None,
            None,
            Vec::new(),
            &[("accept-language", "fr-FR,fr;q=0.9")],
        )
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    let cookie = format!("wd_signin={}", set_cookie(&page, "wd_signin").unwrap());
    let csrf = hidden_csrf(&page.text);
    let marker = "name=\"submission\" value=\"";
    let at = page.text.find(marker).unwrap() + marker.len();
    let nonce = page.text[at..at + page.text[at..].find('"').unwrap()].to_owned();
    (cookie, csrf, nonce, page.text)
}

async fn a_self_registration_through_a_dealers_qr_credits_it_once_and_is_released_when_confirmed(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    program(&app).await;
    app.dealer("GM", "Europe/Paris").await;
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let token = app.state.signer.sign(Purpose::SelfRegistration, dealer.id);
    let path = format!("/s/{token}?serial=QR-0001");
    let (cookie, csrf, nonce, page) = open_form(&app, &path).await;
    assert!(
        page.contains("Dealer GM") && page.contains("value=\"QR-0001\""),
        "{page}"
    );
    assert!(page.contains("lang=\"fr\""), "in the browser's language");
    assert!(!page.contains(" checked"), "consent starts unticked");
    let fields = [
        ("csrf", csrf.as_str()),
        ("submission", nonce.as_str()),
        ("serial_number", "QR-0001"),
        ("sku", "MOWER-500"),
        ("purchase_date", "2026-11-25"),
        ("customer_name", "Owen Owner"),
        ("customer_email", "owen@client.test"),
        ("consent_service_reminders", "true"),
    ];
    let post = || async {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish()
            .into_bytes();
        app.send(
            axum::http::Method::POST,
            &format!("/s/{token}"),
            None,
            Some("application/x-www-form-urlencoded"),
            body,
            &[
                ("cookie", cookie.as_str()),
                ("origin", "https://warranty.test"),
                ("accept-language", "fr-FR"),
            ],
        )
        .await
    };
    let first = post().await;
    assert_eq!(first.status.as_u16(), 303, "{}", first.text);
    let again = post().await;
    assert_eq!(
        first.header("location"),
        again.header("location"),
        "a double submit registers once"
    );
    let done = app.get(first.header("location").unwrap(), None).await;
    assert!(
        done.text.contains("id=\"self-registered\""),
        "{}",
        done.text
    );
    // One registration, credited to the dealer of the code, through the owner's channel.
    let listed = app
        .get("/v1/registrations", Some(&app.dealer_key("GM").await))
        .await;
    let items = listed.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let registration = &items[0];
    assert_eq!(
        (
            registration["channel"].as_str(),
            registration["customer"]["locale"].as_str()
        ),
        (Some("owner_qr"), Some("fr"))
    );
    let id: uuid::Uuid = registration["id"].as_str().unwrap().parse().unwrap();
    // The owner rule pays (held), the dealers' rule does not.
    let lines = app.store.incentive_lines(id).await.unwrap();
    let paid: Vec<_> = lines
        .iter()
        .map(|l| (l.rule_id.as_str(), l.amount_minor, l.held))
        .collect();
    assert_eq!(paid, [("owners", 400, true)]);
    assert!(
        app.store.ledger().await.unwrap().is_empty(),
        "held: not owed yet"
    );
    // The owner confirms through the link of the confirmation email: the amount is released, once.
    let verify = format!("/v/{}", app.state.signer.sign(Purpose::Verify, id));
    for _ in 0..2 {
        let confirmed = app.post_form(&verify, None, &[]).await;
        assert!(confirmed.status.is_success(), "{}", confirmed.text);
    }
    let ledger = app.store.ledger().await.unwrap();
    assert_eq!(
        ledger
            .iter()
            .map(|l| (l.kind.as_str(), l.amount_minor))
            .collect::<Vec<_>>(),
        [("registration", 400)]
    );
    app.finish_claimed().await;
}

async fn a_forged_code_or_an_unknown_unit_reveals_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("GM", "Europe/Paris").await;
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let good = app.state.signer.sign(Purpose::SelfRegistration, dealer.id);
    // A verify token is not a QR token; a token altered by one character does not verify.
    let other = app.state.signer.sign(Purpose::Verify, dealer.id);
    let mut altered = good.clone();
    altered.replace_range(0..1, if good.starts_with('A') { "B" } else { "A" });
    for token in [other, altered, "nothing".to_owned()] {
        let page = app
            .send(
                axum::http::Method::GET,
                &format!("/s/{token}"),
                None,
                None,
                Vec::new(),
                &[("accept", "text/html")],
            )
            .await;
        assert_eq!(page.status.as_u16(), 404);
        assert!(
            !page.text.contains("Dealer GM") && page.text.contains("<html"),
            "{}",
            page.text
        );
    }
    for path in ["/01/04006381333931/21/NOPE", "/01/123/21/X", "/unit/NOPE/1"] {
        let page = app
            .send(
                axum::http::Method::GET,
                path,
                None,
                None,
                Vec::new(),
                &[("accept", "text/html")],
            )
            .await;
        assert_eq!(page.status.as_u16(), 404, "{path}");
    }
}

async fn a_units_address_shows_the_product_and_whether_it_is_registered_never_its_owner(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let key = app.dealer("GM", "Europe/Paris").await;
    let refused = app
        .put_json(
            "/v1/admin/products/GTIN-1",
            Some(&app.admin_key.clone()),
            &json!({"name": "Lawn tractor", "category": "garden", "warranty_months": 24, "warranty_start": "purchase",
                "service_plan": ["P12M"], "registration_window_days": 30, "gtin": "4006381333932"}),
        )
        .await;
    refused.assert_problem(422);
    assert_eq!(refused.field_errors()[0].0, "gtin");
    app.put_product("GTIN-1", json!({"name": "Lawn tractor", "category": "garden", "warranty_months": 24,
        "warranty_start": "purchase", "service_plan": ["P12M"], "registration_window_days": 30, "gtin": "4006381333931"}))
        .await;
    let address = "/01/04006381333931/21/LT-0001";
    let before = app.get(address, None).await;
    assert!(
        before.text.contains("Lawn tractor") && before.text.contains("id=\"unit-unregistered\""),
        "{}",
        before.text
    );
    let mut body = crate::helpers::registration("LT-0001");
    body["sku"] = json!("GTIN-1");
    body["customer"]["name"] = json!("Private Person");
    assert_eq!(app.register(&key, &body).await.status.as_u16(), 201);
    let after = app.get(address, None).await;
    assert!(
        after.text.contains("id=\"unit-registered\""),
        "{}",
        after.text
    );
    assert!(
        !after.text.contains("Private Person") && !after.text.contains("Dealer GM"),
        "no owner, no dealer: {}",
        after.text
    );
    // A second product may not take the same GTIN.
    let taken = app
        .put_json(
            "/v1/admin/products/GTIN-2",
            Some(&app.admin_key.clone()),
            &json!({"name": "Other", "category": "garden", "warranty_months": 24, "warranty_start": "purchase",
                "service_plan": [], "registration_window_days": 30, "gtin": "04006381333931"}),
        )
        .await;
    taken.assert_problem(422);
    app.finish_claimed().await;
}

/// Decodes a PNG with zbarimg (Debian's zbar-tools; scripts/test installs it).
fn zbarimg(png: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("code.png");
    std::fs::write(&file, png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&file)
        .output()
        .expect("zbarimg is required (scripts/test installs zbar-tools)");
    assert!(
        out.status.success(),
        "zbarimg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

async fn qr_codes_decode_back_to_their_addresses_with_zbarimg(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("GM", "Europe/Paris").await;
    app.put_product("GTIN-1", json!({"name": "Lawn tractor", "category": "garden", "warranty_months": 24,
        "warranty_start": "purchase", "service_plan": ["P12M"], "registration_window_days": 30, "gtin": "96385074"}))
        .await;
    let dana = app
        .person("dana@gm.test", "Dana", "dealer_staff", Some("GM"))
        .await;
    let ada = app.person("ada@oem.test", "Ada", "admin", None).await;
    let (dana, ada) = (app.sign_in(&dana).await, app.sign_in(&ada).await);
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let token = app.state.signer.sign(Purpose::SelfRegistration, dealer.id);
    let png = app
        .page("/dealer/qr.png?sku=MOWER-500&serial=AB%2012", &dana)
        .await;
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(
        zbarimg(&png.body),
        format!("https://warranty.test/s/{token}?sku=MOWER-500&serial=AB+12")
    );
    let page = app.page("/dealer/qr", &dana).await;
    assert!(page.text.contains("<svg class=\"qr\""), "{}", page.text);
    let unit = app
        .page("/admin/units/qr.png?sku=GTIN-1&serial=LT-0001", &ada)
        .await;
    assert_eq!(
        zbarimg(&unit.body),
        "https://warranty.test/01/00000096385074/21/LT-0001"
    );
    let short = app
        .page("/admin/units/qr.png?sku=MOWER-500&serial=M-9", &ada)
        .await;
    assert_eq!(
        zbarimg(&short.body),
        "https://warranty.test/unit/MOWER-500/M-9"
    );
    // The printable sheet: one labelled code per serial.
    let form = app.page("/admin/units", &ada).await;
    let csrf = hidden_csrf(&form.text);
    let sheet = app
        .form_from_site(
            "/admin/units",
            &ada,
            &[
                ("csrf", &csrf),
                ("sku", "GTIN-1"),
                ("serials", "serial_number\nLT-0011\nLT-0012,extra\n"),
            ],
        )
        .await;
    assert_eq!(sheet.status.as_u16(), 200, "{}", sheet.text);
    assert_eq!(
        sheet.text.matches("<svg class=\"qr\"").count(),
        2,
        "{}",
        sheet.text
    );
}

async fn the_owner_page_from_any_email_shows_their_units_and_takes_their_choices(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("GM", "Europe/Paris").await;
    let mut body = crate::helpers::registration("OWN-0001");
    body["customer"]["email"] = json!("olive@client.test");
    body["customer"]["name"] = json!("Olive Owner");
    body["consent"] = json!({"service_reminders": true, "marketing": false});
    let created = app.register(&key, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let mut other = crate::helpers::registration("OTHER-0001");
    other["customer"]["email"] = json!("someone@else.test");
    other["customer"]["name"] = json!("Somebody Else");
    let other = app.register(&key, &other).await;
    // The confirmation carries the owner page's link.
    let memory = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(memory.clone()));
    sender.dispatch_once().await.unwrap();
    let confirmation: uuid::Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    sender.send_reminder(confirmation).await.unwrap();
    let sent = memory
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.raw.clone())
        .collect::<Vec<_>>()
        .join("\n");
    let unfolded = sent.replace("=\r\n", "").replace("=3D", "=");
    let token = app.state.signer.sign(Purpose::Owner, confirmation);
    assert!(
        unfolded.contains(&format!("https://warranty.test/o/{token}")),
        "no owner link in the email"
    );
    let path = format!("/o/{token}");
    let page = app.get(&path, None).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    assert!(
        page.text.contains("OWN-0001") && page.text.contains("Robotic mower"),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains("OTHER-0001") && !page.text.contains("Somebody Else"),
        "another owner's unit"
    );
    assert!(
        page.text.contains(
            "consent_service_reminders\" name=\"consent_service_reminders\" value=\"true\" checked"
        ),
        "{}",
        page.text
    );
    // The owner withdraws the reminders and asks for marketing, as their own act.
    let cookie = format!("wd_signin={}", set_cookie(&page, "wd_signin").unwrap());
    let csrf = hidden_csrf(&page.text);
    let saved = app
        .form_from_site(
            &path,
            &cookie,
            &[("csrf", &csrf), ("consent_marketing", "true")],
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.text);
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let id: uuid::Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    let customer = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap()
        .customer_id;
    let consent = app.store.current_consent(customer).await.unwrap();
    assert_eq!(
        (consent.service_reminders, consent.marketing),
        (Some(false), Some(true))
    );
    // Another owner's unit cannot be reported from this page; this one can.
    let theirs = other.json["id"].as_str().unwrap().to_owned();
    let refused = app
        .form_from_site(
            &format!("{path}/not-mine"),
            &cookie,
            &[("csrf", &csrf), ("registration", &theirs)],
        )
        .await;
    assert_eq!(refused.status.as_u16(), 404);
    let mine = created.json["id"].as_str().unwrap().to_owned();
    let reported = app
        .form_from_site(
            &format!("{path}/not-mine"),
            &cookie,
            &[("csrf", &csrf), ("registration", &mine)],
        )
        .await;
    assert_eq!(reported.status.as_u16(), 303, "{}", reported.text);
    assert_eq!(
        app.store
            .fraud_signal_count("owner_disputes")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.store.current_consent(customer).await.unwrap().marketing,
        Some(false)
    );
    // A year and a day after the email, the link no longer opens the page.
    app.clock.advance(chrono::Duration::days(366));
    assert_eq!(app.get(&path, None).await.status.as_u16(), 404);
    app.finish_claimed().await;
}

async fn a_self_registration_may_carry_its_proof_of_purchase(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("GM", "Europe/Paris").await;
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let token = app.state.signer.sign(Purpose::SelfRegistration, dealer.id);
    let boundary = "----owner-proof";
    let post = |fields: Vec<(&'static str, String)>, file: Vec<u8>, cookie: String| {
        let mut body = Vec::new();
        for (name, value) in &fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(&file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let app = &app;
        let token = token.clone();
        async move {
            app.send(
                axum::http::Method::POST,
                &format!("/s/{token}"),
                None,
                Some(&format!("multipart/form-data; boundary={boundary}")),
                body,
                &[
                    ("cookie", cookie.as_str()),
                    ("origin", "https://warranty.test"),
                    ("accept-language", "en"),
                ],
            )
            .await
        }
    };
    let mut photo = std::io::Cursor::new(Vec::new());
    image::RgbImage::new(40, 30)
        .write_to(&mut photo, image::ImageFormat::Png)
        .unwrap();
    let photo = photo.into_inner();
    let (cookie, csrf, nonce, _) = open_form(&app, &format!("/s/{token}")).await;
    let fields = |serial: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("submission", nonce.clone()),
            ("serial_number", serial.to_owned()),
            ("sku", "MOWER-500".to_owned()),
            ("purchase_date", "2026-11-25".to_owned()),
            ("customer_name", "Owen Owner".to_owned()),
            ("customer_email", "owen@client.test".to_owned()),
        ]
    };
    // A polyglot: refused before anything is registered, the typed values kept.
    let mut polyglot = photo.clone();
    polyglot.extend_from_slice(b"<script>alert(1)</script>");
    let refused = post(fields("QRP-0001"), polyglot, cookie.clone()).await;
    assert_eq!(refused.status.as_u16(), 415, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"error-proof\"")
            && refused.text.contains("value=\"Owen Owner\""),
        "{}",
        refused.text
    );
    assert_eq!(app.store.table_counts().await.unwrap().registrations, 0);
    // A photo of the receipt: registered with it, as the owner's.
    let done = post(fields("QRP-0001"), photo.clone(), cookie).await;
    assert_eq!(done.status.as_u16(), 303, "{}", done.text);
    let listed = app
        .get("/v1/registrations", Some(&app.dealer_key("GM").await))
        .await;
    let id: uuid::Uuid = listed.json["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let proof = app
        .store
        .latest_proof(id, None)
        .await
        .unwrap()
        .expect("a proof");
    assert_eq!(
        (proof.uploaded_by.as_str(), proof.content_type.as_str()),
        ("owner", "image/png")
    );
}

both_backends!(
    a_self_registration_may_carry_its_proof_of_purchase,
    the_owner_page_from_any_email_shows_their_units_and_takes_their_choices,
    a_self_registration_through_a_dealers_qr_credits_it_once_and_is_released_when_confirmed,
    a_forged_code_or_an_unknown_unit_reveals_nothing,
    a_units_address_shows_the_product_and_whether_it_is_registered_never_its_owner,
    qr_codes_decode_back_to_their_addresses_with_zbarimg,
);
