//! Ownership transfer: the owner offers a unit from their page, the new owner accepts once with
//! their own details; the reminders follow the unit to the new owner (the old owner's pending ones
//! stop), the selling dealer keeps its credit, no fraud signal is raised, and nothing of one owner
//! is shown to the other. A dealer can start one instead of getting a bare 409. Two transfers
//! racing: exactly one wins. The unit's history is schema.org JSON-LD (expanded by PyLD).

use serde_json::json;
use uuid::Uuid;
use warrantyd::tokens::Purpose;

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, hidden_csrf, set_cookie, spawn_app};

/// A program paying the selling dealer 12.50 per registration.
async fn program(app: &TestApp) {
    let resp = app
        .put_json(
            "/v1/admin/programs/REG",
            Some(&app.admin_key.clone()),
            &json!({"name": "Bonus", "currency": "EUR", "valid_from": "2020-01-01", "rules": [
                {"id": "all", "category": "garden", "registration_minor": 1250}
            ]}),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.text);
}

/// Registers `serial` for Olive (English); returns (registration id, owner page path).
async fn olive_registers(app: &TestApp, key: &str, serial: &str) -> (Uuid, String) {
    let mut body = crate::helpers::registration(serial);
    body["customer"] = json!({"name": "Olive Oldowner", "email": "olive@client.test", "locale": "en-GB",
        "time_zone": "Europe/London", "country": "GB"});
    let created = app.register(key, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let id: Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    let confirmation: Uuid = created.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    (
        id,
        format!("/o/{}", app.state.signer.sign(Purpose::Owner, confirmation)),
    )
}

/// Opens a page as a phone would: (its cookie for the form, its CSRF token, the page).
async fn open(app: &TestApp, path: &str, language: &str) -> (String, String, Resp) {
    let page = app
        .send(
            axum::http::Method::GET,
            path,
            None,
            None,
            Vec::new(),
            &[("accept-language", language), ("accept", "text/html")],
        )
        .await;
    let cookie = set_cookie(&page, "wd_signin")
        .map(|c| format!("wd_signin={c}"))
        .unwrap_or_default();
    let csrf = if page.text.contains("name=\"csrf\"") {
        hidden_csrf(&page.text)
    } else {
        String::new()
    };
    (cookie, csrf, page)
}

async fn post_as(
    app: &TestApp,
    path: &str,
    cookie: &str,
    language: &str,
    fields: &[(&str, &str)],
) -> Resp {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
        .into_bytes();
    app.send(
        axum::http::Method::POST,
        path,
        None,
        Some("application/x-www-form-urlencoded"),
        body,
        &[
            ("cookie", cookie),
            ("origin", "https://warranty.test"),
            ("accept-language", language),
        ],
    )
    .await
}

/// The owner offers the unit of `registration` to `email` from their page.
async fn offer(app: &TestApp, owner_page: &str, registration: Uuid, email: &str) -> Resp {
    let (cookie, csrf, page) = open(app, owner_page, "en-GB").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    post_as(
        app,
        &format!("{owner_page}/transfer"),
        &cookie,
        "en-GB",
        &[
            ("csrf", &csrf),
            ("registration", &registration.to_string()),
            ("email", email),
        ],
    )
    .await
}

/// The new owner accepts through `link` with their details, in French.
async fn accept(app: &TestApp, link: &str, name: &str, email: &str) -> Resp {
    let path = link.trim_start_matches("https://warranty.test");
    let (cookie, csrf, page) = open(app, path, "fr-FR,fr;q=0.9").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    post_as(
        app,
        path,
        &cookie,
        "fr-FR",
        &[
            ("csrf", &csrf),
            ("customer_name", name),
            ("customer_email", email),
            ("consent_service_reminders", "true"),
        ],
    )
    .await
}

async fn an_owner_transfers_a_unit_and_the_reminders_follow_it_to_the_new_owner(backend: Backend) {
    let app = spawn_app(backend).await;
    program(&app).await;
    let key = app.dealer("GM", "Europe/Paris").await;
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let (id, olive_page) = olive_registers(&app, &key, "TR-0001").await;
    // The confirmation goes to Olive before the transfer.
    let memory = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(memory.clone()));
    let before = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap();
    let olive = before.customer_id;
    let confirmation = before
        .reminders
        .iter()
        .find(|r| r.kind == "registration_confirmation")
        .unwrap()
        .id;
    sender.dispatch_once().await.unwrap();
    sender.send_reminder(confirmation).await.unwrap();
    let credit_before = app.store.incentive_lines(id).await.unwrap();
    assert_eq!(credit_before.len(), 1, "the seller earned 12.50");
    let signals_before = app.store.fraud_signal_total().await.unwrap();

    let offered = offer(&app, &olive_page, id, "nora@client.test").await;
    assert_eq!(offered.status.as_u16(), 303, "{}", offered.text);
    assert!(
        offered
            .header("location")
            .unwrap()
            .ends_with("?transfer=sent")
    );
    let pending = app.get(&olive_page, None).await;
    assert!(
        pending.text.contains("id=\"transfer-pending-1\""),
        "{}",
        pending.text
    );
    let link = app.notice_link("nora@client.test", "https://warranty.test/t/");
    // Until the new owner accepts, nothing changes.
    for (_, _, _, status, to) in app.store.reminder_addressees(id).await.unwrap() {
        if status == "pending" {
            assert_eq!(to, Some(olive));
        }
    }
    // The new owner's form shows the unit and nothing of Olive.
    let (_, _, form) = open(
        &app,
        link.trim_start_matches("https://warranty.test"),
        "fr-FR",
    )
    .await;
    assert!(
        form.text.contains("TR-0001") && form.text.contains("lang=\"fr\""),
        "{}",
        form.text
    );
    assert!(
        !form.text.contains("Olive") && !form.text.contains("olive@"),
        "the old owner shows"
    );
    assert!(
        form.text.contains("value=\"nora@client.test\""),
        "the invited address is prefilled"
    );
    assert!(!form.text.contains(" checked"), "consent starts unticked");

    let accepted = accept(&app, &link, "Nora Newowner", "nora@client.test").await;
    assert_eq!(accepted.status.as_u16(), 303, "{}", accepted.text);
    let done = app.get(accepted.header("location").unwrap(), None).await;
    assert!(done.text.contains("id=\"transfer-done\""), "{}", done.text);
    // The link works once.
    let (_, _, again) = open(
        &app,
        link.trim_start_matches("https://warranty.test"),
        "fr-FR",
    )
    .await;
    assert_eq!(again.status.as_u16(), 410, "{}", again.text);

    // The registration is Nora's, in French; the seller's credit is untouched.
    let after = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap();
    let nora = after.customer_id;
    assert_ne!(nora, olive);
    assert_eq!(
        (
            after.customer.name.as_deref(),
            after.customer.locale.as_str(),
            after.status.as_str()
        ),
        (Some("Nora Newowner"), "fr", "active")
    );
    assert_eq!(
        after.warranty_expires_on, before.warranty_expires_on,
        "the warranty carries over"
    );
    let credit_after = app.store.incentive_lines(id).await.unwrap();
    assert_eq!(
        credit_after
            .iter()
            .map(|l| (l.kind.clone(), l.amount_minor))
            .collect::<Vec<_>>(),
        credit_before
            .iter()
            .map(|l| (l.kind.clone(), l.amount_minor))
            .collect::<Vec<_>>(),
        "no clawback, no second credit"
    );
    assert_eq!(
        app.store.fraud_signal_total().await.unwrap(),
        signals_before,
        "no fraud signal"
    );
    // Olive's pending reminders stopped; what is planned now is addressed to Nora, with her own
    // confirmation; what was sent to Olive stays hers.
    let reminders = app.store.reminder_addressees(id).await.unwrap();
    let mut planned_for_nora = 0;
    for (_, kind, occurrence, status, to) in &reminders {
        match status.as_str() {
            "pending" => {
                assert_eq!(
                    *to,
                    Some(nora),
                    "{kind} {occurrence} is addressed to the old owner"
                );
                planned_for_nora += 1;
            }
            "sent" | "queued" => assert_eq!(*to, Some(olive), "{kind} {occurrence}"),
            _ => {}
        }
    }
    assert!(
        planned_for_nora >= 3,
        "confirmation and service steps for Nora: {reminders:?}"
    );
    let nora_confirmation = reminders
        .iter()
        .find(|(_, kind, occurrence, _, _)| kind == "registration_confirmation" && *occurrence == 1)
        .map(|r| r.0)
        .expect("a confirmation for the new owner");
    sender.dispatch_once().await.unwrap();
    sender.send_reminder(nora_confirmation).await.unwrap();
    let sent = memory.lock().unwrap().clone();
    let last = sent.last().unwrap();
    assert_eq!(last.to, vec!["nora@client.test".to_owned()]);
    let parsed = mail_parser::MessageParser::default()
        .parse(last.raw.as_bytes())
        .unwrap();
    assert!(
        parsed.body_text(0).unwrap().contains("Bonjour"),
        "in the new owner's language: {}",
        parsed.body_text(0).unwrap()
    );

    // Olive's page: the unit handed on, nothing of Nora; her old link acts on her only.
    let olive_now = app.get(&olive_page, None).await;
    assert_eq!(olive_now.status.as_u16(), 200);
    assert!(
        olive_now.text.contains("id=\"handed-on-heading\""),
        "{}",
        olive_now.text
    );
    assert!(!olive_now.text.contains("Nora") && !olive_now.text.contains("nora@"));
    assert!(
        !olive_now.text.contains("name=\"registration\""),
        "no action on a unit she no longer owns"
    );
    // She did not agree to it? She says so, and admins see a fraud signal with the evidence.
    let (cookie, csrf, opened) = open(&app, &olive_page, "en-GB").await;
    assert!(opened.text.contains("id=\"dispute-1\""), "{}", opened.text);
    let transfer_id = {
        let marker = "name=\"transfer\" value=\"";
        let at = opened.text.find(marker).unwrap() + marker.len();
        opened.text[at..at + opened.text[at..].find('"').unwrap()].to_owned()
    };
    let disputed = post_as(
        &app,
        &format!("{olive_page}/transfer/dispute"),
        &cookie,
        "en-GB",
        &[("csrf", &csrf), ("transfer", &transfer_id)],
    )
    .await;
    assert_eq!(disputed.status.as_u16(), 303, "{}", disputed.text);
    assert!(
        app.get(disputed.header("location").unwrap(), None)
            .await
            .text
            .contains("id=\"transfer-disputed\"")
    );
    assert_eq!(
        app.store
            .fraud_signal_count("transfer_disputed")
            .await
            .unwrap(),
        1
    );
    // Nobody else's transfer can be disputed from her page.
    let other = post_as(
        &app,
        &format!("{olive_page}/transfer/dispute"),
        &cookie,
        "en-GB",
        &[("csrf", &csrf), ("transfer", &Uuid::now_v7().to_string())],
    )
    .await;
    assert_eq!(other.status.as_u16(), 404);
    // Nora's page, from the done page: her unit, nothing of Olive.
    let marker = "href=\"https://warranty.test/o/";
    let at = done
        .text
        .find(marker)
        .expect("a link to the new owner's page")
        + "href=\"https://warranty.test".len();
    let nora_page = &done.text[at..at + done.text[at..].find('"').unwrap()];
    let page = app.get(nora_page, None).await;
    assert!(
        page.text.contains("TR-0001") && !page.text.contains("Olive"),
        "{}",
        page.text
    );
}

