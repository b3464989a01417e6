//! A dealer's customer data is its own: what a registration shows and uses is what its dealer
//! captured; consent belongs to a party and a purpose; the manufacturer sees one person across
//! dealers without any dealer seeing another's data.

use axum::http::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use warrantyd::store::Outcome;
use warrantyd::tokens::Purpose;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

/// Dealer A's customer, with everything A captured.
fn alice(serial: &str) -> Value {
    let mut body = registration(serial);
    body["customer"] = json!({
        "name": "Alice Aubert", "email": "shared.person@customer.example", "phone": "+33612345678",
        "locale": "fr-FR", "time_zone": "Europe/Paris", "country": "FR", "postal_code": "75011"
    });
    body
}

/// The same person's email, typed at dealer B with other details and no reminder consent.
fn mallory(serial: &str) -> Value {
    let mut body = registration(serial);
    body["customer"] = json!({
        "name": "Mallory Other", "email": "Shared.Person@Customer.Example",
        "locale": "en-GB", "time_zone": "America/New_York"
    });
    body["consent"] = json!({"service_reminders": false, "marketing": false});
    body
}

fn first_reminder(created: &Value, kind: &str) -> Uuid {
    created["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {created}"))["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn a_dealer_never_sees_or_changes_customer_data_another_dealer_captured(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let mine = app.register(&a, &alice("PRIV-0001")).await;
    assert_eq!(mine.status, 201, "{}", mine.text);
    let theirs = app.register(&b, &mallory("PRIV-0002")).await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);

    // B learns nothing that A captured: not in its answer, not in a read, not in its list.
    let b_id = theirs.json["id"].as_str().unwrap();
    let read = app
        .get(&format!("/v1/registrations/{b_id}"), Some(&b))
        .await;
    let list = app.get("/v1/registrations", Some(&b)).await;
    for text in [&theirs.text, &read.text, &list.text] {
        for secret in ["+33612345678", "75011", "Alice", "\"FR\""] {
            assert!(!text.contains(secret), "B sees A's {secret}: {text}");
        }
    }
    assert_eq!(read.json["customer"]["name"], "Mallory Other");
    assert_eq!(read.json["customer"]["phone"], Value::Null);

    // A's registration still shows and uses exactly what A captured, consent included.
    let a_id = mine.json["id"].as_str().unwrap();
    let read = app
        .get(&format!("/v1/registrations/{a_id}"), Some(&a))
        .await;
    assert_eq!(read.json["customer"]["name"], "Alice Aubert");
    assert_eq!(read.json["customer"]["locale"], "fr-FR");
    assert_eq!(read.json["customer"]["time_zone"], "Europe/Paris");
    assert_eq!(read.json["customer"]["phone"], "+33612345678");
    assert_eq!(read.json["customer"]["postal_code"], "75011");
    assert_eq!(read.json["consent"]["service_reminders"], true);

    // And A's reminders still go, in A's customer's name and language.
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sender = app.sender(warrantyd::mail::Mailer::Memory(sent.clone()));
    let service = first_reminder(&mine.json, "service_due");
    app.clock.advance(chrono::Duration::days(200));
    sender.dispatch_once().await.unwrap();
    let outcome = sender.send_reminder(service).await.unwrap();
    assert!(
        matches!(outcome, Some(Outcome::Sent { .. })),
        "A's reminder after B withdrew: {outcome:?}"
    );
    let messages = sent.lock().unwrap();
    let message = &messages.last().unwrap().raw;
    assert!(message.contains("Alice Aubert"), "{message}");
    assert!(!message.contains("Mallory"), "{message}");
    app.finish_claimed().await;
}

async fn the_same_dealer_keeps_one_record_per_person(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let first = app.register(&a, &alice("PRIV-0101")).await;
    let mut again = alice("PRIV-0102");
    again["customer"]
        .as_object_mut()
        .unwrap()
        .remove("postal_code");
    let second = app.register(&a, &again).await;
    assert_eq!(second.status, 201, "{}", second.text);
    // What this dealer captured before still fills in what it left out this time.
    let id = second.json["id"].as_str().unwrap();
    let read = app.get(&format!("/v1/registrations/{id}"), Some(&a)).await;
    assert_eq!(read.json["customer"]["postal_code"], "75011");
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(
        app.store.table_counts().await.unwrap().customers,
        1,
        "one person at one dealer is one customer record"
    );
}

