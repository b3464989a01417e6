//! Abuse limits: a rate per API key on the dealer intake endpoints (writes), and a rate per client address on
//! the customer pages reached from emails. Over the limit: 429 with `Retry-After`.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::problem;

#[derive(Clone)]
pub struct Limits {
    per_key: Arc<DefaultKeyedRateLimiter<String>>,
    per_address: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Limits {
    pub fn new(per_key_per_minute: u32, per_address_per_minute: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"));
        Self {
            per_key: Arc::new(RateLimiter::keyed(quota(per_key_per_minute))),
            per_address: Arc::new(RateLimiter::keyed(quota(per_address_per_minute))),
        }
    }
}

fn limited(retry_after_secs: u64) -> Response {
    let mut response = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        "slow down and retry later",
    )
    .into_response_with_status();
    let value = HeaderValue::from_str(&retry_after_secs.max(1).to_string()).expect("digits");
    response.headers_mut().insert(header::RETRY_AFTER, value);
    response
}

/// Which limit a request falls under, and its key.
fn bucket(req: &Request) -> Option<(bool, String)> {
    let path = req.uri().path();
    let address = || {
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "local".to_owned(), |c| c.0.ip().to_string())
    };
    let writes = req.method() != axum::http::Method::GET;
    if writes && (path.starts_with("/v1/registrations") || path == "/v1/service-events") {
        // The key's public prefix identifies the caller without touching its secret.
        let key = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|k| crate::keys::split(k.trim()))
            .map(|(prefix, _)| prefix.to_owned());
        return Some(match key {
            Some(prefix) => (true, prefix),
            None => (false, address()),
        });
    }
    if ["/u/", "/r/", "/v/", "/finance/login", "/dealer/login"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        return Some((false, address()));
    }
    None
}

pub async fn enforce(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    if let Some((by_key, key)) = bucket(&req) {
        let limiter = if by_key {
            &limits.per_key
        } else {
            &limits.per_address
        };
        if let Err(not_until) = limiter.check_key(&key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            tracing::info!(by_key, "rate limited");
            return limited(wait.as_secs() + 1);
        }
    }
    next.run(req).await
}