async fn two_concurrent_transfers_of_one_unit_exactly_one_succeeds(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("GM", "Europe/Paris").await;
    let (id, _) = olive_registers(&app, &key, "TR-0002").await;
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let olive = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap()
        .customer_id;
    let intake = &app.state.intake;
    let owner = || warrantyd::workflows::transfer::Starter::Owner { customer_id: olive };
    let first = intake
        .start_transfer(owner(), id, "ann@client.test", "en")
        .await
        .unwrap();
    let second = intake
        .start_transfer(owner(), id, "ben@client.test", "en")
        .await
        .unwrap();
    let person = |name: &str, email: &str| warrantyd::domain::registration::CustomerRequest {
        name: Some(name.into()),
        email: Some(email.into()),
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
    let (ann, ben) = (
        person("Ann", "ann@client.test"),
        person("Ben", "ben@client.test"),
    );
    let (a, b) = tokio::join!(
        intake.accept_transfer(first.id, &ann, consent),
        intake.accept_transfer(second.id, &ben, consent),
    );
    let won = [a.is_ok(), b.is_ok()];
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{a:?} {b:?}");
    let lost = if a.is_ok() { b } else { a };
    assert!(
        matches!(
            lost,
            Err(warrantyd::workflows::transfer::TransferError::Superseded
                | warrantyd::workflows::transfer::TransferError::Gone)
        ),
        "{lost:?}"
    );
    let owner_now = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap();
    let expected = if won[0] { "Ann" } else { "Ben" };
    assert_eq!(owner_now.customer.name.as_deref(), Some(expected));
}

async fn a_dealer_starts_a_transfer_instead_of_a_bare_409_and_the_history_is_json_ld(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let seller = app.dealer("GM", "Europe/Paris").await;
    let other = app.dealer("HB", "Europe/Paris").await;
    let (id, _) = olive_registers(&app, &seller, "TR-0003").await;
    // The second dealer's registration of a resold unit: 409, pointing at the transfer.
    let mut again = crate::helpers::registration("TR-0003");
    again["customer"]["email"] = json!("nico@client.test");
    let refused = app.register(&other, &again).await;
    refused.assert_problem(409);
    assert!(
        refused.json["detail"]
            .as_str()
            .unwrap()
            .contains("/v1/transfers"),
        "{}",
        refused.text
    );
    let signals = app.store.fraud_signal_total().await.unwrap();
    // Bad input first: an unknown serial, an invalid address, unknown fields.
    app.post_json(
        "/v1/transfers",
        Some(&other),
        &json!({"serial_number": "NOPE-1", "new_owner_email": "nico@client.test"}),
    )
    .await
    .assert_problem(404);
    let invalid = app
        .post_json(
            "/v1/transfers",
            Some(&other),
            &json!({"serial_number": "TR-0003", "new_owner_email": "not an address"}),
        )
        .await;
    invalid.assert_problem(422);
    assert_eq!(invalid.field_errors()[0].0, "new_owner_email");
    app.post_json(
        "/v1/transfers",
        Some(&other),
        &json!({"serial_number": "TR-0003", "new_owner_email": "nico@client.test", "x": 1}),
    )
    .await
    .assert_problem(422);
    let started = app
        .post_json(
            "/v1/transfers",
            Some(&other),
            &json!({"serial_number": "tr-0003", "new_owner_email": "nico@client.test"}),
        )
        .await;
    assert_eq!(started.status.as_u16(), 201, "{}", started.text);
    assert_eq!(started.json["status"], "pending");
    assert!(
        !started.text.contains("Olive") && !started.text.contains("olive@"),
        "{}",
        started.text
    );
    let link = app.notice_link("nico@client.test", "https://warranty.test/t/");
    assert!(
        app.notice_text("nico@client.test").contains("Dealer HB"),
        "the email names the dealer who started it"
    );
    let accepted = accept(&app, &link, "Nico Second", "nico@client.test").await;
    assert_eq!(accepted.status.as_u16(), 303, "{}", accepted.text);
    assert_eq!(
        app.store.fraud_signal_total().await.unwrap(),
        signals,
        "a transfer is no fraud"
    );
    // The seller still holds the registration; the other dealer still cannot read it.
    let read = app
        .get(&format!("/v1/registrations/{id}"), Some(&seller))
        .await;
    assert_eq!(read.json["customer"]["name"], "Nico Second");
    app.get(&format!("/v1/registrations/{id}"), Some(&other))
        .await
        .assert_problem(404);

    // The history: schema.org JSON-LD, two owners, dates only.
    let history = app
        .get(&format!("/v1/registrations/{id}/history"), Some(&seller))
        .await;
    assert_eq!(history.status.as_u16(), 200, "{}", history.text);
    assert_eq!(history.header("content-type"), Some("application/ld+json"));
    for secret in ["Olive", "olive@", "Nico", "nico@"] {
        assert!(
            !history.text.contains(secret),
            "{secret} in {}",
            history.text
        );
    }
    app.get(&format!("/v1/registrations/{id}/history"), Some(&other))
        .await
        .assert_problem(404);
    let admin = app.admin_key.clone();
    let admin_history = app
        .get(
            &format!("/v1/admin/registrations/{id}/history"),
            Some(&admin),
        )
        .await;
    assert_eq!(admin_history.text, history.text);
    // PyLD expands it to schema.org terms: one IndividualProduct, two OwnershipInfo, the second
    // acquired through the dealer who started the transfer.
    let script = r#"
import json, sys
from pyld import jsonld
doc = json.load(sys.stdin)
expanded = jsonld.expand(doc)
s = "http://schema.org/" if False else "https://schema.org/"
types = sorted(t for node in expanded for t in node.get("@type", []))
infos = [n for n in expanded if s + "OwnershipInfo" in n.get("@type", [])]
infos.sort(key=lambda n: n[s + "ownedFrom"][0]["@value"])
out = {
  "types": types,
  "serial": [n[s + "serialNumber"][0]["@value"] for n in expanded if s + "IndividualProduct" in n["@type"]],
  "open_ended": [s + "ownedThrough" not in n for n in infos],
  "acquired_from": [n.get(s + "acquiredFrom", [{}])[0].get(s + "name", [{}])[0].get("@value") for n in infos],
  "type_of_good": [n[s + "typeOfGood"][0]["@id"] for n in infos],
}
print(json.dumps(out))
"#;
    let mut child = std::process::Command::new(crate::smtp::python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python with PyLD (scripts/test installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(history.text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got,
        json!({
            "types": ["https://schema.org/IndividualProduct", "https://schema.org/OwnershipInfo", "https://schema.org/OwnershipInfo"],
            "serial": ["TR-0003"],
            "open_ended": [false, true],
            "acquired_from": ["Dealer GM", "Dealer HB"],
            "type_of_good": ["https://warranty.test/unit/MOWER-500/TR-0003", "https://warranty.test/unit/MOWER-500/TR-0003"],
        })
    );
}

async fn the_products_policy_and_the_links_expiry_are_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("GM", "Europe/Paris").await;
    // A product whose warranty stays with the first owner: no transfer, from the page or the API.
    app.put_product("MOWER-500", json!({
        "name": "Robotic mower", "category": "garden", "warranty_months": 24, "warranty_start": "purchase",
        "service_plan": ["P6M", "P12M"], "registration_window_days": 30, "transfer_policy": "not_transferable"
    }))
    .await;
    let (id, page) = olive_registers(&app, &key, "TR-0004").await;
    let owner_page = app.get(&page, None).await;
    assert!(
        !owner_page.text.contains("/transfer\""),
        "a transfer form for a non-transferable unit"
    );
    let refused = offer(&app, &page, id, "nora@client.test").await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    assert!(
        refused.text.contains("cannot be transferred"),
        "{}",
        refused.text
    );
    let other = app.dealer("HB", "Europe/Paris").await;
    app.post_json(
        "/v1/transfers",
        Some(&other),
        &json!({"serial_number": "TR-0004", "new_owner_email": "n@client.test"}),
    )
    .await
    .assert_problem(409);

    // Once: the first owner may transfer, the second may not.
    app.put_product("MOWER-500", json!({
        "name": "Robotic mower", "category": "garden", "warranty_months": 24, "warranty_start": "purchase",
        "service_plan": ["P6M", "P12M"], "registration_window_days": 30, "transfer_policy": "once"
    }))
    .await;
    assert_eq!(
        offer(&app, &page, id, "nora@client.test")
            .await
            .status
            .as_u16(),
        303
    );
    // Bad input on the owner's page: their own address, then not an address.
    let own = offer(&app, &page, id, "olive@client.test").await;
    assert_eq!(own.status.as_u16(), 422);
    assert!(own.text.contains("your own email address"), "{}", own.text);
    let bad = offer(&app, &page, id, "nora at client").await;
    assert_eq!(bad.status.as_u16(), 422);
    assert!(bad.text.contains("aria-invalid=\"true\""), "{}", bad.text);
    let link = app.notice_link("nora@client.test", "https://warranty.test/t/");
    assert_eq!(
        accept(&app, &link, "Nora", "nora@client.test")
            .await
            .status
            .as_u16(),
        303
    );
    app.post_json(
        "/v1/transfers",
        Some(&other),
        &json!({"serial_number": "TR-0004", "new_owner_email": "third@client.test"}),
    )
    .await
    .assert_problem(409);

    // A link expires after transfer_link_days (14): then it says so and changes nothing.
    app.put_product("MOWER-500", json!({
        "name": "Robotic mower", "category": "garden", "warranty_months": 24, "warranty_start": "purchase",
        "service_plan": ["P6M", "P12M"], "registration_window_days": 30
    }))
    .await;
    let started = app
        .post_json(
            "/v1/transfers",
            Some(&other),
            &json!({"serial_number": "TR-0004", "new_owner_email": "late@client.test"}),
        )
        .await;
    assert_eq!(started.status.as_u16(), 201, "{}", started.text);
    let late = app.notice_link("late@client.test", "https://warranty.test/t/");
    app.clock
        .advance(chrono::Duration::days(14) + chrono::Duration::minutes(1));
    let (_, _, expired) = open(&app, late.trim_start_matches("https://warranty.test"), "en").await;
    assert_eq!(expired.status.as_u16(), 410, "{}", expired.text);
    // A forged or altered link: a plain page, nothing revealed.
    let forged = format!("/t/{}", app.state.signer.sign(Purpose::Owner, id));
    let (_, _, page) = open(&app, &forged, "en").await;
    assert_eq!(page.status.as_u16(), 404);
    assert!(!page.text.contains("TR-0004"));
}

async fn erasing_a_previous_owner_leaves_the_current_owner_intact(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("GM", "Europe/Paris").await;
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let (id, page) = olive_registers(&app, &key, "TR-0005").await;
    // Olive corrects her name first (a correction event holds her details).
    let corrected = app
        .send(
            axum::http::Method::PATCH,
            &format!("/v1/registrations/{id}"),
            Some(&key),
            Some("application/json"),
            serde_json::to_vec(&json!({"customer": {"name": "Olive O. Oldowner"}})).unwrap(),
            &[],
        )
        .await;
    assert_eq!(corrected.status.as_u16(), 200, "{}", corrected.text);
    assert_eq!(
        offer(&app, &page, id, "nora@client.test")
            .await
            .status
            .as_u16(),
        303
    );
    let link = app.notice_link("nora@client.test", "https://warranty.test/t/");
    assert_eq!(
        accept(&app, &link, "Nora Newowner", "nora@client.test")
            .await
            .status
            .as_u16(),
        303
    );
    let pending_before: Vec<_> = app
        .store
        .reminder_addressees(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.3 == "pending")
        .collect();
    assert!(!pending_before.is_empty());

    let erased = app
        .post_json(
            "/v1/admin/people/erase",
            Some(&app.admin_key.clone()),
            &json!({"email": "olive@client.test"}),
        )
        .await;
    assert_eq!(erased.status.as_u16(), 200, "{}", erased.text);
    assert_eq!(erased.json["customer_ids"].as_array().unwrap().len(), 1);
    // Nora's registration, reminders and details are untouched.
    let now = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            now.status.as_str(),
            now.customer.name.as_deref(),
            now.customer.email.as_deref()
        ),
        ("active", Some("Nora Newowner"), Some("nora@client.test"))
    );
    let pending_after: Vec<_> = app
        .store
        .reminder_addressees(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.3 == "pending")
        .collect();
    assert_eq!(
        pending_after, pending_before,
        "the current owner's reminders stay"
    );
    // Olive is gone everywhere, her correction's details too.
    let audit = app
        .get(
            &format!("/v1/admin/people?email=olive%40client.test"),
            Some(&app.admin_key.clone()),
        )
        .await;
    assert!(!audit.text.contains("Olive"), "{}", audit.text);
    let corrections = app.store.corrections(id).await.unwrap();
    for c in &corrections {
        assert!(!c.contains("Olive") && !c.contains("olive@"), "{c}");
    }
    assert!(!corrections.is_empty());
}

