//! The reminder engine end to end: dispatch, the real SMTP server process, the rules re-checked at
//! send time, retries with backoff, suppression, and the customer links in the emails.

use std::time::Duration;

use chrono::Duration as Span;
use serde_json::{Value, json};
use uuid::Uuid;
use warrantyd::store::Outcome;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, registration, spawn_app};
use crate::smtp::{Received, SmtpServer};

/// A dealer with a booking page and an address, and a product whose first service is due today.
async fn setup(app: &TestApp) -> String {
    let admin = app.admin_key.clone();
    let resp = app
        .put_json("/v1/admin/dealers/GM", Some(&admin), &json!({
            "name": "Garage Martin", "locale": "fr-FR", "time_zone": "Europe/Paris", "email": "atelier@garage-martin.test",
            "phone": "+33123456789", "address": "12 rue des Lilas, Paris", "booking_url": "https://garage-martin.test/rdv?src=mail"
        }))
        .await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    let key = app
        .post_json("/v1/admin/dealers/GM/keys", Some(&admin), &json!({}))
        .await;
    key.json["key"].as_str().unwrap().to_owned()
}

fn unit(serial: &str, email: &str, locale: &str) -> Value {
    let mut body = registration(serial);
    // Bought six months ago: the P6M service is due today, the confirmation now.
    body["purchase_date"] = json!("2026-05-27");
    body["customer"]["email"] = json!(email);
    body["customer"]["locale"] = json!(locale);
    body
}

/// Runs one dispatcher pass and sends every queued reminder directly (deterministic).
async fn dispatch_and_send(sender: &warrantyd::jobs::Sender, ids: &[Uuid]) -> Vec<Option<Outcome>> {
    sender.dispatch_once().await.unwrap();
    let mut outcomes = Vec::new();
    for id in ids {
        outcomes.push(sender.send_reminder(*id).await.unwrap());
    }
    outcomes
}

/// The reminders of a registration that are due at the time it was registered.
fn reminder_ids(resp: &crate::helpers::Resp) -> Vec<Uuid> {
    let created = resp.json["created_at"].as_str().unwrap().to_owned();
    resp.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "pending" && r["due_at"].as_str().unwrap() <= created.as_str())
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn path_of(url: &str) -> String {
    url.strip_prefix("https://warranty.test")
        .expect("links use the public URL")
        .to_owned()
}

fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(&format!("https://warranty.test{prefix}"))
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == ')')
        .next()
        .unwrap()
        .to_owned()
}

