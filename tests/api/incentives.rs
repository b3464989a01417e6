//! Incentives and statements: accrual with the registration, caps, clawback, verification holds,
//! program versions, period close, the finance workflow, exports and role checks.

use chrono::Duration;
use futures::future::join_all;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, registration, spawn_app};

fn program(cap: Option<i64>, hold: bool) -> Value {
    json!({
        "name": "Registration bonus", "currency": "EUR", "valid_from": "2026-01-01", "valid_to": null,
        "cap_per_dealer_per_period_minor": cap, "clawback_days": 60,
        "rules": [
            {"id": "mowers", "sku": "MOWER-500", "registration_minor": 1500, "on_time_bonus_minor": 500, "on_time_days": 14,
             "hold_until_verified": hold},
            {"id": "heating", "category": "heating", "registration_minor": 4000}
        ]
    })
}

async fn put_program(app: &TestApp, id: &str, body: &Value) -> Resp {
    app.put_json(
        &format!("/v1/admin/programs/{id}"),
        Some(&app.admin_key.clone()),
        body,
    )
    .await
}

async fn finance_key(app: &TestApp) -> String {
    let resp = app
        .post_json(
            "/v1/admin/keys",
            Some(&app.admin_key.clone()),
            &json!({"role": "finance"}),
        )
        .await;
    resp.json["key"].as_str().unwrap().to_owned()
}

async fn close(app: &TestApp, key: &str, period: &str) -> Resp {
    app.post_json(
        &format!("/v1/finance/periods/{period}/close"),
        Some(key),
        &json!({}),
    )
    .await
}

async fn a_registration_earns_per_rule_and_names_the_program_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = put_program(&app, "REG-2026", &program(None, false)).await;
    assert_eq!(
        (created.status.as_u16(), created.json["version"].as_i64()),
        (201, Some(1)),
        "{}",
        created.text
    );
    let key = app.dealer("A", "Europe/Paris").await;
    let resp = app.register(&key, &registration("INC-0001")).await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    let incentive = &resp.json["incentive"];
    assert_eq!(incentive["amount_minor"], 2000);
    assert_eq!(incentive["currency"], "EUR");
    assert_eq!(incentive["eligible"], true);
    assert_eq!(incentive["reasons"], json!(["on_time"]));
    let kinds: Vec<_> = incentive["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap(),
                l["program_version"].as_i64().unwrap(),
                l["rule_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("registration", 1, "mowers"),
            ("on_time_bonus", 1, "mowers")
        ]
    );
    // What was answered is what is stored.
    let read = app
        .get(
            &format!("/v1/registrations/{}", resp.json["id"].as_str().unwrap()),
            Some(&key),
        )
        .await;
    assert_eq!(read.json["incentive"], resp.json["incentive"]);

    // A late registration earns no bonus; an unmatched product earns nothing.
    let mut late = registration("INC-0002");
    late["purchase_date"] = json!("2026-10-01");
    assert_eq!(
        app.register(&key, &late).await.json["incentive"]["amount_minor"],
        1500
    );
    app.put_product("KETTLE", json!({"name": "Kettle", "category": "kitchen", "warranty_months": 12, "warranty_start": "purchase",
        "service_plan": [], "registration_window_days": 30})).await;
    let mut kettle = registration("INC-0003");
    kettle["sku"] = json!("KETTLE");
    let none = app.register(&key, &kettle).await;
    assert_eq!(
        none.json["incentive"],
        json!({"amount_minor": 0, "currency": null, "eligible": false, "reasons": ["no_program"], "lines": []})
    );
}

