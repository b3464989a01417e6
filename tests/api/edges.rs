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

async fn a_voided_registration_cannot_be_confirmed(backend: Backend) {
    use warrantyd::tokens::Purpose;
    let app = spawn_app(backend).await;
    let key = app.dealer("A", "Europe/Paris").await;
    let created = app.register(&key, &registration("VOID-0001")).await;
    let id: uuid::Uuid = created.json["id"].as_str().unwrap().parse().unwrap();
    app.post_json(
        &format!("/v1/registrations/{id}/void"),
        Some(&key),
        &json!({}),
    )
    .await;
    let link = format!("/v/{}", app.state.signer.sign(Purpose::Verify, id));
    let page = app.get(&link, None).await;
    assert!(page.text.contains("annulé"), "{}", page.text);
    assert!(!page.text.contains("<form"), "nothing to confirm");
    let posted = app
        .send(axum::http::Method::POST, &link, None, None, Vec::new(), &[])
        .await;
    assert!(!posted.text.contains("est confirmé"), "{}", posted.text);
    let target = app.store.verify_target(id).await.unwrap().unwrap();
    assert!(target.verified_at.is_none(), "nothing is recorded");
}
both_backends!(
    unsendable_addresses_are_refused_at_intake,
    a_voided_registration_cannot_be_confirmed,
);