async fn workers_deliver_branded_localized_reminders_with_working_links(backend: Backend) {
    let app = spawn_app(backend).await;
    let smtp = SmtpServer::start();
    let key = setup(&app).await;
    let fr = app
        .register(&key, &unit("E2E-0001", "camille@client.test", "fr-FR"))
        .await;
    let en = app
        .register(&key, &unit("E2E-0002", "alex@client.test", "en-GB"))
        .await;
    assert_eq!(
        (fr.status.as_u16(), en.status.as_u16()),
        (201, 201),
        "{}",
        fr.text
    );
    let due_now: Vec<Uuid> = [&fr, &en].iter().flat_map(|r| reminder_ids(r)).collect();

    let workers = app.start_workers(app.smtp_sender(&smtp.url()));
    let received = smtp.wait_for(4, Duration::from_secs(20)).await;
    workers.stop().await;
    assert_eq!(
        received.len(),
        4,
        "expected a confirmation and a service reminder per unit"
    );

    let find = |to: &str, kind: &str| -> Received {
        received
            .iter()
            .find(|m| {
                m.rcpt_to == [to]
                    && m.message_id()
                        .contains(&reminder_of(&fr, &en, to, kind).to_string())
            })
            .unwrap_or_else(|| panic!("no {kind} to {to}"))
            .clone()
    };
    let confirmation = find("camille@client.test", "registration_confirmation");
    let service = find("alex@client.test", "service_due");

    // Sent in the dealer's name through the manufacturer's address, replies go to the dealer.
    let parsed = service.parsed();
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Garage Martin"), Some("reminders@oem.test"))
    );
    let reply_to = parsed.reply_to().unwrap().first().unwrap();
    assert_eq!(
        (reply_to.name(), reply_to.address()),
        (Some("Garage Martin"), Some("atelier@garage-martin.test"))
    );
    assert!(service.header("Date").is_some());
    let reminder_id = reminder_of(&fr, &en, "alex@client.test", "service_due");
    assert_eq!(service.message_id(), format!("<{reminder_id}@oem.test>"));
    let list_unsubscribe = service.header("List-Unsubscribe").unwrap();
    // Only the https one-click: no inbound path is configured here to read a mailto.
    assert!(
        list_unsubscribe.contains("<https://warranty.test/u/")
            && !list_unsubscribe.contains("mailto:"),
        "{list_unsubscribe}"
    );
    assert_eq!(
        service.header("List-ID").as_deref(),
        Some("<gm.reminders.oem.test>")
    );
    assert!(
        service
            .header("Feedback-ID")
            .unwrap()
            .starts_with("service_due:")
    );
    assert_eq!(
        service.header("List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    assert!(service.raw.contains("multipart/alternative"));
    assert!(service.text().contains("Garage Martin") && service.html().contains("Garage Martin"));
    assert!(service.html().contains("12 rue des Lilas"));
    // Localized: French for Camille, English for Alex.
    assert!(!confirmation.subject().is_empty() && confirmation.text() != service.text());
    assert!(
        confirmation.text().contains("novembre") || confirmation.text().contains("mai"),
        "{}",
        confirmation.text()
    );
    assert!(
        service.text().contains("May") || service.text().contains("November"),
        "{}",
        service.text()
    );

    // Every due reminder is recorded as sent with its Message-ID.
    for id in &due_now {
        let delivery = app.store.reminder_delivery(*id).await.unwrap().unwrap();
        assert_eq!(delivery.status, "sent", "{delivery:?}");
        assert_eq!(
            delivery.message_id.as_deref(),
            Some(format!("<{id}@oem.test>").as_str())
        );
    }

    // The booking link records the click and leads to the dealer's page, with the unit and the
    // campaign for the dealer's page to prefill.
    let booking = app.get(&path_of(&link(&service.text(), "/r/")), None).await;
    assert_eq!(booking.status.as_u16(), 303);
    assert_eq!(
        booking.header("location"),
        Some(
            "https://garage-martin.test/rdv?src=mail&serial=E2E0002&product=MOWER-500&campaign=service_due-1"
        )
    );
    assert_eq!(app.store.click_count(reminder_id).await.unwrap(), 1);

    // The confirmation's link verifies the registration (the GET page changes nothing).
    let verify = path_of(&link(&confirmation.text(), "/v/"));
    let page = app.get(&verify, None).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.text.contains("<form method=\"post\""));
    let done = app
        .send(axum::http::Method::POST, &verify, None, None, vec![], &[])
        .await;
    assert_eq!(done.status.as_u16(), 200);

    // RFC 8058 one-click unsubscribe withdraws consent; the log keeps both events.
    let unsubscribe = path_of(
        list_unsubscribe
            .split(['<', '>'])
            .find(|p| p.starts_with("https://"))
            .unwrap(),
    );
    let one_click = app
        .send(
            axum::http::Method::POST,
            &unsubscribe,
            None,
            Some("application/x-www-form-urlencoded"),
            b"List-Unsubscribe=One-Click".to_vec(),
            &[],
        )
        .await;
    assert_eq!(one_click.status.as_u16(), 200);
    let read = app
        .get(
            &format!("/v1/registrations/{}", en.json["id"].as_str().unwrap()),
            Some(&key),
        )
        .await;
    assert_eq!(read.json["consent"]["service_reminders"], false);
    // Tampered and foreign tokens get the not-found page and change nothing.
    let bad = app
        .get(&format!("{}x", &unsubscribe[..unsubscribe.len() - 1]), None)
        .await;
    assert_eq!(bad.status.as_u16(), 404);
    assert!(bad.header("content-type").unwrap().starts_with("text/html"));
}

