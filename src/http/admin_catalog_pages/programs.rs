//! Incentive programs: the list, versions side by side, a new version from JSON.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use std::collections::HashMap;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::present;
use crate::http::session::{self, AdminUser, Session};

use super::NewQuery;

pub async fn new_program(Query(q): Query<NewQuery>) -> Redirect {
    let id: String = q.code.unwrap_or_default().trim().to_owned();
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Redirect::to(&format!("/admin/programs/{id}"))
}

// Programs.

pub async fn programs(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let rows: Vec<Value> = state
        .store
        .current_programs()
        .await?
        .into_iter()
        .map(|p| {
            let definition: serde_json::Value = serde_json::from_str(&p.definition).unwrap_or_default();
            context! {
                id => p.program_id, version => p.version, saved_at => present::time(p.created_at, tz, lang),
                name => definition["name"].as_str().map(str::to_owned), currency => definition["currency"].as_str().map(str::to_owned),
                valid_from => definition["valid_from"].as_str().map(str::to_owned), valid_to => definition["valid_to"].as_str().map(str::to_owned),
            }
        })
        .collect();
    Ok(session::page(
        &state,
        &s,
        "/admin/programs",
        StatusCode::OK,
        "admin/programs.html.j2",
        context! { rows => rows },
    ))
}

/// A program definition flattened into (field, text) rows, so versions line up side by side.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                // Rules are named by their id, so a rule keeps its row across versions.
                let name = v
                    .get("id")
                    .and_then(|id| id.as_str())
                    .map_or(i.to_string(), str::to_owned);
                flatten(&format!("{prefix}[{name}]"), v, out);
            }
        }
        serde_json::Value::Null => out.push((prefix.to_owned(), "–".to_owned())),
        serde_json::Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

async fn program_page(
    state: &AppState,
    s: &Session,
    id: &str,
    status: StatusCode,
    draft: Option<String>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    let versions = state.store.program_versions(id).await?;
    let mut fields: Vec<String> = Vec::new();
    let mut columns: Vec<HashMap<String, String>> = Vec::new();
    for v in &versions {
        let definition: serde_json::Value = serde_json::from_str(&v.definition).unwrap_or_default();
        let mut rows = Vec::new();
        flatten("", &definition, &mut rows);
        // Amounts as money, in the version's currency (the JSON below keeps minor units).
        let currency = definition["currency"].as_str().unwrap_or("EUR").to_owned();
        for (field, value) in &mut rows {
            if field.ends_with("_minor")
                && let Ok(minor) = value.parse::<i64>()
            {
                *value = present::money(minor, &currency, lang);
            }
        }
        for (field, _) in &rows {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        }
        columns.push(rows.into_iter().collect());
    }
    // Newest first, at most four side by side.
    let shown: Vec<usize> = (0..versions.len()).rev().take(4).collect();
    let table: Vec<Value> = fields
        .iter()
        .map(|f| {
            let cells: Vec<String> = shown
                .iter()
                .map(|&i| columns[i].get(f).cloned().unwrap_or_else(|| "–".into()))
                .collect();
            let changed = cells.windows(2).any(|w| w[0] != w[1]);
            context! { field => f, cells, changed }
        })
        .collect();
    let heads: Vec<Value> = shown
        .iter()
        .map(|&i| context! { version => versions[i].version, saved_at => present::time(versions[i].created_at, tz, lang) })
        .collect();
    let draft = draft.or_else(|| {
        versions
            .last()
            .and_then(|v| serde_json::from_str::<serde_json::Value>(&v.definition).ok())
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
    });
    Ok(session::page(
        state,
        s,
        "/admin/programs",
        status,
        "admin/program.html.j2",
        context! { id, heads, table, draft, error, exists => !versions.is_empty() },
    ))
}

pub async fn program(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    program_page(&state, &s, &id, StatusCode::OK, None, None).await
}

pub async fn save_program(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(
        &state,
        &headers,
        &s,
        form.get("csrf").map_or("", String::as_str),
    )?;
    let draft = form.get("definition").cloned().unwrap_or_default();
    let parsed: Result<crate::domain::incentives::ProgramDefinition, String> =
        crate::domain::catalog_input::check_code("id", &id)
            .map_err(|e| format!("{}: {}", e.field, e.message))
            .and_then(|()| serde_json::from_str(&draft).map_err(|e| e.to_string()));
    let checked = parsed.and_then(|d| {
        d.validate().map(|()| d).map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        })
    });
    match checked {
        Ok(definition) => {
            let json = serde_json::to_string(&definition).map_err(ApiError::internal)?;
            let (version, changed) = crate::workflows::ledger::save_program(
                &state.store,
                &id,
                &json,
                Some(s.account.id),
                state.clock.now(),
            )
            .await?;
            tracing::info!(program = %id, version, changed, account = %s.account.id, "program saved on the page");
            Ok(Redirect::to(&format!("/admin/programs/{id}")).into_response())
        }
        Err(error) => {
            program_page(
                &state,
                &s,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(draft),
                Some(error),
            )
            .await
        }
    }
}
