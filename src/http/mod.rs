//! The HTTP API: one router per resource, merged here with the middleware every request passes
//! (request ids, tracing, timeouts, body limit, panic catching, problem+json for every error).

pub mod admin;
pub mod admin_catalog_pages;
pub mod admin_pages;
pub mod assets;
pub mod auth;
pub mod body;
pub mod charts;
pub mod customer;
pub mod dealer_pages;
pub mod error;
pub mod finance;
pub mod finance_pages;
pub mod health;
pub mod inbound;
pub mod ledger;
pub mod limits;
pub mod multipart;
pub mod owner_pages;
pub mod page_samples;
pub mod pages;
pub mod present;
pub mod programs;
pub mod qr;
pub mod registrations;
pub mod scorecards;
pub mod session;
pub mod sign_in;
pub mod sms;
pub mod visits;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;
use crate::tokens::Signer;
use crate::workflows::registration::Intake;

use error::{PROBLEM_JSON, problem};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub intake: Intake,
    /// The configuration's values, parsed once at start-up.
    pub settings: Arc<crate::config::settings::Settings>,
    /// The configuration as loaded (listener, mail, limits, ...).
    pub config: Arc<Config>,
    pub signer: Signer,
    pub pages: Arc<pages::Pages>,
    pub limits: limits::Limits,
    /// Sign-in links and invitations to people.
    pub notices: Arc<crate::mail::notices::Notices>,
    /// Where proof of purchase files' bytes live.
    pub proof_files: crate::proof_files::ProofFiles,
    /// Texts sent from requests (HELP answers).
    pub sms: Arc<crate::sms::Sms>,
    pub texts: Arc<crate::sms::templates::TextRenderer>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "warrantyd", description = "Dealer registrations, customer reminders, incentives and scorecards."),
    modifiers(&BearerAuth),
    tags(
        (name = "registrations", description = "Dealers register the units they sell"),
        (name = "admin", description = "Dealers, keys and the product catalog"),
        (name = "finance", description = "Period close, statements, adjustments, exports"),
        (name = "dealer", description = "A dealer's own statements"),
        (name = "customer", description = "Pages reached from links in emails"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every route with its OpenAPI description. Routes not listed here do not exist.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            registrations::create::create_registration,
            registrations::list::list_registrations
        ))
        .routes(routes!(registrations::batch::batch_registrations))
        .routes(routes!(
            registrations::list::get_registration,
            registrations::correct::correct_registration
        ))
        .routes(routes!(registrations::correct::admin_correct_registration))
        .routes(routes!(registrations::transfer::start_transfer))
        .routes(routes!(registrations::claim::claim))
        .routes(routes!(
            registrations::proof::put_proof,
            registrations::proof::get_proof
        ))
        .routes(routes!(registrations::proof::admin_get_proof))
        .routes(routes!(registrations::transfer::registration_history))
        .routes(routes!(registrations::transfer::admin_registration_history))
        .routes(routes!(registrations::void::void_registration))
        .routes(routes!(visits::record_visit))
        .routes(routes!(scorecards::dealer_scorecard))
        .routes(routes!(scorecards::admin_scorecards))
        .routes(routes!(scorecards::admin_scorecards_csv))
        .routes(routes!(scorecards::put_targets))
        .routes(routes!(scorecards::fraud_signals))
        .routes(routes!(admin::dealers::list_dealers))
        .routes(routes!(
            admin::dealers::put_dealer,
            admin::dealers::get_dealer
        ))
        .routes(routes!(admin::keys::create_dealer_key))
        .routes(routes!(
            admin::keys::create_staff_key,
            admin::keys::list_keys
        ))
        .routes(routes!(admin::keys::revoke_key))
        .routes(routes!(
            admin::products::put_product,
            admin::products::get_product
        ))
        .routes(routes!(admin::products::list_products))
        .routes(routes!(admin::people::erase_customer))
        .routes(routes!(admin::people::person))
        .routes(routes!(admin::people::export_person))
        .routes(routes!(admin::people::erase_person))
        .routes(routes!(finance::close_period))
        .routes(routes!(finance::list_statements))
        .routes(routes!(ledger::export_csv))
        .routes(routes!(finance::get_statement))
        .routes(routes!(finance::approve))
        .routes(routes!(finance::hold))
        .routes(routes!(finance::release))
        .routes(routes!(finance::paid))
        .routes(routes!(ledger::add_adjustment))
        .routes(routes!(finance::dealer_statements))
        .routes(routes!(programs::put_program, programs::get_program))
        .routes(routes!(customer::unsubscribe_form, customer::unsubscribe))
        .routes(routes!(customer::booking))
        .routes(routes!(customer::verify_form, customer::verify))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(inbound::receive))
        .routes(routes!(sms::twilio_status))
        .routes(routes!(sms::twilio_inbound))
        .routes(routes!(sms::vonage_status))
        .routes(routes!(sms::vonage_inbound))
}