fn reminder_of(fr: &crate::helpers::Resp, en: &crate::helpers::Resp, to: &str, kind: &str) -> Uuid {
    let resp = if to.starts_with("camille") { fr } else { en };
    let r = resp.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind)
        .unwrap();
    r["id"].as_str().unwrap().parse().unwrap()
}

async fn smtp_faults_lead_to_retries_suppressions_and_failures(backend: Backend) {
    let app = spawn_app(backend).await;
    let smtp = SmtpServer::start();
    let key = setup(&app).await;
    let sender = app.smtp_sender(&smtp.url());
    let confirmation_of = |resp: &crate::helpers::Resp| -> Uuid {
        resp.json["reminders"][0]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let mut cases = Vec::new();
    for (i, local) in [
        "rcpt451",
        "rcpt421",
        "drop",
        "data451",
        "rcpt550",
        "data554",
        "slow4",
        "flaky2.bob",
    ]
    .iter()
    .enumerate()
    {
        let mut body = registration(&format!("FAULT-{i:04}"));
        body["customer"]["email"] = json!(format!("{local}@client.test"));
        let resp = app.register(&key, &body).await;
        assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
        cases.push((*local, confirmation_of(&resp)));
    }
    let ids: Vec<Uuid> = cases.iter().map(|c| c.1).collect();
    let outcomes = dispatch_and_send(&sender, &ids).await;
    let now = app.now();
    for ((local, id), outcome) in cases.iter().zip(&outcomes) {
        let outcome = outcome
            .clone()
            .unwrap_or_else(|| panic!("{local}: not sent"));
        let delivery = app.store.reminder_delivery(*id).await.unwrap().unwrap();
        let attempts = app.store.reminder_attempts(*id).await.unwrap();
        assert_eq!(attempts.len(), 1, "{local}: one attempt recorded");
        match *local {
            "rcpt451" | "rcpt421" | "data451" | "flaky2.bob" | "drop" | "slow4" => {
                let Outcome::Retry {
                    send_after,
                    smtp_code,
                    ..
                } = outcome
                else {
                    panic!("{local}: {outcome:?}")
                };
                let expected_code = match *local {
                    "rcpt451" | "data451" | "flaky2.bob" => Some(451),
                    "rcpt421" => Some(421),
                    _ => None, // dropped connection, or no answer within the send timeout
                };
                assert_eq!(smtp_code, expected_code, "{local}");
                // First retry after about a minute (60 s ± 20 % jitter).
                assert!(
                    send_after >= now + Span::seconds(47) && send_after <= now + Span::seconds(73),
                    "{local}: {send_after}"
                );
                assert_eq!(
                    (delivery.status.as_str(), delivery.attempts),
                    ("pending", 1),
                    "{local}"
                );
                assert_eq!(attempts[0].outcome, "retry");
            }
            "rcpt550" => {
                assert!(
                    matches!(
                        outcome,
                        Outcome::Failed {
                            smtp_code: Some(550),
                            suppress: Some(_),
                            ..
                        }
                    ),
                    "{outcome:?}"
                );
                assert_eq!(
                    (delivery.status.as_str(), delivery.outcome.as_deref()),
                    ("failed", Some("bounced"))
                );
                assert!(
                    app.store
                        .is_suppressed("RCPT550@client.test")
                        .await
                        .unwrap()
                );
            }
            "data554" => {
                // A policy rejection fails the message but does not suppress the address.
                assert!(
                    matches!(
                        outcome,
                        Outcome::Failed {
                            smtp_code: Some(554),
                            suppress: None,
                            ..
                        }
                    ),
                    "{outcome:?}"
                );
                assert!(
                    !app.store
                        .is_suppressed("data554@client.test")
                        .await
                        .unwrap()
                );
            }
            other => unreachable!("{other}"),
        }
    }
    assert!(
        smtp.received().is_empty()
            || smtp
                .received()
                .iter()
                .all(|m| m.rcpt_to == ["slow4@client.test"])
    );

    // Retries survive in the rows: later, the flaky address gets through on its third attempt.
    let flaky = cases.iter().find(|c| c.0 == "flaky2.bob").unwrap().1;
    // Monday and Tuesday, 10:00 UTC: inside the window in Paris.
    for (expected, at) in [
        ("retry", "2026-11-30T10:00:00Z"),
        ("sent", "2026-12-01T10:00:00Z"),
    ] {
        app.clock.set(at.parse().unwrap());
        let outcome = dispatch_and_send(&sender, &[flaky])
            .await
            .remove(0)
            .unwrap();
        assert_eq!(
            matches!(outcome, Outcome::Sent { .. }),
            expected == "sent",
            "{outcome:?}"
        );
    }
    let attempts = app.store.reminder_attempts(flaky).await.unwrap();
    let trail: Vec<_> = attempts
        .iter()
        .map(|a| (a.outcome.as_str(), a.smtp_code))
        .collect();
    assert_eq!(
        trail,
        [
            ("retry", Some(451)),
            ("retry", Some(451)),
            ("sent", Some(250))
        ]
    );

    // A suppressed address is never mailed again, for any reminder.
    let mut again = unit("FAULT-0100", "rcpt550@client.test", "en");
    again["customer"]["name"] = json!("Same person");
    let resp = app.register(&key, &again).await;
    let outcome = dispatch_and_send(&sender, &[confirmation_of(&resp)])
        .await
        .remove(0)
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Skipped {
            reason: "suppressed"
        }
    );
    app.finish_claimed().await;
}

