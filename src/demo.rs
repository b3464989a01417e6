//! `warrantyd demo`: a dealer, three products, an incentive program and two keys on a fresh
//! directory, then the service itself, with a curl command that registers a unit.

use std::net::SocketAddr;

use uuid::Uuid;

use crate::app::{self, Role};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::catalog::WarrantyStart;
use crate::domain::catalog_input::{DealerRequest, ProductRequest, parse_dealer, parse_product};
use crate::domain::incentives::ProgramDefinition;
use crate::keys;

pub async fn run(config: Config, listen: Option<SocketAddr>) -> anyhow::Result<()> {
    let store = app::open_store(&config).await?;
    let now = SystemClock.now();
    let dealer = parse_dealer(
        "DEMO",
        &DealerRequest {
            name: "Demo Outdoor & Garden".into(),
            email: Some("service@demo-dealer.example".into()),
            phone: Some("+442071838750".into()),
            locale: "en-GB".into(),
            time_zone: "Europe/London".into(),
            country: Some("GB".into()),
            booking_url: Some("https://demo-dealer.example/book".into()),
            address: Some("1 High Street, London".into()),
            send_window: None,
            active: Some(true),
            authorized_servicer: None,
            message_channels: None,
            sms_sender_id: None,
        },
    )
    .map_err(|e| anyhow::anyhow!("demo dealer: {e:?}"))?;
    let (dealer, _) = store.upsert_dealer(&dealer, None, now).await?;
    let products = [
        (
            "MOWER-500",
            "Robotic mower 500",
            "garden",
            24,
            WarrantyStart::Purchase,
            vec!["P6M", "P12M", "P24M"],
        ),
        (
            "BOILER-24",
            "Condensing boiler 24 kW",
            "heating",
            60,
            WarrantyStart::Installation,
            vec!["P12M", "P24M", "P36M", "P48M"],
        ),
        (
            "EBIKE-CITY",
            "City e-bike",
            "mobility",
            24,
            WarrantyStart::Delivery,
            vec!["P1M", "P12M"],
        ),
    ];
    for (sku, name, category, months, start, plan) in products {
        let product = parse_product(
            sku,
            &ProductRequest {
                name: name.into(),
                category: category.into(),
                warranty_months: months,
                warranty_start: start,
                service_plan: plan.into_iter().map(String::from).collect(),
                registration_window_days: 30,
                gtin: None,
                transfer_policy: Default::default(),
                message_channels: None,
            },
        )
        .map_err(|e| anyhow::anyhow!("demo product: {e:?}"))?;
        store.upsert_product(&product, None, now).await?;
    }
    let program: ProgramDefinition = serde_json::from_value(serde_json::json!({
        "name": "Demo registration bonus", "currency": "GBP", "valid_from": "2020-01-01",
        "cap_per_dealer_per_period_minor": 100000, "clawback_days": 90,
        "rules": [
            {"id": "garden", "category": "garden", "registration_minor": 1500, "on_time_bonus_minor": 500, "on_time_days": 14},
            {"id": "heating", "category": "heating", "registration_minor": 5000, "hold_until_verified": true}
        ]
    }))?;
    let program = serde_json::to_string(&program)?;
    crate::workflows::ledger::save_program(&store, "DEMO-BONUS", &program, None, now).await?;
    // Run again, the demo replaces its keys instead of piling up live ones.
    for old in store.list_keys().await? {
        if old.label.as_deref() == Some("demo") && old.revoked_at.is_none() {
            store.revoke_key(old.id, now).await?;
        }
    }
    let key = keys::issue_key(
        &store,
        keys::Role::Dealer,
        Some(&dealer),
        Some("demo".into()),
        now,
    )
    .await?;
    let finance =
        keys::issue_key(&store, keys::Role::Finance, None, Some("demo".into()), now).await?;
    let listener = app::bind(listen.unwrap_or(config.listen)).await?;
    let addr = listener.local_addr()?;
    let mut config = config;
    if config.public_url == Config::default().public_url {
        // Links in the demo's emails point at the demo itself.
        config.public_url = format!("http://{addr}");
    }
    // People: one per role, each with a sign-in link (also written to the outbox as an email).
    let state = app::state(
        config.clone(),
        store.clone(),
        std::sync::Arc::new(SystemClock),
    )?;
    let mut links = String::new();
    for (email, name, role, dealer_id) in [
        (
            "counter@demo-dealer.example",
            "Dana Counter",
            "dealer_manager",
            Some(dealer.id),
        ),
        ("clerk@oem.example", "Chris Clerk", "finance_clerk", None),
        (
            "approver@oem.example",
            "Alex Approver",
            "finance_approver",
            None,
        ),
        ("admin@oem.example", "Ada Admin", "admin", None),
    ] {
        let account = crate::store::NewAccount {
            id: Uuid::now_v7(),
            email: email.into(),
            name: name.into(),
            role: role.into(),
            dealer_id,
            language: "en".into(),
            invited_by: None,
        };
        store.insert_account(&account, now).await?;
        let record = store
            .account_by_email(email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo person {email} missing"))?;
        let link = crate::http::sign_in::send_link(&state, &record, None, None)
            .await
            .map_err(|e| anyhow::anyhow!("demo sign-in link: {e}"))?;
        links.push_str(&format!("  {name} ({role}): {link}\n"));
    }
    let serial = format!("DEMO-{}", &Uuid::now_v7().simple().to_string()[20..]).to_uppercase();
    let today = now.date_naive();
    println!(
        r#"
Demo data ready: dealer DEMO, products MOWER-500, BOILER-24 and EBIKE-CITY, incentive program DEMO-BONUS.
Dealer key (shown once): {key}

Register a unit:

curl -sS -X POST http://{addr}/v1/registrations \
  -H 'Authorization: Bearer {key}' \
  -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: {serial}' \
  -d '{{"serial_number":"{serial}","sku":"MOWER-500","purchase_date":"{today}","customer":{{"name":"Alex Doe","email":"alex@example.com","time_zone":"Europe/London","locale":"en-GB"}},"consent":{{"service_reminders":true,"marketing":false}}}}'

Web pages: http://{addr}/ (sign in with one of these one-time links; each works once, for 15
minutes; ask for a new one on http://{addr}/sign-in with the same email address, then open the
email in the outbox folder):
{links}
Finance API key: {finance}
API description: http://{addr}/openapi.json
"#,
        key = key.plaintext,
        finance = finance.plaintext
    );
    app::run_with(
        config,
        store,
        Role::All,
        Some(listener),
        app::shutdown_signal(),
    )
    .await
}
