//! Service visits on units a dealer did not sell: accepted only from a dealer the manufacturer
//! authorized (anywhere, in a territory, or for listed sellers); any other answer reveals nothing
//! about the unit; unusual patterns become fraud signals with evidence.

use serde_json::{Value, json};

use crate::attribution::{reminder, send, setup, unit, visit};
use crate::both_backends;
use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};

/// Dealer C, with the given servicing authorization, and its key.
async fn servicer(app: &TestApp, authorization: Value) -> String {
    let admin = app.admin_key.clone();
    let resp = app
        .put_json(
            "/v1/admin/dealers/C",
            Some(&admin),
            &json!({"name": "Dealer C", "locale": "en", "time_zone": "Europe/Paris", "authorized_servicer": authorization}),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.text);
    assert_eq!(
        resp.json["authorized_servicer"].is_null(),
        authorization.is_null(),
        "{}",
        resp.text
    );
    let key = app
        .post_json("/v1/admin/dealers/C/keys", Some(&admin), &json!({}))
        .await;
    key.json["key"].as_str().unwrap().to_owned()
}

async fn signals(app: &TestApp) -> Vec<Value> {
    let admin = app.admin_key.clone();
    let resp = app
        .get("/v1/admin/fraud-signals?period=2026-11", Some(&admin))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    resp.json.as_array().unwrap().clone()
}

async fn a_dealer_that_neither_sold_nor_may_service_a_unit_learns_nothing_and_changes_nothing(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (a, _) = setup(&app).await;
    let outsider = servicer(&app, Value::Null).await;
    let sold = app
        .register(&a, &unit("SVC-0001", "owner@client.test"))
        .await;
    let first = reminder(&sold, "service_due", 1);
    send(&app, &[first]).await;
    let id = sold.json["id"].as_str().unwrap();
    let reminders = |resp: &crate::helpers::Resp| resp.json["reminders"].clone();
    let before = app.get(&format!("/v1/registrations/{id}"), Some(&a)).await;

    let on_theirs = visit(&app, &outsider, "SVC-0001", "2026-11-27").await;
    let before_purchase = visit(&app, &outsider, "SVC-0001", "2026-01-01").await;
    let unknown = visit(&app, &outsider, "NEVER-SOLD-1", "2026-11-27").await;
    on_theirs.assert_problem(422);
    // The same answer as for a serial nobody registered: no purchase date bound, no owner hinted.
    assert_eq!(on_theirs.json["errors"], unknown.json["errors"]);
    assert_eq!(before_purchase.json["errors"], unknown.json["errors"]);
    assert_eq!(
        on_theirs.field_errors(),
        [("serial_number".to_owned(), "not_registered".to_owned())]
    );

    // The seller's reminders and ledger are untouched.
    let after = app.get(&format!("/v1/registrations/{id}"), Some(&a)).await;
    assert_eq!(reminders(&after), reminders(&before));
    let credits = app.store.ledger().await.unwrap();
    assert!(credits.iter().all(|l| l.kind != "service_attribution"));

    // An admin sees the attempt, with its evidence.
    let found: Vec<_> = signals(&app)
        .await
        .into_iter()
        .filter(|s| s["kind"] == "visit_on_unauthorized_unit")
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["dealer_code"], "C");
    assert_eq!(found[0]["evidence"]["sold_by"], "A");
    assert_eq!(found[0]["evidence"]["serial_number"], "SVC0001");
    app.finish_claimed().await;
}

async fn an_authorized_servicer_may_report_visits_within_its_territory_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, _) = setup(&app).await;
    // The unit's customer lives in France (unit() captures country FR).
    app.register(&a, &unit("TERR-0001", "t1@client.test")).await;
    let elsewhere = servicer(&app, json!({"countries": ["DE"]})).await;
    visit(&app, &elsewhere, "TERR-0001", "2026-11-27")
        .await
        .assert_problem(422);
    let here = servicer(&app, json!({"countries": ["FR"], "selling_dealers": ["A"]})).await;
    let accepted = visit(&app, &here, "TERR-0001", "2026-11-27").await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    assert_eq!(accepted.json["credited_to_you"], false);
    let other_seller = servicer(&app, json!({"selling_dealers": ["B"]})).await;
    visit(&app, &other_seller, "TERR-0001", "2026-11-26")
        .await
        .assert_problem(422);
    // A bad authorization is refused field by field.
    let bad = app
        .put_json(
            "/v1/admin/dealers/C",
            Some(&app.admin_key.clone()),
            &json!({"name": "Dealer C", "locale": "en", "time_zone": "Europe/Paris",
                "authorized_servicer": {"countries": ["XX"]}}),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(
        bad.field_errors(),
        [(
            "authorized_servicer.countries[0]".to_owned(),
            "invalid_country".to_owned()
        )]
    );
}

async fn a_servicers_unusual_visits_raise_signals_with_evidence(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.fraud_visits_on_others_per_30_days = 2).await;
    let (a, _) = setup(&app).await;
    let c = servicer(&app, json!({})).await;
    let first = app.register(&a, &unit("PAT-0001", "p1@client.test")).await;
    app.register(&a, &unit("PAT-0002", "p2@client.test")).await;
    send(&app, &[reminder(&first, "service_due", 1)]).await;
    // Right after the reminder, on a unit C never reported before.
    assert_eq!(visit(&app, &c, "PAT-0001", "2026-11-27").await.status, 201);
    assert_eq!(visit(&app, &c, "PAT-0002", "2026-11-27").await.status, 201);
    let found = signals(&app).await;
    let after_reminder = found
        .iter()
        .find(|s| s["kind"] == "visit_right_after_reminder")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(after_reminder["dealer_code"], "C");
    assert_eq!(after_reminder["evidence"]["serial_number"], "PAT0001");
    assert_eq!(after_reminder["evidence"]["sold_by"], "A");
    let many = found
        .iter()
        .find(|s| s["kind"] == "many_visits_on_others_units")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(many["evidence"]["visits_on_others_units"], 2);
    // The seller reporting its own visits raises nothing.
    let before = found.len();
    assert_eq!(visit(&app, &a, "PAT-0002", "2026-11-26").await.status, 201);
    assert_eq!(signals(&app).await.len(), before);
    app.finish_claimed().await;
}

both_backends!(
    a_dealer_that_neither_sold_nor_may_service_a_unit_learns_nothing_and_changes_nothing,
    an_authorized_servicer_may_report_visits_within_its_territory_only,
    a_servicers_unusual_visits_raise_signals_with_evidence,
);