async fn temporary_failures_give_up_after_the_attempt_limit(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |c| c.max_attempts = 3).await;
    let smtp = SmtpServer::start();
    let key = setup(&app).await;
    let sender = app.smtp_sender(&smtp.url());
    let mut body = registration("LIMIT-0001");
    body["customer"]["email"] = json!("rcpt451@client.test");
    let resp = app.register(&key, &body).await;
    let id: Uuid = resp.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut last = None;
    for at in [
        "2026-11-27T10:00:00Z",
        "2026-11-30T10:00:00Z",
        "2026-12-01T10:00:00Z",
    ] {
        app.clock.set(at.parse().unwrap());
        last = dispatch_and_send(&sender, &[id]).await.remove(0);
    }
    assert!(
        matches!(
            last,
            Some(Outcome::Failed {
                smtp_code: Some(451),
                suppress: None,
                ..
            })
        ),
        "{last:?}"
    );
    assert_eq!(
        app.store
            .reminder_delivery(id)
            .await
            .unwrap()
            .unwrap()
            .status,
        "failed"
    );
    assert!(
        !app.store
            .is_suppressed("rcpt451@client.test")
            .await
            .unwrap()
    );
}

async fn the_rules_are_checked_again_just_before_sending(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = setup(&app).await;
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(sent.clone()));

    // Voided after planning: cancelled, not sent.
    let voided = app
        .register(&key, &unit("RULE-0001", "void@client.test", "fr"))
        .await;
    app.void(&key, voided.json["id"].as_str().unwrap(), None)
        .await;
    // No consent to reminders: the confirmation (transactional) goes, the reminder does not.
    let mut no_consent = unit("RULE-0002", "noconsent@client.test", "fr");
    no_consent["consent"]["service_reminders"] = json!(false);
    let no_consent = app.register(&key, &no_consent).await;
    // Phone only: texted instead (to the SMS outbox, no provider being configured).
    let mut phone = unit("RULE-0003", "x@client.test", "fr");
    phone["customer"].as_object_mut().unwrap().remove("email");
    phone["customer"]["phone"] = json!("+33612345678");
    let phone = app.register(&key, &phone).await;

    let ids: Vec<Uuid> = [&voided, &no_consent, &phone]
        .iter()
        .flat_map(|r| {
            r.json["reminders"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["status"] != "skipped")
                .map(|m| m["id"].as_str().unwrap().parse::<Uuid>().unwrap())
                .take(2)
                .collect::<Vec<_>>()
        })
        .collect();
    sender.dispatch_once().await.unwrap();
    let mut outcomes = Vec::new();
    for id in &ids {
        // Voided reminders were cancelled at void time and are never claimed.
        outcomes.push(sender.send_reminder(*id).await.unwrap());
    }
    assert_eq!(
        outcomes[0], None,
        "a voided registration's reminders are not even queued"
    );
    assert_eq!(outcomes[1], None);
    assert!(
        matches!(outcomes[2], Some(Outcome::Sent { .. })),
        "confirmation without reminder consent: {:?}",
        outcomes[2]
    );
    assert_eq!(
        outcomes[3],
        Some(Outcome::Skipped {
            reason: "no_consent"
        })
    );
    assert!(
        matches!(&outcomes[4], Some(Outcome::Sent { message_id, .. }) if *message_id == format!("outbox-{}", ids[4])),
        "{:?}",
        outcomes[4]
    );
    let text = std::fs::read_to_string(
        app.state
            .config
            .sms_outbox_dir
            .join(format!("{}.txt", ids[4])),
    )
    .unwrap();
    assert!(text.starts_with("To: +33612345678\n"), "{text}");
    assert_eq!(
        sent.lock().unwrap().len(),
        1,
        "one email: the second confirmation went by text"
    );

    // An unsubscribed customer gets nothing more, not even a confirmation.
    let first = app
        .register(&key, &unit("RULE-0004", "gone@client.test", "fr"))
        .await;
    let first_ids = reminder_ids(&first);
    sender.dispatch_once().await.unwrap();
    let confirmation = sender.send_reminder(first_ids[0]).await.unwrap();
    assert!(
        matches!(confirmation, Some(Outcome::Sent { .. })),
        "{confirmation:?}"
    );
    let message = sent.lock().unwrap().last().unwrap().raw.clone();
    assert!(message.contains("gone@client.test"));
    app.clock.advance(Span::minutes(1));
    let url = message
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe:"))
        .unwrap()
        .split(['<', '>'])
        .find(|p| p.starts_with("https://"))
        .unwrap()
        .to_owned();
    let unsubscribed = app
        .send(
            axum::http::Method::POST,
            &path_of(&url),
            None,
            None,
            vec![],
            &[],
        )
        .await;
    assert_eq!(
        unsubscribed.status.as_u16(),
        200,
        "{url}: {}",
        unsubscribed.text
    );
    assert_eq!(
        sender.send_reminder(first_ids[1]).await.unwrap(),
        Some(Outcome::Skipped {
            reason: "unsubscribed"
        })
    );
    let later = app
        .register(&key, &unit("RULE-0005", "gone@client.test", "fr"))
        .await;
    sender.dispatch_once().await.unwrap();
    assert_eq!(
        sender.send_reminder(reminder_ids(&later)[0]).await.unwrap(),
        Some(Outcome::Skipped {
            reason: "unsubscribed"
        })
    );
    app.finish_claimed().await;
}

