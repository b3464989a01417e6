//! Rules that hold at the edges: addresses the mailer cannot send to are refused at intake, a
//! voided registration cannot be confirmed, serials are shown as typed.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, registration, spawn_app};

async fn unsendable_addresses_are_refused_at_intake(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    for (i, email) in [
        "\"john..doe\"@example.com",
        "\"<svg/onload=alert(1)>\"@example.com",
        "a..b@example.com",
    ]
    .iter()
    .enumerate()
    {
        let mut body = registration(&format!("ADDR-{i}"));
        body["customer"]["email"] = json!(email);
        let refused = app.register(&key, &body).await;
        refused.assert_problem(422);
        assert_eq!(
            refused.field_errors(),
            [("customer.email".to_owned(), "invalid_email".to_owned())],
            "{email}"
        );
    }
}

both_backends!(unsendable_addresses_are_refused_at_intake,);