async fn unsubscribing_withdraws_for_the_dealer_whose_message_carried_the_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let at_a = app.register(&a, &alice("PRIV-0201")).await;
    let mut at_b = alice("PRIV-0202");
    at_b["customer"]["name"] = json!("Alice at B");
    let at_b = app.register(&b, &at_b).await;

    // The link in B's message withdraws B's reminders only.
    let token = app.state.signer.sign(
        Purpose::Unsubscribe,
        first_reminder(&at_b.json, "service_due"),
    );
    let page = app.get(&format!("/u/{token}"), None).await;
    assert!(
        page.text.contains("name=\"scope\""),
        "the page offers withdrawing from every sender: {}",
        page.text
    );
    let done = app
        .send(
            Method::POST,
            &format!("/u/{token}"),
            None,
            Some("application/x-www-form-urlencoded"),
            b"List-Unsubscribe=One-Click".to_vec(),
            &[],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let consent = |key: &str, id: &str| {
        let (key, path) = (key.to_owned(), format!("/v1/registrations/{id}"));
        let app = &app;
        async move { app.get(&path, Some(&key)).await.json["consent"].clone() }
    };
    let a_id = at_a.json["id"].as_str().unwrap();
    let b_id = at_b.json["id"].as_str().unwrap();
    assert_eq!(consent(&b, b_id).await["service_reminders"], false);
    assert_eq!(
        consent(&a, a_id).await["service_reminders"],
        true,
        "B's unsubscribe link withdrew A's grant"
    );

    // The same person at a third dealer, by phone only.
    let c = app.dealer("C", "Europe/Paris").await;
    let mut by_phone = alice("PRIV-0203");
    by_phone["customer"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let at_c = app.register(&c, &by_phone).await;
    assert_eq!(at_c.status, 201, "{}", at_c.text);
    let c_id = at_c.json["id"].as_str().unwrap();
    assert_eq!(consent(&c, c_id).await["service_reminders"], true);
    // From the page, the customer may withdraw from everyone at once.
    let all = app
        .send(
            Method::POST,
            &format!("/u/{token}"),
            None,
            Some("application/x-www-form-urlencoded"),
            b"scope=all".to_vec(),
            &[],
        )
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(consent(&a, a_id).await["service_reminders"], false);
    assert_eq!(consent(&a, a_id).await["marketing"], false);
    assert_eq!(
        consent(&c, c_id).await["service_reminders"],
        false,
        "the record another dealer keyed by phone is the same person"
    );
}

async fn the_manufacturer_sees_one_person_across_dealers(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    app.register(&a, &alice("PRIV-0301")).await;
    app.register(&b, &mallory("PRIV-0302")).await;
    let admin = app.admin_key.clone();
    let person = app
        .get(
            "/v1/admin/people?email=shared.person%40customer.example",
            Some(&admin),
        )
        .await;
    assert_eq!(person.status, 200, "{}", person.text);
    let records = person.json["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "{}", person.text);
    let dealers: Vec<&str> = records
        .iter()
        .map(|r| r["dealer_code"].as_str().unwrap())
        .collect();
    assert_eq!(dealers, ["A", "B"]);
    assert_eq!(records[0]["registrations"][0]["serial_number"], "PRIV0301");
    assert_eq!(records[1]["consent"]["dealer"]["service_reminders"], false);
    // A dealer key cannot ask.
    app.get(
        "/v1/admin/people?email=shared.person%40customer.example",
        Some(&a),
    )
    .await
    .assert_problem(403);
}

/// Runs `sql` with `binds` on either backend's pool (the schema as it was before the split).
macro_rules! exec {
    ($pool:expr, $sql:expr $(, $bind:expr)*) => {
        match &$pool {
            OldPool::Sqlite(p) => { sqlx::query($sql)$(.bind($bind))*.execute(p).await.unwrap(); }
            OldPool::Postgres(p) => { sqlx::query($sql)$(.bind($bind))*.execute(p).await.unwrap(); }
        }
    };
}

enum OldPool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

async fn migrating_splits_a_customer_record_that_dealers_shared(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::fresh_database(backend, dir.path()).await;
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let mut old = sqlx::migrate::Migrator::new(std::path::Path::new(&format!(
        "{}/migrations/{folder}",
        env!("CARGO_MANIFEST_DIR")
    )))
    .await
    .unwrap();
    old.migrations = old
        .migrations
        .iter()
        .filter(|m| m.version < 20261201000000)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let pool = match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            old.run(&pool).await.unwrap();
            OldPool::Sqlite(pool)
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            old.run(&pool).await.unwrap();
            OldPool::Postgres(pool)
        }
    };
    let now: chrono::DateTime<chrono::Utc> = crate::helpers::START.parse().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let (a, b, product, shared) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    for (id, code) in [(a, "A"), (b, "B")] {
        exec!(
            pool,
            "INSERT INTO dealers (id, code, name, locale, time_zone, created_at, updated_at) VALUES ($1, $2, $2, 'fr-FR', 'Europe/Paris', $3, $3)",
            id,
            code,
            now
        );
    }
    exec!(pool, "INSERT INTO products (id, sku, name, category, warranty_months, warranty_start, service_plan, registration_window_days, created_at, updated_at)
        VALUES ($1, 'MOWER', 'Mower', 'garden', 24, 'purchase', '[]', 30, $2, $2)", product, now);
    // As the old code left it: one row, A's phone and postal code, B's name (B wrote last).
    exec!(pool, "INSERT INTO customers (id, contact_key, name, email, phone, locale, time_zone, country, postal_code, created_at, updated_at)
        VALUES ($1, 'email:p@x.example', 'Name From B', 'p@x.example', '+33612345678', 'en-GB', 'Europe/Paris', 'FR', '75011', $2, $2)",
        shared, now);
    let (reg_a, reg_b) = (Uuid::now_v7(), Uuid::now_v7());
    for (reg, dealer, serial, minutes) in [(reg_a, a, "S-A", 0), (reg_b, b, "S-B", 5)] {
        let at = now + chrono::Duration::minutes(minutes);
        exec!(pool, "INSERT INTO registrations (id, dealer_id, product_id, customer_id, serial_number, purchase_date, warranty_starts_on,
            warranty_start_basis, warranty_expires_on, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, 'purchase', $6, 'active', $7, $7)",
            reg, dealer, product, shared, serial, day, at);
        exec!(pool, "INSERT INTO consent_events (id, customer_id, purpose, granted, source, dealer_id, registration_id, occurred_at)
            VALUES ($1, $2, 'service_reminders', $3, 'dealer_registration', $4, $5, $6)",
            Uuid::now_v7(), shared, dealer == a, dealer, reg, at);
    }
    match pool {
        OldPool::Sqlite(p) => p.close().await,
        OldPool::Postgres(p) => p.close().await,
    }

    let store = warrantyd::store::Store::connect(&url, 4).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.table_counts().await.unwrap().customers, 2);
    let at_a = store
        .registration_for_dealer(a, reg_a)
        .await
        .unwrap()
        .unwrap();
    let at_b = store
        .registration_for_dealer(b, reg_b)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(at_a.customer_id, at_b.customer_id);
    // A keeps its record and its grant; B's withdrawal no longer reaches it.
    assert_eq!(at_a.customer.phone.as_deref(), Some("+33612345678"));
    assert_eq!(at_a.consent.unwrap().service_reminders, Some(true));
    // B keeps only what it must have typed itself: nothing A captured.
    assert_eq!(at_b.customer.email.as_deref(), Some("p@x.example"));
    assert_eq!(
        (
            at_b.customer.phone.as_deref(),
            at_b.customer.postal_code.as_deref(),
            at_b.customer.country.as_deref()
        ),
        (None, None, None)
    );
    assert_eq!(at_b.consent.unwrap().service_reminders, Some(false));
    // The manufacturer still finds one person behind both.
    let person = store.find_person(Some("P@x.example"), None).await.unwrap();
    assert_eq!(person.len(), 2);
}

both_backends!(
    a_dealer_never_sees_or_changes_customer_data_another_dealer_captured,
    the_same_dealer_keeps_one_record_per_person,
    unsubscribing_withdraws_for_the_dealer_whose_message_carried_the_link,
    the_manufacturer_sees_one_person_across_dealers,
    migrating_splits_a_customer_record_that_dealers_shared,
);