/// The id of a registration's first service reminder (the one due today in these tests).
fn first_service_reminder(registration: &Value) -> Uuid {
    registration["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "service_due")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn a_customer_gets_at_most_two_reminders_a_week_and_none_is_lost(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = setup(&app).await;
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(sent.clone()));
    // Three units of one customer, each with a service due today.
    let mut service_ids = Vec::new();
    for i in 0..3 {
        let resp = app
            .register(
                &key,
                &unit(&format!("CAP-000{i}"), "busy@client.test", "en"),
            )
            .await;
        service_ids.push(first_service_reminder(&resp.json));
    }
    sender.dispatch_once().await.unwrap();
    let mut outcomes = Vec::new();
    for id in &service_ids {
        outcomes.push(sender.send_reminder(*id).await.unwrap().unwrap());
    }
    assert!(
        matches!(outcomes[0], Outcome::Sent { .. }) && matches!(outcomes[1], Outcome::Sent { .. })
    );
    let Outcome::Deferred {
        send_after,
        reason: "frequency_cap",
    } = outcomes[2]
    else {
        panic!("{:?}", outcomes[2])
    };
    // A week after the first send, at an open slot (Friday 4 Dec, 11:00 in Paris).
    assert_eq!(send_after, app.now() + Span::days(7));
    app.clock.set(send_after);
    sender.dispatch_once().await.unwrap();
    assert!(matches!(
        sender.send_reminder(service_ids[2]).await.unwrap(),
        Some(Outcome::Sent { .. })
    ));
    app.finish_claimed().await;
}