/// The OpenAPI 3.1 document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api().split_for_parts().1;
    document_common_answers(&mut doc);
    doc
}

/// Adds to every operation the answers the shared layers give, so that the document lists every
/// status a client can meet: a keyed operation can answer 401, 403, 429 (after failed keys) and
/// 503; one with a body 400, 413, 415 and 422; one with query parameters 422; one with path
/// parameters 404; the customer pages 429. Statuses an operation documents itself are kept.
fn document_common_answers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let customer_page = ["/u/", "/r/", "/v/"].iter().any(|p| path.starts_with(p));
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let keyed = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_body = operation.request_body.is_some();
            let params = operation.parameters.as_deref().unwrap_or_default();
            let has_query = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let has_path = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path));
            let mut add = |status: &str, description: &str| {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            };
            if keyed {
                add("401", "No valid key");
                add("403", "The key's role may not do this");
                add(
                    "429",
                    "Too many requests (or too many failed keys from this address)",
                );
                add("503", "The database is unreachable; retry shortly");
            }
            if has_body {
                add("400", "Malformed body");
                add("413", "Body too large");
                add("415", "Unsupported media type");
                add("422", "Invalid fields");
            }
            if has_query {
                add("422", "Invalid query parameters");
            }
            if has_path {
                add("404", "No such resource");
            }
            if customer_page {
                add("429", "Too many requests from this address");
            }
        }
    }
}

