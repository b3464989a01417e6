//! Texts: one interface over the providers (`Texter`): an HTTP provider compatible with Twilio's
//! Messages API, one compatible with Vonage's Messages API, and a file outbox for development (the
//! default, like the email outbox). Each send carries the reminder's id as its idempotency key and
//! reference, so a retry after a timeout is recognized by a provider that supports it. A rate limit
//! (messages per second) paces every send of the process; a 429 is retried after the provider's
//! `Retry-After`. Webhooks (status callbacks, inbound texts) are verified here, per provider.

pub mod templates;
pub mod twilio;
pub mod vonage;

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::config::Config;

/// One text to send.
#[derive(Debug, Clone)]
pub struct Text<'a> {
    /// E.164, with its `+`.
    pub to: &'a str,
    /// A number, or an alphanumeric sender ID where the provider allows it.
    pub from: &'a str,
    pub body: &'a str,
    /// The reminder's id: the idempotency key and the provider's client reference.
    pub reference: Uuid,
}

/// The provider took the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id of the message (its status callbacks name it).
    pub id: String,
    pub http_status: u16,
}

/// Why a text was not taken, classified for the retry policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// 429, 5xx, a dropped connection or a timeout: try again later (after `retry_after` when the
    /// provider said).
    #[error("temporary failure ({status:?}): {detail}")]
    Transient {
        status: Option<u16>,
        detail: String,
        retry_after: Option<Duration>,
    },
    /// Refused for good: `code` is the provider's error code; `opted_out` when the recipient
    /// opted out at the provider (Twilio 21610); `bad_number` when the number cannot get texts.
    #[error("permanent failure ({status:?}, code {code:?}): {detail}")]
    Permanent {
        status: Option<u16>,
        code: Option<u32>,
        detail: String,
        opted_out: bool,
        bad_number: bool,
    },
}

/// Where texts go.
pub enum Texter {
    Twilio(twilio::Client),
    Vonage(vonage::Client),
    /// Writes `<reference>.txt` files: a resend overwrites the same file.
    Outbox(PathBuf),
}

/// What the service texts with: the provider, the default sender and the rate limit.
pub struct Sms {
    pub texter: Texter,
    /// The sender when the dealer has no sender ID of its own.
    pub from: String,
    limiter: Arc<DefaultDirectRateLimiter>,
}

/// A delivery state a provider reports in a status callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Queued,
    Sent,
    Delivered,
    /// The carrier could not deliver it to the handset.
    Undelivered,
    /// The provider could not send it.
    Failed,
    /// Anything else (read receipts, states we do not act on).
    Other,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Failed => "failed",
            Self::Other => "other",
        }
    }

    /// The text did not reach the number and will not.
    pub fn is_permanent_failure(self) -> bool {
        matches!(self, Self::Undelivered | Self::Failed)
    }
}

/// A status callback, read and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub message_id: String,
    pub status: DeliveryStatus,
    /// The provider's error code, when it gave one.
    pub error_code: Option<String>,
    /// The recipient's number (E.164).
    pub to: Option<String>,
    /// For a failure: what it says of the number (`domain::sms::UNDELIVERABLE`, or
    /// `PROVIDER_OPT_OUT` when the recipient opted out), `None` when it is about the message or
    /// the account (content filtering, throttling), not the number.
    pub suppress: Option<&'static str>,
}

/// An inbound text, read and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundText {
    /// The sender's number (E.164).
    pub from: String,
    /// Our number it was sent to.
    pub to: String,
    pub body: String,
}

/// The E.164 form of a number a provider wrote without its `+` (Vonage does).
pub fn e164(number: &str) -> String {
    let digits = number.trim();
    if digits.starts_with('+') {
        digits.to_owned()
    } else {
        format!("+{digits}")
    }
}

/// What a Twilio error code says: (the recipient opted out: 21610; the number cannot take
/// texts: invalid, not a mobile, unknown handset, landline).
pub fn twilio_code_meaning(code: u32) -> (bool, bool) {
    let opted_out = code == 21610;
    let bad_number = matches!(
        code,
        21211 | 21214 | 21217 | 21612 | 21614 | 21635 | 30005 | 30006
    );
    (opted_out, bad_number)
}