/// The worker loop's group commit: concurrent sends of one customer share one transaction to be
/// taken, and the frequency cap still counts them one after another.
async fn sends_taken_together_still_respect_the_frequency_cap(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = setup(&app).await;
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(sent.clone()));
    sender.start_batching();
    let mut service_ids = Vec::new();
    for i in 0..3 {
        let resp = app
            .register(
                &key,
                &unit(&format!("GRP-000{i}"), "group@client.test", "en"),
            )
            .await;
        service_ids.push(first_service_reminder(&resp.json));
    }
    sender.dispatch_once().await.unwrap();
    // All three are in flight before any is taken, so they are taken in one batch.
    let outcomes =
        futures::future::join_all(service_ids.iter().map(|id| sender.send_reminder(*id))).await;
    let outcomes: Vec<Outcome> = outcomes.into_iter().map(|o| o.unwrap().unwrap()).collect();
    let sent_now = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Sent { .. }))
        .count();
    let capped = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Outcome::Deferred {
                    reason: "frequency_cap",
                    ..
                }
            )
        })
        .count();
    assert_eq!((sent_now, capped), (2, 1), "{outcomes:?}");
    assert_eq!(sent.lock().unwrap().len(), 2);
    // Each outcome was recorded against its own reminder.
    for (id, outcome) in service_ids.iter().zip(&outcomes) {
        let delivery = app.store.reminder_delivery(*id).await.unwrap().unwrap();
        let expected = if matches!(outcome, Outcome::Sent { .. }) {
            "sent"
        } else {
            "pending"
        };
        assert_eq!(delivery.status, expected, "{id}");
    }
    app.finish_claimed().await;
}

