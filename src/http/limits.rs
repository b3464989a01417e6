//! Abuse limits, each with its own budget so that one cannot lock out another:
//! - intake writes per authenticated API key (checked after the key is verified, so nobody can
//!   spend another dealer's budget by presenting its public prefix);
//! - failed authentications per client address;
//! - customer link pages (`/u`, `/r`, `/v`) per client address;
//! - staff sign-in pages per client address.
//!
//! The client address is the connection's peer, or, when the peer is a trusted proxy, the nearest
//! untrusted address in `X-Forwarded-For` / `Forwarded`. IPv6 clients are counted per /64 (one
//! subscriber). Every limiter's memory is bounded: entries that no longer limit anyone are swept
//! out once a minute, and at once when more than `MAX_TRACKED` are held. Over a limit: 429 with
//! `Retry-After`.

use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use uuid::Uuid;

use super::error::limited;
use crate::config::Config;

/// Entries one limiter may hold: past this it sweeps at once, and if every entry is still limiting
/// someone (a flood from many addresses) it starts afresh rather than grow (each entry is a few
/// dozen bytes, so this bounds a limiter to a few MB).
pub const MAX_TRACKED: usize = 100_000;
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// Over half full, sweep at most this often.
const SWEEP_BUSY_EVERY: Duration = Duration::from_secs(1);

/// One keyed limiter with bounded memory.
struct Limiter<K: Hash + Eq + Clone> {
    quota: Quota,
    inner: RwLock<Arc<DefaultKeyedRateLimiter<K>>>,
    started: Instant,
    /// Milliseconds since `started` of the last sweep.
    last_sweep: AtomicU64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn per_minute(n: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"));
        Self {
            quota,
            inner: RwLock::new(Arc::new(RateLimiter::keyed(quota))),
            started: Instant::now(),
            last_sweep: AtomicU64::new(0),
        }
    }

    fn current(&self) -> Arc<DefaultKeyedRateLimiter<K>> {
        self.inner.read().expect("not poisoned").clone()
    }

    /// Takes one request from `key`'s budget; `Err(seconds to wait)` when it is spent.
    fn check(&self, key: &K) -> Result<(), u64> {
        let limiter = self.current();
        self.maintain(&limiter);
        limiter.check_key(key).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                + 1
        })
    }

    fn maintain(&self, limiter: &DefaultKeyedRateLimiter<K>) {
        let len = limiter.len();
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_sweep.load(Ordering::Relaxed);
        let since = Duration::from_millis(now.saturating_sub(last));
        let due = len > MAX_TRACKED
            || since >= SWEEP_EVERY
            || (len > MAX_TRACKED / 2 && since >= SWEEP_BUSY_EVERY);
        if !due
            || self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        // Forget every key whose budget is full again: it limits nobody.
        limiter.retain_recent();
        limiter.shrink_to_fit();
        if limiter.len() > MAX_TRACKED {
            tracing::warn!(
                entries = limiter.len(),
                "rate limiter full of active entries: starting afresh"
            );
            *self.inner.write().expect("not poisoned") = Arc::new(RateLimiter::keyed(self.quota));
        }
    }

    fn len(&self) -> usize {
        self.current().len()
    }
}

/// The key of an address limit: an IPv4 address, or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressKey(IpAddr);

impl AddressKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    Self(IpAddr::V6(Ipv6Addr::new(
                        s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                    )))
                }
            },
            v4 => Self(v4),
        }
    }
}

/// Requests with no connection (made in-process) share one address budget.
const IN_PROCESS: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

#[derive(Clone)]
pub struct Limits(Arc<Inner>);

struct Inner {
    intake_per_key: Limiter<Uuid>,
    failed_auth: Limiter<AddressKey>,
    customer_links: Limiter<AddressKey>,
    sign_in: Limiter<AddressKey>,
    trusted_proxies: Vec<IpNet>,
}

/// How many entries each limiter holds (for tests and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracked {
    pub intake_per_key: usize,
    pub failed_auth: usize,
    pub customer_links: usize,
    pub sign_in: usize,
}

impl Limits {
    pub fn new(config: &Config) -> Self {
        Self(Arc::new(Inner {
            intake_per_key: Limiter::per_minute(config.rate_limit_per_key_per_minute),
            failed_auth: Limiter::per_minute(config.rate_limit_failed_auth_per_address_per_minute),
            customer_links: Limiter::per_minute(config.rate_limit_per_address_per_minute),
            sign_in: Limiter::per_minute(config.rate_limit_sign_in_per_address_per_minute),
            trusted_proxies: config.trusted_proxies.clone(),
        }))
    }

