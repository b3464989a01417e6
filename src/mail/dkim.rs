//! DKIM signing of the final bytes of a message, as sent (mail-auth, relaxed/relaxed): RSA-SHA256
//! and, as RFC 8463 suggests beside it, Ed25519-SHA256. The algorithm follows the key: a PEM file
//! with an RSA key (PKCS#1 or PKCS#8) or an Ed25519 key (PKCS#8).

use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner, Done};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

/// The headers every signature covers (those a message lacks are skipped by the signer). Covering
/// List-Unsubscribe and its one-click companion is what mailbox providers require of bulk senders.
pub const SIGNED_HEADERS: [&str; 13] = [
    "From",
    "Reply-To",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-ID",
    "Feedback-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
];

enum Key {
    Rsa(DkimSigner<RsaKey<Sha256>, Done>),
    Ed25519(DkimSigner<Ed25519Key, Done>),
}

/// One signing key with its selector and domain.
pub struct Signer {
    key: Key,
    /// `rsa-sha256` or `ed25519-sha256`, for logs and checks.
    pub algorithm: &'static str,
}

impl Signer {
    /// Reads a PEM private key (RSA or Ed25519) for `selector._domainkey.domain`.
    pub fn from_pem(selector: &str, domain: &str, pem: &str) -> Result<Self, String> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| format!("DKIM key: not a PEM private key ({e})"))?;
        if let Ok(rsa) = RsaKey::<Sha256>::from_key_der(der.clone_key()) {
            return Ok(Self {
                key: Key::Rsa(
                    DkimSigner::from_key(rsa)
                        .domain(domain)
                        .selector(selector)
                        .headers(SIGNED_HEADERS)
                        .header_canonicalization(Canonicalization::Relaxed)
                        .body_canonicalization(Canonicalization::Relaxed),
                ),
                algorithm: "rsa-sha256",
            });
        }
        let PrivateKeyDer::Pkcs8(pkcs8) = &der else {
            return Err("DKIM key: neither an RSA nor an Ed25519 (PKCS#8) key".into());
        };
        let ed25519 = Ed25519Key::from_pkcs8_der(pkcs8.secret_pkcs8_der())
            .map_err(|e| format!("DKIM key: neither an RSA nor an Ed25519 key ({e})"))?;
        Ok(Self {
            key: Key::Ed25519(
                DkimSigner::from_key(ed25519)
                    .domain(domain)
                    .selector(selector)
                    .headers(SIGNED_HEADERS)
                    .header_canonicalization(Canonicalization::Relaxed)
                    .body_canonicalization(Canonicalization::Relaxed),
            ),
            algorithm: "ed25519-sha256",
        })
    }

    /// The `DKIM-Signature:` header (with its CRLF) for `message`, to put in front of it.
    pub fn header_for(&self, message: &[u8]) -> Result<String, String> {
        let signature = match &self.key {
            Key::Rsa(signer) => signer.sign(message),
            Key::Ed25519(signer) => signer.sign(message),
        }
        .map_err(|e| format!("DKIM signing failed: {e}"))?;
        Ok(signature.to_header())
    }
}

/// Signs `message` with every signer (each signature covers the message as sent, not the other
/// signatures) and returns the signed bytes.
pub fn sign(signers: &[Signer], message: Vec<u8>) -> Result<Vec<u8>, String> {
    if signers.is_empty() {
        return Ok(message);
    }
    let mut headers = String::new();
    for signer in signers {
        headers.push_str(&signer.header_for(&message)?);
    }
    let mut signed = headers.into_bytes();
    signed.extend_from_slice(&message);
    Ok(signed)
}