async fn reminders_wait_for_the_send_window_on_both_sides_of_utc(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = setup(&app).await;
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(sent.clone()));
    // Friday 27 Nov 2026 22:00 UTC: Saturday 09:00 in Sydney (weekend), Friday 14:00 in Los Angeles (open).
    app.clock.set("2026-11-27T22:00:00Z".parse().unwrap());
    let mut sydney = unit("TZ-SYD-1", "syd@client.test", "en");
    sydney["customer"]["time_zone"] = json!("Australia/Sydney");
    let mut la = unit("TZ-LAX-1", "lax@client.test", "en");
    la["customer"]["time_zone"] = json!("America/Los_Angeles");
    let sydney = app.register(&key, &sydney).await;
    let la = app.register(&key, &la).await;
    let first = |r: &crate::helpers::Resp| {
        (
            r.json["reminders"][0]["id"]
                .as_str()
                .unwrap()
                .parse::<Uuid>()
                .unwrap(),
            r.json["reminders"][0]["due_at"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let (syd_id, syd_due) = first(&sydney);
    let (la_id, la_due) = first(&la);
    assert_eq!(la_due, "2026-11-27T22:00:00Z");
    // Monday 30 Nov 09:00 in Sydney (summer time, UTC+11) = Sunday 22:00 UTC.
    assert_eq!(syd_due, "2026-11-29T22:00:00Z");

    sender.dispatch_once().await.unwrap();
    assert!(matches!(
        sender.send_reminder(la_id).await.unwrap(),
        Some(Outcome::Sent { .. })
    ));
    assert_eq!(
        sender.send_reminder(syd_id).await.unwrap(),
        None,
        "not due yet, so not queued"
    );

    // A reminder queued while open but sent after the window closed waits for the next slot:
    // Los Angeles, Friday 18:30 local.
    let la2 = app
        .register(&key, &{
            let mut b = unit("TZ-LAX-2", "lax2@client.test", "en");
            b["customer"]["time_zone"] = json!("America/Los_Angeles");
            b
        })
        .await;
    let (la2_id, _) = first(&la2);
    sender.dispatch_once().await.unwrap();
    app.clock.set("2026-11-28T02:30:00Z".parse().unwrap());
    assert_eq!(
        sender.send_reminder(la2_id).await.unwrap(),
        // Monday 30 Nov 09:00 PST = 17:00 UTC.
        Some(Outcome::Deferred {
            send_after: "2026-11-30T17:00:00Z".parse().unwrap(),
            reason: "outside_send_window"
        })
    );

    // Across the DST change: a Sydney customer's reminder planned for after Australian DST ends
    // (5 April 2027) goes at 09:00 AEST = 23:00 UTC the day before.
    app.clock.set("2027-04-05T23:00:00Z".parse().unwrap()); // Tuesday 6 April, 09:00 AEST
    sender.dispatch_once().await.unwrap();
    assert!(matches!(
        sender.send_reminder(syd_id).await.unwrap(),
        Some(Outcome::Sent { .. })
    ));
    let sent_at = app
        .store
        .reminder_delivery(syd_id)
        .await
        .unwrap()
        .unwrap()
        .sent_at
        .unwrap();
    assert_eq!(
        sent_at
            .with_timezone(&chrono_tz::Australia::Sydney)
            .format("%H:%M")
            .to_string(),
        "09:00"
    );
    app.finish_claimed().await;
}

async fn dkim_signatures_cover_the_unsubscribe_headers(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("dkim.pem");
    let generated = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key_file)
        .arg("2048")
        .output()
        .expect("openssl");
    assert!(generated.status.success());
    let app = crate::helpers::spawn_app_with(backend, |c| {
        c.dkim_selector = Some("s2026".into());
        c.dkim_private_key_file = Some(key_file.clone());
    })
    .await;
    let key = setup(&app).await;
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(sent.clone()));
    let resp = app
        .register(&key, &unit("DKIM-0001", "signed@client.test", "en"))
        .await;
    let outcome = dispatch_and_send(&sender, &reminder_ids(&resp)[..1])
        .await
        .remove(0);
    assert!(matches!(outcome, Some(Outcome::Sent { .. })), "{outcome:?}");
    let raw = sent.lock().unwrap()[0].raw.clone();
    let unfolded = raw
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .replace("\n ", " ");
    let signature = unfolded
        .lines()
        .find(|l| l.starts_with("DKIM-Signature:"))
        .expect("a DKIM-Signature header");
    assert!(
        signature.contains("d=oem.test") && signature.contains("s=s2026"),
        "{signature}"
    );
    let signed = signature
        .split("h=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_ascii_lowercase();
    for header in [
        "from",
        "subject",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ] {
        assert!(
            signed.split(':').any(|h| h.trim() == header),
            "{header} is not signed: {signed}"
        );
    }
    app.finish_claimed().await;
}

async fn a_dealers_own_send_window_governs_its_customers(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    // Saturdays only, 10:00 to 12:59.
    let resp = app
        .put_json(
            "/v1/admin/dealers/SAT",
            Some(&admin),
            &json!({"name": "Saturday Shop", "locale": "en", "time_zone": "Europe/Paris",
            "send_window": "0 0 10-12 * * Sat"}),
        )
        .await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    app.put_json(
        "/v1/admin/dealers/BAD",
        Some(&admin),
        &json!({"name": "x", "locale": "en", "time_zone": "UTC", "send_window": "0 9 * * *"}),
    )
    .await
    .assert_problem(422);
    let key = app
        .post_json("/v1/admin/dealers/SAT/keys", Some(&admin), &json!({}))
        .await
        .json["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app
        .register(&key, &unit("SAT-0001", "sat@client.test", "en"))
        .await;
    // Friday 11:00 in Paris is outside this dealer's window: Saturday 10:00 = 09:00 UTC.
    assert_eq!(resp.json["reminders"][0]["due_at"], "2026-11-28T09:00:00Z");
}

async fn reminders_wait_out_an_smtp_outage_and_go_once_it_is_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = setup(&app).await;
    let smtp = SmtpServer::start();
    let sender = app.smtp_sender(&smtp.url());
    let mut confirmations = Vec::new();
    for i in 0..3 {
        let resp = app
            .register(
                &key,
                &unit(
                    &format!("OUTAGE-{i:04}"),
                    &format!("outage{i}@client.test"),
                    "en",
                ),
            )
            .await;
        confirmations.push(
            resp.json["reminders"][0]["id"]
                .as_str()
                .unwrap()
                .parse::<Uuid>()
                .unwrap(),
        );
    }
    let port = smtp.port;
    drop(smtp); // the mail server goes away
    let outcomes = dispatch_and_send(&sender, &confirmations).await;
    assert!(!outcomes.is_empty());
    assert_eq!(outcomes.len(), confirmations.len());
    assert!(
        outcomes.iter().all(|o| matches!(
            o,
            Some(Outcome::Retry {
                smtp_code: None,
                ..
            })
        )),
        "{outcomes:?}"
    );
    // It comes back (same address); after the backoff every reminder goes out exactly once.
    let back = SmtpServer::start_on(port);
    app.clock.set("2026-11-30T10:00:00Z".parse().unwrap());
    let outcomes = dispatch_and_send(&sender, &confirmations).await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Some(Outcome::Sent { .. }))),
        "{outcomes:?}"
    );
    assert_eq!(back.received().len(), 3);
    sender.dispatch_once().await.unwrap();
    for id in &confirmations {
        assert_eq!(
            sender.send_reminder(*id).await.unwrap(),
            None,
            "nothing is sent twice"
        );
    }
    app.finish_claimed().await;
}

