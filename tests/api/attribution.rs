//! Service visits, attribution to reminders, credit, targets and the scorecard against a
//! hand-computed fixture.

use chrono::Duration;
use serde_json::{Value, json};
use uuid::Uuid;
use warrantyd::store::Outcome;

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, registration, spawn_app};

pub async fn setup(app: &TestApp) -> (String, String) {
    let admin = app.admin_key.clone();
    for code in ["A", "B"] {
        // B is authorized to service any unit (so it may report visits on A's).
        let servicer = (code == "B").then(|| json!({}));
        let resp = app
            .put_json(&format!("/v1/admin/dealers/{code}"), Some(&admin), &json!({"name": format!("Dealer {code}"), "locale": "en",
                "time_zone": "Europe/Paris", "email": "shop@dealer.test", "booking_url": "https://dealer.test/book",
                "authorized_servicer": servicer}))
            .await;
        assert!(resp.status.is_success());
    }
    app.put_product("SVC", json!({"name": "Mower", "category": "garden", "warranty_months": 24, "warranty_start": "purchase",
        "service_plan": ["P6M", "P6M5D"], "registration_window_days": 30}))
    .await;
    app.put_json("/v1/admin/programs/SVC", Some(&admin), &json!({"name": "Service credit", "currency": "EUR", "valid_from": "2026-01-01",
        "rules": [{"id": "garden", "category": "garden", "registration_minor": 0, "service_attribution_minor": 800}]}))
    .await;
    let key = |code: &str| {
        let app = &app;
        let admin = admin.clone();
        let code = code.to_owned();
        async move {
            app.post_json(
                &format!("/v1/admin/dealers/{code}/keys"),
                Some(&admin),
                &json!({}),
            )
            .await
            .json["key"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    (key("A").await, key("B").await)
}

pub fn unit(serial: &str, email: &str) -> Value {
    let mut body = registration(serial);
    body["sku"] = json!("SVC");
    // P6M (20 Nov) and P6M5D (25 Nov) are both due now.
    body["purchase_date"] = json!("2026-05-20");
    body["customer"]["email"] = json!(email);
    body
}

pub fn reminder(resp: &Resp, kind: &str, occurrence: i64) -> Uuid {
    let r = resp.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["occurrence"] == occurrence)
        .unwrap();
    r["id"].as_str().unwrap().parse().unwrap()
}

/// Dispatches and sends these reminders now.
pub async fn send(app: &TestApp, ids: &[Uuid]) {
    let sender = app.sender(warrantyd::mail::Mailer::Memory(Default::default()));
    sender.dispatch_once().await.unwrap();
    for id in ids {
        let outcome = sender.send_reminder(*id).await.unwrap();
        assert!(matches!(outcome, Some(Outcome::Sent { .. })), "{outcome:?}");
    }
}

pub async fn visit(app: &TestApp, key: &str, serial: &str, date: &str) -> Resp {
    app.post_json(
        "/v1/service-events",
        Some(key),
        &json!({"serial_number": serial, "service_date": date, "kind": "maintenance"}),
    )
    .await
}

async fn visits_are_attributed_within_the_window_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, _) = setup(&app).await;
    let inside = app.register(&a, &unit("WIN-0001", "in@client.test")).await;
    let outside = app.register(&a, &unit("WIN-0002", "out@client.test")).await;
    send(
        &app,
        &[
            reminder(&inside, "service_due", 1),
            reminder(&outside, "service_due", 1),
        ],
    )
    .await;
    app.clock.set("2027-02-01T10:00:00Z".parse().unwrap());
    // Sent 27 Nov: 26 Jan is day 60 (inside), 27 Jan day 61 (outside).
    let credited = visit(&app, &a, "WIN-0001", "2027-01-26").await;
    assert_eq!(credited.status.as_u16(), 201, "{}", credited.text);
    assert_eq!(
        (
            credited.json["attributed"].as_bool(),
            credited.json["attributed_via"].as_str()
        ),
        (Some(true), Some("send"))
    );
    assert_eq!(credited.json["credited_to_you"], true);
    assert_eq!(credited.json["incentive"]["amount_minor"], 800);
    let late = visit(&app, &a, "WIN-0002", "2027-01-27").await;
    assert_eq!(late.json["attributed"], false, "{}", late.text);
    assert!(late.json["incentive"].is_null());
    // A visit before the reminder was sent is not caused by it.
    let early = app
        .register(&a, &unit("WIN-0003", "early@client.test"))
        .await;
    let before = visit(&app, &a, "WIN-0003", "2026-11-26").await;
    assert_eq!(before.json["attributed"], false);
    let _ = early;
    app.finish_claimed().await;
}

