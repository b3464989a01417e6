//! Erasure leaves nothing behind: a person with two registrations at two dealers (one by email and
//! phone, one by phone only), an email in the outbox and a hard bounce is erased by one identifier;
//! then every table, the outbox and (SQLite) the raw database file are searched for them.

use serde_json::json;
use uuid::Uuid;
use warrantyd::mail::Mailer;
use warrantyd::store::Outcome;

use crate::attribution::{reminder, setup, unit};
use crate::both_backends;
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::smtp::SmtpServer;

const NEEDLES: [&str; 5] = [
    "quentin",
    "erasmus",
    "rcpt550@client.test",
    "+33698765432",
    "698765432",
];

fn outbox(app: &TestApp) -> std::path::PathBuf {
    app.state.config.outbox_dir.clone()
}

/// Every place the person could remain, with what was found there.
async fn leftovers(app: &TestApp, backend: Backend) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(outbox(app)).into_iter().flatten() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .to_lowercase();
        for needle in NEEDLES {
            if text.contains(needle) {
                found.push(format!("outbox {}: {needle}", path.display()));
            }
        }
    }
    match backend {
        Backend::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            let tables: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_schema::text, table_name::text FROM information_schema.tables
                 WHERE table_schema IN ('public', 'apalis') AND table_type = 'BASE TABLE' ORDER BY 1, 2",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert!(tables.len() > 20, "{tables:?}");
            for (schema, table) in tables {
                for needle in NEEDLES {
                    let sql = format!(
                        "SELECT COUNT(*) FROM \"{schema}\".\"{table}\" t WHERE lower(t::text) LIKE '%' || $1 || '%'"
                    );
                    let hits: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .bind(needle)
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                    if hits > 0 {
                        found.push(format!("table {schema}.{table}: {needle} in {hits} rows"));
                    }
                }
            }
        }
        Backend::Sqlite => {
            let db = app.state.config.data_dir.parent().unwrap().join("test.db");
            for file in [db.clone(), db.with_extension("db-wal")] {
                let bytes = std::fs::read(&file)
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                for needle in NEEDLES {
                    if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        found.push(format!("file {}: {needle}", file.display()));
                    }
                }
            }
        }
    }
    found
}

async fn erasing_a_person_leaves_no_trace_anywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, b) = setup(&app).await;
    let mut at_a = unit("ERA-0001", "rcpt550@client.test");
    at_a["customer"]["name"] = json!("Quentin Erasmus");
    at_a["customer"]["phone"] = json!("+33698765432");
    let first = app.register_with_key(&a, "erase-me-1", &at_a).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let mut at_b = unit("ERA-0002", "unused@client.test");
    at_b["customer"] =
        json!({"name": "Quentin Erasmus", "phone": "+33698765432", "locale": "fr-FR"});
    let second = app.register_with_key(&b, "erase-me-2", &at_b).await;
    assert_eq!(second.status, 201, "{}", second.text);

    // The confirmation goes to the outbox; the first service reminder bounces over SMTP.
    let outboxed = app.sender(Mailer::Outbox(outbox(&app)));
    outboxed.dispatch_once().await.unwrap();
    let confirmation = reminder(&first, "registration_confirmation", 0);
    assert!(matches!(
        outboxed.send_reminder(confirmation).await.unwrap(),
        Some(Outcome::Sent { .. })
    ));
    let server = SmtpServer::start();
    let smtp = app.smtp_sender(&server.url());
    let bounced = smtp
        .send_reminder(reminder(&first, "service_due", 1))
        .await
        .unwrap();
    assert!(
        matches!(bounced, Some(Outcome::Failed { .. })),
        "{bounced:?}"
    );
    assert!(
        !leftovers(&app, backend).await.is_empty(),
        "the scan finds the person before"
    );

    // One identifier (the phone) finds both records, at both dealers.
    let admin = app.admin_key.clone();
    let erased = app
        .post_json(
            "/v1/admin/people/erase",
            Some(&admin),
            &json!({"phone": "+33698765432"}),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.text);
    assert_eq!(erased.json["customer_ids"].as_array().unwrap().len(), 2);
    assert_eq!(erased.json["outbox_files_removed"], 1);

    let left = leftovers(&app, backend).await;
    assert!(left.is_empty(), "found after erasure: {left:#?}");
    // The books and the registrations stay, pseudonymous.
    for (key, resp) in [(&a, &first), (&b, &second)] {
        let id: Uuid = resp.json["id"].as_str().unwrap().parse().unwrap();
        let read = app.get(&format!("/v1/registrations/{id}"), Some(key)).await;
        assert_eq!(read.json["status"], "active");
        assert_eq!(read.json["customer"]["name"], serde_json::Value::Null);
    }
    // Asking again finds nobody.
    app.post_json(
        "/v1/admin/people/erase",
        Some(&admin),
        &json!({"email": "rcpt550@client.test"}),
    )
    .await
    .assert_problem(404);
}

async fn saved_answers_and_finished_tasks_expire(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let body = crate::helpers::registration("KEEP-0001");
    let first = app.register_with_key(&key, "kept-for-a-week", &body).await;
    assert_eq!(first.status, 201);
    let sender = app.sender(Mailer::Memory(Default::default()));
    app.clock.advance(chrono::Duration::days(6));
    sender.ledger_upkeep().await.unwrap();
    let replay = app.register_with_key(&key, "kept-for-a-week", &body).await;
    assert_eq!(
        replay.header("idempotent-replayed"),
        Some("true"),
        "{}",
        replay.text
    );
    app.clock.advance(chrono::Duration::days(2));
    sender.ledger_upkeep().await.unwrap();
    let after = app.register_with_key(&key, "kept-for-a-week", &body).await;
    assert!(
        after.header("idempotent-replayed").is_none(),
        "expired after 7 days"
    );
    after.assert_problem(409);
}

both_backends!(
    erasing_a_person_leaves_no_trace_anywhere,
    saved_answers_and_finished_tasks_expire,
);
