//! The front door: the landing page, signing in by a one-time emailed link, signing out. Asking for
//! a link answers the same whether or not the address has an account (nobody learns who works
//! here); opening a link shows a button that uses it (mail scanners that open links do not spend
//! them); using it opens a session and goes to the page the person wanted, or their home.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;
use super::session::{self, AnyUser, LINK_MINUTES, SESSION_HOURS};
use crate::domain::account::StaffRole;
use crate::domain::contact::Email;
use crate::keys;
use crate::mail::notices::SignInNotice;

/// `/`: the landing page, or the person's home when signed in.
pub async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(s) = session::current(&state, &headers).await? {
        return Ok(Redirect::to(s.role.area().home()).into_response());
    }
    Ok(session::public_page(
        &state,
        &headers,
        StatusCode::OK,
        "landing.html.j2",
        context! {},
    ))
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

/// Only a path on this site (never `//host` or a scheme) may be where a sign-in goes next.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.starts_with("/\\")
            && n.len() <= 500
            && !n.chars().any(|c| c.is_control())
    })
    .map(str::to_owned)
}

fn sign_in_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Response {
    let (token, cookie) = session::sign_in_form_token(state);
    let mut response = session::public_page(
        state,
        headers,
        status,
        "sign_in.html.j2",
        context! { csrf => token, ..ctx },
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Result<Response, ApiError> {
    if let Some(s) = session::current(&state, &headers).await? {
        return Ok(Redirect::to(s.role.area().home()).into_response());
    }
    Ok(sign_in_form(
        &state,
        &headers,
        StatusCode::OK,
        context! {
            next => safe_next(q.next.as_deref()), signed_out => q.signed_out.is_some(),
            values => context! {}, errors => context! {},
        },
    ))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// Sends a link to `account` (a new sign-in link, or an invitation) and stores its hash.
pub async fn send_link(
    state: &AppState,
    account: &crate::store::AccountRecord,
    next: Option<&str>,
    invitation: Option<crate::mail::notices::Invitation<'_>>,
) -> Result<String, ApiError> {
    let now = state.clock.now();
    let token = session::random_token();
    let minutes = if invitation.is_some() {
        INVITATION_MINUTES
    } else {
        LINK_MINUTES
    };
    state
        .store
        .create_sign_in_link(
            &keys::hash_secret(&token),
            account.id,
            now,
            now + chrono::Duration::minutes(minutes),
        )
        .await?;
    let mut link = format!(
        "{}/sign-in/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    if let Some(next) = next {
        let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        link.push_str(&format!("?next={next}"));
    }
    state
        .notices
        .send(
            &SignInNotice {
                to_name: &account.name,
                to: &account.email,
                language: &account.language,
                link: &link,
                minutes,
                invitation,
            },
            now,
        )
        .await
        .map_err(|e| {
            tracing::warn!(account = %account.id, error = %e, "sign-in email not sent");
            ApiError::Unavailable
        })?;
    tracing::info!(account = %account.id, "sign-in link sent");
    Ok(link)
}

/// Invitations stay usable for 3 days: the invited person may read their email tomorrow.
pub const INVITATION_MINUTES: i64 = 3 * 24 * 60;

pub async fn request_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, ApiError> {
    let next = safe_next(form.next.as_deref());
    if !session::sign_in_form_genuine(&state, &headers, &form.csrf) {
        return Ok(sign_in_form(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            context! { next, expired => true, values => context! { email => form.email }, errors => context! {} },
        ));
    }
    let email = match Email::parse(form.email.trim()) {
        Ok(email) => email,
        Err(_) => {
            return Ok(sign_in_form(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { next, values => context! { email => form.email }, errors => context! { email => "invalid" } },
            ));
        }
    };
    let address = email.as_str().to_lowercase();
    match state.store.account_by_email(&address).await? {
        Some(account) if account.disabled_at.is_none() => {
            if let Err(e) = send_link(&state, &account, next.as_deref(), None).await {
                if matches!(e, ApiError::Unavailable) {
                    return Ok(sign_in_form(
                        &state,
                        &headers,
                        StatusCode::SERVICE_UNAVAILABLE,
                        context! { next, values => context! { email => form.email }, errors => context! {}, not_sent => true },
                    ));
                }
                return Err(e);
            }
        }
        _ => tracing::info!("sign-in link asked for an address without an enabled account"),
    }
    Ok(session::public_page(
        &state,
        &headers,
        StatusCode::OK,
        "sign_in_sent.html.j2",
        context! { email => address, minutes => LINK_MINUTES },
    ))
}

#[derive(Deserialize, Default)]
pub struct LinkQuery {
    next: Option<String>,
}

/// Opening a link: a button that uses it, or why it no longer works.
pub async fn open_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Result<Response, ApiError> {
    let live = if token.len() <= 64 {
        state
            .store
            .sign_in_link_account(&keys::hash_secret(&token), state.clock.now())
            .await?
    } else {
        None
    };
    let account = match live {
        Some(id) => state.store.account(id).await?,
        None => None,
    };
    let Some(account) = account else {
        return Ok(sign_in_form(
            &state,
            &headers,
            StatusCode::GONE,
            context! { dead_link => true, next => safe_next(q.next.as_deref()), values => context! {}, errors => context! {} },
        ));
    };
    let (csrf, cookie) = session::sign_in_form_token(&state);
    let mut response = session::render(
        &state,
        StatusCode::OK,
        "sign_in_link.html.j2",
        context! {
            lang => crate::templating::language([account.language.as_str()]),
            manufacturer => &state.config.manufacturer_name, signed_in => false,
            name => &account.name, email => &account.email, dealer_name => &account.dealer_name,
            role => account.role, token, next => safe_next(q.next.as_deref()), csrf,
        },
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Deserialize)]
pub struct UseLinkForm {
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// Using a link: once, within its time; opens a session.
pub async fn use_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<UseLinkForm>,
) -> Result<Response, ApiError> {
    let next = safe_next(form.next.as_deref());
    if token.len() > 64 || !session::sign_in_form_genuine(&state, &headers, &form.csrf) {
        return Ok(sign_in_form(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            context! { expired => true, next, values => context! {}, errors => context! {} },
        ));
    }
    let now = state.clock.now();
    let session_token = session::random_token();
    let used = state
        .store
        .use_sign_in_link(
            &keys::hash_secret(&token),
            &keys::hash_secret(&session_token),
            now,
            now + chrono::Duration::hours(SESSION_HOURS),
        )
        .await?;
    let Some(account_id) = used else {
        return Ok(sign_in_form(
            &state,
            &headers,
            StatusCode::GONE,
            context! { dead_link => true, next, values => context! {}, errors => context! {} },
        ));
    };
    let account = state
        .store
        .account(account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let home = StaffRole::parse(&account.role).map_or("/", |r| r.area().home());
    let to = next
        .filter(|n| n.starts_with(home))
        .unwrap_or_else(|| home.to_owned());
    tracing::info!(account = %account_id, "signed in");
    Ok(session::start(&state, &session_token, &to))
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<session::CsrfForm>,
) -> Result<Response, ApiError> {
    if let Some(s) = session::current(&state, &headers).await? {
        session::check_post(&state, &headers, &s, &form.csrf)?;
        state
            .store
            .end_web_session(&keys::hash_secret(&s.cookie), state.clock.now())
            .await?;
        tracing::info!(account = %s.account.id, "signed out");
    }
    Ok(session::sign_out_redirect())
}

/// `/account`: the person's own details and language; sign out everywhere.
pub async fn account_page(State(state): State<AppState>, AnyUser(s): AnyUser) -> Response {
    session::page(
        &state,
        &s,
        "/account",
        StatusCode::OK,
        "account.html.j2",
        context! { saved => false },
    )
}

#[derive(Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    csrf: String,
    language: Option<String>,
    everywhere: Option<String>,
}

pub async fn account_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    AnyUser(s): AnyUser,
    Form(form): Form<AccountForm>,
) -> Result<Response, ApiError> {
    session::check_post(&state, &headers, &s, &form.csrf)?;
    if form.everywhere.is_some() {
        state
            .store
            .end_account_sessions(s.account.id, state.clock.now())
            .await?;
        return Ok(session::sign_out_redirect());
    }
    if let Some(lang) = form
        .language
        .as_deref()
        .filter(|l| crate::templating::LANGUAGES.contains(l))
    {
        state.store.set_account_language(s.account.id, lang).await?;
    }
    Ok(Redirect::to("/account?saved=1").into_response())
}