impl Sms {
    /// The provider the configuration names (`sms_provider`), or the outbox.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let timeout = Duration::from_secs(config.sms_timeout_secs.max(1));
        let http = || {
            reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                // A provider's API answers where it was asked; never follow elsewhere.
                .redirect(reqwest::redirect::Policy::none())
                .build()
        };
        let credentials =
            || -> anyhow::Result<(String, crate::config::Secret)> {
                Ok((
                    config.sms_account.clone().ok_or_else(|| {
                        anyhow::anyhow!("sms_account is required by sms_provider")
                    })?,
                    config.sms_auth_token.clone().ok_or_else(|| {
                        anyhow::anyhow!("sms_auth_token is required by sms_provider")
                    })?,
                ))
            };
        let texter = match config.sms_provider.as_deref() {
            None | Some("outbox") => Texter::Outbox(config.sms_outbox_dir.clone()),
            Some("twilio") => {
                let (account, token) = credentials()?;
                Texter::Twilio(twilio::Client {
                    http: http()?,
                    base: config
                        .sms_api_url
                        .clone()
                        .unwrap_or_else(|| twilio::API.into()),
                    account_sid: account,
                    auth_token: token,
                    status_callback: format!(
                        "{}/v1/sms/twilio/status",
                        config.public_url.trim_end_matches('/')
                    ),
                })
            }
            Some("vonage") => {
                let (account, token) = credentials()?;
                Texter::Vonage(vonage::Client {
                    http: http()?,
                    base: config
                        .sms_api_url
                        .clone()
                        .unwrap_or_else(|| vonage::API.into()),
                    api_key: account,
                    api_secret: token,
                })
            }
            Some(other) => {
                anyhow::bail!("sms_provider {other:?}: expected twilio, vonage or outbox")
            }
        };
        let per_second = NonZeroU32::new(config.sms_rate_per_second.max(1)).expect("at least 1");
        Ok(Self {
            texter,
            from: config
                .sms_from
                .clone()
                .unwrap_or_else(|| "warrantyd".into()),
            limiter: Arc::new(RateLimiter::direct(Quota::per_second(per_second))),
        })
    }

    /// The provider's name, as webhooks' paths and logs write it.
    pub fn provider(&self) -> &'static str {
        match self.texter {
            Texter::Twilio(_) => "twilio",
            Texter::Vonage(_) => "vonage",
            Texter::Outbox(_) => "outbox",
        }
    }

    /// Sends one text, within the rate limit. A malformed number never reaches the provider.
    pub async fn send(&self, text: &Text<'_>) -> Result<Accepted, TextError> {
        if crate::domain::contact::Phone::parse(text.to).is_err() {
            return Err(TextError::Permanent {
                status: None,
                code: None,
                detail: "not an E.164 phone number".into(),
                opted_out: false,
                bad_number: true,
            });
        }
        self.limiter.until_ready().await;
        let started = std::time::Instant::now();
        let sent = match &self.texter {
            Texter::Twilio(client) => client.send(text).await,
            Texter::Vonage(client) => client.send(text).await,
            Texter::Outbox(dir) => outbox(dir, text),
        };
        let status = match &sent {
            Ok(a) => Some(a.http_status),
            Err(TextError::Transient { status, .. } | TextError::Permanent { status, .. }) => {
                *status
            }
        };
        crate::telemetry_metrics::sms_reply(status, started.elapsed().as_secs_f64());
        sent
    }
}

/// The outbox file of a text.
pub fn outbox_file_name(reference: Uuid) -> String {
    format!("{reference}.txt")
}

fn outbox(dir: &std::path::Path, text: &Text<'_>) -> Result<Accepted, TextError> {
    use std::io::Write;
    let transient = |e: std::io::Error| TextError::Transient {
        status: None,
        detail: format!("cannot write the SMS outbox: {e}"),
        retry_after: None,
    };
    crate::files::create_dir_private(dir).map_err(transient)?;
    let path = dir.join(outbox_file_name(text.reference));
    let mut file = crate::files::create_private(&path).map_err(transient)?;
    write!(
        file,
        "To: {}\nFrom: {}\n\n{}\n",
        text.to, text.from, text.body
    )
    .map_err(transient)?;
    Ok(Accepted {
        id: format!("outbox-{}", text.reference),
        http_status: 200,
    })
}

/// Sends a request to the provider and reads its answer: (status, body, `Retry-After`).
pub(crate) async fn answer(
    request: reqwest::RequestBuilder,
) -> Result<(u16, axum::body::Bytes, Option<Duration>), TextError> {
    let response = request.send().await.map_err(network)?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = response.bytes().await.map_err(network)?;
    Ok((status, body, retry_after))
}

/// The message id in a provider's 2xx answer; an answer without one is retried.
pub(crate) fn accepted_id<T: serde::de::DeserializeOwned>(
    status: u16,
    body: &[u8],
    id: impl FnOnce(T) -> String,
) -> Result<Accepted, TextError> {
    serde_json::from_slice(body)
        .map(|created| Accepted {
            id: id(created),
            http_status: status,
        })
        .map_err(|_| TextError::Transient {
            status: Some(status),
            detail: "the provider's answer has no message id".into(),
            retry_after: None,
        })
}

/// 408, 429 and 5xx: the provider may take it later.
pub(crate) fn is_transient(status: u16) -> bool {
    status == 408 || status == 429 || status >= 500
}

/// A `Retry-After` header in seconds (the HTTP-date form is read as "a minute").
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    Some(
        value
            .trim()
            .parse::<u64>()
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(60)),
    )
}

/// A network failure (connection refused, reset, timeout): the text may or may not have been
/// taken, so it is retried under the same idempotency key.
pub(crate) fn network(e: reqwest::Error) -> TextError {
    TextError::Transient {
        status: None,
        detail: if e.is_timeout() {
            "the provider did not answer in time".into()
        } else {
            format!("cannot reach the provider: {}", e.without_url())
        },
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A number that is not E.164 is refused before the provider is called: the provider here is
    /// a closed port, which would have been a transient network failure.
    #[tokio::test]
    async fn a_malformed_number_never_reaches_the_provider() {
        let config = Config {
            sms_provider: Some("twilio".into()),
            sms_api_url: Some("http://127.0.0.1:9".into()),
            sms_account: Some("AC0".into()),
            sms_auth_token: Some(crate::config::Secret::new("t")),
            ..Config::default()
        };
        let sms = Sms::from_config(&config).unwrap();
        for to in ["0612345678", "+33 6 12", "not a phone", ""] {
            let sent = sms
                .send(&Text {
                    to,
                    from: "+15005550006",
                    body: "hello",
                    reference: Uuid::now_v7(),
                })
                .await;
            assert!(
                matches!(
                    sent,
                    Err(TextError::Permanent {
                        bad_number: true,
                        status: None,
                        ..
                    })
                ),
                "{to:?}: {sent:?}"
            );
        }
        let reached = sms
            .send(&Text {
                to: "+33612345678",
                from: "+15005550006",
                body: "hello",
                reference: Uuid::now_v7(),
            })
            .await;
        assert!(
            matches!(reached, Err(TextError::Transient { .. })),
            "{reached:?}"
        );
    }
}