async fn a_program_change_is_a_new_version_and_never_rewrites_past_entries(backend: Backend) {
    let app = spawn_app(backend).await;
    put_program(&app, "REG", &program(None, false)).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let first = app.register(&key, &registration("VER-0001")).await;
    let unchanged = put_program(&app, "REG", &program(None, false)).await;
    assert_eq!(
        (
            unchanged.status.as_u16(),
            unchanged.json["version"].as_i64()
        ),
        (200, Some(1))
    );
    let mut richer = program(None, false);
    richer["rules"][0]["registration_minor"] = json!(2500);
    let v2 = put_program(&app, "REG", &richer).await;
    assert_eq!(v2.json["version"], 2);
    let second = app.register(&key, &registration("VER-0002")).await;
    assert_eq!(second.json["incentive"]["lines"][0]["amount_minor"], 2500);
    assert_eq!(second.json["incentive"]["lines"][0]["program_version"], 2);
    let again = app
        .get(
            &format!("/v1/registrations/{}", first.json["id"].as_str().unwrap()),
            Some(&key),
        )
        .await;
    assert_eq!(again.json["incentive"]["lines"][0]["amount_minor"], 1500);
    assert_eq!(again.json["incentive"]["lines"][0]["program_version"], 1);
    let versions = app
        .get("/v1/admin/programs/REG", Some(&app.admin_key.clone()))
        .await;
    assert_eq!(versions.json.as_array().unwrap().len(), 2);
    // Invalid programs are refused field by field.
    let mut bad = program(None, false);
    bad["currency"] = json!("euros");
    bad["rules"][1]["sku"] = json!("X");
    let refused = put_program(&app, "BAD", &bad).await;
    refused.assert_problem(422);
    assert_eq!(
        refused
            .field_errors()
            .iter()
            .map(|(f, _)| f.as_str())
            .collect::<Vec<_>>(),
        ["currency", "rules[1].sku"]
    );
}

