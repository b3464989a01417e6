//! A provider compatible with Twilio's Messages API: a form-encoded POST to
//! `/2010-04-01/Accounts/{AccountSid}/Messages.json` with basic auth, a status callback URL per
//! message; webhooks signed with `X-Twilio-Signature` (base64 HMAC-SHA1, keyed by the auth token,
//! of the full URL followed by each POST parameter's name and value, sorted by name).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha1::Sha1;

use super::{Accepted, DeliveryStatus, InboundText, StatusReport, Text, TextError};
use crate::config::Secret;
use crate::domain::sms::{PROVIDER_OPT_OUT, UNDELIVERABLE};

pub const API: &str = "https://api.twilio.com";

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub account_sid: String,
    pub auth_token: Secret,
    /// Where Twilio posts the message's status changes.
    pub status_callback: String,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

#[derive(Deserialize)]
struct ApiError {
    code: Option<u32>,
    message: Option<String>,
}

impl Client {
    pub async fn send(&self, text: &Text<'_>) -> Result<Accepted, TextError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base.trim_end_matches('/'),
            self.account_sid
        );
        // A Messaging Service (MG…) sends from its own pool of numbers.
        let from_field = if text.from.starts_with("MG") && text.from.len() == 34 {
            "MessagingServiceSid"
        } else {
            "From"
        };
        let form = [
            ("To", text.to),
            (from_field, text.from),
            ("Body", text.body),
            ("StatusCallback", self.status_callback.as_str()),
        ];
        let request = self
            .http
            .post(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            // The reminder's id as an idempotency token, for a provider (or a proxy) that
            // deduplicates by it; Twilio documents none for creating a message.
            .header("I-Twilio-Idempotency-Token", text.reference.to_string())
            .form(&form);
        let (status, body, retry_after) = super::answer(request).await?;
        if (200..300).contains(&status) {
            return super::accepted_id(status, &body, |c: Created| c.sid);
        }
        let error: Option<ApiError> = serde_json::from_slice(&body).ok();
        let code = error.as_ref().and_then(|e| e.code);
        let detail = error
            .and_then(|e| e.message)
            .unwrap_or_else(|| format!("HTTP {status}"));
        if super::is_transient(status) {
            return Err(TextError::Transient {
                status: Some(status),
                detail,
                retry_after,
            });
        }
        let (opted_out, bad_number) = code.map(super::twilio_code_meaning).unwrap_or_default();
        Err(TextError::Permanent {
            status: Some(status),
            code,
            detail: match code {
                Some(code) => format!("{code}: {detail}"),
                None => detail,
            },
            opted_out,
            bad_number,
        })
    }
}

/// The signature Twilio sends in `X-Twilio-Signature` for a POST of `params` to `url`.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `header` is Twilio's signature of this request (compared in constant time). Like
/// Twilio's own libraries, the URL is tried as given, without its port and with the scheme's
/// default port, since Twilio signs one or the other.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], header: &str) -> bool {
    let Ok(given) = STANDARD.decode(header.trim()) else {
        return false;
    };
    url_variants(url).iter().any(|url| {
        let expected = STANDARD
            .decode(signature(auth_token, url, params))
            .expect("our own base64");
        bool::from(subtle::ConstantTimeEq::ct_eq(
            given.as_slice(),
            expected.as_slice(),
        ))
    })
}

/// The URL as given, without its port, and with the scheme's default port.
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    if let Ok(parsed) = url::Url::parse(url) {
        let mut without = parsed.clone();
        if without.set_port(None).is_ok() {
            variants.push(without.to_string());
        }
        // `Url` drops a default port it is given, so the default one is written by hand.
        let default = if parsed.scheme() == "https" { 443 } else { 80 };
        if let Some(host) = parsed.host_str() {
            let authority = match parsed.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            variants.push(url.replacen(&authority, &format!("{host}:{default}"), 1));
        }
    }
    variants
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A status callback's parameters (`MessageSid`, `MessageStatus`, `ErrorCode`, `To`).
pub fn status_report(params: &[(String, String)]) -> Option<StatusReport> {
    let status = match param(params, "MessageStatus")? {
        "accepted" | "scheduled" | "queued" | "sending" => DeliveryStatus::Queued,
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "undelivered" => DeliveryStatus::Undelivered,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Other,
    };
    let error_code = param(params, "ErrorCode")
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    // A failure without a code, or with a code about the number, suppresses it; one about the
    // message or the account (30007 filtered, 30003 handset off, 30008 unknown…) does not.
    let suppress =
        status
            .is_permanent_failure()
            .then(|| match error_code.as_deref().map(str::parse::<u32>) {
                None => Some(UNDELIVERABLE),
                Some(Ok(code)) => match super::twilio_code_meaning(code) {
                    (true, _) => Some(PROVIDER_OPT_OUT),
                    (_, true) => Some(UNDELIVERABLE),
                    _ => None,
                },
                Some(Err(_)) => None,
            });
    Some(StatusReport {
        message_id: param(params, "MessageSid")
            .or_else(|| param(params, "SmsSid"))?
            .to_owned(),
        status,
        error_code,
        to: param(params, "To").map(super::e164),
        suppress: suppress.flatten(),
    })
}

