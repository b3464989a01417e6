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
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> axum::response::Response {
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
