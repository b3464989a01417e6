//! The finance pages without a browser: sign-in refusals, CSRF, sessions ended by revocation.

use axum::http::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, registration, spawn_app};

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    pairs: &[(&str, &str)],
) -> Resp {
    let cookie = cookie.map(|c| format!("wd_finance={c}"));
    app.post_form(path, cookie.as_deref(), pairs).await
}

async fn get_page(app: &TestApp, path: &str, cookie: &str) -> Resp {
    let header = format!("wd_finance={cookie}");
    app.send(
        Method::GET,
        path,
        None,
        None,
        vec![],
        &[("cookie", header.as_str())],
    )
    .await
}

fn session_cookie(resp: &Resp) -> String {
    let set = resp
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wd_finance="))
        .expect("a session cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.split(';')
        .next()
        .unwrap()
        .strip_prefix("wd_finance=")
        .unwrap()
        .to_owned()
}

fn csrf_of(page: &str) -> String {
    let needle = "name=\"csrf\" value=\"";
    let at = page.find(needle).expect("a CSRF field") + needle.len();
    page[at..].split('"').next().unwrap().to_owned()
}

async fn finance_pages_need_a_live_finance_key_and_a_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    let dealer = app.dealer("A", "Europe/Paris").await;
    app.put_json(
        "/v1/admin/programs/P",
        Some(&admin),
        &json!({"name": "P", "currency": "EUR", "valid_from": "2026-01-01",
        "rules": [{"id": "r", "sku": "MOWER-500", "registration_minor": 900}]}),
    )
    .await;
    app.register(&dealer, &registration("PAGE-0001")).await;
    let finance = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "finance"}))
        .await;
    let (finance_key, finance_id) = (
        finance.json["key"].as_str().unwrap().to_owned(),
        finance.json["id"].as_str().unwrap().to_owned(),
    );
    app.post_json(
        "/v1/finance/periods/2026-11/close",
        Some(&finance_key),
        &json!({}),
    )
    .await;

    // Without a session: to the sign-in page. Dealer and admin keys cannot sign in.
    let anonymous = app.get("/finance/statements", None).await;
    assert_eq!(
        (anonymous.status.as_u16(), anonymous.header("location")),
        (303, Some("/finance/login"))
    );
    for key in [
        dealer.as_str(),
        admin.as_str(),
        "wd_000000000000_nonsense-nonsense-nonsense",
    ] {
        let refused = app.web_login("finance", key).await;
        assert_eq!(refused.status.as_u16(), 401);
        assert!(
            refused.text.contains("class=\"error\"")
                && crate::helpers::set_cookie(&refused, "wd_finance").is_none()
        );
    }

    let signed_in = app.web_login("finance", &finance_key).await;
    assert_eq!(signed_in.status.as_u16(), 303);
    let cookie = session_cookie(&signed_in);
    let list = get_page(&app, "/finance/statements?period=2026-11", &cookie).await;
    assert_eq!(list.status.as_u16(), 200);
    let id_at = list.text.find("/finance/statements/").unwrap() + 20;
    let id = list.text[id_at..id_at + 36].to_owned();
    let page = get_page(&app, &format!("/finance/statements/{id}"), &cookie).await;
    assert!(
        page.text.contains("9.00 EUR") && page.text.contains("PAGE0001"),
        "lines and their causes are shown"
    );
    let csrf = csrf_of(&page.text);

    // A forged form (no or wrong CSRF token) changes nothing.
    let forged = post_form(
        &app,
        &format!("/finance/statements/{id}/approve"),
        Some(&cookie),
        &[("csrf", "forged")],
    )
    .await;
    assert_eq!(forged.status.as_u16(), 403);
    assert_eq!(
        app.store
            .statement(id.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .status,
        "pending_review"
    );
    // A refused transition is explained on the page.
    let refused = post_form(
        &app,
        &format!("/finance/statements/{id}/pay"),
        Some(&cookie),
        &[("csrf", &csrf), ("reference", "X")],
    )
    .await;
    assert_eq!(refused.status.as_u16(), 409);
    assert!(refused.text.contains("cannot be marked paid"));
    let approved = post_form(
        &app,
        &format!("/finance/statements/{id}/approve"),
        Some(&cookie),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(approved.status.as_u16(), 303);
    assert_eq!(
        app.store
            .statement(id.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .status,
        "approved"
    );

    // Revoking the key ends its sessions at once.
    app.post_json(
        &format!("/v1/admin/keys/{finance_id}/revoke"),
        Some(&admin),
        &json!({}),
    )
    .await;
    let after = get_page(&app, "/finance/statements", &cookie).await;
    assert_eq!(after.header("location"), Some("/finance/login"));
}

async fn signing_out_ends_the_session_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key.clone();
    let finance = app
        .post_json("/v1/admin/keys", Some(&admin), &json!({"role": "finance"}))
        .await;
    let key = finance.json["key"].as_str().unwrap().to_owned();
    let cookie = session_cookie(&app.web_login("finance", &key).await);
    let page = get_page(&app, "/finance/statements", &cookie).await;
    assert_eq!(page.status.as_u16(), 200);
    let csrf = crate::helpers::hidden_csrf(&page.text);
    let out = post_form(&app, "/finance/logout", Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!(out.header("location"), Some("/finance/login"));
    // A copy of the old cookie (kept by an attacker, or a shared PC's browser) no longer works.
    let replayed = get_page(&app, "/finance/statements", &cookie).await;
    assert_eq!(
        (replayed.status.as_u16(), replayed.header("location")),
        (303, Some("/finance/login"))
    );
    // Revoking the key ends its other sessions too.
    let second = session_cookie(&app.web_login("finance", &key).await);
    assert_eq!(
        get_page(&app, "/finance/statements", &second)
            .await
            .status
            .as_u16(),
        200
    );
    let id = finance.json["id"].as_str().unwrap();
    app.post_json(
        &format!("/v1/admin/keys/{id}/revoke"),
        Some(&admin),
        &json!({}),
    )
    .await;
    assert_eq!(
        get_page(&app, "/finance/statements", &second)
            .await
            .status
            .as_u16(),
        303
    );
}

async fn a_hostile_page_cannot_sign_a_browser_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let attacker = app.dealer("EVIL", "Europe/Paris").await;
    let body = form(&[("key", &attacker)]);
    // A cross-site form post: no sign-in cookie, no token, a foreign Origin.
    let forged = app
        .send(
            Method::POST,
            "/dealer/login",
            None,
            Some("application/x-www-form-urlencoded"),
            body.clone(),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(forged.status.as_u16(), 403, "{}", forged.text);
    assert!(crate::helpers::set_cookie(&forged, "wd_dealer").is_none());
    assert!(forged.text.contains("class=\"error\""));
    // Even with a token and cookie lifted from a real form, a foreign origin is refused.
    let page = app.get("/dealer/login", None).await;
    let nonce = crate::helpers::set_cookie(&page, "wd_signin").unwrap();
    let csrf = crate::helpers::hidden_csrf(&page.text);
    let cookie = format!("wd_signin={nonce}");
    let with_token = form(&[("key", &attacker), ("csrf", &csrf)]);
    for origin in ["https://evil.example", "null"] {
        let refused = app
            .send(
                Method::POST,
                "/dealer/login",
                None,
                Some("application/x-www-form-urlencoded"),
                with_token.clone(),
                &[("cookie", &cookie), ("origin", origin)],
            )
            .await;
        assert_eq!(refused.status.as_u16(), 403, "origin {origin}");
    }
    // The finance sign-in is guarded the same way.
    let finance_page = app.get("/finance/login", None).await;
    let finance_cookie = format!(
        "wd_signin={}",
        crate::helpers::set_cookie(&finance_page, "wd_signin").unwrap()
    );
    let wrong_token = app
        .send(
            Method::POST,
            "/finance/login",
            None,
            Some("application/x-www-form-urlencoded"),
            form(&[("key", "anything"), ("csrf", &csrf)]),
            &[
                ("cookie", &finance_cookie),
                ("origin", "https://warranty.test"),
            ],
        )
        .await;
    assert_eq!(wrong_token.status.as_u16(), 403, "a token of another form");
    // From this site's own form, it works.
    let genuine = app
        .send(
            Method::POST,
            "/dealer/login",
            None,
            Some("application/x-www-form-urlencoded"),
            with_token,
            &[
                ("cookie", &cookie),
                ("referer", "https://warranty.test/dealer/login"),
            ],
        )
        .await;
    assert_eq!(genuine.status.as_u16(), 303, "{}", genuine.text);
}

both_backends!(
    finance_pages_need_a_live_finance_key_and_a_csrf_token,
    signing_out_ends_the_session_at_once,
    a_hostile_page_cannot_sign_a_browser_in,
);
