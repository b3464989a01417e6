//! Property tests of the ledger: for random histories of registrations, voids, adjustments, program
//! changes, time passing and period closes, statements always add up, nothing is counted twice or
//! lost, closing twice changes nothing, and no entry ever changes.

use std::collections::HashMap;

use chrono::Duration;
use proptest::prelude::*;
use serde_json::json;

use crate::helpers::{Backend, TestApp, registration, spawn_app};

#[derive(Debug, Clone)]
enum Op {
    Register {
        dealer: usize,
        boiler: bool,
        days_before: i64,
    },
    Void {
        pick: usize,
    },
    Adjust {
        dealer: usize,
        amount: i64,
    },
    Close {
        months_back: u32,
    },
    Advance {
        days: i64,
    },
    ChangeProgram {
        amount: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, any::<bool>(), 0..40i64).prop_map(|(dealer, boiler, days_before)| Op::Register { dealer, boiler, days_before }),
        2 => any::<usize>().prop_map(|pick| Op::Void { pick }),
        1 => (0..3usize, prop_oneof![-5000..-1i64, 1..5000i64]).prop_map(|(dealer, amount)| Op::Adjust { dealer, amount }),
        2 => (0..2u32).prop_map(|months_back| Op::Close { months_back }),
        2 => (1..40i64).prop_map(|days| Op::Advance { days }),
        1 => (0..3000i64).prop_map(|amount| Op::ChangeProgram { amount }),
    ]
}

fn program(amount: i64) -> serde_json::Value {
    json!({
        "name": "P", "currency": "EUR", "valid_from": "2016-01-01", "cap_per_dealer_per_period_minor": 6000, "clawback_days": 30,
        "rules": [
            {"id": "mowers", "sku": "MOWER-500", "registration_minor": amount, "on_time_bonus_minor": 300, "on_time_days": 10},
            {"id": "heating", "category": "heating", "registration_minor": 700}
        ]
    })
}

type Snapshot = HashMap<uuid::Uuid, (i64, String, String)>;

async fn check_invariants(app: &TestApp, finance: &str, seen: &mut Snapshot) {
    let ledger = app.store.ledger().await.unwrap();
    // No entry is ever changed or removed.
    let now: Snapshot = ledger
        .iter()
        .map(|l| {
            (
                l.entry_id,
                (l.amount_minor, l.kind.clone(), l.period.clone()),
            )
        })
        .collect();
    for (id, entry) in seen.iter() {
        assert_eq!(
            now.get(id),
            Some(entry),
            "ledger entry {id} changed or vanished"
        );
    }
    *seen = now;
    // Every statement's total is the sum of its lines, and statements plus open entries are the ledger.
    let statements = app.get("/v1/finance/statements", Some(finance)).await.json;
    let mut on_statements = 0i64;
    for s in statements.as_array().unwrap() {
        let lines = app
            .store
            .statement_lines(s["id"].as_str().unwrap().parse().unwrap())
            .await
            .unwrap();
        let sum: i64 = lines.iter().map(|l| l.amount_minor).sum();
        assert_eq!(
            sum,
            s["total_minor"].as_i64().unwrap(),
            "statement total differs from its lines"
        );
        on_statements += sum;
    }
    let open: i64 = app
        .store
        .open_entries()
        .await
        .unwrap()
        .iter()
        .map(|l| l.amount_minor)
        .sum();
    let total: i64 = ledger.iter().map(|l| l.amount_minor).sum();
    assert_eq!(
        on_statements + open,
        total,
        "statements + open entries must equal the ledger"
    );
}

