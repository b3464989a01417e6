//! Signed, unguessable tokens for the links in emails: an id plus an HMAC-SHA256 tag over the
//! purpose and the id, keyed by the deployment's secret key. A token made for one purpose is
//! refused for another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// How long the links in an email work, counted from when the message was sent (a confirmation
/// link: from the registration). An unsubscribe link works well past the 60 days mailbox
/// providers expect; the confirmation link as long as a dealer's held incentive can wait for it.
pub const UNSUBSCRIBE_LINK_DAYS: i64 = 365;
pub const BOOKING_LINK_DAYS: i64 = 365;
pub const VERIFY_LINK_DAYS: i64 = 90;
/// The owner page's link works this long after the email that carried it.
pub const OWNER_LINK_DAYS: i64 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `/u/{token}`: unsubscribe the customer a reminder was sent to.
    Unsubscribe,
    /// `/r/{token}`: the booking link of a reminder.
    Booking,
    /// `/v/{token}`: the customer confirms a registration.
    Verify,
    /// `/s/{token}`: a dealer's QR code, which opens the owner's self-registration credited to
    /// that dealer (the id is the dealer's).
    SelfRegistration,
    /// `/o/{token}`: the owner's own page, from any of their emails (the id is the reminder's).
    Owner,
    /// `/t/{token}`: a unit's new owner accepts its transfer (the id is the transfer's).
    Transfer,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Unsubscribe => b"unsubscribe",
            Self::Booking => b"booking",
            Self::Verify => b"verify",
            Self::SelfRegistration => b"self-registration",
            Self::Owner => b"owner",
            Self::Transfer => b"transfer",
        }
    }
}

/// Signs and checks tokens with one secret key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

const TAG_LEN: usize = 16;
/// The tag of a token in a text message, where every character costs: 64 bits (guessing one takes
/// 2^63 tries on average, against a rate-limited page).
const SHORT_TAG_LEN: usize = 8;

impl Signer {
    pub fn new(secret: &str) -> Self {
        Self {
            key: secret.as_bytes().to_vec(),
        }
    }

    fn tag(&self, purpose: Purpose, id: Uuid) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(purpose.label());
        mac.update(b"\0");
        mac.update(id.as_bytes());
        mac
    }

    pub fn sign(&self, purpose: Purpose, id: Uuid) -> String {
        let tag = self.tag(purpose, id).finalize().into_bytes();
        let mut bytes = id.as_bytes().to_vec();
        bytes.extend_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The short form of a token, for texts: 32 characters instead of 43, checked by `verify`
    /// like the long one.
    pub fn sign_short(&self, purpose: Purpose, id: Uuid) -> String {
        let tag = self.tag(purpose, id).finalize().into_bytes();
        let mut bytes = id.as_bytes().to_vec();
        bytes.extend_from_slice(&tag[..SHORT_TAG_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        for part in parts {
            mac.update(part);
            mac.update(b"\0");
        }
        mac
    }

    /// The CSRF token of a session: forms must send it back.
    pub fn csrf_token(&self, session: &str) -> String {
        URL_SAFE_NO_PAD.encode(
            &self
                .mac(&[b"csrf", session.as_bytes()])
                .finalize()
                .into_bytes()[..TAG_LEN],
        )
    }

    pub fn csrf_matches(&self, session: &str, token: &str) -> bool {
        URL_SAFE_NO_PAD.decode(token).is_ok_and(|tag| {
            self.mac(&[b"csrf", session.as_bytes()])
                .verify_truncated_left(&tag)
                .is_ok()
        })
    }

    /// The id inside `token`, if the token is well-formed and was signed for `purpose`.
    pub fn verify(&self, purpose: Purpose, token: &str) -> Option<Uuid> {
        if token.len() > 64 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() != 16 + TAG_LEN && bytes.len() != 16 + SHORT_TAG_LEN {
            return None;
        }
        let id = Uuid::from_slice(&bytes[..16]).ok()?;
        self.tag(purpose, id)
            .verify_truncated_left(&bytes[16..])
            .ok()?;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_purpose_and_key() {
        let signer = Signer::new("a secret key of some length....");
        let id = Uuid::now_v7();
        let token = signer.sign(Purpose::Unsubscribe, id);
        assert_eq!(signer.verify(Purpose::Unsubscribe, &token), Some(id));
        assert_eq!(signer.verify(Purpose::Booking, &token), None);
        assert_eq!(
            Signer::new("another key").verify(Purpose::Unsubscribe, &token),
            None
        );
        let mut tampered = token.clone().into_bytes();
        tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            signer.verify(
                Purpose::Unsubscribe,
                std::str::from_utf8(&tampered).unwrap()
            ),
            None
        );
        assert_eq!(signer.verify(Purpose::Unsubscribe, "garbage"), None);
        let short = signer.sign_short(Purpose::Verify, id);
        assert_eq!(short.len(), 32);
        assert_eq!(signer.verify(Purpose::Verify, &short), Some(id));
        assert_eq!(signer.verify(Purpose::Booking, &short), None);
        // A tag cut shorter than the short form's is refused.
        let bytes = URL_SAFE_NO_PAD.decode(&short).unwrap();
        assert_eq!(
            signer.verify(Purpose::Verify, &URL_SAFE_NO_PAD.encode(&bytes[..20])),
            None
        );
    }

    #[test]
    fn csrf_tokens_bind_to_their_session() {
        let signer = Signer::new("another secret key of some length");
        let csrf = signer.csrf_token("session-one");
        assert!(signer.csrf_matches("session-one", &csrf));
        assert!(!signer.csrf_matches("session-two", &csrf));
        assert!(!signer.csrf_matches("session-one", "nope"));
    }
}
