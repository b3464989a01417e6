//! Sending one reminder: take it (fenced), re-check the rules against current state (void,
//! erasure, consent, unsubscribe, suppression, send window, frequency cap), render it in the
//! customer's language in the dealer's name, send it, and record the outcome. SMTP 4xx and network
//! failures retry later with exponential backoff and jitter stored in the row; 5xx suppresses the
//! address (except policy rejections) and fails the reminder.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, Utc};
use lettre::Address;
use rand::Rng;
use uuid::Uuid;

use crate::clock::Clock;
use crate::config::Config;
use crate::config::settings::Settings;
use crate::domain::consent::ConsentFacts;
use crate::domain::contact::TimeZone;
use crate::domain::outcome::Suppress;
use crate::domain::send::{CONFIRMATION, Decision, SendFacts, decide, retry_after, suppresses};
use crate::domain::sms::Channel;
use crate::mail::smtp::{SmtpSender, SmtpSettings};
use crate::mail::templates::Renderer;
use crate::mail::{Mailer, SendError};
use crate::store::{Finished, Outcome, SendContext, Store, StoreError};

use super::batch::Coalescer;
use crate::tokens::Signer;

/// Everything sending needs, shared by the dispatcher and every send worker of a process.
pub struct Sender {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub mailer: Mailer,
    pub renderer: Renderer,
    /// Texts: the provider (or the outbox), the sender and the rate limit (one per process: the
    /// API's HELP answers share it).
    pub sms: Arc<crate::sms::Sms>,
    pub texts: crate::sms::templates::TextRenderer,
    pub signer: Signer,
    pub config: Arc<Config>,
    /// The configuration's values, parsed once when the sender is made.
    pub settings: Arc<Settings>,
    /// DKIM signers (none, one, or RSA and Ed25519 side by side).
    pub dkim: Vec<crate::mail::dkim::Signer>,
    pub(super) from: Address,
    batches: OnceLock<Batches>,
}

/// The most sends that share one transaction.
const BATCH_MAX: usize = 64;

struct Batches {
    begin: Coalescer<Uuid, Option<(SendContext, DateTime<Utc>)>>,
    finish: Coalescer<Finished, bool>,
}

/// Takes `ids` for sending under a new lease; each taken one comes with its context and lease.
async fn begin_batch(
    store: &Store,
    clock: &dyn Clock,
    config: &Config,
    ids: &[Uuid],
) -> Result<Vec<Option<(SendContext, DateTime<Utc>)>>, StoreError> {
    let now = clock.now();
    let lease_until = now + Duration::seconds(config.lease_secs as i64);
    let cap_since = now - Duration::days(i64::from(config.frequency_cap_days));
    let capped = config.frequency_cap_count > 0;
    let spacing_since = (config.min_spacing_days > 0)
        .then(|| now - Duration::days(i64::from(config.min_spacing_days)));
    Ok(store
        .begin_sends(ids, now, lease_until, capped, cap_since, spacing_since)
        .await?
        .into_iter()
        .map(|ctx| ctx.map(|ctx| (ctx, lease_until)))
        .collect())
}

/// The DKIM signers the configuration asks for: the main key (RSA or Ed25519) and, optionally, an
/// Ed25519 key signing beside it (RFC 8463).
pub fn dkim_signers(config: &Config) -> anyhow::Result<Vec<crate::mail::dkim::Signer>> {
    let domain = config
        .dkim_domain
        .clone()
        .unwrap_or_else(|| config.mail_domain().to_owned());
    let mut signers = Vec::new();
    for (selector, file) in [
        (&config.dkim_selector, &config.dkim_private_key_file),
        (
            &config.dkim_ed25519_selector,
            &config.dkim_ed25519_private_key_file,
        ),
    ] {
        if let (Some(selector), Some(file)) = (selector, file) {
            let pem = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            signers.push(
                crate::mail::dkim::Signer::from_pem(selector, &domain, &pem)
                    .map_err(anyhow::Error::msg)?,
            );
        }
    }
    Ok(signers)
}

impl Sender {
    pub fn new(
        config: Arc<Config>,
        store: Store,
        clock: Arc<dyn Clock>,
        signer: Signer,
        mailer: Mailer,
    ) -> anyhow::Result<Self> {
        let dkim = dkim_signers(&config)?;
        Ok(Self {
            sms: Arc::new(crate::sms::Sms::from_config(&config)?),
            texts: crate::sms::templates::TextRenderer::new(),
            from: config.mail_from.parse()?,
            settings: Arc::new(config.settings()),
            renderer: Renderer::new(),
            store,
            clock,
            mailer,
            signer,
            dkim,
            config,
            batches: OnceLock::new(),
        })
    }

