//! Durability and atomicity: concurrent submissions of one serial, and failures between the
//! statements of a registration's transaction.

use futures::future::join_all;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

async fn fifty_concurrent_submissions_of_one_serial_register_it_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.dealer("A", "Europe/Paris").await;
    let b = app.dealer("B", "Europe/Paris").await;
    let attempts = (0..50).map(|i| {
        let key = if i % 2 == 0 { a.clone() } else { b.clone() };
        let mut body = registration("RACE-0001");
        body["customer"]["email"] = json!(format!("buyer{i}@customer.example"));
        let app = &app;
        async move { app.register(&key, &body).await }
    });
    let results = join_all(attempts).await;
    let mut statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    let counts = app.store.table_counts().await.unwrap();
    assert_eq!(counts.registrations, 1);
    // Only the winner's customer, reminders and consent were kept.
    assert_eq!(
        (counts.customers, counts.reminders, counts.consent_events),
        (1, 4, 2)
    );
}

async fn a_failure_between_any_two_statements_leaves_nothing_behind(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("TX", "Europe/Paris").await;
    let before = app.store.table_counts().await.unwrap();
    for point in [
        "after_customer",
        "after_registration",
        "after_reminders",
        "after_consent",
    ] {
        app.store.faults().fail_at(point);
        let resp = app
            .register_with_key(&key, "tx-key", &registration("TX-0001"))
            .await;
        resp.assert_problem(500);
        assert!(
            !resp.text.contains(point),
            "internals leaked: {}",
            resp.text
        );
        assert_eq!(
            app.store.table_counts().await.unwrap(),
            before,
            "state left behind after a failure at {point}"
        );
    }
    // Nothing was half-stored, so the same request with the same key now succeeds once.
    let resp = app
        .register_with_key(&key, "tx-key", &registration("TX-0001"))
        .await;
    assert_eq!(resp.status.as_u16(), 201, "{}", resp.text);
    let after = app.store.table_counts().await.unwrap();
    assert_eq!(
        (
            after.registrations,
            after.reminders,
            after.customers,
            after.consent_events,
            after.idempotency_done
        ),
        (1, 4, 1, 2, 1)
    );
}

async fn a_periodic_job_lease_has_one_holder_at_a_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = app.now();
    let until = now + chrono::Duration::seconds(2);
    let (a, b) = (app.store.clone(), app.store.clone());
    let (got_a, got_b) = tokio::join!(
        a.try_lease("dispatcher", "process-a", now, until),
        b.try_lease("dispatcher", "process-b", now, until)
    );
    assert!(
        got_a.unwrap() ^ got_b.unwrap(),
        "exactly one process holds the lease"
    );
    let holder = if app
        .store
        .try_lease("dispatcher", "process-a", now, until)
        .await
        .unwrap()
    {
        "process-a"
    } else {
        "process-b"
    };
    let other = if holder == "process-a" {
        "process-b"
    } else {
        "process-a"
    };
    // The holder renews; the other only takes over once the lease has expired.
    assert!(
        app.store
            .try_lease("dispatcher", holder, now, until)
            .await
            .unwrap()
    );
    assert!(
        !app.store
            .try_lease(
                "dispatcher",
                other,
                now + chrono::Duration::seconds(1),
                until
            )
            .await
            .unwrap()
    );
    let later = now + chrono::Duration::seconds(3);
    assert!(
        app.store
            .try_lease(
                "dispatcher",
                other,
                later,
                later + chrono::Duration::seconds(2)
            )
            .await
            .unwrap()
    );
    assert!(
        !app.store
            .try_lease(
                "dispatcher",
                holder,
                later,
                later + chrono::Duration::seconds(2)
            )
            .await
            .unwrap()
    );
}

both_backends!(
    a_periodic_job_lease_has_one_holder_at_a_time,
    fifty_concurrent_submissions_of_one_serial_register_it_once,
    a_failure_between_any_two_statements_leaves_nothing_behind,
);
