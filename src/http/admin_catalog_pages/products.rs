//! Products: the list, and each product's GTIN, service plan and warranty start, with who changed it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use std::collections::HashMap;

use crate::domain::catalog::WarrantyStart;
use crate::domain::catalog_input::{ProductRequest, parse_product};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::session::{self, AdminUser, Session};

use super::{NewQuery, SavedQuery, changes, field_errors, plan_text, text};

// Products.

pub async fn products(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
) -> Result<Response, ApiError> {
    let rows: Vec<Value> = state
        .store
        .list_products()
        .await?
        .into_iter()
        .map(|p| {
            context! {
                sku => p.sku, name => p.name, category => p.category, warranty_months => p.warranty_months,
                warranty_start => p.warranty_start, service_plan => plan_text(&p.service_plan),
            }
        })
        .collect();
    Ok(session::page(
        &state,
        &s,
        "/admin/products",
        StatusCode::OK,
        "admin/products.html.j2",
        context! { rows => rows },
    ))
}

pub async fn new_product(Query(q): Query<NewQuery>) -> Redirect {
    let sku: String = q.code.unwrap_or_default().trim().to_owned();
    let sku: String = url::form_urlencoded::byte_serialize(sku.as_bytes()).collect();
    Redirect::to(&format!("/admin/products/{sku}"))
}

async fn product_page(
    state: &AppState,
    s: &Session,
    sku: &str,
    status: StatusCode,
    values: Option<HashMap<String, String>>,
    errors: HashMap<String, String>,
    saved: bool,
) -> Result<Response, ApiError> {
    let existing = state.store.product_by_sku(sku).await?;
    let values = values.unwrap_or_else(|| match &existing {
        Some(p) => HashMap::from([
            ("name".to_owned(), p.name.clone()),
            ("category".to_owned(), p.category.clone()),
            ("warranty_months".to_owned(), p.warranty_months.to_string()),
            ("warranty_start".to_owned(), p.warranty_start.clone()),
            ("service_plan".to_owned(), plan_text(&p.service_plan)),
            (
                "registration_window_days".to_owned(),
                p.registration_window_days.to_string(),
            ),
            ("gtin".to_owned(), p.gtin.clone().unwrap_or_default()),
            ("transfer_policy".to_owned(), p.transfer_policy.clone()),
            (
                "message_channels".to_owned(),
                p.message_channels.clone().unwrap_or_default(),
            ),
        ]),
        None => HashMap::from([
            ("warranty_months".to_owned(), "24".to_owned()),
            ("warranty_start".to_owned(), "purchase".to_owned()),
            ("service_plan".to_owned(), "P12M".to_owned()),
            ("registration_window_days".to_owned(), "30".to_owned()),
            ("transfer_policy".to_owned(), "transferable".to_owned()),
        ]),
    });
    let history = changes(state, s, "product", sku).await?;
    Ok(session::page(
        state,
        s,
        "/admin/products",
        status,
        "admin/product.html.j2",
        context! {
            sku, exists => existing.is_some(), values, errors, saved, history,
            bases => ["purchase", "delivery", "installation"],
            policies => ["transferable", "once", "not_transferable"],
            order => ["name", "category", "gtin", "warranty_months", "warranty_start", "service_plan", "registration_window_days", "transfer_policy", "message_channels"],
            channel_policies => crate::domain::sms::CHANNEL_POLICIES,
        },
    ))
}

pub async fn product(
    State(state): State<AppState>,
    AdminUser(s): AdminUser,
    Path(sku): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    product_page(
        &state,
        &s,
        &sku,
        StatusCode::OK,
        None,
        HashMap::new(),
        q.saved.is_some(),
    )
    .await
}

pub async fn save_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    AdminUser(s): AdminUser,
    Path(sku): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    session::check_post(
        &state,
        &headers,
        &s,
        form.get("csrf").map_or("", String::as_str),
    )?;
    let fr = s.lang() == "fr";
    let mut errors = HashMap::new();
    let number = |name: &str, errors: &mut HashMap<String, String>| -> i32 {
        match text(&form, name).and_then(|v| v.parse::<i32>().ok()) {
            Some(n) => n,
            None => {
                errors.insert(
                    name.to_owned(),
                    if fr {
                        "Saisissez un nombre entier."
                    } else {
                        "Enter a whole number."
                    }
                    .to_owned(),
                );
                0
            }
        }
    };
    let warranty_months = number("warranty_months", &mut errors);
    let registration_window_days = number("registration_window_days", &mut errors);
    let warranty_start = text(&form, "warranty_start").and_then(|w| WarrantyStart::parse(&w));
    if warranty_start.is_none() {
        errors.insert(
            "warranty_start".to_owned(),
            if fr {
                "Choisissez ce qui fait commencer la garantie."
            } else {
                "Choose what starts the warranty."
            }
            .to_owned(),
        );
    }
    let req = ProductRequest {
        name: text(&form, "name").unwrap_or_default(),
        category: text(&form, "category").unwrap_or_default(),
        warranty_months,
        warranty_start: warranty_start.unwrap_or(WarrantyStart::Purchase),
        service_plan: text(&form, "service_plan")
            .unwrap_or_default()
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.to_uppercase())
            .collect(),
        registration_window_days,
        gtin: text(&form, "gtin"),
        transfer_policy: text(&form, "transfer_policy")
            .and_then(|p| crate::domain::catalog::TransferPolicy::parse(&p))
            .unwrap_or_default(),
        // A form without the field (an older page) keeps what is set.
        message_channels: if form.contains_key("message_channels") {
            text(&form, "message_channels")
        } else {
            state
                .store
                .product_by_sku(&sku)
                .await?
                .and_then(|p| p.message_channels)
        },
    };
    let parsed = parse_product(&sku, &req);
    if let Err(more) = &parsed {
        for (field, message) in field_errors(more) {
            errors.entry(field).or_insert(message);
        }
    }
    match parsed {
        Ok(product) if errors.is_empty() => {
            let now = state.clock.now();
            let (record, created) = match state
                .store
                .upsert_product(&product, Some(s.account.id), now)
                .await
            {
                Ok(saved) => saved,
                Err(crate::store::StoreError::Taken(_)) => {
                    let fr = s.lang() == "fr";
                    errors.insert(
                        "gtin".to_owned(),
                        if fr {
                            "Un autre produit porte déjà ce GTIN."
                        } else {
                            "Another product already has this GTIN."
                        }
                        .to_owned(),
                    );
                    let values = crate::http::session::typed(&form);
                    return product_page(
                        &state,
                        &s,
                        &sku,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some(values),
                        errors,
                        false,
                    )
                    .await;
                }
                Err(e) => return Err(e.into()),
            };
            tracing::info!(sku = %record.sku, created, account = %s.account.id, "product saved on the page");
            Ok(Redirect::to(&format!("/admin/products/{}?saved=1", record.sku)).into_response())
        }
        _ => {
            let values = crate::http::session::typed(&form);
            product_page(
                &state,
                &s,
                &sku,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(values),
                errors,
                false,
            )
            .await
        }
    }
}