async fn a_click_beats_a_send_and_each_visit_and_reminder_counts_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, b) = setup(&app).await;
    let reg = app
        .register(&a, &unit("CLICK-0001", "click@client.test"))
        .await;
    let (first, second) = (
        reminder(&reg, "service_due", 1),
        reminder(&reg, "service_due", 2),
    );
    send(&app, &[first]).await;
    app.clock.advance(Duration::days(1)); // Saturday: move to Monday to send the second one.
    app.clock.set("2026-11-30T10:00:00Z".parse().unwrap());
    send(&app, &[second]).await;
    // The customer follows the first reminder's booking link.
    let token = app
        .state
        .signer
        .sign(warrantyd::tokens::Purpose::Booking, first);
    assert_eq!(
        app.get(&format!("/r/{token}"), None).await.status.as_u16(),
        303
    );

    // Serviced by another dealer: the selling dealer A is credited, B is told nothing about A.
    app.clock.set("2026-12-05T10:00:00Z".parse().unwrap());
    let by_b = visit(&app, &b, "CLICK-0001", "2026-12-04").await;
    assert_eq!(by_b.status.as_u16(), 201, "{}", by_b.text);
    assert_eq!(
        (
            by_b.json["attributed_via"].as_str(),
            by_b.json["credited_to_you"].as_bool()
        ),
        (Some("click"), Some(false))
    );
    assert!(by_b.json["incentive"].is_null() && !by_b.text.contains("Dealer A"));
    // Reported again: nothing changes.
    let again = visit(&app, &b, "CLICK-0001", "2026-12-04").await;
    assert_eq!(
        (again.status.as_u16(), again.json["id"].clone()),
        (200, by_b.json["id"].clone())
    );
    // A later visit takes the other reminder; a third finds none left.
    let second_visit = visit(&app, &a, "CLICK-0001", "2026-12-05").await;
    assert_eq!(second_visit.json["attributed_via"], "send");
    let third = app
        .post_json(
            "/v1/service-events",
            Some(&a),
            &json!({"serial_number": "CLICK-0001", "service_date": "2026-12-05", "kind": "repair"}),
        )
        .await;
    assert_eq!(third.json["attributed"], false);
    let credits: Vec<_> = app
        .store
        .ledger()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.kind == "service_attribution")
        .collect();
    assert_eq!(credits.len(), 2, "one credit per attributed visit");
    assert!(credits.iter().all(|c| c.amount_minor == 800));
    app.finish_claimed().await;
}

async fn a_voided_registration_earns_no_visit_credit(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, _) = setup(&app).await;
    let reg = app
        .register(&a, &unit("VOID-0001", "void@client.test"))
        .await;
    send(&app, &[reminder(&reg, "service_due", 1)]).await;
    app.void(&a, reg.json["id"].as_str().unwrap(), None).await;
    app.clock.set("2026-12-01T10:00:00Z".parse().unwrap());
    let resp = visit(&app, &a, "VOID-0001", "2026-11-30").await;
    assert_eq!(resp.status.as_u16(), 201);
    assert_eq!(resp.json["attributed"], false);
    assert!(
        app.store
            .ledger()
            .await
            .unwrap()
            .iter()
            .all(|l| l.kind != "service_attribution")
    );
    // Unknown serials and bad input are refused field by field.
    let unknown = visit(&app, &a, "NEVER-SOLD", "2026-11-30").await;
    unknown.assert_problem(422);
    assert_eq!(
        unknown.field_errors(),
        vec![("serial_number".to_owned(), "not_registered".to_owned())]
    );
    let bad = app
        .post_json(
            "/v1/service-events",
            Some(&a),
            &json!({"serial_number": "VOID-0001", "service_date": "2027-01-01", "kind": "polish"}),
        )
        .await;
    let fields: Vec<_> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["service_date", "kind"]);
    app.finish_claimed().await;
}

async fn a_visit_drops_the_pending_reminder_of_its_plan_step(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, _) = setup(&app).await;
    let mut body = unit("DROP-0001", "drop@client.test");
    body["purchase_date"] = json!("2026-06-10"); // P6M on 10 Dec: still pending
    let reg = app.register(&a, &body).await;
    let pending = reminder(&reg, "service_due", 1);
    visit(&app, &a, "DROP-0001", "2026-11-27").await;
    let delivery = app.store.reminder_delivery(pending).await.unwrap().unwrap();
    assert_eq!(
        (delivery.status.as_str(), delivery.outcome.as_deref()),
        ("skipped", Some("serviced"))
    );
    // The next step stays planned.
    assert_eq!(
        app.store
            .reminder_delivery(reminder(&reg, "service_due", 2))
            .await
            .unwrap()
            .unwrap()
            .status,
        "pending"
    );
}

