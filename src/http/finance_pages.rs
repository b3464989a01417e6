//! The finance web pages (server-rendered, no JavaScript): sign in with a finance key, list
//! statements by period and status, open one with its lines and history, approve / hold / release /
//! mark paid, close a period. Sessions are signed cookies (HttpOnly, SameSite=Strict) that name the
//! key, which is re-checked on every request; every form carries a CSRF token bound to the session.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::finance::{apply_action, statement_view};
use super::session::{self, FINANCE, Session};
use crate::domain::ledger::{AccountingMonth, StatementAction, StatementStatus};

fn to_login() -> Response {
    Redirect::to("/finance/login").into_response()
}

async fn session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, ApiError> {
    session::current(state, headers, FINANCE).await
}

pub async fn login_form(State(state): State<AppState>) -> Response {
    session::login_page(
        &state,
        FINANCE,
        StatusCode::OK,
        "finance/login.html.j2",
        None,
    )
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<session::LoginForm>,
) -> Result<Response, ApiError> {
    session::login(
        &state,
        &headers,
        FINANCE,
        &form,
        "/finance/statements",
        "finance/login.html.j2",
        "That is not a valid finance key.",
    )
    .await
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<session::CsrfForm>,
) -> Result<Response, ApiError> {
    session::logout(&state, &headers, FINANCE, &form).await
}

#[derive(Deserialize)]
pub struct ListQuery {
    period: Option<String>,
    status: Option<String>,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    period: Option<String>,
    status: Option<String>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let period = period.filter(|p| !p.is_empty());
    let status = status.filter(|s| !s.is_empty());
    let error = error.or_else(|| {
        period
            .as_deref()
            .filter(|p| AccountingMonth::parse(p).is_none())
            .map(|_| "The period must be YYYY-MM.".to_owned())
    });
    let valid_period = period
        .as_deref()
        .and_then(AccountingMonth::parse)
        .map(|p| p.to_string());
    let valid_status = status
        .as_deref()
        .filter(|s| StatementStatus::parse(s).is_some());
    let statements = state
        .store
        .statements(valid_period.as_deref(), valid_status, None)
        .await?;
    let views: Vec<_> = statements.iter().map(|s| statement_view(s, None)).collect();
    let ctx = context! {
        signed_in => true, csrf => state.signer.csrf_token(&session.cookie), error => error,
        statements => Value::from_serialize(&views), period => period, status => status,
    };
    Ok(session::render(
        state,
        StatusCode::OK,
        "finance/statements.html.j2",
        ctx,
    ))
}

pub async fn statements(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let Some(session) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    list_page(&state, &session, q.period, q.status, None).await
}

async fn statement_page(
    state: &AppState,
    session: &Session,
    id: Uuid,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let Some(statement) = state.store.statement(id).await? else {
        return Ok(session::render(
            state,
            StatusCode::NOT_FOUND,
            "finance/statements.html.j2",
            context! {
                signed_in => true, csrf => state.signer.csrf_token(&session.cookie), error => "No such statement.",
                statements => Vec::<Value>::new(),
            },
        ));
    };
    let lines = state.store.statement_lines(id).await?;
    let audit = state.store.audit_log("statement", &id.to_string()).await?;
    let ctx = context! {
        signed_in => true, csrf => state.signer.csrf_token(&session.cookie), error => error,
        s => Value::from_serialize(statement_view(&statement, Some(&lines))), audit => Value::from_serialize(&audit),
    };
    Ok(session::render(
        state,
        status,
        "finance/statement.html.j2",
        ctx,
    ))
}

pub async fn statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(session) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let Ok(id) = id.parse() else {
        return statement_page(&state, &session, Uuid::nil(), StatusCode::NOT_FOUND, None).await;
    };
    statement_page(&state, &session, id, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    reason: Option<String>,
    reference: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, ApiError> {
    let Some(session) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    if !session::csrf_ok(&state, &session, &form.csrf) {
        tracing::warn!(key_id = %session.key_id, "finance form refused: bad CSRF token");
        return Err(ApiError::Forbidden);
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return statement_page(&state, &session, Uuid::nil(), StatusCode::NOT_FOUND, None).await;
    };
    let Some(action) = StatementAction::parse(&action) else {
        return Err(ApiError::NotFound);
    };
    let note = form.reason.as_deref().or(form.reference.as_deref());
    match apply_action(&state, session.key_id, id, action, note).await {
        // Post/redirect/get: a reload does not repeat the action.
        Ok(_) => Ok(Redirect::to(&format!("/finance/statements/{id}")).into_response()),
        Err(ApiError::Conflict { detail, .. }) => {
            statement_page(&state, &session, id, StatusCode::CONFLICT, Some(detail)).await
        }
        Err(ApiError::Validation(errors)) => {
            let message = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            statement_page(
                &state,
                &session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct CloseForm {
    csrf: String,
    period: String,
}

pub async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CloseForm>,
) -> Result<Response, ApiError> {
    let Some(session) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    if !session::csrf_ok(&state, &session, &form.csrf) {
        return Err(ApiError::Forbidden);
    }
    let now = state.clock.now();
    let Some(period) = AccountingMonth::parse(form.period.trim())
        .filter(|p| *p <= AccountingMonth::of(now, state.settings.ledger.manufacturer_tz))
    else {
        return list_page(
            &state,
            &session,
            None,
            None,
            Some("Give a period (YYYY-MM) that has begun.".into()),
        )
        .await;
    };
    crate::workflows::ledger::close_period(&state.store, period, Some(session.key_id), now).await?;
    Ok(Redirect::to(&format!("/finance/statements?period={period}")).into_response())
}