async fn caps_hold_exactly_under_concurrent_registrations(backend: Backend) {
    let app = spawn_app(backend).await;
    // 5,000 per dealer and period; each registration earns 2,000.
    put_program(&app, "CAPPED", &program(Some(5000), false)).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let attempts = (0..12).map(|i| {
        let key = key.clone();
        let app = &app;
        async move {
            app.register(&key, &registration(&format!("CAP-{i:04}")))
                .await
        }
    });
    let results = join_all(attempts).await;
    assert!(
        results.iter().all(|r| r.status.as_u16() == 201),
        "{:?}",
        results.iter().map(|r| r.text.clone()).collect::<Vec<_>>()
    );
    let total: i64 = results
        .iter()
        .map(|r| r.json["incentive"]["amount_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 5000, "the cap is exact");
    let ledger: i64 = app
        .store
        .ledger()
        .await
        .unwrap()
        .iter()
        .map(|l| l.amount_minor)
        .sum();
    assert_eq!(ledger, 5000);
    assert!(results.iter().any(|r| {
        r.json["incentive"]["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("capped"))
    }));
    // Another dealer has its own cap.
    let other = app.dealer("B", "Europe/Paris").await;
    assert_eq!(
        app.register(&other, &registration("CAP-B-01")).await.json["incentive"]["amount_minor"],
        2000
    );
}

async fn voiding_within_the_clawback_window_reverses_the_amounts(backend: Backend) {
    let app = spawn_app(backend).await;
    put_program(&app, "REG", &program(None, false)).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let early = app.register(&key, &registration("CLAW-0001")).await;
    let late = app.register(&key, &registration("CLAW-0002")).await;
    app.clock.advance(Duration::days(10));
    let voided = app
        .post_json(
            &format!(
                "/v1/registrations/{}/void",
                early.json["id"].as_str().unwrap()
            ),
            Some(&key),
            &json!({}),
        )
        .await;
    let lines = voided.json["incentive"]["lines"].as_array().unwrap();
    assert_eq!(
        lines
            .iter()
            .map(|l| l["amount_minor"].as_i64().unwrap())
            .sum::<i64>(),
        0,
        "{lines:?}"
    );
    assert!(
        voided.json["incentive"]["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("clawed_back"))
    );
    // Voiding again claws back nothing more.
    app.post_json(
        &format!(
            "/v1/registrations/{}/void",
            early.json["id"].as_str().unwrap()
        ),
        Some(&key),
        &json!({}),
    )
    .await;
    // After the 60-day window, a void keeps the amounts.
    app.clock.advance(Duration::days(55));
    let kept = app
        .post_json(
            &format!(
                "/v1/registrations/{}/void",
                late.json["id"].as_str().unwrap()
            ),
            Some(&key),
            &json!({}),
        )
        .await;
    assert_eq!(kept.json["incentive"]["amount_minor"], 2000);
    let ledger = app.store.ledger().await.unwrap();
    assert_eq!(ledger.iter().filter(|l| l.kind == "clawback").count(), 2);
    assert_eq!(ledger.iter().map(|l| l.amount_minor).sum::<i64>(), 2000);
}

async fn held_amounts_reach_a_statement_only_once_verified(backend: Backend) {
    let app = spawn_app(backend).await;
    put_program(&app, "QUALITY", &program(None, true)).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let finance = finance_key(&app).await;
    let verified = app.register(&key, &registration("HOLD-0001")).await;
    let voided = app.register(&key, &registration("HOLD-0002")).await;
    assert_eq!(
        verified.json["incentive"]["reasons"],
        json!(["held_until_verified", "on_time"])
    );
    assert!(
        verified.json["incentive"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["held"] == true)
    );
    assert!(
        app.store.ledger().await.unwrap().is_empty(),
        "held amounts are not owed yet"
    );

    // Voided before verification: releases nothing.
    app.post_json(
        &format!(
            "/v1/registrations/{}/void",
            voided.json["id"].as_str().unwrap()
        ),
        Some(&key),
        &json!({}),
    )
    .await;
    // The customer confirms through the link in the confirmation email.
    let token = app.state.signer.sign(
        warrantyd::tokens::Purpose::Verify,
        verified.json["id"].as_str().unwrap().parse().unwrap(),
    );
    assert_eq!(
        app.send(
            axum::http::Method::POST,
            &format!("/v/{token}"),
            None,
            None,
            vec![],
            &[]
        )
        .await
        .status
        .as_u16(),
        200
    );
    let ledger = app.store.ledger().await.unwrap();
    assert_eq!(ledger.iter().map(|l| l.amount_minor).sum::<i64>(), 2000);
    assert!(
        ledger
            .iter()
            .all(|l| l.reason.as_deref() == Some("verified"))
    );

    app.clock.set("2026-12-01T10:00:00Z".parse().unwrap());
    let closed = close(&app, &finance, "2026-11").await;
    assert_eq!(
        closed.json["statements"][0]["total_minor"], 2000,
        "{}",
        closed.text
    );
}

async fn amounts_are_released_when_the_confirmation_was_delivered_and_time_passed(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    put_program(&app, "QUALITY", &program(None, true)).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let delivered = app.register(&key, &registration("REL-0001")).await;
    let mut bouncing = registration("REL-0002");
    bouncing["customer"]["email"] = json!("rcpt550@client.test");
    let bouncing = app.register(&key, &bouncing).await;
    let smtp = crate::smtp::SmtpServer::start();
    let sender = app.smtp_sender(&smtp.url());
    sender.dispatch_once().await.unwrap();
    for resp in [&delivered, &bouncing] {
        sender
            .send_reminder(
                resp.json["reminders"][0]["id"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap(),
            )
            .await
            .unwrap();
    }
    sender.ledger_upkeep().await.unwrap();
    assert!(
        app.store.ledger().await.unwrap().is_empty(),
        "not before verification_days have passed"
    );
    app.clock.advance(Duration::days(15));
    sender.ledger_upkeep().await.unwrap();
    let ledger = app.store.ledger().await.unwrap();
    let registrations: Vec<_> = ledger
        .iter()
        .map(|l| l.registration_id.unwrap().to_string())
        .collect();
    assert_eq!(ledger.len(), 2, "{ledger:?}");
    assert!(
        registrations
            .iter()
            .all(|r| r == delivered.json["id"].as_str().unwrap()),
        "the bounced one releases nothing"
    );
}

async fn closing_builds_statements_once_and_later_entries_go_to_the_next_period(backend: Backend) {
    let app = spawn_app(backend).await;
    put_program(&app, "REG", &program(None, false)).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let finance = finance_key(&app).await;
    app.register(&a, &registration("CLOSE-0001")).await;
    app.register(&a, &registration("CLOSE-0002")).await;
    app.register(&b, &registration("CLOSE-0003")).await;
    // Not before the period has begun.
    close(&app, &finance, "2026-12").await.assert_problem(422);
    close(&app, &finance, "2026-13").await.assert_problem(422);

    let first = close(&app, &finance, "2026-11").await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.text);
    assert_eq!(first.json["closed_now"], true);
    let totals: Vec<_> = first.json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["dealer_code"].as_str().unwrap(),
                s["total_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(totals, [("A", 4000), ("B", 2000)]);
    let again = close(&app, &finance, "2026-11").await;
    assert_eq!(again.json["closed_now"], false);
    assert_eq!(again.json["statements"], first.json["statements"]);

    // A registration after the close (same month) lands on the next period's statement.
    app.clock.advance(Duration::hours(1));
    app.register(&a, &registration("CLOSE-0004")).await;
    app.clock.set("2027-01-02T10:00:00Z".parse().unwrap());
    let next = close(&app, &finance, "2026-12").await;
    let totals: Vec<_> = next.json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["dealer_code"].as_str().unwrap(),
                s["total_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(totals, [("A", 2000)], "{}", next.text);

    // Every statement's total equals the sum of its lines.
    for s in app
        .get("/v1/finance/statements", Some(&finance))
        .await
        .json
        .as_array()
        .unwrap()
    {
        let full = app
            .get(
                &format!("/v1/finance/statements/{}", s["id"].as_str().unwrap()),
                Some(&finance),
            )
            .await;
        let sum: i64 = full.json["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["amount_minor"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, full.json["total_minor"].as_i64().unwrap());
        assert!(
            full.json["lines"][0]["program_id"].is_string()
                && full.json["lines"][0]["serial_number"].is_string()
        );
    }
    // Dealers see only their own statements.
    let own = app.get("/v1/dealer/statements", Some(&b)).await;
    assert_eq!(own.json.as_array().unwrap().len(), 1);
    assert_eq!(own.json[0]["dealer_code"], "B");
}

async fn the_statement_workflow_allows_only_its_transitions_and_audits_them(backend: Backend) {
    let app = spawn_app(backend).await;
    put_program(&app, "REG", &program(None, false)).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let finance = finance_key(&app).await;
    app.register(&a, &registration("FLOW-0001")).await;
    let closed = close(&app, &finance, "2026-11").await;
    let id = closed.json["statements"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let act = |action: &'static str, body: Value| {
        let (app, finance, id) = (&app, finance.clone(), id.clone());
        async move {
            app.post_json(
                &format!("/v1/finance/statements/{id}/{action}"),
                Some(&finance),
                &body,
            )
            .await
        }
    };
    act("paid", json!({"reference": "X"}))
        .await
        .assert_problem(409);
    act("release", json!({})).await.assert_problem(409);
    act("hold", json!({"reason": "  "}))
        .await
        .assert_problem(422);
    let held = act("hold", json!({"reason": "missing invoice"})).await;
    assert_eq!(
        (
            held.json["status"].as_str(),
            held.json["hold_reason"].as_str()
        ),
        (Some("on_hold"), Some("missing invoice"))
    );
    act("approve", json!({})).await.assert_problem(409);
    assert_eq!(
        act("release", json!({})).await.json["status"],
        "pending_review"
    );
    assert_eq!(act("approve", json!({})).await.json["status"], "approved");
    // Four eyes: whoever approved may not also mark it paid (this test failed before the rule).
    let refused = act("paid", json!({"reference": "PAY-001"})).await;
    refused.assert_problem(409);
    assert!(refused.text.contains("four-eyes"), "{}", refused.text);
    let payer = finance_key(&app).await;
    let act = |action: &'static str, body: Value| {
        let (app, payer, id) = (&app, payer.clone(), id.clone());
        async move {
            app.post_json(
                &format!("/v1/finance/statements/{id}/{action}"),
                Some(&payer),
                &body,
            )
            .await
        }
    };
    act("paid", json!({})).await.assert_problem(422);
    let paid = act("paid", json!({"reference": "PAY-001"})).await;
    assert_eq!(
        (
            paid.json["status"].as_str(),
            paid.json["payment_reference"].as_str()
        ),
        (Some("paid"), Some("PAY-001"))
    );
    // Paid is final.
    for (action, body) in [
        ("hold", json!({"reason": "late"})),
        ("approve", json!({})),
        ("release", json!({})),
        ("paid", json!({"reference": "AGAIN"})),
    ] {
        act(action, body).await.assert_problem(409);
    }
    let audit = app.store.audit_log("statement", &id).await.unwrap();
    let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "statement.created",
            "statement.hold",
            "statement.release",
            "statement.approve",
            "statement.pay"
        ]
    );
    assert!(
        audit[1..].iter().all(|a| a.actor.is_some()),
        "every change by a person names the actor"
    );
}

async fn finance_endpoints_need_a_finance_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let dealer = app.dealer("A", "Europe/Paris").await;
    let admin = app.admin_key.clone();
    for (method, path) in [
        ("POST", "/v1/finance/periods/2026-11/close"),
        ("GET", "/v1/finance/statements"),
        ("GET", "/v1/finance/statements.csv?period=2026-11"),
        ("POST", "/v1/finance/adjustments"),
    ] {
        for key in [None, Some(dealer.as_str()), Some(admin.as_str())] {
            let resp = if method == "GET" {
                app.get(path, key).await
            } else {
                app.post_json(path, key, &json!({})).await
            };
            resp.assert_problem(if key.is_none() { 401 } else { 403 });
        }
    }
    app.get("/v1/dealer/statements", Some(&admin))
        .await
        .assert_problem(403);
    app.put_json("/v1/admin/programs/X", Some(&dealer), &program(None, false))
        .await
        .assert_problem(403);
}

async fn adjustments_and_the_csv_export_explain_every_amount(backend: Backend) {
    let app = spawn_app(backend).await;
    put_program(&app, "REG", &program(None, false)).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let finance = finance_key(&app).await;
    app.register(&a, &registration("CSV-0001")).await;
    let adjustment = app
        .post_json("/v1/finance/adjustments", Some(&finance), &json!({"dealer_code": "A", "amount_minor": -250, "currency": "EUR", "reason": "=HYPERLINK(\"http://x\")"}))
        .await;
    assert_eq!(adjustment.status.as_u16(), 201, "{}", adjustment.text);
    assert_eq!(adjustment.json["amount"], "-2.50");
    // The most negative integer must not overflow the range check (found by schemathesis).
    let extreme = app
        .post_json("/v1/finance/adjustments", Some(&finance), &json!({"dealer_code": "A", "amount_minor": i64::MIN, "currency": "EUR", "reason": "x"}))
        .await;
    assert_eq!(
        extreme.field_errors(),
        vec![("amount_minor".to_owned(), "out_of_range".to_owned())]
    );
    let bad = app
        .post_json(
            "/v1/finance/adjustments",
            Some(&finance),
            &json!({"dealer_code": "NOPE", "amount_minor": 0, "currency": "eur", "reason": ""}),
        )
        .await;
    bad.assert_problem(422);
    let fields: Vec<_> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["currency", "reason", "amount_minor", "dealer_code"]
    );

    close(&app, &finance, "2026-11").await;
    let export = app
        .get("/v1/finance/statements.csv?period=2026-11", Some(&finance))
        .await;
    assert_eq!(export.status.as_u16(), 200);
    assert!(
        export
            .header("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    let mut reader = csv::Reader::from_reader(export.text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        warrantyd::http::ledger::CSV_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let amounts: Vec<_> = rows.iter().map(|r| r[8].to_owned()).collect();
    assert_eq!(amounts, ["15.00", "5.00", "-2.50"]);
    assert!(rows.iter().all(|r| &r[5] == "17.50"));
    // Formula injection is neutralized for spreadsheet users.
    assert_eq!(&rows[2][14], "'=HYPERLINK(\"http://x\")");
    assert!(export.text.contains("\r\n"));
    app.get("/v1/finance/statements.csv", Some(&finance))
        .await
        .assert_problem(422);
}

async fn a_period_closes_by_itself_once_it_has_ended_in_the_manufacturers_time_zone(
    backend: Backend,
) {
    let app =
        crate::helpers::spawn_app_with(backend, |c| c.manufacturer_time_zone = "Asia/Tokyo".into())
            .await;
    put_program(&app, "REG", &program(None, false)).await;
    let key = app.dealer("A", "Europe/Paris").await;
    app.register(&key, &registration("AUTO-0001")).await;
    let sender = app.sender(warrantyd::mail::Mailer::Memory(Default::default()));
    // 30 Nov 14:00 UTC is 23:00 in Tokyo: November has not ended there yet.
    app.clock.set("2026-11-30T14:00:00Z".parse().unwrap());
    sender.ledger_upkeep().await.unwrap();
    assert!(!app.store.period_closed("2026-11").await.unwrap());
    // 30 Nov 15:00 UTC is midnight in Tokyo: the first upkeep after that closes November.
    app.clock.set("2026-11-30T15:00:00Z".parse().unwrap());
    sender.ledger_upkeep().await.unwrap();
    assert!(app.store.period_closed("2026-11").await.unwrap());
    let statements = app
        .store
        .statements(Some("2026-11"), None, None)
        .await
        .unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].total_minor, 2000);
    let audit = app.store.audit_log("period", "2026-11").await.unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor),
        ("period.closed", None),
        "the system closed it"
    );
}

