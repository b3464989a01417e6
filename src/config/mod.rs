//! Typed configuration: defaults < optional TOML file < environment (`WARRANTYD_*`, plus the
//! conventional `DATABASE_URL`). Secrets never appear in `Debug` output or logs.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::domain::plan::DEFAULT_SEND_WINDOW;

pub mod settings;

/// A value that must not be printed.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A setting read as text even when the environment gives digits: figment reads
/// `WARRANTYD_SMS_ACCOUNT=12345678` as a number.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(u64),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|raw| match raw {
        Raw::Text(text) => text,
        Raw::Number(n) => n.to_string(),
    }))
}

/// An SMS sender read from the environment, where figment reads `+15005550006` as the number
/// 15005550006: a number of 8 digits or more gets its `+` back (a phone number in E.164); a
/// shorter one is a short code and stays as it is.
fn sender_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(text_or_number(d)?.map(|sender| {
        if sender.len() >= 8 && sender.bytes().all(|b| b.is_ascii_digit()) {
            format!("+{sender}")
        } else {
            sender
        }
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://...`; unset means `sqlite://<data_dir>/warrantyd.db`.
    pub database_url: Option<Secret>,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Base of links in emails, e.g. `https://warranty.example.com`.
    pub public_url: String,
    /// Signs tokens and sessions; generated into the data dir on SQLite when unset.
    pub secret_key: Option<Secret>,
    /// `smtp://`, `smtps://` or `smtp://...?tls=starttls`; unset writes emails to `outbox_dir`.
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    /// The manufacturer's name: the pages' header and the sender name of sign-in emails.
    pub manufacturer_name: String,
    /// The manufacturer's privacy notice, linked where the counter form asks for consent.
    pub privacy_url: Option<String>,
    /// Days after registering within which a dealer may correct a registration.
    pub correction_days: u32,
    /// Days an ownership transfer's acceptance link works.
    pub transfer_link_days: u32,
    /// Days after an owner registers a unit through its address within which its selling dealer
    /// may claim the sale.
    pub claim_days: u32,
    /// Largest proof of purchase file accepted, in bytes.
    pub proof_max_bytes: usize,
    /// Where proof of purchase files are kept: `database` or `s3` (an S3-compatible store).
    pub proof_store: String,
    /// The object store's address (with `proof_store = "s3"`), e.g. `https://s3.eu-west-3.amazonaws.com`.
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<Secret>,
    /// 6-field cron expression of the hours reminders may go out, in the recipient's time zone.
    pub send_window: String,
    pub log_format: LogFormat,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Requests per minute one API key may make to the intake endpoints (registrations, visits).
    pub rate_limit_per_key_per_minute: u32,
    /// Requests per minute one client address may make to the customer link pages (`/u`, `/r`, `/v`).
    pub rate_limit_per_address_per_minute: u32,
    /// Requests per minute one client address may make to the staff sign-in pages.
    pub rate_limit_sign_in_per_address_per_minute: u32,
    /// Failed API key authentications per minute one client address may make before it gets 429.
    pub rate_limit_failed_auth_per_address_per_minute: u32,
    /// Networks of reverse proxies whose `Forwarded` / `X-Forwarded-For` is believed when they
    /// connect (e.g. `["10.0.0.0/8"]`); nothing is believed by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Serve `/metrics` on this address only (not on `listen`).
    pub metrics_listen: Option<SocketAddr>,
    /// When set, `/metrics` requires `Authorization: Bearer <token>`. Without it and without
    /// `metrics_listen`, `/metrics` answers only loopback clients that came through no proxy.
    pub metrics_token: Option<Secret>,
    /// A connection must send its request headers within this many seconds or it is closed.
    pub header_read_timeout_secs: u64,
    /// Deadline for one request before it is answered 503.
    pub request_timeout_secs: u64,
    /// Database connections per process.
    pub db_max_connections: u32,
    /// Days before the warranty end at which the expiry notice is due.
    pub expiry_notice_days: u32,
    /// Reminders whose date lies more than this many days in the past at registration are skipped.
    pub catch_up_days: u32,
    /// The manufacturer's IANA time zone: periods (months) of incentives and statements follow it.
    pub manufacturer_time_zone: String,
    /// Close the previous period automatically once it has ended (in the manufacturer's time zone).
    pub auto_close_periods: bool,
    /// A service visit up to this many days after a reminder was sent (or its booking link clicked)
    /// is attributed to that reminder.
    pub attribution_window_days: u32,
    /// A visit fulfils the pending service reminder of a plan step due up to this many days later.
    pub service_fulfils_days: u32,
    /// An authorized servicer reporting this many visits on units other dealers sold within 30 days
    /// (and each further multiple) raises a fraud signal.
    pub fraud_visits_on_others_per_30_days: u32,
    /// Share of registrations (0 to 1) that get no service reminders, to measure the lift reminders cause.
    pub holdout_share: f64,
    /// Days after a period's close within which the manufacturer agreed to approve and to pay.
    pub approve_within_days: u32,
    pub pay_within_days: u32,
    /// Days saved idempotent answers (which hold personal data) and finished queue tasks are kept.
    pub retention_days: u32,
    /// Where emails are written as `.eml` files when no SMTP server is configured.
    pub outbox_dir: PathBuf,
    /// Local dates on which no reminder is sent: `MM-DD` every year or `YYYY-MM-DD` once.
    pub quiet_days: Vec<String>,
    /// How often the dispatcher looks for due reminders, in milliseconds.
    pub dispatch_interval_ms: u64,
    /// Reminders claimed per dispatcher pass.
    pub dispatch_batch: u32,
    /// Concurrent sends per worker process (and SMTP connections).
    pub send_concurrency: usize,
    /// Queued tasks a send worker takes from the queue at a time (one round trip); their
    /// acknowledgements are written together too.
    pub worker_fetch_batch: usize,
    /// Queue consumers per worker process, each taking and acknowledging tasks on its own; they
    /// share `send_concurrency`.
    pub queue_workers: usize,
    /// Deadline of one SMTP conversation; a connection that misses it is closed, never reused.
    pub send_timeout_secs: u64,
    /// A claimed reminder not finished within this many seconds is presumed abandoned and claimed again.
    pub lease_secs: u64,
    /// Attempts before a reminder that keeps failing temporarily is marked failed.
    pub max_attempts: u32,
    /// First retry delay; doubles with each attempt (with jitter), capped at 6 hours.
    pub retry_base_secs: u64,
    /// At most this many reminders per customer (all registrations) within `frequency_cap_days`;
    /// later ones wait. 0 disables the cap. Confirmations do not count.
    pub frequency_cap_count: u32,
    pub frequency_cap_days: u32,
    /// At least this many days between two messages to one customer (a confirmation goes at once;
    /// the reminder after it waits). 0 disables it.
    pub min_spacing_days: u32,
    /// Optional DKIM signing of every email.
    pub dkim_selector: Option<String>,
    pub dkim_domain: Option<String>,
    /// PEM file of an RSA private key (PKCS#1).
    pub dkim_private_key_file: Option<PathBuf>,
    /// Bearer token of `POST /v1/inbound/email`, where the mail server delivers bounces (DSN),
    /// complaint reports (ARF) and mailto unsubscribes; unset disables that path (and the mailto
    /// unsubscribe is not advertised).
    pub inbound_token: Option<Secret>,
    /// A second signature with an Ed25519 key (RFC 8463), beside the main one.
    pub dkim_ed25519_selector: Option<String>,
    pub dkim_ed25519_private_key_file: Option<PathBuf>,
    /// `twilio` or `vonage` (an HTTP API compatible with theirs); unset writes texts to
    /// `sms_outbox_dir`.
    pub sms_provider: Option<String>,
    /// The provider API's base URL (default: the provider's own).
    pub sms_api_url: Option<String>,
    /// Twilio's Account SID, or Vonage's API key.
    #[serde(default, deserialize_with = "text_or_number")]
    pub sms_account: Option<String>,
    /// Twilio's auth token (it also signs Twilio's webhooks), or Vonage's API secret.
    pub sms_auth_token: Option<Secret>,
    /// Vonage's signature secret, which signs its webhooks (Twilio's are signed by the auth token).
    pub sms_signature_secret: Option<Secret>,
    /// The sender of texts (a number in E.164, a Twilio Messaging Service SID, or an alphanumeric
    /// sender ID) when the dealer has no sender ID of its own.
    #[serde(default, deserialize_with = "sender_or_number")]
    pub sms_from: Option<String>,
    /// Where texts are written as `.txt` files when no provider is configured.
    pub sms_outbox_dir: PathBuf,
    /// A text template longer than this many segments fails `check-templates`.
    pub sms_segment_budget: u32,
    /// Texts per second this process sends at most (the provider's rate limit).
    pub sms_rate_per_second: u32,
    /// Night hours per country in which no text is sent, in the recipient's time zone:
    /// `"CC HH:MM-HH:MM"`.
    pub sms_quiet_hours: Vec<String>,
    /// Deadline of one request to the SMS provider.
    pub sms_timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: None,
            listen: "127.0.0.1:8080".parse().unwrap(),
            data_dir: PathBuf::from("./data"),
            public_url: "http://127.0.0.1:8080".into(),
            secret_key: None,
            smtp_url: None,
            mail_from: "warranty@localhost".into(),
            manufacturer_name: "Warranty and service".into(),
            privacy_url: None,
            correction_days: 30,
            transfer_link_days: 14,
            claim_days: 60,
            proof_max_bytes: 10 * 1024 * 1024,
            proof_store: "database".into(),
            s3_endpoint: None,
            s3_bucket: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            send_window: DEFAULT_SEND_WINDOW.into(),
            log_format: LogFormat::Text,
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout_secs: 30,
            header_read_timeout_secs: 10,
            rate_limit_per_key_per_minute: 6000,
            rate_limit_per_address_per_minute: 120,
            rate_limit_sign_in_per_address_per_minute: 30,
            rate_limit_failed_auth_per_address_per_minute: 60,
            trusted_proxies: Vec::new(),
            metrics_listen: None,
            metrics_token: None,
            db_max_connections: 16,
            expiry_notice_days: 30,
            catch_up_days: 30,
            manufacturer_time_zone: "UTC".into(),
            auto_close_periods: true,
            attribution_window_days: 60,
            service_fulfils_days: 90,
            fraud_visits_on_others_per_30_days: 50,
            holdout_share: 0.0,
            approve_within_days: 10,
            pay_within_days: 30,
            retention_days: 7,
            outbox_dir: PathBuf::from("./outbox"),
            quiet_days: Vec::new(),
            dispatch_interval_ms: 500,
            dispatch_batch: 200,
            send_concurrency: 8,
            worker_fetch_batch: 50,
            queue_workers: 4,
            send_timeout_secs: 60,
            lease_secs: 300,
            max_attempts: 8,
            retry_base_secs: 60,
            frequency_cap_count: 2,
            frequency_cap_days: 7,
            min_spacing_days: 3,
            dkim_selector: None,
            dkim_domain: None,
            dkim_private_key_file: None,
            inbound_token: None,
            dkim_ed25519_selector: None,
            dkim_ed25519_private_key_file: None,
            sms_provider: None,
            sms_api_url: None,
            sms_account: None,
            sms_auth_token: None,
            sms_signature_secret: None,
            sms_from: None,
            sms_outbox_dir: PathBuf::from("./sms-outbox"),
            sms_segment_budget: 2,
            sms_rate_per_second: 10,
            // France (Code de la consommation, L. 223-1 and its 2022 decree: 8:00 to 20:00) and
            // the US (TCPA: 8:00 to 21:00) keep texts out of the night.
            sms_quiet_hours: vec!["FR 20:00-08:00".into(), "US 21:00-08:00".into()],
            sms_timeout_secs: 10,
        }
    }
}