/// An inbound message's parameters (`From`, `To`, `Body`).
pub fn inbound(params: &[(String, String)]) -> Option<InboundText> {
    Some(InboundText {
        from: super::e164(param(params, "From")?),
        to: super::e164(param(params, "To").unwrap_or_default()),
        body: param(params, "Body").unwrap_or_default().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// twilio-python's tests/unit/test_request_validator.py: the signature Twilio's own library
    /// expects for these parameters (our order of parameters is not theirs).
    #[test]
    fn signatures_match_twilios_own_test_vectors() {
        let token = "12345";
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let call = params(&[
            ("To", "+18005551212"),
            ("CallSid", "CA1234567890ABCDE"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("Caller", "+14158675309"),
        ]);
        assert_eq!(signature(token, url, &call), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assert!(verify(token, url, &call, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        // The same request seen behind a port: the signature of the URL without it is accepted.
        assert!(verify(
            token,
            "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
            &call,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        // Signed with the default port written out (443), as Twilio sometimes does.
        assert_eq!(
            signature(
                token,
                "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                &call
            ),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        );
        assert!(verify(token, url, &call, "kvajT1Ptam85bY51eRf/AJRuM3w="));
        assert_eq!(
            signature(
                token,
                "http://mycompany.com:1234/myapp.php?foo=1&bar=2",
                &call
            ),
            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
        );
        assert!(verify(
            token,
            "http://mycompany.com/myapp.php?foo=1&bar=2",
            &call,
            "0ZXoZLH/DfblKGATFgpif+LLRf4="
        ));
        // A repeated parameter: each value, sorted.
        let repeated = params(&[
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
        ]);
        assert_eq!(
            signature(token, url, &repeated),
            "IK+Dwps556ElfBT0I3Rgjkr1wJU="
        );
        // Twilio's security documentation's example.
        let docs = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        assert_eq!(signature(token, url, &docs), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }

    #[test]
    fn anything_else_is_refused() {
        let token = "12345";
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let call = params(&[("CallSid", "CA1234567890ABCDE"), ("Digits", "1234")]);
        let good = signature(token, url, &call);
        assert!(verify(token, url, &call, &good));
        assert!(
            !verify("54321", url, &call, &good),
            "another account's token"
        );
        let changed = params(&[("CallSid", "CA1234567890ABCDE"), ("Digits", "1235")]);
        assert!(!verify(token, url, &changed, &good), "a changed parameter");
        assert!(!verify(
            token,
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            &call,
            &good
        ));
        assert!(!verify(token, url, &call, "not base64!"));
        assert!(!verify(token, url, &call, ""));
    }

    #[test]
    fn callbacks_say_what_they_mean_for_the_number() {
        let report = |status: &str, code: &str| {
            let mut p = params(&[
                ("MessageSid", "SM1"),
                ("MessageStatus", status),
                ("To", "+33612345678"),
            ]);
            if !code.is_empty() {
                p.push(("ErrorCode".into(), code.into()));
            }
            status_report(&p).unwrap()
        };
        assert_eq!(report("delivered", "").status, DeliveryStatus::Delivered);
        assert_eq!(report("delivered", "").suppress, None);
        assert_eq!(report("undelivered", "").suppress, Some(UNDELIVERABLE));
        assert_eq!(report("undelivered", "30005").suppress, Some(UNDELIVERABLE));
        assert_eq!(report("failed", "21610").suppress, Some(PROVIDER_OPT_OUT));
        assert_eq!(
            report("undelivered", "30007").suppress,
            None,
            "content filtering"
        );
        assert_eq!(
            report("undelivered", "30003").suppress,
            None,
            "a handset switched off"
        );
        assert_eq!(report("sent", "").status, DeliveryStatus::Sent);
        assert_eq!(report("queued", "").status, DeliveryStatus::Queued);
    }
}
