//! Prometheus metrics: counters and histograms recorded where things happen (requests, intake,
//! reminders, SMTP), and gauges read from the database when `/metrics` is scraped (reminders by
//! state, queue depth, age of the oldest due reminder, ledger totals per currency), so every
//! process reports the shared truth.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide recorder (installed once; later calls reuse it).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ])
            .expect("valid buckets")
            .install_recorder()
            .expect("no other metrics recorder is installed");
        describe();
        handle
    })
}

/// `# HELP` and `# TYPE` lines for every series, so a scraper's user knows what each one means.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "http_requests_total",
        "HTTP requests by route, method and status"
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by route and method"
    );
    describe_counter!("registrations_accepted_total", "Registrations stored");
    describe_counter!(
        "registrations_rejected_total",
        "Registrations refused, by reason (invalid, duplicate)"
    );
    describe_counter!(
        "reminders_processed_total",
        "Reminders a send worker finished, by outcome (sent, retry, failed, skipped, deferred, cancelled)"
    );
    describe_counter!(
        "smtp_replies_total",
        "SMTP conversations by reply class (2xx, 4xx, 5xx, none)"
    );
    describe_histogram!(
        "reminder_send_duration_seconds",
        Unit::Seconds,
        "Time of one SMTP conversation"
    );
    describe_gauge!(
        "reminders",
        "Reminders by status (read from the database at scrape time)"
    );
    describe_gauge!(
        "reminder_queue_depth",
        "Reminders due now and not yet claimed"
    );
    describe_gauge!(
        "reminder_oldest_due_age_seconds",
        Unit::Seconds,
        "How long the oldest due, unclaimed reminder has waited"
    );
    describe_gauge!(
        "ledger_total_minor",
        "Sum of all ledger entries in minor units, by currency"
    );
}

/// Counts every request by route, method and status, and times it.
pub async fn track_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // Label values come from fixed sets only: a flood of made-up methods or paths cannot grow the
    // number of series (the route is from the route table, else `unmatched`).
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

pub fn registration_accepted() {
    metrics::counter!("registrations_accepted_total").increment(1);
}

pub fn registration_rejected(reason: &'static str) {
    metrics::counter!("registrations_rejected_total", "reason" => reason).increment(1);
}

pub fn reminder_processed(state: &'static str) {
    metrics::counter!("reminders_processed_total", "state" => state).increment(1);
}

/// One SMTP conversation: its duration and the class of its reply (`2xx`, `4xx`, `5xx`, `none`).
pub fn smtp_reply(code: Option<u16>, seconds: f64) {
    let class = match code {
        Some(c) => format!("{}xx", c / 100),
        None => "none".to_owned(),
    };
    metrics::counter!("smtp_replies_total", "class" => class).increment(1);
    metrics::histogram!("reminder_send_duration_seconds").record(seconds);
}

/// One answer of an SMS provider (by HTTP status class) and how long the send took.
pub fn sms_reply(status: Option<u16>, seconds: f64) {
    let class = match status {
        Some(c) => format!("{}xx", c / 100),
        None => "none".to_owned(),
    };
    metrics::counter!("sms_replies_total", "class" => class).increment(1);
    metrics::histogram!("sms_send_duration_seconds").record(seconds);
}

/// Gauges read from the store at scrape time.
pub fn set_gauges(
    by_status: &[(String, i64)],
    due_now: i64,
    oldest_due_seconds: f64,
    ledger: &[(String, i64)],
) {
    for (status, count) in by_status {
        metrics::gauge!("reminders", "status" => status.clone()).set(*count as f64);
    }
    metrics::gauge!("reminder_queue_depth").set(due_now as f64);
    metrics::gauge!("reminder_oldest_due_age_seconds").set(oldest_due_seconds);
    for (currency, total) in ledger {
        metrics::gauge!("ledger_total_minor", "currency" => currency.clone()).set(*total as f64);
    }
}
