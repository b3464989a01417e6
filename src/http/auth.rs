//! Authentication by `Authorization: Bearer <key>` and role checks. Extractors: `Principal` (any
//! valid key), `DealerKey` (a dealer's key), `AdminKey`, `FinanceKey`.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use crate::keys::{self, Role};
use crate::workflows::{DealerContext, KeyDealer};

#[derive(Debug, Clone)]
pub struct Principal {
    pub key_id: Uuid,
    pub role: Role,
    pub dealer: Option<DealerContext>,
}

impl<S: Send + Sync> FromRequestParts<S> for Principal
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(principal.clone());
        }
        let state = AppState::from_ref(state);
        match authenticate(parts, &state).await {
            Ok(principal) => {
                note_use(&state, principal.key_id);
                if is_intake_write(parts)
                    && let Err(wait) = state.limits.check_intake(principal.key_id)
                {
                    tracing::info!(key_id = %principal.key_id, "intake rate limited");
                    return Err(ApiError::RateLimited(wait));
                }
                parts.extensions.insert(principal.clone());
                Ok(principal)
            }
            Err(ApiError::Unauthenticated) if !parts.headers.contains_key(AUTHORIZATION) => {
                Err(ApiError::Unauthenticated)
            }
            Err(ApiError::Unauthenticated) => {
                // Guessing keys costs the guesser's address, never the key's owner.
                let peer = super::limits::peer(&parts.extensions);
                let client = state.limits.client_ip(&parts.headers, peer);
                match state.limits.check_failed_auth(client) {
                    Ok(()) => Err(ApiError::Unauthenticated),
                    Err(wait) => Err(ApiError::RateLimited(wait)),
                }
            }
            Err(other) => Err(other),
        }
    }
}

/// Keeps `last_used_at` of keys roughly current without a write per request: at most one update
/// a minute per key and process, in the background.
fn note_use(state: &AppState, key_id: Uuid) {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    use std::time::{Duration, Instant};
    static SEEN: OnceLock<Mutex<HashMap<Uuid, Instant>>> = OnceLock::new();
    let due = {
        let mut seen = SEEN
            .get_or_init(Default::default)
            .lock()
            .expect("not poisoned");
        if seen.len() > 10_000 {
            seen.clear();
        }
        match seen.get(&key_id) {
            Some(at) if at.elapsed() < Duration::from_secs(60) => false,
            _ => {
                seen.insert(key_id, Instant::now());
                true
            }
        }
    };
    if due {
        let (store, now) = (state.store.clone(), state.clock.now());
        tokio::spawn(async move {
            if let Err(e) = store.touch_key(key_id, now).await {
                tracing::debug!(error = %e, "cannot record a key's use");
            }
        });
    }
}

/// Intake writes (registrations, visits) spend the key's intake budget.
fn is_intake_write(parts: &Parts) -> bool {
    let path = parts.uri.path();
    parts.method != axum::http::Method::GET
        && (path.starts_with("/v1/registrations") || path == "/v1/service-events")
}

/// The token of `Authorization: Bearer <token>`, if the request has one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// Whether the request carries `secret` as its bearer token (compared in constant time): the
/// operator tokens of `/metrics` and of the inbound mail path.
pub fn bearer_matches(headers: &axum::http::HeaderMap, secret: &crate::config::Secret) -> bool {
    let given = bearer_token(headers).unwrap_or("");
    subtle::ConstantTimeEq::ct_eq(given.as_bytes(), secret.expose().as_bytes()).into()
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Principal, ApiError> {
    {
        let presented = bearer_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let (prefix, secret) = keys::split(presented).ok_or(ApiError::Unauthenticated)?;
        let record = state
            .store
            .key_by_prefix(prefix)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if record.revoked_at.is_some() || !keys::secret_matches(secret, &record.secret_hash) {
            tracing::info!(key_id = %record.id, revoked = record.revoked_at.is_some(), "key refused");
            return Err(ApiError::Unauthenticated);
        }
        let role = Role::parse(&record.role)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored key role invalid")))?;
        // The key's query brought the dealer's profile along: no second round trip.
        let dealer = match KeyDealer::of(&record) {
            KeyDealer::None => None,
            KeyDealer::Active(dealer) => Some(dealer),
            KeyDealer::Refused => return Err(ApiError::Forbidden),
        };
        tracing::Span::current().record("key_id", tracing::field::display(record.id));
        Ok(Principal {
            key_id: record.id,
            role,
            dealer,
        })
    }
}

/// A dealer's key: the handler acts on this dealer's data only.
pub struct DealerKey(pub DealerContext);

impl<S: Send + Sync> FromRequestParts<S> for DealerKey
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        match (principal.role, principal.dealer) {
            (Role::Dealer, Some(dealer)) => Ok(Self(dealer)),
            _ => Err(ApiError::Forbidden),
        }
    }
}

macro_rules! role_extractor {
    ($name:ident, $role:expr, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub Principal);

        impl<S: Send + Sync> FromRequestParts<S> for $name
        where
            AppState: FromRef<S>,
        {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
                let principal = Principal::from_request_parts(parts, state).await?;
                if principal.role == $role {
                    Ok(Self(principal))
                } else {
                    Err(ApiError::Forbidden)
                }
            }
        }
    };
}

role_extractor!(AdminKey, Role::Admin, "A key with the `admin` role.");
role_extractor!(FinanceKey, Role::Finance, "A key with the `finance` role.");
