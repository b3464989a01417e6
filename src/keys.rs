//! API keys: `wd_<prefix>_<secret>`. The prefix finds the stored row; only a SHA-256 of the secret
//! is stored, and it is compared in constant time. Keys are shown once, at creation: `issue_key`
//! creates and stores one (for the admin API and the CLI alike).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::store::{DealerRecord, NewKey, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Dealer,
    Finance,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dealer => "dealer",
            Self::Finance => "finance",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dealer" => Some(Self::Dealer),
            "finance" => Some(Self::Finance),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Creates a new key; returns the plaintext (to show once) and what to store.
pub fn generate(role: Role, dealer_id: Option<Uuid>, label: Option<String>) -> (String, NewKey) {
    let mut rng = rand::rng();
    let mut prefix = [0u8; 6];
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut prefix);
    rng.fill_bytes(&mut secret);
    let prefix = hex::encode(prefix);
    let secret = URL_SAFE_NO_PAD.encode(secret);
    let plaintext = format!("wd_{prefix}_{secret}");
    let key = NewKey {
        id: Uuid::now_v7(),
        prefix,
        secret_hash: hash_secret(&secret),
        role: role.as_str().to_owned(),
        dealer_id,
        label,
    };
    (plaintext, key)
}

/// A key just created and stored.
#[derive(Debug)]
pub struct IssuedKey {
    /// The key itself, to show this once: it is not stored and cannot be recovered.
    pub plaintext: String,
    /// What was stored (the secret only as its hash).
    pub stored: NewKey,
    /// The dealer's code, for a dealer key.
    pub dealer_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Creates a key (a dealer key when `dealer` is given), stores its hash, and returns the plaintext
/// once.
pub async fn issue_key(
    store: &Store,
    role: Role,
    dealer: Option<&DealerRecord>,
    label: Option<String>,
    now: DateTime<Utc>,
) -> Result<IssuedKey, StoreError> {
    let (plaintext, key) = generate(role, dealer.map(|d| d.id), label);
    store.insert_key(&key, now).await?;
    tracing::info!(key_id = %key.id, role = role.as_str(), "key created");
    Ok(IssuedKey {
        plaintext,
        stored: key,
        dealer_code: dealer.map(|d| d.code.clone()),
        created_at: now,
    })
}

/// Splits a presented key into (prefix, secret), or `None` if it is not shaped like one of ours.
pub fn split(presented: &str) -> Option<(&str, &str)> {
    let rest = presented.strip_prefix("wd_")?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 12
        && prefix.bytes().all(|b| b.is_ascii_hexdigit())
        && (20..=64).contains(&secret.len()))
    .then_some((prefix, secret))
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    hash_secret(secret)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_verify_and_others_do_not() {
        let (plain, stored) = generate(Role::Admin, None, None);
        let (prefix, secret) = split(&plain).unwrap();
        assert_eq!(prefix, stored.prefix);
        assert!(secret_matches(secret, &stored.secret_hash));
        assert!(!secret_matches(
            "nope-nope-nope-nope-nope",
            &stored.secret_hash
        ));
        assert!(!plain.contains(&stored.secret_hash));
        assert!(split("Bearer x").is_none());
        assert!(split("wd_zzzzzzzzzzzz_aaaaaaaaaaaaaaaaaaaaaaaa").is_none());
    }
}
