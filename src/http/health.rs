//! Operator endpoints: liveness, readiness and the OpenAPI document.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{Problem, problem};

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, body = Health),
    (status = 503, description = "Database unreachable or migrations pending", body = Problem, content_type = "application/problem+json"),
))]
pub async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let unavailable = |detail: &str| {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "Not ready",
            detail,
        )
        .into_response_with_status()
    };
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %e, "readiness: database unreachable");
        return unavailable("the database is unreachable");
    }
    match state.store.migrations_pending().await {
        Ok(false) => axum::Json(Health { status: "ready" }).into_response(),
        Ok(true) => unavailable("database migrations are pending; run `warrantyd migrate`"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read migrations");
            unavailable("the database is unreachable")
        }
    }
}

/// Prometheus metrics of this process, with the shared gauges read from the database.
///
/// On the service's own address only when no `metrics_listen` is configured, and then only with
/// the `metrics_token` as a bearer token, or (without a token) from a loopback client that came
/// through no proxy.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text format", content_type = "text/plain"),
    (status = 401, description = "A metrics token is configured and was not given", body = super::error::Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a loopback client (no metrics token configured)", body = super::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "Metrics are served on their own address", body = super::error::Problem, content_type = "application/problem+json"),
))]
pub async fn metrics(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let peer = super::limits::peer_of(&req);
    let headers = req.headers().clone();
    if state.config.metrics_listen.is_some() {
        return super::error::ApiError::NotFound.into_response();
    }
    if state.config.metrics_token.is_some() {
        return metrics_on_ops_listener(State(state), headers).await;
    }
    let forwarded = headers.contains_key(axum::http::header::FORWARDED)
        || headers.contains_key("x-forwarded-for");
    let local = peer.is_none_or(|p| p.is_loopback()) && !forwarded;
    if !local {
        return super::error::problem(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "metrics are served to loopback clients only; configure metrics_token or metrics_listen",
        )
        .into_response_with_status();
    }
    render_metrics(&state).await
}

/// `/metrics` on an operator's own address (`metrics_listen`, a worker's `--listen`): the token
/// is required when one is configured.
pub async fn metrics_on_ops_listener(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(token) = &state.config.metrics_token
        && !super::auth::bearer_matches(&headers, token)
    {
        return super::error::ApiError::Unauthenticated.into_response();
    }
    render_metrics(&state).await
}

async fn render_metrics(state: &AppState) -> axum::response::Response {
    use axum::response::IntoResponse;
    let now = state.clock.now();
    let gauges = async {
        let by_status = state.store.reminder_status_counts().await?;
        let (due, oldest) = state.store.queue_depth(now).await?;
        let ledger = state.store.ledger_totals().await?;
        Ok::<_, crate::store::StoreError>((by_status, due, oldest, ledger))
    };
    match gauges.await {
        Ok((by_status, due, oldest, ledger)) => {
            let age = oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
            crate::telemetry_metrics::set_gauges(&by_status, due, age, &ledger);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read gauges"),
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        crate::telemetry_metrics::handle().render(),
    )
        .into_response()
}