async fn at_the_counter_a_unit_of_another_owner_is_offered_to_the_customer(backend: Backend) {
    let app = spawn_app(backend).await;
    let seller = app.dealer("GM", "Europe/Paris").await;
    app.dealer("HB", "Europe/Paris").await;
    let (id, _) = olive_registers(&app, &seller, "TR-0006").await;
    let hugo = app
        .person("hugo@hb.test", "Hugo", "dealer_staff", Some("HB"))
        .await;
    let cookie = app.sign_in(&hugo).await;
    let page = app.page("/dealer/register", &cookie).await;
    let csrf = hidden_csrf(&page.text);
    let fields = [
        ("csrf", csrf.as_str()),
        ("serial_number", "TR-0006"),
        ("sku", "MOWER-500"),
        ("purchase_date", "2026-11-25"),
        ("customer_name", "Nico Second"),
        ("customer_email", "nico@client.test"),
        ("customer_locale", "fr"),
    ];
    let refused = app
        .form_from_site("/dealer/register", &cookie, &fields)
        .await;
    assert_eq!(refused.status.as_u16(), 409, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"transfer-offer\""),
        "{}",
        refused.text
    );
    assert!(!refused.text.contains("Olive"), "the previous owner shows");
    let csrf = hidden_csrf(&refused.text);
    // Without an address: the message is next to the field, nothing is sent.
    let empty = app
        .form_from_site(
            "/dealer/transfers",
            &cookie,
            &[
                ("csrf", &csrf),
                ("serial_number", "TR-0006"),
                ("email", ""),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(empty.status.as_u16(), 422, "{}", empty.text);
    assert!(
        empty.text.contains("id=\"error-transfer-email\""),
        "{}",
        empty.text
    );
    let sent = app
        .form_from_site(
            "/dealer/transfers",
            &cookie,
            &[
                ("csrf", &csrf),
                ("serial_number", "TR-0006"),
                ("email", "nico@client.test"),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(sent.status.as_u16(), 303, "{}", sent.text);
    let notice = app.page(sent.header("location").unwrap(), &cookie).await;
    assert!(
        notice.text.contains("id=\"transfer-sent\""),
        "{}",
        notice.text
    );
    let link = app.notice_link("nico@client.test", "https://warranty.test/t/");
    let text = app.notice_text("nico@client.test");
    assert!(
        text.contains("Dealer HB demande à vous transférer"),
        "in the customer's language, naming the dealer who started it: {text}"
    );
    assert_eq!(
        accept(&app, &link, "Nico Second", "nico@client.test")
            .await
            .status
            .as_u16(),
        303
    );
    let read = app
        .get(&format!("/v1/registrations/{id}"), Some(&seller))
        .await;
    assert_eq!(read.json["customer"]["name"], "Nico Second");
}

async fn the_owner_is_told_of_a_dealers_transfer_and_can_stop_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let seller = app.dealer("GM", "Europe/Paris").await;
    let other = app.dealer("HB", "Europe/Paris").await;
    let (id, _) = olive_registers(&app, &seller, "TR-0007").await;
    let started = app
        .post_json(
            "/v1/transfers",
            Some(&other),
            &json!({"serial_number": "TR-0007", "new_owner_email": "mallory@client.test"}),
        )
        .await;
    assert_eq!(started.status.as_u16(), 201, "{}", started.text);
    let link = app.notice_link("mallory@client.test", "https://warranty.test/t/");
    // Olive is told, in her language, with her page's link; the email names the dealer.
    let page = app.notice_link("olive@client.test", "https://warranty.test/o/");
    let told = app.notice_text("olive@client.test");
    assert!(told.contains("Dealer HB has asked to transfer"), "{told}");
    assert!(
        !told.contains("mallory"),
        "the new owner's address is not shown"
    );
    // She stops it from her page; the link then changes nothing.
    let path = page.trim_start_matches("https://warranty.test").to_owned();
    let (cookie, csrf, opened) = open(&app, &path, "en-GB").await;
    assert!(
        opened.text.contains("id=\"stop-transfer-1\""),
        "{}",
        opened.text
    );
    let stopped = post_as(
        &app,
        &format!("{path}/transfer/stop"),
        &cookie,
        "en-GB",
        &[("csrf", &csrf), ("registration", &id.to_string())],
    )
    .await;
    assert_eq!(stopped.status.as_u16(), 303, "{}", stopped.text);
    let after = app.get(stopped.header("location").unwrap(), None).await;
    assert!(
        after.text.contains("id=\"transfer-stopped\"") && !after.text.contains("stop-transfer-1"),
        "{}",
        after.text
    );
    let (_, _, ended) = open(&app, link.trim_start_matches("https://warranty.test"), "en").await;
    assert_eq!(ended.status.as_u16(), 410, "{}", ended.text);
    let dealer = app.store.dealer_by_code("GM").await.unwrap().unwrap();
    let still = app
        .store
        .registration_for_dealer(dealer.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.customer.name.as_deref(), Some("Olive Oldowner"));
}

both_backends!(
    the_owner_is_told_of_a_dealers_transfer_and_can_stop_it,
    at_the_counter_a_unit_of_another_owner_is_offered_to_the_customer,
    an_owner_transfers_a_unit_and_the_reminders_follow_it_to_the_new_owner,
    two_concurrent_transfers_of_one_unit_exactly_one_succeeds,
    a_dealer_starts_a_transfer_instead_of_a_bare_409_and_the_history_is_json_ld,
    the_products_policy_and_the_links_expiry_are_kept,
    erasing_a_previous_owner_leaves_the_current_owner_intact,
);