    pub fn tracked(&self) -> Tracked {
        Tracked {
            intake_per_key: self.0.intake_per_key.len(),
            failed_auth: self.0.failed_auth.len(),
            customer_links: self.0.customer_links.len(),
            sign_in: self.0.sign_in.len(),
        }
    }

    /// The client's address: the peer, or the nearest untrusted forwarded address when the peer
    /// is a trusted proxy. `None` without a connection (requests made in-process).
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        client_ip(&self.0.trusted_proxies, headers, peer)
    }

    /// Spends one intake request of an authenticated key.
    pub fn check_intake(&self, key_id: Uuid) -> Result<(), u64> {
        self.0.intake_per_key.check(&key_id)
    }

    /// Counts a failed authentication from `client`; `Err` once the address has failed too often.
    pub fn check_failed_auth(&self, client: Option<IpAddr>) -> Result<(), u64> {
        self.0
            .failed_auth
            .check(&AddressKey::of(client.unwrap_or(IN_PROCESS)))
    }
}

/// The nearest address, walking from the peer outwards through the proxies it trusts.
pub fn client_ip(trusted: &[IpNet], headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Hops in the order they were appended: client, proxy 1, proxy 2, ... (the last one is the
    // peer's own view of its client). RFC 7239 `Forwarded` wins over `X-Forwarded-For`.
    let hops: Vec<IpAddr> = if headers.contains_key(header::FORWARDED) {
        headers
            .get_all(header::FORWARDED)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.eq_ignore_ascii_case("for")
                        .then(|| parse_forwarded_node(value))
                        .flatten()
                })
            })
            .collect()
    } else {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        client = *hop;
        if !is_trusted(hop) {
            break;
        }
    }
    Some(client)
}

/// `192.0.2.1`, `"192.0.2.1:4711"`, `"[2001:db8::1]:4711"` or `"[2001:db8::1]"`.
fn parse_forwarded_node(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Ok(ip) = value.parse() {
        return Some(ip);
    }
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    value
        .parse::<SocketAddr>()
        .ok()
        .map(|s| s.ip())
        .or_else(|| value.split_once(':').and_then(|(ip, _)| ip.parse().ok()))
}

/// The connection's peer address, as the accept loop records it (none for in-process requests).
pub fn peer(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

pub fn peer_of(req: &Request) -> Option<IpAddr> {
    peer(req.extensions())
}

/// The address limits of the customer link and sign-in pages (the intake and failed-auth limits
/// are applied where the key is checked).
pub async fn enforce(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let limiter = if ["/u/", "/r/", "/v/", "/s/", "/o/", "/t/", "/01/", "/unit/"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        Some(&limits.0.customer_links)
    } else if path.starts_with("/sign-in") {
        Some(&limits.0.sign_in)
    } else {
        None
    };
    if let Some(limiter) = limiter
        && let Err(wait) = limiter.check(&AddressKey::of(
            limits
                .client_ip(req.headers(), peer_of(&req))
                .unwrap_or(IN_PROCESS),
        ))
    {
        tracing::info!(
            path_kind = if path.len() > 2 { &path[..2] } else { path },
            "rate limited"
        );
        return limited(wait);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                axum::http::HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 10.0.0.7")]);
        assert_eq!(
            client_ip(&trusted, &xff, Some(proxy)),
            Some("203.0.113.9".parse().unwrap())
        );
        // Nothing is trusted by default: the peer is the client.
        assert_eq!(client_ip(&[], &xff, Some(proxy)), Some(proxy));
        // A client cannot pose as another by prepending to the header.
        let spoofed = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.9")]);
        assert_eq!(
            client_ip(&trusted, &spoofed, Some(proxy)),
            Some("203.0.113.9".parse().unwrap())
        );
        let forwarded = headers(&[(
            "forwarded",
            "for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.7",
        )]);
        assert_eq!(
            client_ip(&trusted, &forwarded, Some(proxy)),
            Some("2001:db8::1".parse().unwrap())
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a = AddressKey::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = AddressKey::of("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = AddressKey::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn a_limiter_stays_bounded_under_a_flood_of_new_keys() {
        // One request a minute: every key stays "recent", the worst case for memory.
        let limiter = Limiter::<u32>::per_minute(1);
        for i in 0..(MAX_TRACKED as u32 * 3) {
            let _ = limiter.check(&i);
        }
        assert!(
            limiter.len() <= MAX_TRACKED + 1,
            "{} entries held",
            limiter.len()
        );
    }
}