/// The audit history says amounts as people write them: "75.00 EUR", not minor units.
async fn the_audit_history_writes_amounts_as_money(backend: Backend) {
    let app = spawn_app(backend).await;
    app.dealer("A", "Europe/Paris").await;
    let finance = finance_key(&app).await;
    let adjustment = app
        .post_json("/v1/finance/adjustments", Some(&finance), &json!({"dealer_code": "A", "amount_minor": 7500, "currency": "EUR", "reason": "launch bonus", "period": "2026-11"}))
        .await;
    assert_eq!(adjustment.status.as_u16(), 201, "{}", adjustment.text);
    let entry = adjustment.json["entry_id"].as_str().unwrap().to_owned();
    let added = app.store.audit_log("ledger_entry", &entry).await.unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].detail.as_deref(), Some("75.00 EUR"));
    let closed = close(&app, &finance, "2026-11").await;
    let statement = closed.json["statements"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app.store.audit_log("statement", &statement).await.unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].action, "statement.created");
    assert_eq!(created[0].detail.as_deref(), Some("75.00 EUR"));
}

both_backends!(
    the_audit_history_writes_amounts_as_money,
    a_period_closes_by_itself_once_it_has_ended_in_the_manufacturers_time_zone,
    a_registration_earns_per_rule_and_names_the_program_version,
    a_program_change_is_a_new_version_and_never_rewrites_past_entries,
    caps_hold_exactly_under_concurrent_registrations,
    voiding_within_the_clawback_window_reverses_the_amounts,
    held_amounts_reach_a_statement_only_once_verified,
    amounts_are_released_when_the_confirmation_was_delivered_and_time_passed,
    closing_builds_statements_once_and_later_entries_go_to_the_next_period,
    the_statement_workflow_allows_only_its_transitions_and_audits_them,
    finance_endpoints_need_a_finance_key,
    adjustments_and_the_csv_export_explain_every_amount,
);