async fn the_scorecard_matches_a_hand_computed_fixture(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, b) = setup(&app).await;
    let admin = app.admin_key.clone();
    // Registrations of dealer A in November 2026:
    let r1 = app.register(&a, &unit("SC-0001", "one@client.test")).await; // 191 days after purchase: late
    let mut on_time = registration("SC-0002"); // MOWER-500, 7 days: on time, complete
    on_time["customer"]["email"] = json!("two@client.test");
    app.register(&a, &on_time).await;
    let mut phone_only = registration("SC-0003"); // on time, phone only: complete (texts reach it)
    phone_only["customer"] = json!({"name": "Pat", "phone": "+33612345678"});
    app.register(&a, &phone_only).await;
    let mut no_consent = registration("SC-0004"); // on time, no consent: incomplete
    no_consent["customer"]["email"] = json!("four@client.test");
    no_consent["consent"]["service_reminders"] = json!(false);
    app.register(&a, &no_consent).await;
    let voided = app.register(&a, &registration("SC-0005")).await;
    app.void(&a, voided.json["id"].as_str().unwrap(), None)
        .await;
    let mut invalid = registration("SC-0006");
    invalid["customer"]["email"] = json!("broken@");
    app.register(&a, &invalid).await; // rejected
    app.register(&a, &registration("SC-0002")).await; // duplicate
    app.register(&b, &registration("SC-B-01")).await; // another dealer's: not counted
    // Reminders: r1's confirmation and first service reminder sent; the booking link clicked; a visit.
    let service = reminder(&r1, "service_due", 1);
    send(
        &app,
        &[reminder(&r1, "registration_confirmation", 0), service],
    )
    .await;
    let token = app
        .state
        .signer
        .sign(warrantyd::tokens::Purpose::Booking, service);
    app.get(&format!("/r/{token}"), None).await;
    app.clock.set("2026-11-28T10:00:00Z".parse().unwrap());
    visit(&app, &a, "SC-0001", "2026-11-28").await;
    app.put_json(
        "/v1/admin/dealers/A/targets/2026-11",
        Some(&admin),
        &json!({"registrations": 8, "on_time_rate": 0.5, "attributed_visits": 2}),
    )
    .await;

    let card = app
        .get("/v1/dealer/scorecard?period=2026-11", Some(&a))
        .await;
    assert_eq!(card.status.as_u16(), 200, "{}", card.text);
    let c = &card.json;
    assert_eq!(
        (c["registrations"].as_i64(), c["voided"].as_i64()),
        (Some(4), Some(1))
    );
    assert_eq!(c["on_time_rate"], 0.75); // 3 of 4 within 30 days
    assert_eq!(c["median_days_to_register"], 7.0); // 7, 7, 7, 191
    assert_eq!(c["contact_completeness"], 0.75); // SC-0001, SC-0002 and SC-0003 (by text)
    assert_eq!(
        (
            c["rejected_submissions"].as_i64(),
            c["duplicate_submissions"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        c["reminders"],
        json!({"sent": 2, "delivered": 2, "bounced": 0, "clicked": 1})
    );
    assert_eq!(c["attributed_visits"], 1);
    assert_eq!(c["attribution_rate"], 1.0); // 1 visit per 1 service reminder sent
    assert_eq!(c["incentives"]["accrued_minor"], 800);
    assert_eq!(c["manufacturer"]["reminders_on_time_rate"], 1.0);
    let targets: Vec<(String, f64)> = c["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["metric"].as_str().unwrap().to_owned(),
                t["attainment"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            ("attributed_visits".to_owned(), 0.5),
            ("on_time_rate".to_owned(), 1.5),
            ("registrations".to_owned(), 0.5)
        ]
    );

    // The admin view ranks every dealer; the CSV has one row each.
    let ranked = app
        .get("/v1/admin/scorecards?period=2026-11", Some(&admin))
        .await;
    let order: Vec<_> = ranked.json["dealers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dealer_code"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["A", "B"]);
    assert_eq!(ranked.json["holdout_lift"]["holdout"], 0);
    let csv = app
        .get("/v1/admin/scorecards.csv?period=2026-11", Some(&admin))
        .await;
    assert_eq!(csv.text.lines().count(), 3);
    assert!(
        csv.text
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("1,A,2026-11,4,1,0.7500,")
    );
    // Dealers never see another dealer's scorecard, nor the admin views.
    let b_card = app
        .get("/v1/dealer/scorecard?period=2026-11", Some(&b))
        .await;
    assert_eq!(
        (
            b_card.json["dealer_code"].as_str(),
            b_card.json["registrations"].as_i64()
        ),
        (Some("B"), Some(1))
    );
    app.get("/v1/admin/scorecards", Some(&a))
        .await
        .assert_problem(403);
    app.get("/v1/admin/fraud-signals", Some(&a))
        .await
        .assert_problem(403);
    app.finish_claimed().await;
}

async fn the_holdout_gets_no_service_reminders_and_fraud_signals_show_evidence(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |c| c.holdout_share = 1.0).await;
    let (a, b) = setup(&app).await;
    let held = app.register(&a, &unit("HOLD-0001", "h@client.test")).await;
    let statuses: Vec<_> = held.json["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert!(
        statuses.iter().any(|(k, _)| *k == "service_due"),
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|(k, s)| *k != "service_due" || *s == "skipped"),
        "{statuses:?}"
    );
    assert!(statuses.contains(&("registration_confirmation", "pending")));
    let lift = app
        .get(
            "/v1/admin/scorecards?period=2026-11",
            Some(&app.admin_key.clone()),
        )
        .await;
    assert_eq!(
        (
            lift.json["holdout_lift"]["holdout"].as_i64(),
            lift.json["holdout_lift"]["with_reminders"].as_i64()
        ),
        (Some(1), Some(0))
    );
    // Another dealer tries the same serial; a purchase long before registration.
    app.register(&b, &unit("HOLD-0001", "other@client.test"))
        .await;
    let signals = app
        .get(
            "/v1/admin/fraud-signals?period=2026-11",
            Some(&app.admin_key.clone()),
        )
        .await;
    let kinds: Vec<_> = signals
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap(),
                s["dealer_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("serial_held_by_other_dealer", "B")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("late_purchase_date", "A")), "{kinds:?}");
    let evidence = &signals
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "serial_held_by_other_dealer")
        .unwrap()["evidence"];
    assert_eq!(
        (
            evidence["serial_number"].as_str(),
            evidence["held_by"].as_str()
        ),
        (Some("HOLD0001"), Some("A"))
    );
}