    /// The transport the configuration asks for: SMTP when `smtp_url` is set, else the outbox.
    pub fn mailer_from(config: &Config) -> anyhow::Result<Mailer> {
        Ok(match &config.smtp_url {
            Some(url) => Mailer::Smtp(SmtpSender::new(
                SmtpSettings::parse(url.expose()).map_err(anyhow::Error::msg)?,
                config.mail_domain(),
                config.send_concurrency,
                std::time::Duration::from_secs(config.send_timeout_secs),
            )),
            None => Mailer::Outbox(config.outbox_dir.clone()),
        })
    }

    /// Claims due reminders and queues a send task for each; returns how many.
    pub async fn dispatch_once(&self) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let lease_until = now + Duration::seconds(self.config.lease_secs as i64);
        let ids = self
            .store
            .claim_due_reminders(now, lease_until, i64::from(self.config.dispatch_batch))
            .await?;
        if !ids.is_empty() {
            tracing::info!(count = ids.len(), "reminders queued");
        }
        Ok(ids.len())
    }

    /// From now on, concurrent sends of this process share their transactions (group commit,
    /// see `batch`). The worker loop turns this on; a lone call to `send_reminder` works without.
    pub fn start_batching(&self) {
        let parallel = self.config.queue_workers.max(2);
        let (store, clock, config) = (self.store.clone(), self.clock.clone(), self.config.clone());
        let begin = Coalescer::spawn(BATCH_MAX, parallel, move |ids: Vec<Uuid>| {
            let (store, clock, config) = (store.clone(), clock.clone(), config.clone());
            async move { begin_batch(&store, &*clock, &config, &ids).await }
        });
        let store = self.store.clone();
        let finish = Coalescer::spawn(BATCH_MAX, parallel, move |sends: Vec<Finished>| {
            let store = store.clone();
            async move { store.finish_sends(&sends).await }
        });
        let _ = self.batches.set(Batches { begin, finish });
    }

    async fn begin(&self, id: Uuid) -> Result<Option<(SendContext, DateTime<Utc>)>, StoreError> {
        match self.batches.get() {
            Some(batches) => batches.begin.call(id).await,
            None => Ok(begin_batch(&self.store, &*self.clock, &self.config, &[id])
                .await?
                .pop()
                .flatten()),
        }
    }

    async fn finish(&self, send: Finished) -> Result<bool, StoreError> {
        match self.batches.get() {
            Some(batches) => batches.finish.call(send).await,
            None => self.store.finish_sends(&[send]).await.map(|r| r[0]),
        }
    }

    /// Sends (or decides not to send) one queued reminder. `None` if it was not ours to send.
    pub async fn send_reminder(&self, reminder_id: Uuid) -> Result<Option<Outcome>, StoreError> {
        let Some((ctx, lease_until)) = self.begin(reminder_id).await? else {
            return Ok(None);
        };
        let outcome = self.decide_and_send(&ctx, self.clock.now()).await;
        let finished = self.clock.now();
        // The message may already be out: keep trying to record that through a database outage
        // (until the claim's lease would expire), so a blip does not cause a resend.
        let mut wait = std::time::Duration::from_millis(250);
        let recorded = loop {
            let send = Finished {
                reminder_id,
                lease_until,
                outcome: outcome.clone(),
                at: finished,
            };
            match self.finish(send).await {
                Err(StoreError::Unavailable(e))
                    if self.clock.now() + Duration::from_std(wait).unwrap_or_default()
                        < lease_until =>
                {
                    tracing::warn!(%reminder_id, error = %e, "cannot record the outcome yet; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(std::time::Duration::from_secs(5));
                }
                other => break other?,
            }
        };
        if !recorded {
            tracing::warn!(%reminder_id, "claim lost before the outcome was recorded");
            return Ok(None);
        }
        let state = match &outcome {
            Outcome::Sent { .. } => "sent",
            Outcome::Retry { .. } => "retry",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Deferred { .. } => "deferred",
            Outcome::Cancelled => "cancelled",
        };
        crate::telemetry_metrics::reminder_processed(state);
        tracing::info!(%reminder_id, kind = %ctx.kind, state, attempt = ctx.attempts + 1, "reminder processed");
        Ok(Some(outcome))
    }

    async fn decide_and_send(&self, ctx: &SendContext, now: DateTime<Utc>) -> Outcome {
        let window = self
            .settings
            .reminders
            .window
            .overridden_by(ctx.dealer_send_window.as_deref());
        let channel = Channel::parse(&ctx.channel).unwrap_or(Channel::Email);
        let tz = TimeZone::stored(&ctx.customer_time_zone);
        let facts = SendFacts {
            confirmation: ctx.kind == CONFIRMATION,
            registration_active: ctx.registration_status == "active",
            customer_erased: ctx.customer_erased_at.is_some(),
            channel,
            has_address: match channel {
                Channel::Email => ctx.customer_email.is_some(),
                Channel::Sms => ctx.customer_phone.is_some(),
            },
            suppressed: ctx.suppressed,
            opted_out: ctx.opted_out,
            quiet_until: match channel {
                Channel::Email => None,
                Channel::Sms => crate::domain::sms::quiet_until(
                    &self.settings.sms.quiet_hours,
                    ctx.customer_country.as_deref(),
                    tz,
                    now,
                ),
            },
            consent: ConsentFacts {
                latest: ctx.consent_latest,
                latest_by_customer: ctx.consent_latest_by_customer,
            },
            tz,
            window: &window,
            history: &ctx.history,
        };
        match decide(&facts, self.settings.pacing, now) {
            Decision::Send => {}
            Decision::Cancel => return Outcome::Cancelled,
            Decision::Skip(reason) => return Outcome::Skipped { reason },
            Decision::Defer { send_after, reason } => {
                return Outcome::Deferred { send_after, reason };
            }
        }
        if channel == Channel::Sms {
            return self.send_text(ctx, now).await;
        }
        let email = ctx
            .customer_email
            .as_deref()
            .expect("decided: has an email");
        let to: Address = match email.parse() {
            Ok(address) => address,
            Err(_) => {
                return Outcome::Failed {
                    smtp_code: None,
                    detail: "invalid recipient address".into(),
                    suppress: None,
                };
            }
        };
        let (message_id, envelope, raw) = match self.render(ctx, to, now) {
            Ok(built) => built,
            Err(e) => {
                tracing::error!(reminder_id = %ctx.reminder_id, error = %e, "cannot build the message");
                return Outcome::Failed {
                    smtp_code: None,
                    detail: e,
                    suppress: None,
                };
            }
        };
        let started = std::time::Instant::now();
        let sent = self.mailer.send(&envelope, &message_id, &raw).await;
        let code = match &sent {
            Ok(code) => Some(*code),
            Err(e) => e.code(),
        };
        crate::telemetry_metrics::smtp_reply(code, started.elapsed().as_secs_f64());
        match sent {
            Ok(code) => Outcome::Sent {
                message_id,
                smtp_code: code,
            },
            Err(SendError::Permanent { code, detail }) => Outcome::Failed {
                suppress: suppresses(code, &detail).then(|| Suppress::Email(email.to_owned())),
                smtp_code: code,
                detail,
            },
            Err(SendError::Transient { code, detail }) => {
                self.retry_later(ctx.attempts, code, detail, None, now)
            }
        }
    }
}

impl Sender {
    /// After a temporary failure (the `attempts` before this one): try again after the backoff,
    /// or after what the server asked (`Retry-After`) when that is later; give up after the last
    /// attempt.
    pub(super) fn retry_later(
        &self,
        attempts: i32,
        code: Option<u16>,
        detail: String,
        asked: Option<std::time::Duration>,
        now: DateTime<Utc>,
    ) -> Outcome {
        let attempt = attempts as u32 + 1;
        let jitter = rand::rng().random_range(0.8..1.2);
        let delivery = self.settings.delivery;
        match retry_after(
            attempt,
            delivery.max_attempts,
            delivery.retry_base_secs,
            jitter,
        ) {
            Some(backoff) => Outcome::Retry {
                send_after: now
                    + asked
                        .and_then(|a| Duration::from_std(a).ok())
                        .map_or(backoff, |a| a.max(backoff)),
                smtp_code: code,
                detail,
            },
            None => Outcome::Failed {
                smtp_code: code,
                detail: format!("gave up after {attempt} attempts: {detail}"),
                suppress: None,
            },
        }
    }
}