pub fn router(state: AppState) -> Router {
    crate::telemetry_metrics::handle();
    let (router, mut openapi) = api().split_for_parts();
    document_common_answers(&mut openapi);
    let openapi = Arc::new(openapi);
    let request_id = HeaderName::from_static("x-request-id");
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let body_limit = state.config.max_body_bytes;
    let limits = state.limits.clone();
    router
        .route("/", get(sign_in::landing))
        .route("/assets/app.css", get(assets::stylesheet))
        .route("/assets/app.js", get(assets::script))
        .route("/sign-in", get(sign_in::form).post(sign_in::request_link))
        .route("/sign-in/{token}", get(sign_in::open_link).post(sign_in::use_link))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/account", get(sign_in::account_page).post(sign_in::account_update))
        .route("/dealer", get(dealer_pages::home))
        .route("/dealer/qr", get(owner_pages::dealer_qr_page))
        .route("/dealer/qr.png", get(owner_pages::dealer_qr_png))
        .route("/dealer/qr.svg", get(owner_pages::dealer_qr_svg))
        .route(
            "/s/{token}",
            get(owner_pages::self_registration_form)
                .post(owner_pages::self_register)
                .layer(DefaultBodyLimit::max(state.config.proof_max_bytes + 64 * 1024)),
        )
        .route("/s/{token}/done", get(owner_pages::self_registered))
        .route("/o/{token}", get(owner_pages::owner_page).post(owner_pages::owner_choices))
        .route("/o/{token}/not-mine", post(owner_pages::owner_not_mine))
        .route("/o/{token}/my-data", get(owner_pages::owner_my_data))
        .route("/o/{token}/my-data.json", get(owner_pages::owner_my_data_json))
        .route("/o/{token}/transfer", post(owner_pages::owner_transfer))
        .route("/o/{token}/transfer/stop", post(owner_pages::owner_transfer_stop))
        .route("/o/{token}/transfer/dispute", post(owner_pages::owner_transfer_dispute))
        .route(
            "/o/{token}/proof",
            post(owner_pages::owner_proof_upload)
                .layer(DefaultBodyLimit::max(state.config.proof_max_bytes + 64 * 1024)),
        )
        .route("/o/{token}/proof/{registration}", get(owner_pages::owner_proof))
        .route("/t/{token}", get(owner_pages::transfer_form).post(owner_pages::transfer_accept))
        .route("/t/{token}/done", get(owner_pages::transfer_done))
        .route("/01/{gtin}/21/{serial}", get(owner_pages::unit_by_gtin))
        .route("/unit/{sku}/{serial}", get(owner_pages::unit_by_sku))
        .route(
            "/unit/{sku}/{serial}/register",
            get(owner_pages::unit_register_form).post(owner_pages::unit_register),
        )
        .route("/admin/units", get(owner_pages::units_page).post(owner_pages::units_sheet_post))
        .route("/admin/units/qr.png", get(owner_pages::unit_qr_png))
        .route("/admin/units/qr.svg", get(owner_pages::unit_qr_svg))
        .route("/dealer/register", get(dealer_pages::counter).post(dealer_pages::register))
        .route("/dealer/transfers", post(dealer_pages::start_transfer))
        .route("/dealer/claims", get(dealer_pages::claim_form).post(dealer_pages::claim))
        .route(
            "/dealer/registrations/{id}/proof",
            get(dealer_pages::proof_download)
                .post(dealer_pages::proof_upload)
                .layer(DefaultBodyLimit::max(state.config.proof_max_bytes + 64 * 1024)),
        )
        .route("/dealer/registrations", get(dealer_pages::registrations))
        .route("/dealer/registrations/{id}", get(dealer_pages::registration))
        .route("/dealer/registrations/{id}/receipt", get(dealer_pages::receipt))
        .route("/dealer/registrations/{id}/void", post(dealer_pages::void))
        .route("/dealer/registrations/{id}/correct", post(dealer_pages::correct))
        .route("/dealer/statements", get(dealer_pages::statements))
        .route("/dealer/statements/{id}", get(dealer_pages::statement))
        .route("/dealer/scorecard", get(dealer_pages::scorecard))
        .route("/dealer/team", get(dealer_pages::team).post(dealer_pages::invite))
        .route("/dealer/team/{id}/{action}", post(dealer_pages::person_action))
        .route("/finance", get(finance_pages::home))
        .route("/finance/statements", get(finance_pages::statements))
        .route("/finance/statements.csv", get(finance_pages::period_csv))
        .route("/finance/statements/{id}", get(finance_pages::statement))
        .route("/finance/statements/{id}/lines.csv", get(finance_pages::statement_csv))
        .route("/finance/statements/{id}/{action}", post(finance_pages::act))
        .route("/finance/adjustments/new", get(finance_pages::adjustment_form).post(finance_pages::adjust))
        .route("/finance/periods/close", get(finance_pages::close_confirm).post(finance_pages::close))
        .route("/admin", get(admin_pages::home))
        .route("/admin/people", get(admin_pages::people).post(admin_pages::invite))
        .route("/admin/dealers", get(admin_catalog_pages::dealers))
        .route("/admin/dealers/new", get(admin_catalog_pages::new_dealer))
        .route("/admin/dealers/{code}", get(admin_catalog_pages::dealer).post(admin_catalog_pages::save_dealer))
        .route("/admin/products", get(admin_catalog_pages::products))
        .route("/admin/products/new", get(admin_catalog_pages::new_product))
        .route("/admin/products/{sku}", get(admin_catalog_pages::product).post(admin_catalog_pages::save_product))
        .route("/admin/programs", get(admin_catalog_pages::programs))
        .route("/admin/programs/new", get(admin_catalog_pages::new_program))
        .route("/admin/programs/{id}", get(admin_catalog_pages::program).post(admin_catalog_pages::save_program))
        .route("/admin/signals", get(admin_catalog_pages::signals))
        .route("/admin/signals/resolve", post(admin_catalog_pages::resolve_signal))
        .route("/admin/people/{id}/{action}", post(admin_pages::person_action))
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(state.clone())
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            body::refuse_unstorable_text(body_limit, req, next)
        }))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        // Outside the panic and timeout layers, so their bare answers become problems too.
        .layer(middleware::from_fn_with_state(state, problem_for_bare_errors))
        .layer(middleware::from_fn(close_after_early_refusal))
        .layer(middleware::from_fn(crate::telemetry_metrics::track_requests))
        .layer(middleware::from_fn_with_state(limits, limits::enforce))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().on_response(DefaultOnResponse::new().level(Level::INFO)).make_span_with(|req: &Request| {
            let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
            let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            tracing::info_span!("request", method = %req.method(), route, request_id, key_id = tracing::field::Empty)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// What a worker-only process serves: liveness, readiness and metrics.
pub fn ops_router(state: AppState) -> Router {
    crate::telemetry_metrics::handle();
    Router::new()
        .route("/healthz", axum::routing::get(health::healthz))
        .route("/readyz", axum::routing::get(health::readyz))
        .route(
            "/metrics",
            axum::routing::get(health::metrics_on_ops_listener),
        )
        .with_state(state)
}

/// What the dedicated metrics listener (`metrics_listen`) serves.
pub fn metrics_router(state: AppState) -> Router {
    crate::telemetry_metrics::handle();
    Router::new()
        .route(
            "/metrics",
            axum::routing::get(health::metrics_on_ops_listener),
        )
        .with_state(state)
}

/// A request refused before its body was read (no key, wrong role, unknown route, over a limit)
/// leaves that body unread on the connection: announce `Connection: close`, so a client that pools
/// connections opens a new one instead of failing its next request on this one.
async fn close_after_early_refusal(req: Request, next: Next) -> Response {
    let has_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0")
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    let mut response = next.run(req).await;
    let early = matches!(
        response.status(),
        StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::NOT_FOUND
            | StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE
            | StatusCode::TOO_MANY_REQUESTS
    );
    if has_body && early {
        response.headers_mut().insert(
            header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    response
}

/// Turns any error response that is not already a problem document (unknown route, wrong method,
/// timeout, panic) into one, so clients see one error format.
async fn problem_for_bare_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let for_people = assets::is_page_request(&req);
    let headers = req.headers().clone();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // Problem documents, and the HTML pages customers see, are already meant for their reader.
    let is_meant = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("text/html"));
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A person in a browser gets a page, never a problem document.
    if for_people && !is_page {
        return assets::error_page(&state, &headers, status);
    }
    if is_meant {
        return response;
    }
    let title = status.canonical_reason().unwrap_or("Error");
    let (slug, detail) = match status {
        StatusCode::NOT_FOUND => ("not-found", "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "this method is not allowed on this resource",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too-large", "the body exceeds the size limit"),
        StatusCode::SERVICE_UNAVAILABLE => {
            ("unavailable", "the request took too long; retry shortly")
        }
        s if s.is_server_error() => ("internal", "an unexpected error occurred"),
        _ => ("bad-request", "the request was not understood"),
    };
    let mut replacement = problem(status, slug, title, detail).into_response_with_status();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        replacement
            .headers_mut()
            .insert(header::ALLOW, allow.clone());
    }
    replacement.into_response()
}
