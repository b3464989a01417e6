//! Every message passes checks nobody here wrote: dkimpy (the reference DKIM implementation)
//! verifies the RSA and the Ed25519 signature of every template in every language, with header
//! shapes that break naive signers (encoded-word names, long subjects, folded List-Unsubscribe),
//! both as written to the outbox and as received over SMTP; SpamAssassin scores each at 0 or below.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use warrantyd::mail::Mailer;
use warrantyd::store::Outcome;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, registration, spawn_app_with};
use crate::smtp::{SmtpServer, python};

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/keys")
}

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |c| {
        c.mail_from = "reminders@oem.test".into();
        c.dkim_selector = Some("s2026".into());
        c.dkim_private_key_file = Some(keys().join("rsa.pem"));
        c.dkim_ed25519_selector = Some("e2026".into());
        c.dkim_ed25519_private_key_file = Some(keys().join("ed25519.pem"));
        c.frequency_cap_count = 0;
        c.send_window = "* * * * * *".into();
    })
    .await
}

/// Runs tests/mail/check_mail.py on `files`; returns its JSON lines, failing with its report.
pub fn check_mail(files: &[PathBuf], spamassassin: bool) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/check_mail.py");
    let mut cmd = Command::new(python());
    cmd.arg(script)
        .arg("--dkim-key")
        .arg(format!(
            "s2026._domainkey.oem.test={}",
            keys().join("rsa.txt").display()
        ))
        .arg("--dkim-key")
        .arg(format!(
            "e2026._domainkey.oem.test={}",
            keys().join("ed25519.txt").display()
        ));
    if spamassassin {
        cmd.arg("--spamassassin");
    }
    let out = cmd
        .args(files)
        .output()
        .expect("python with dkimpy (scripts/test installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the independent checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Registers units whose messages stress the headers: a dealer name that needs an encoded word,
/// customers in English and French (one with a non-ASCII name), a long product name.
async fn registrations(app: &TestApp) -> Vec<Value> {
    let admin = app.admin_key.clone();
    app.put_json(
        "/v1/admin/dealers/HELENE",
        Some(&admin),
        &json!({"name": "Garage Hélène & Fils", "locale": "fr-FR", "time_zone": "Europe/Paris",
            "email": "atelier@garage-helene.example", "phone": "+33123456789", "address": "12 rue des Lilas, 75011 Paris",
            "booking_url": "https://garage-helene.example/rendez-vous"}),
    )
    .await;
    app.put_json(
        "/v1/admin/dealers/DEMO",
        Some(&admin),
        &json!({"name": "Demo Outdoor & Garden", "locale": "en-GB", "time_zone": "Europe/London",
            "email": "service@demo-dealer.example", "booking_url": "https://demo-dealer.example/book"}),
    )
    .await;
    app.put_product("LONG-1", json!({
        "name": "Robotic lawn mower with collection bag and rain sensor, professional edition", "category": "garden",
        "warranty_months": 24, "warranty_start": "purchase", "service_plan": ["P6M"], "registration_window_days": 30
    }))
    .await;
    let mut created = Vec::new();
    for (dealer, serial, name, locale, tz) in [
        (
            "HELENE",
            "DKIM-FR-1",
            "Zoé Dupont-Müller",
            "fr-FR",
            "Europe/Paris",
        ),
        (
            "DEMO",
            "DKIM-EN-1",
            "John O'Neill",
            "en-GB",
            "Europe/London",
        ),
    ] {
        let key = app
            .post_json(
                &format!("/v1/admin/dealers/{dealer}/keys"),
                Some(&admin),
                &json!({}),
            )
            .await
            .json["key"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut body = registration(serial);
        body["sku"] = json!("LONG-1");
        body["customer"]["name"] = json!(name);
        body["customer"]["locale"] = json!(locale);
        body["customer"]["time_zone"] = json!(tz);
        body["customer"]["email"] = json!(format!("{}@client.test", serial.to_lowercase()));
        let resp = app.register(&key, &body).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        created.push(resp.json);
    }
    created
}

fn reminder_ids(created: &[Value]) -> Vec<(String, uuid::Uuid)> {
    created
        .iter()
        .flat_map(|r| r["reminders"].as_array().unwrap().clone())
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["id"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

async fn every_template_and_language_passes_dkimpy_and_spamassassin(backend: Backend) {
    let app = app(backend).await;
    let created = registrations(&app).await;
    let outbox = app.state.config.outbox_dir.clone();
    let sender = app.sender(Mailer::Outbox(outbox.clone()));
    // Each kind when it falls due: the confirmation now, the service reminder, the warranty notice.
    let mut sent_kinds = Vec::new();
    for (kind, id) in reminder_ids(&created) {
        if let Some(due) = created
            .iter()
            .flat_map(|r| r["reminders"].as_array().unwrap().clone())
            .find(|r| r["id"] == json!(id.to_string()))
            .and_then(|r| r["due_at"].as_str().map(str::to_owned))
        {
            let due: chrono::DateTime<chrono::Utc> = due.parse().unwrap();
            if due > app.now() {
                app.clock.set(due);
            }
        }
        sender.dispatch_once().await.unwrap();
        let outcome = sender.send_reminder(id).await.unwrap();
        assert!(
            matches!(outcome, Some(Outcome::Sent { .. })),
            "{kind}: {outcome:?}"
        );
        sent_kinds.push(kind);
    }
    sent_kinds.sort();
    sent_kinds.dedup();
    assert_eq!(
        sent_kinds,
        [
            "registration_confirmation",
            "service_due",
            "warranty_expiring"
        ]
    );
    let files: Vec<PathBuf> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(files.len(), 6, "3 kinds in 2 languages");
    // The shapes that broke the old signer are really there.
    let all: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(all.contains("=?utf-8?"), "an encoded-word display name");
    // Links are written plainly, escaped only where HTML needs it.
    assert!(!all.contains("&#x2f;"), "entity-encoded slashes in a link");
    assert!(
        all.contains("href=3D\"https://warranty.test/")
            || all.contains("href=\"https://warranty.test/")
    );
    assert!(all.contains("List-ID: <helene.reminders.oem.test>") && all.contains("Feedback-ID: "));
    // What the messages say: every one carries a booking link (the design's promise, the
    // confirmation included), none ties the warranty to servicing at the dealer.
    for file in &files {
        let raw = std::fs::read(file).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let text = message.body_text(0).unwrap().to_lowercase();
        assert!(
            text.contains("https://warranty.test/r/"),
            "no booking link in {text}"
        );
        for claim in [
            "warranty valid",
            "conserver votre garantie",
            "garantit la sécurité",
        ] {
            assert!(!text.contains(claim), "{claim:?} in {text}");
        }
    }
    let results = check_mail(&files, true);
    // What each file is: the reminder in its name, and its registration's language.
    let what = |file: &str| {
        created
            .iter()
            .flat_map(|r| {
                let lang = &r["customer"]["locale"];
                r["reminders"].as_array().unwrap().iter().map(move |m| {
                    (
                        m["id"].as_str().unwrap().to_owned(),
                        format!("{} {}", m["kind"].as_str().unwrap(), lang.as_str().unwrap()),
                    )
                })
            })
            .find(|(id, _)| file.contains(id.as_str()))
            .map(|(_, what)| what)
            .unwrap()
    };
    for r in &results {
        let algorithms: Vec<&str> = r["dkim"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["algorithm"].as_str().unwrap())
            .collect();
        assert_eq!(algorithms.len(), 2, "{r}");
        assert!(
            algorithms.contains(&"rsa-sha256") && algorithms.contains(&"ed25519-sha256"),
            "{r}"
        );
        assert!(r["spam_score"].as_f64().unwrap() <= 0.0, "{r}");
        let verdicts: Vec<String> = r["dkim"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["algorithm"].as_str().unwrap(),
                    if d["ok"] == true {
                        "verified"
                    } else {
                        "FAILED"
                    }
                )
            })
            .collect();
        println!(
            "{:32} dkimpy: {}; SpamAssassin {} ({})",
            what(r["file"].as_str().unwrap()),
            verdicts.join(", "),
            r["spam_score"],
            r["spam_rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
}

async fn messages_received_over_smtp_verify_too(backend: Backend) {
    let app = app(backend).await;
    let created = registrations(&app).await;
    let server = SmtpServer::start();
    let sender = app.smtp_sender(&server.url());
    sender.dispatch_once().await.unwrap();
    for (kind, id) in reminder_ids(&created) {
        if kind == "registration_confirmation" {
            let outcome = sender.send_reminder(id).await.unwrap();
            assert!(matches!(outcome, Some(Outcome::Sent { .. })), "{outcome:?}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = server
        .received()
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let path = dir.path().join(format!("{i}.eml"));
            std::fs::write(&path, &m.raw).unwrap();
            path
        })
        .collect();
    assert_eq!(files.len(), 2);
    for r in check_mail(&files, false) {
        let signatures = r["dkim"].as_array().unwrap();
        assert!(!signatures.is_empty(), "no DKIM signature: {r}");
        assert!(signatures.iter().all(|d| d["ok"] == true), "{r}");
    }
}

/// The notices people of the dealers and the manufacturer get (sign-in links, invitations), and
/// the transfer link a unit's new owner gets, in every language, pass dkimpy and SpamAssassin too.
async fn sign_in_links_and_invitations_pass_dkimpy_and_spamassassin(backend: Backend) {
    let app = app(backend).await;
    let outbox = app.state.config.outbox_dir.clone();
    let mut config = (*app.state.config).clone();
    config.manufacturer_name = "Acme Outdoor Europe".into();
    let notices =
        warrantyd::mail::notices::Notices::with_mailer(&config, Mailer::Outbox(outbox.clone()))
            .unwrap();
    for lang in ["en", "fr"] {
        for invited in [false, true] {
            let link = format!("https://warranty.test/sign-in/{}", "T".repeat(43));
            let notice = warrantyd::mail::notices::SignInNotice {
                to_name: "Hélène O'Neill",
                to: "helene@garage-helene.example",
                language: lang,
                link: &link,
                minutes: if invited { 4320 } else { 15 },
                invitation: invited.then_some(warrantyd::mail::notices::Invitation {
                    invited_by: "Ada Admin",
                    role: if lang == "fr" {
                        "Responsable revendeur"
                    } else {
                        "Dealer manager"
                    },
                    dealer: Some("Garage Hélène & Fils"),
                }),
            };
            notices.send(&notice, app.now()).await.unwrap();
        }
        // The link a unit's new owner accepts its transfer with, started by the owner and by a
        // dealer.
        for serving_dealer in [None, Some("Garage Hélène & Fils")] {
            let link = format!("https://warranty.test/t/{}", "T".repeat(43));
            let notice = warrantyd::mail::notices::TransferNotice {
                to: "nora.new@client-mail.example",
                language: lang,
                link: &link,
                product: "Robotic mower RM-500",
                serial: "SN-2026-000123",
                dealer: "Garage Hélène & Fils",
                warranty_until: if lang == "fr" {
                    "20 novembre 2028"
                } else {
                    "20 November 2028"
                },
                until: if lang == "fr" {
                    "15 décembre 2026"
                } else {
                    "15 December 2026"
                },
                serving_dealer,
            };
            notices.send_transfer(&notice, app.now()).await.unwrap();
            if serving_dealer.is_some() {
                // The owner is told of a dealer's transfer, with the way to stop it.
                let told = warrantyd::mail::notices::TransferNotice {
                    to: "olive.owner@client-mail.example",
                    link: &format!("https://warranty.test/o/{}", "O".repeat(43)),
                    ..notice
                };
                notices
                    .send_transfer_notice(&told, app.now())
                    .await
                    .unwrap();
            }
        }
    }
    let files: Vec<PathBuf> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(
        files.len(),
        10,
        "sign-in, invitation, 2 transfer links and the owner's notice, in 2 languages"
    );
    for file in &files {
        let raw = std::fs::read(file).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert!(
            message.header("List-Unsubscribe").is_none(),
            "nobody subscribes to a sign-in link"
        );
        let text = message.body_text(0).unwrap();
        assert!(
            text.contains("https://warranty.test/sign-in/")
                || text.contains("https://warranty.test/t/")
                || text.contains("https://warranty.test/o/"),
            "{text}"
        );
    }
    for r in check_mail(&files, true) {
        let verified = r["dkim"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["ok"] == true)
            .count();
        assert_eq!(verified, 2, "{r}");
        assert!(r["spam_score"].as_f64().unwrap() <= 0.0, "{r}");
        println!(
            "{} dkimpy: 2 verified; SpamAssassin {} ({})",
            r["file"], r["spam_score"], r["spam_rules"]
        );
    }
}

both_backends!(
    every_template_and_language_passes_dkimpy_and_spamassassin,
    messages_received_over_smtp_verify_too,
    sign_in_links_and_invitations_pass_dkimpy_and_spamassassin,
);
