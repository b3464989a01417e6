//! The administrators' pages: home, and people (invite anyone with any role, disable and enable
//! accounts, send a new sign-in link). Dealer managers use the same pieces for their team.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::present;
use super::session::{self, AdminUser, Session};
use crate::domain::account::{ROLES, StaffRole};
use crate::domain::contact::Email;
use crate::mail::notices::Invitation;
use crate::store::NewAccount;

pub async fn home(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
) -> Result<Response, ApiError> {
    let (dealers, products, people) = state.store.catalog_counts().await?;
    Ok(session::page(
        &state,
        &s,
        "/admin",
        StatusCode::OK,
        "admin/home.html.j2",
        context! { dealers, products, people },
    ))
}

/// Accounts as the people pages list them.
pub async fn people_view(
    state: &AppState,
    s: &Session,
    dealer_id: Option<Uuid>,
) -> Result<Vec<Value>, ApiError> {
    let lang = s.lang();
    let tz = state.settings.ledger.manufacturer_tz;
    Ok(state
        .store
        .list_accounts(dealer_id)
        .await?
        .into_iter()
        .map(|a| {
            context! {
                id => a.id.to_string(), name => a.name, email => a.email, role => a.role,
                dealer => a.dealer_name, disabled => a.disabled_at.is_some(),
                last_sign_in => a.last_sign_in.map(|t| present::time(t, tz, lang)),
                is_me => a.id == s.account.id,
            }
        })
        .collect())
}