async fn run_history(backend: Backend, ops: Vec<Op>) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    assert!(
        app.put_json("/v1/admin/programs/P", Some(&admin), &program(1000))
            .await
            .status
            .is_success()
    );
    let finance = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "finance"}))
        .await
        .json["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut keys = Vec::new();
    for code in ["D0", "D1", "D2"] {
        keys.push(app.dealer(code, "Europe/Paris").await);
    }
    let mut registrations: Vec<(usize, String)> = Vec::new();
    let mut seen = Snapshot::new();
    for (i, op) in ops.into_iter().enumerate() {
        match op {
            Op::Register {
                dealer,
                boiler,
                days_before,
            } => {
                let mut body = registration(&format!("PROP-{i:05}"));
                body["purchase_date"] = json!(
                    (app.now() - Duration::days(days_before))
                        .date_naive()
                        .to_string()
                );
                if boiler {
                    body["sku"] = json!("BOILER-24");
                }
                let resp = app.register(&keys[dealer], &body).await;
                assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
                registrations.push((dealer, resp.json["id"].as_str().unwrap().to_owned()));
            }
            Op::Void { pick } if !registrations.is_empty() => {
                let (dealer, id) = &registrations[pick % registrations.len()];
                let resp = app
                    .post_json(
                        &format!("/v1/registrations/{id}/void"),
                        Some(&keys[*dealer]),
                        &json!({}),
                    )
                    .await;
                assert_eq!(resp.status.as_u16(), 200, "{}", resp.text);
            }
            Op::Void { .. } => {}
            Op::Adjust { dealer, amount } => {
                let resp = app
                    .post_json("/v1/finance/adjustments", Some(&finance), &json!({"dealer_code": format!("D{dealer}"), "amount_minor": amount, "currency": "EUR", "reason": "test"}))
                    .await;
                assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
            }
            Op::Close { months_back } => {
                let mut period =
                    warrantyd::domain::ledger::AccountingMonth::of(app.now(), chrono_tz::UTC);
                for _ in 0..months_back {
                    period = period.previous();
                }
                let first = app
                    .post_json(
                        &format!("/v1/finance/periods/{period}/close"),
                        Some(&finance),
                        &json!({}),
                    )
                    .await;
                assert_eq!(first.status.as_u16(), 200, "{}", first.text);
                let ledger_before = app.store.ledger().await.unwrap();
                let again = app
                    .post_json(
                        &format!("/v1/finance/periods/{period}/close"),
                        Some(&finance),
                        &json!({}),
                    )
                    .await;
                assert_eq!(again.json["closed_now"], false);
                assert_eq!(
                    again.json["statements"], first.json["statements"],
                    "closing twice changed the statements"
                );
                assert_eq!(
                    app.store.ledger().await.unwrap(),
                    ledger_before,
                    "closing twice changed the ledger"
                );
            }
            Op::Advance { days } => app.clock.advance(Duration::days(days)),
            Op::ChangeProgram { amount } => {
                assert!(
                    app.put_json("/v1/admin/programs/P", Some(&admin), &program(amount))
                        .await
                        .status
                        .is_success()
                );
            }
        }
        check_invariants(&app, &finance, &mut seen).await;
    }
    // Caps: per dealer and period, what registrations earned never exceeds the program's cap.
    let mut gross: HashMap<(Option<uuid::Uuid>, String), i64> = HashMap::new();
    let ledger = app.store.ledger().await.unwrap();
    let by_registration: HashMap<uuid::Uuid, usize> = registrations
        .iter()
        .map(|(d, id)| (id.parse().unwrap(), *d))
        .collect();
    for l in ledger
        .iter()
        .filter(|l| matches!(l.kind.as_str(), "registration" | "on_time_bonus"))
    {
        let dealer = l
            .registration_id
            .and_then(|r| by_registration.get(&r))
            .map(|d| *d as u128);
        *gross
            .entry((dealer.map(uuid::Uuid::from_u128), l.period.clone()))
            .or_default() += l.amount_minor;
    }
    assert!(
        gross.values().all(|g| *g <= 6000),
        "a cap was exceeded: {gross:?}"
    );
}

fn run(backend: Backend, cases: u32) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(op(), 5..30), |ops| {
            runtime.block_on(run_history(backend, ops));
            Ok(())
        })
        .unwrap();
}

#[test]
fn sqlite_ledger_invariants_hold_for_random_histories() {
    run(Backend::Sqlite, 64);
}

#[test]
fn postgres_ledger_invariants_hold_for_random_histories() {
    run(Backend::Postgres, 8);
}