async fn dealer_pages_show_only_the_signed_in_dealers_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, _b) = setup(&app).await;
    for i in 0..3 {
        app.register(
            &a,
            &unit(&format!("MINE-000{i}"), &format!("m{i}@client.test")),
        )
        .await;
    }
    app.person("ana@a.test", "Ana", "dealer_staff", Some("A"))
        .await;
    app.person("bob@b.test", "Bob", "dealer_staff", Some("B"))
        .await;
    app.person("fay@oem.test", "Fay", "finance_clerk", None)
        .await;
    let (cookie_a, cookie_b) = (
        app.sign_in("ana@a.test").await,
        app.sign_in("bob@b.test").await,
    );
    let mine = app.page("/dealer/registrations", &cookie_a).await;
    assert_eq!(mine.status.as_u16(), 200, "{}", mine.text);
    for i in 0..3 {
        assert!(
            mine.text.contains(&format!("MINE-000{i}")),
            "dealer A sees its registration {i}"
        );
    }
    let theirs = app.page("/dealer/registrations", &cookie_b).await;
    assert!(
        theirs.status.as_u16() == 200 && !theirs.text.contains("MINE-000"),
        "dealer B sees none of A's"
    );
    let scorecard = app
        .page("/dealer/scorecard?period=2026-11", &cookie_b)
        .await;
    assert!(scorecard.status.is_success() && !scorecard.text.contains("MINE-000"));
    // One of A's registrations, opened by B: not found, as a page.
    let listed = app.get("/v1/registrations", Some(&a)).await;
    let first = listed.json["items"][0]["id"].as_str().unwrap().to_owned();
    let other = app
        .page(&format!("/dealer/registrations/{first}"), &cookie_b)
        .await;
    assert_eq!(other.status.as_u16(), 404);
    assert!(
        other.text.contains("<html"),
        "a page, not a problem document: {}",
        other.text
    );
    let own = app
        .page(&format!("/dealer/registrations/{first}"), &cookie_a)
        .await;
    assert_eq!(own.status.as_u16(), 200);
    // A finance person cannot use the dealer pages, nor a dealer person the finance pages.
    let fay = app.sign_in("fay@oem.test").await;
    assert_eq!(app.page("/dealer", &fay).await.status.as_u16(), 403);
    assert_eq!(
        app.page("/finance/statements", &cookie_a)
            .await
            .status
            .as_u16(),
        403
    );
}

both_backends!(
    visits_are_attributed_within_the_window_only,
    a_click_beats_a_send_and_each_visit_and_reminder_counts_once,
    a_voided_registration_earns_no_visit_credit,
    a_visit_drops_the_pending_reminder_of_its_plan_step,
    the_scorecard_matches_a_hand_computed_fixture,
    the_holdout_gets_no_service_reminders_and_fraud_signals_show_evidence,
    dealer_pages_show_only_the_signed_in_dealers_data,
);