/// Invites a person from a form's fields; `Err` holds the message of each wrong field.
/// `dealer_only` restricts the dealer (a manager invites to their own dealer).
pub async fn invite_from_form(
    state: &AppState,
    s: &Session,
    form: &HashMap<String, String>,
    dealer_only: Option<Uuid>,
) -> Result<Result<(), HashMap<String, String>>, ApiError> {
    let fr = s.lang() == "fr";
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut errors = HashMap::new();
    let name = field("name").and_then(|n| crate::domain::field::clean_text(&n, 200).ok());
    if name.is_none() {
        errors.insert(
            "name".to_owned(),
            if fr {
                "Saisissez le nom de la personne."
            } else {
                "Enter the person's name."
            }
            .to_owned(),
        );
    }
    let email = field("email").and_then(|e| Email::parse(&e).ok());
    if email.is_none() {
        errors.insert(
            "email".to_owned(),
            if fr {
                "Saisissez une adresse e-mail, par exemple nom@exemple.fr"
            } else {
                "Enter an email address such as name@example.com"
            }
            .to_owned(),
        );
    }
    let role = field("role")
        .and_then(|r| StaffRole::parse(&r))
        .filter(|r| s.role.may_invite(*r));
    if role.is_none() {
        errors.insert(
            "role".to_owned(),
            if fr {
                "Choisissez un rôle."
            } else {
                "Choose a role."
            }
            .to_owned(),
        );
    }
    let dealer_id = match (dealer_only, role) {
        (Some(id), _) => Some(id),
        (None, Some(r)) if r.is_dealer() => match field("dealer") {
            Some(code) => match state.store.dealer_by_code(&code).await? {
                Some(d) => Some(d.id),
                None => {
                    errors.insert(
                        "dealer".to_owned(),
                        if fr {
                            "Ce revendeur n'existe pas."
                        } else {
                            "There is no dealer with this code."
                        }
                        .to_owned(),
                    );
                    None
                }
            },
            None => {
                errors.insert(
                    "dealer".to_owned(),
                    if fr {
                        "Choisissez le revendeur de la personne."
                    } else {
                        "Choose the person's dealer."
                    }
                    .to_owned(),
                );
                None
            }
        },
        _ => None,
    };
    let language = field("language")
        .filter(|l| crate::templating::LANGUAGES.contains(&l.as_str()))
        .unwrap_or_else(|| s.lang().to_owned());
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let (name, email, role) = (
        name.expect("checked"),
        email.expect("checked"),
        role.expect("checked"),
    );
    let account = NewAccount {
        id: Uuid::now_v7(),
        email: email.as_str().to_lowercase(),
        name,
        role: role.as_str().to_owned(),
        dealer_id: if role.is_dealer() { dealer_id } else { None },
        language,
        invited_by: Some(s.account.id),
    };
    if !state
        .store
        .insert_account(&account, state.clock.now())
        .await?
    {
        errors.insert(
            "email".to_owned(),
            if fr {
                "Cette adresse a déjà un compte."
            } else {
                "This email address already has an account."
            }
            .to_owned(),
        );
        return Ok(Err(errors));
    }
    let record = state
        .store
        .account(account.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let role_words = super::pages::text(
        &record.language,
        &format!("role-{}", role.as_str()),
        &HashMap::new(),
    )
    .unwrap_or_else(|| role.as_str().to_owned());
    super::sign_in::send_link(
        state,
        &record,
        None,
        Some(Invitation {
            invited_by: &s.account.name,
            role: &role_words,
            dealer: record.dealer_name.as_deref(),
        }),
    )
    .await?;
    tracing::info!(account = %account.id, invited_by = %s.account.id, role = role.as_str(), "person invited");
    Ok(Ok(()))
}

/// `disable`, `enable` or `link` (a new sign-in link) on a person; within `dealer_only` when set.
pub async fn apply_person_action(
    state: &AppState,
    s: &Session,
    id: &str,
    action: &str,
    dealer_only: Option<Uuid>,
) -> Result<(), ApiError> {
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    let account = state
        .store
        .account(id)
        .await?
        .filter(|a| dealer_only.is_none() || a.dealer_id == dealer_only)
        .ok_or(ApiError::NotFound)?;
    if account.id == s.account.id && action == "disable" {
        return Err(ApiError::Forbidden);
    }
    match action {
        "disable" => {
            state.store.disable_account(id, state.clock.now()).await?;
        }
        "enable" => {
            state.store.enable_account(id).await?;
        }
        "link" if account.disabled_at.is_none() => {
            super::sign_in::send_link(state, &account, None, None).await?;
        }
        _ => return Err(ApiError::NotFound),
    }
    tracing::info!(account = %id, by = %s.account.id, action, "person changed");
    Ok(())
}

/// Whose people a page manages: everyone (admins), or one dealer's (its managers).
#[derive(Clone, Copy)]
pub enum Scope {
    All,
    Dealer(Uuid),
}

impl Scope {
    fn dealer(self) -> Option<Uuid> {
        match self {
            Self::All => None,
            Self::Dealer(id) => Some(id),
        }
    }

    /// The page's path and template.
    fn page(self) -> (&'static str, &'static str) {
        match self {
            Self::All => ("/admin/people", "admin/people.html.j2"),
            Self::Dealer(_) => ("/dealer/team", "dealer/team.html.j2"),
        }
    }
}

pub async fn people_page(
    state: &AppState,
    s: &Session,
    scope: Scope,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    notice: Option<&str>,
) -> Result<Response, ApiError> {
    let people = people_view(state, s, scope.dealer()).await?;
    let dealers: Vec<Value> = match scope {
        Scope::All => state
            .store
            .list_dealers()
            .await?
            .into_iter()
            .map(|d| context! { code => d.code, name => d.name })
            .collect(),
        Scope::Dealer(_) => Vec::new(),
    };
    let roles: Vec<&str> = ROLES
        .iter()
        .filter(|r| s.role.may_invite(**r))
        .map(|r| r.as_str())
        .collect();
    let (path, template) = scope.page();
    Ok(session::page(
        state,
        s,
        path,
        status,
        template,
        context! { people, dealers, values, errors, notice, roles },
    ))
}

/// An invitation posted from a people page.
pub async fn invite_post(
    state: &AppState,
    headers: &HeaderMap,
    s: &Session,
    scope: Scope,
    form: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    session::check_post(
        state,
        headers,
        s,
        form.get("csrf").map_or("", String::as_str),
    )?;
    match invite_from_form(state, s, form, scope.dealer()).await? {
        Ok(()) => {
            let notice = if s.lang() == "fr" {
                "Invitation envoyée."
            } else {
                "Invitation sent."
            };
            people_page(
                state,
                s,
                scope,
                StatusCode::OK,
                &HashMap::new(),
                &HashMap::new(),
                Some(notice),
            )
            .await
        }
        Err(errors) => {
            let values = crate::http::session::typed(&form);
            people_page(
                state,
                s,
                scope,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
                None,
            )
            .await
        }
    }
}

/// `disable`, `enable` or `link` posted from a people page.
pub async fn action_post(
    state: &AppState,
    headers: &HeaderMap,
    s: &Session,
    scope: Scope,
    (id, action): (String, String),
    form: &session::CsrfForm,
) -> Result<Response, ApiError> {
    session::check_post(state, headers, s, &form.csrf)?;
    apply_person_action(state, s, &id, &action, scope.dealer()).await?;
    Ok(Redirect::to(scope.page().0).into_response())
}

pub async fn people(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
) -> Result<Response, ApiError> {
    people_page(
        &state,
        &s,
        Scope::All,
        StatusCode::OK,
        &HashMap::new(),
        &HashMap::new(),
        None,
    )
    .await
}

pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    invite_post(&state, &headers, &s, Scope::All, &form).await
}

pub async fn person_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Path(target): Path<(String, String)>,
    Form(form): Form<session::CsrfForm>,
) -> Result<Response, ApiError> {
    action_post(&state, &headers, &s, Scope::All, target, &form).await
}