impl Config {
    /// Loads defaults, then `file` (if given), then the environment.
    #[allow(clippy::result_large_err)] // called once at start-up
    pub fn load(file: Option<&Path>) -> Result<Self, figment::Error> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(figment::Error::from(format!(
                    "configuration file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        let config: Config = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(
                Env::prefixed("WARRANTYD_")
                    .ignore(&["CONFIG", "LOG"])
                    // WARRANTYD_TEST_* configure the test suite, not the service.
                    .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_")),
            )
            .extract()?;
        config.validate().map_err(figment::Error::from)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        settings::Settings::parse(self)?;
        if self.mail_from.parse::<lettre::Address>().is_err() {
            return Err(format!(
                "mail_from {:?} is not an email address",
                self.mail_from
            ));
        }
        if let Some(url) = &self.smtp_url {
            crate::mail::smtp::SmtpSettings::parse(url.expose())
                .map_err(|e| format!("smtp_url: {e}"))?;
        }
        if self.dkim_selector.is_some() != self.dkim_private_key_file.is_some() {
            return Err("dkim_selector and dkim_private_key_file go together".into());
        }
        if self.dkim_ed25519_selector.is_some() != self.dkim_ed25519_private_key_file.is_some() {
            return Err(
                "dkim_ed25519_selector and dkim_ed25519_private_key_file go together".into(),
            );
        }
        match self.sms_provider.as_deref() {
            None | Some("outbox") => {}
            Some(provider @ ("twilio" | "vonage")) => {
                let missing = |v: Option<&str>| v.is_none_or(|v| v.trim().is_empty());
                if missing(self.sms_account.as_deref())
                    || missing(self.sms_auth_token.as_ref().map(Secret::expose))
                {
                    return Err(format!(
                        "sms_provider {provider:?} needs sms_account and sms_auth_token"
                    ));
                }
                if provider == "vonage"
                    && missing(self.sms_signature_secret.as_ref().map(Secret::expose))
                {
                    return Err(
                        "sms_provider \"vonage\" needs sms_signature_secret to verify its webhooks"
                            .into(),
                    );
                }
            }
            Some(other) => {
                return Err(format!(
                    "sms_provider {other:?}: expected twilio, vonage or outbox"
                ));
            }
        }
        if self.lease_secs <= self.send_timeout_secs || self.lease_secs <= self.sms_timeout_secs {
            return Err("lease_secs must exceed send_timeout_secs and sms_timeout_secs".into());
        }
        if self.send_concurrency == 0
            || self.dispatch_batch == 0
            || self.worker_fetch_batch == 0
            || self.queue_workers == 0
            || self.max_attempts == 0
        {
            return Err(
                "send_concurrency, dispatch_batch, worker_fetch_batch, queue_workers and max_attempts must be at least 1"
                    .into(),
            );
        }
        if let Some(url) = &self.database_url {
            let url = url.expose();
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                return Err("database_url must start with sqlite: or postgres://".into());
            }
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err("public_url must be an absolute http(s) URL".into());
        }
        if self.max_body_bytes < 1024 {
            return Err("max_body_bytes must be at least 1024".into());
        }
        if self.db_max_connections == 0 {
            return Err("db_max_connections must be at least 1".into());
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("warrantyd.db").display()
            ),
        }
    }

    /// The values as the code uses them, parsed (`Config::load` has validated them).
    pub fn settings(&self) -> settings::Settings {
        settings::Settings::parse(self).expect("validated at load")
    }

    /// The domain of the sending address (for Message-IDs and the mailto unsubscribe).
    pub fn mail_domain(&self) -> &str {
        self.mail_from
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let config = Config {
            database_url: Some(Secret::new("postgres://u:hunter2@db/x")),
            secret_key: Some(Secret::new("s3cr3t-key")),
            smtp_url: Some(Secret::new("smtp://u:mailpass@mx")),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        for secret in ["hunter2", "s3cr3t-key", "mailpass"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
    }

    #[test]
    fn the_example_file_is_a_valid_configuration() {
        let config = Config::load(Some(Path::new("deploy/warrantyd.example.toml"))).unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn environment_overrides_file_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "w.toml",
                "listen = \"127.0.0.1:9000\"\nsend_window = \"0 0 10 * * *\"\n",
            )?;
            jail.set_env("WARRANTYD_SEND_WINDOW", "0 30 8 * * *");
            jail.set_env("DATABASE_URL", "postgres://localhost/a");
            let config = Config::load(Some(Path::new("w.toml")))?;
            assert_eq!(config.listen.port(), 9000);
            assert_eq!(config.send_window, "0 30 8 * * *");
            assert_eq!(config.database_url(), "postgres://localhost/a");
            jail.set_env("WARRANTYD_DATABASE_URL", "postgres://localhost/b");
            assert_eq!(
                Config::load(Some(Path::new("w.toml")))?.database_url(),
                "postgres://localhost/b"
            );
            jail.set_env("WARRANTYD_SEND_WINDOW", "bad");
            assert!(Config::load(None).is_err());
            Ok(())
        });
    }

    #[test]
    fn sms_settings_written_as_digits_stay_text_and_secrets_stay_hidden() {
        figment::Jail::expect_with(|jail| {
            // The environment gives these unquoted: figment reads digits as numbers.
            jail.set_env("WARRANTYD_SMS_PROVIDER", "vonage");
            jail.set_env("WARRANTYD_SMS_ACCOUNT", "12345678");
            jail.set_env("WARRANTYD_SMS_AUTH_TOKEN", "api-secret-value");
            jail.set_env("WARRANTYD_SMS_SIGNATURE_SECRET", "signature-secret-value");
            jail.set_env("WARRANTYD_SMS_FROM", "+15005550006");
            let config = Config::load(None)?;
            assert_eq!(config.sms_account.as_deref(), Some("12345678"));
            assert_eq!(config.sms_from.as_deref(), Some("+15005550006"));
            jail.set_env("WARRANTYD_SMS_FROM", "72345");
            assert_eq!(
                Config::load(None)?.sms_from.as_deref(),
                Some("72345"),
                "a short code"
            );
            jail.set_env("WARRANTYD_SMS_FROM", "GMARTIN");
            let config = Config::load(None)?;
            assert_eq!(config.sms_from.as_deref(), Some("GMARTIN"));
            let shown = format!("{config:?}");
            assert!(
                !shown.contains("api-secret-value") && !shown.contains("signature-secret-value"),
                "{shown}"
            );
            // Vonage's webhooks cannot be verified without the signature secret: refused at start.
            jail.set_env("WARRANTYD_SMS_SIGNATURE_SECRET", "");
            let refused = Config::load(None).unwrap_err().to_string();
            assert!(refused.contains("sms_signature_secret"), "{refused}");
            Ok(())
        });
    }
}