async fn an_unwritable_outbox_is_a_clear_temporary_failure(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = setup(&app).await;
    let blocked = tempfile::NamedTempFile::new().unwrap(); // a file where the directory should be
    let sender = app.sender(warrantyd::mail::Mailer::Outbox(
        blocked.path().join("outbox"),
    ));
    let resp = app
        .register(&key, &unit("DISK-0001", "disk@client.test", "en"))
        .await;
    let id: Uuid = resp.json["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let outcome = dispatch_and_send(&sender, &[id]).await.remove(0).unwrap();
    let Outcome::Retry { detail, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(detail.contains("cannot write to the outbox"), "{detail}");
    let dir = tempfile::tempdir().unwrap();
    let fixed = app.sender(warrantyd::mail::Mailer::Outbox(dir.path().to_owned()));
    app.clock.set("2026-11-30T10:00:00Z".parse().unwrap());
    assert!(matches!(
        dispatch_and_send(&fixed, &[id]).await.remove(0),
        Some(Outcome::Sent { .. })
    ));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    app.finish_claimed().await;
}

both_backends!(
    workers_deliver_branded_localized_reminders_with_working_links,
    smtp_faults_lead_to_retries_suppressions_and_failures,
    temporary_failures_give_up_after_the_attempt_limit,
    the_rules_are_checked_again_just_before_sending,
    a_customer_gets_at_most_two_reminders_a_week_and_none_is_lost,
    sends_taken_together_still_respect_the_frequency_cap,
    reminders_wait_for_the_send_window_on_both_sides_of_utc,
    dkim_signatures_cover_the_unsubscribe_headers,
    a_dealers_own_send_window_governs_its_customers,
    reminders_wait_out_an_smtp_outage_and_go_once_it_is_back,
    an_unwritable_outbox_is_a_clear_temporary_failure,
);
