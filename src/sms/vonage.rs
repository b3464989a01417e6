//! A provider compatible with Vonage's Messages API: a JSON POST to `/v1/messages` (channel `sms`,
//! `client_ref` naming the reminder) with basic auth; webhooks signed by a JWT in
//! `Authorization: Bearer`, HS256 with the account's signature secret, whose `payload_hash` claim
//! is the SHA-256 of the body.

use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Accepted, DeliveryStatus, InboundText, StatusReport, Text, TextError};
use crate::config::Secret;
use crate::domain::sms::UNDELIVERABLE;

pub const API: &str = "https://api.nexmo.com";

/// How old a webhook's token may be (its `iat`), in seconds, either way.
pub const TOKEN_TOLERANCE_SECS: i64 = 300;

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub api_key: String,
    pub api_secret: Secret,
}

#[derive(Deserialize)]
struct Created {
    message_uuid: String,
}

/// Vonage's errors are problem documents.
#[derive(Deserialize)]
struct Problem {
    title: Option<String>,
    detail: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl Client {
    pub async fn send(&self, text: &Text<'_>) -> Result<Accepted, TextError> {
        let body = json!({
            "message_type": "text",
            "channel": "sms",
            "to": text.to.trim_start_matches('+'),
            "from": text.from.trim_start_matches('+'),
            "text": text.body,
            "client_ref": text.reference.to_string(),
        });
        let request = self
            .http
            .post(format!("{}/v1/messages", self.base.trim_end_matches('/')))
            .basic_auth(&self.api_key, Some(self.api_secret.expose()))
            // The reminder's id, for a provider (or a proxy) that deduplicates by it; Vonage
            // documents no idempotency key.
            .header("Idempotency-Key", text.reference.to_string())
            .json(&body);
        let (status, bytes, retry_after) = super::answer(request).await?;
        if (200..300).contains(&status) {
            return super::accepted_id(status, &bytes, |c: Created| c.message_uuid);
        }
        let problem: Option<Problem> = serde_json::from_slice(&bytes).ok();
        let detail = problem
            .as_ref()
            .and_then(|p| p.detail.clone().or_else(|| p.title.clone()))
            .unwrap_or_else(|| format!("HTTP {status}"));
        if super::is_transient(status) {
            return Err(TextError::Transient {
                status: Some(status),
                detail,
                retry_after,
            });
        }
        let kind = problem.and_then(|p| p.kind).unwrap_or_default();
        Err(TextError::Permanent {
            status: Some(status),
            code: None,
            opted_out: false,
            bad_number: status == 422 && kind.contains("invalid-params"),
            detail,
        })
    }
}

/// The claims of an HS256 token signed with `secret` (the secret's text is the key), `None`
/// when the signature does not verify. Vonage's tokens carry no `exp`: freshness is `iat`'s.
pub fn token_claims(secret: &str, token: &str) -> Option<serde_json::Value> {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<serde_json::Value>(
        token.trim(),
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .ok()
    .map(|data| data.claims)
}

/// Whether `authorization` (the `Authorization` header) carries a token Vonage signed with
/// `secret` for exactly this `body` (its `payload_hash`), issued within the tolerance of `now`
/// (seconds since 1970).
pub fn verify(secret: &str, authorization: &str, body: &[u8], now: i64) -> bool {
    let Some(token) = authorization.trim().strip_prefix("Bearer ") else {
        return false;
    };
    let Some(claims) = token_claims(secret, token) else {
        return false;
    };
    let (Some(hash), Some(iat)) = (
        claims.get("payload_hash").and_then(|h| h.as_str()),
        claims.get("iat").and_then(|i| i.as_i64()),
    ) else {
        return false;
    };
    let body_hash = hex::encode(Sha256::digest(body));
    let same_body: bool =
        subtle::ConstantTimeEq::ct_eq(body_hash.as_bytes(), hash.to_ascii_lowercase().as_bytes())
            .into();
    same_body && (now - iat).abs() <= TOKEN_TOLERANCE_SECS
}

#[derive(Deserialize)]
struct StatusBody {
    message_uuid: String,
    status: String,
    to: Option<String>,
    error: Option<serde_json::Value>,
}

/// A status webhook's body.
pub fn status_report(body: &[u8]) -> Option<StatusReport> {
    let b: StatusBody = serde_json::from_slice(body).ok()?;
    let status = match b.status.as_str() {
        "submitted" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "undeliverable" => DeliveryStatus::Undelivered,
        "rejected" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Other,
    };
    // Webhooks carry the numeric code as the error's title (1000 throttled, 1050 number barred).
    let error_code = b.error.and_then(|e| {
        e.get("title").map(|v| {
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        })
    });
    // A rejection without a code, or for a barred or invalid number, suppresses the number; one
    // for throttling, the account or the content does not, nor an "undeliverable" (Vonage could
    // not reach the carrier).
    let suppress = (status == DeliveryStatus::Failed
        && matches!(error_code.as_deref(), None | Some("1050" | "1020" | "1160")))
    .then_some(UNDELIVERABLE);
    Some(StatusReport {
        message_id: b.message_uuid,
        status,
        error_code,
        to: b.to.as_deref().map(super::e164),
        suppress,
    })
}

#[derive(Deserialize)]
struct InboundBody {
    from: String,
    to: Option<String>,
    text: Option<String>,
}

/// An inbound message webhook's body.
pub fn inbound(body: &[u8]) -> Option<InboundText> {
    let b: InboundBody = serde_json::from_slice(body).ok()?;
    Some(InboundText {
        from: super::e164(&b.from),
        to: super::e164(b.to.as_deref().unwrap_or_default()),
        body: b.text.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// vonage-python-sdk's jwt/tests/test_verify_jwt.py.
    #[test]
    fn tokens_verify_as_vonages_own_sdks_verify_them() {
        let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJPbmxpbmUgSldUIEJ1aWxkZXIiLCJpYXQiOjE2OTc2MzQ2ODAsImV4cCI6MzMyNTQ1NDA4MjgsImF1ZCI6IiIsInN1YiI6IiJ9.88vJc3I2HhuqEDixHXVhc9R30tA6U_HQHZTC29y6CGM";
        assert!(token_claims("qwertyuiopasdfghjklzxcvbnm123456", token).is_some());
        assert!(token_claims("asdf", token).is_none());
        assert!(token_claims("qwertyuiopasdfghjklzxcvbnm123456", "asdf").is_none());
        // vonage-jwt-jdk's JwtValidatorTest: a hex-looking secret is its text, not its bytes.
        let secret = "0c15c425fe48dd59dab5fb3eea57d528f405a71d78ae4998deacab4deeb02ca5";
        let jdk = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsIm5hbWUiOiJTaW5hIiwiaWF0IjoxNjk4MjU4NjY3fQ.ZVSrJeaES6iaBOwd6vMk93my2gq1uCwDi3c7aCIMqa0";
        assert!(token_claims(secret, jdk).is_some());
        assert!(token_claims(&secret.replace('e', "f"), jdk).is_none());
        let other = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsIm5hbWUiOiJTaW5hIiwiaWF0IjoxNjk4MjU4NjY3fQ.pZ2YiYpipVpf59vZgUHLYICJwhVISwBhy_q9WokKm2A";
        assert!(
            token_claims(
                "decafea1deadbeef0123456789abcdef0123456789abcdef0123456789abcdef",
                other
            )
            .is_some()
        );
    }

    /// A webhook as Vonage's documentation describes it (its sample claims, with the body's hash;
    /// computed for this test, not published by Vonage): the body must be the one hashed, and recent.
    #[test]
    fn a_webhook_must_carry_its_bodys_hash_and_be_recent() {
        let secret = "qwertyuiopasdfghjklzxcvbnm123456";
        let body = br#"{"channel":"sms","message_uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","to":"447700900000","from":"447700900001","timestamp":"2020-01-01T14:00:00.000Z","text":"Hello, world!","message_type":"text"}"#;
        let auth = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE1ODc0OTQ5NjIsImp0aSI6ImM1YmE4ZjI0LTFhMTQtNGMxMC1iZmRmLTNmYmU4Y2U1MTFiNSIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6IjBhYWY1NGE5MjRhNjUzNWM5NmIwYmFiYmE1MzQ2ZmU1ZmRhYzdhMjY5MmI1Y2RhYmE3MTdlMDJiYmYxZTE1OWYiLCJhcGlfa2V5IjoiYTFiMmMzZCIsImFwcGxpY2F0aW9uX2lkIjoiYWFhYWFhYWEtYmJiYi1jY2NjLWRkZGQtMDEyMzQ1Njc4OWFiIn0.N1-k2qkB50-ztMRXSOQ1clwJ1P41De81cTaKS_9g2-A";
        let iat = 1_587_494_962;
        assert!(verify(secret, auth, body, iat + 10));
        assert!(!verify(secret, auth, &body[1..], iat), "another body");
        assert!(!verify("another secret", auth, body, iat));
        assert!(
            !verify(secret, auth, body, iat + TOKEN_TOLERANCE_SECS + 1),
            "too old"
        );
        assert!(
            !verify(secret, auth.trim_start_matches("Bearer "), body, iat),
            "no scheme"
        );
        let inbound = inbound(body).unwrap();
        assert_eq!(inbound.from, "+447700900001");
        assert_eq!(inbound.body, "Hello, world!");
    }

    #[test]
    fn rejections_about_the_number_suppress_it() {
        let report = |json: &str| status_report(json.as_bytes()).unwrap();
        let barred = report(
            r#"{"message_uuid":"m","status":"rejected","to":"447700900000","error":{"type":"https://developer.nexmo.com/api-errors/messages-olympus#1050","title":1050}}"#,
        );
        assert_eq!(barred.suppress, Some(UNDELIVERABLE));
        assert_eq!(barred.error_code.as_deref(), Some("1050"));
        let throttled =
            report(r#"{"message_uuid":"m","status":"rejected","error":{"title":1000}}"#);
        assert_eq!(throttled.suppress, None);
        assert_eq!(
            report(r#"{"message_uuid":"m","status":"delivered"}"#).status,
            DeliveryStatus::Delivered
        );
        assert_eq!(
            report(r#"{"message_uuid":"m","status":"undeliverable"}"#).suppress,
            None
        );
    }
}
