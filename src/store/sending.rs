//! The sending side of the reminder pipeline, as rows: taking queued reminders for sending with
//! every fact the send decision needs (`domain::send`), and recording each attempt and its
//! outcome. Every transition after the claim is fenced by the claim's lease, so a process that
//! lost its claim cannot overwrite another's work.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Backend, BeginWrite, Result, Store, with_pool};
pub use crate::domain::outcome::Outcome;
use crate::domain::outcome::{Suppress, Transition};
use sqlx::QueryBuilder;

/// What the send rules need, read when sending starts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SendContext {
    pub reminder_id: Uuid,
    pub kind: String,
    pub occurrence: i32,
    /// `email` or `sms`.
    pub channel: String,
    pub nominal_date: NaiveDate,
    pub attempts: i32,
    pub registration_id: Uuid,
    pub registration_status: String,
    pub serial_number: String,
    pub purchase_date: NaiveDate,
    pub warranty_expires_on: NaiveDate,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_country: Option<String>,
    pub customer_locale: String,
    pub customer_time_zone: String,
    pub customer_erased_at: Option<DateTime<Utc>>,
    pub product_name: String,
    pub sku: String,
    pub dealer_name: String,
    pub dealer_code: String,
    pub dealer_email: Option<String>,
    pub dealer_phone: Option<String>,
    pub dealer_address: Option<String>,
    pub dealer_locale: String,
    pub dealer_booking_url: Option<String>,
    pub dealer_send_window: Option<String>,
    pub dealer_sms_sender_id: Option<String>,
    /// The dealer's service-reminder consent: the latest event's answer...
    pub consent_latest: Option<bool>,
    /// ...and the latest answer the customer gave themselves (`domain::consent` combines them).
    pub consent_latest_by_customer: Option<bool>,
    /// The address of this channel is suppressed (`suppressions`, or `sms_suppressions` for a
    /// number that cannot take texts).
    #[sqlx(skip)]
    pub suppressed: bool,
    /// The number opted out of texts (STOP, or at the provider).
    #[sqlx(skip)]
    pub opted_out: bool,
    /// This customer's other messages sent since the earlier of the spacing and the cap periods
    /// began, or being sent: (when, kind). `domain::send::decide` reads spacing and cap from it.
    #[sqlx(skip)]
    pub history: Vec<(DateTime<Utc>, String)>,
}

/// How one send ended, to be recorded (`finish_sends`).
#[derive(Debug, Clone)]
pub struct Finished {
    pub reminder_id: Uuid,
    /// The lease the send was taken under: recording is fenced by it.
    pub lease_until: DateTime<Utc>,
    pub outcome: Outcome,
    pub at: DateTime<Utc>,
}

macro_rules! context_select {
    () => {
        "SELECT r.id AS reminder_id, r.kind, r.occurrence, r.channel, r.nominal_date, r.attempts,
    g.id AS registration_id, g.status AS registration_status,
    COALESCE(g.serial_display, g.serial_number) AS serial_number, g.purchase_date, g.warranty_expires_on,
    c.id AS customer_id, c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone,
    c.country AS customer_country, c.locale AS customer_locale,
    c.time_zone AS customer_time_zone, c.erased_at AS customer_erased_at, p.name AS product_name, p.sku,
    d.name AS dealer_name, d.code AS dealer_code, d.email AS dealer_email, d.phone AS dealer_phone, d.address AS dealer_address,
    d.locale AS dealer_locale, d.booking_url AS dealer_booking_url, d.send_window AS dealer_send_window,
    d.sms_sender_id AS dealer_sms_sender_id,
    (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.party = 'dealer'
      AND e.purpose = 'service_reminders' AND (e.channel IS NULL OR e.channel = r.channel)
      ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS consent_latest,
    (SELECT e.granted FROM consent_events e WHERE e.customer_id = c.id AND e.party = 'dealer'
      AND e.purpose = 'service_reminders' AND (e.channel IS NULL OR e.channel = r.channel)
      AND e.source LIKE 'customer%' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)
      AS consent_latest_by_customer
    FROM reminders r JOIN registrations g ON g.id = r.registration_id JOIN customers c ON c.id = r.customer_id
    JOIN products p ON p.id = g.product_id JOIN dealers d ON d.id = g.dealer_id"
    };
}
pub(super) const CONTEXT_SELECT: &str = concat!(context_select!(), " WHERE r.id = $1");

/// The claim and the start of a send commit without waiting for the WAL flush. Losing one of
/// them in a PostgreSQL crash only puts a reminder back one step (pending, or queued under the
/// claim's lease), and it is sent again under the same Message-ID: the at-least-once delivery the
/// pipeline already has. Outcomes (`finish_send`) stay synchronous, and flush these with them.
/// Most of a send's time was spent waiting for WAL flushes (pg_stat_activity: LWLock on COMMIT).
pub(super) const ASYNC_COMMIT: &str = "SET LOCAL synchronous_commit = off";

/// `items`, its last one repeated up to the next power of two: an `IN (…)` list of that length.
/// A handful of list lengths means a handful of prepared statements, each planned once per
/// connection, instead of one statement (and its planning) per batch size.
fn padded<T>(items: &[T]) -> impl Iterator<Item = &T> {
    let len = items.len().next_power_of_two();
    items.iter().chain(std::iter::repeat_n(
        &items[items.len() - 1],
        len - items.len(),
    ))
}

impl Store {
    /// Takes queued reminders for sending (fenced by `lease_until`) and reads their contexts, in
    /// one transaction; the answer lines up with `ids`, `None` where another worker has the
    /// reminder or it is no longer queued. `capped`: the frequency cap is on, so a reminder (not a
    /// confirmation) needs its customer's recent sends, read under the customer's lock so that
    /// concurrent sends to one customer are counted one after another (within a batch too).
    pub async fn begin_sends(
        &self,
        ids: &[Uuid],
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        capped: bool,
        cap_since: DateTime<Utc>,
        spacing_since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Option<SendContext>>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.backend();
        let mut contexts: Vec<SendContext> = with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            if backend == Backend::Postgres {
                sqlx::query(ASYNC_COMMIT).execute(&mut *tx).await?;
            }
            // `status || ''`: PostgreSQL must find these rows by primary key. Given
            // `status = 'queued'` it may pick the partial index of queued rows instead (its
            // statistics, taken between bursts, say there are almost none) and then filter every
            // queued row by id: 12 ms per batch with a backlog of 40,000 (auto_explain).
            let mut take =
                QueryBuilder::new("UPDATE reminders SET status = 'sending', lease_until = ");
            take.push_bind(lease_until)
                .push(", updated_at = ")
                .push_bind(now)
                .push(" WHERE status || '' = 'queued' AND id IN (");
            let mut list = take.separated(", ");
            for id in padded(ids) {
                list.push_bind(*id);
            }
            take.push(") RETURNING id");
            let taken: Vec<Uuid> = take.build_query_scalar().fetch_all(&mut *tx).await?;
            if taken.is_empty() {
                tx.commit().await?;
                return Ok(vec![None; ids.len()]);
            }
            let mut select = QueryBuilder::new(concat!(context_select!(), " WHERE r.id IN ("));
            let mut list = select.separated(", ");
            for id in padded(&taken) {
                list.push_bind(*id);
            }
            select.push(")");
            let mut contexts: Vec<SendContext> =
                select.build_query_as().fetch_all(&mut *tx).await?;
            let emails: Vec<String> = contexts
                .iter()
                .filter(|c| c.channel == "email")
                .filter_map(|c| c.customer_email.as_deref().map(str::to_lowercase))
                .collect();
            let phones: Vec<String> = contexts
                .iter()
                .filter(|c| c.channel == "sms")
                .filter_map(|c| c.customer_phone.clone())
                .collect();
            let mut numbers: Vec<(String, String)> = Vec::new();
            if !phones.is_empty() {
                let mut query = QueryBuilder::new(
                    "SELECT phone, reason FROM sms_suppressions WHERE phone IN (",
                );
                let mut list = query.separated(", ");
                for phone in padded(&phones) {
                    list.push_bind(phone.clone());
                }
                query.push(")");
                numbers = query.build_query_as().fetch_all(&mut *tx).await?;
            }
            let mut suppressed: Vec<String> = Vec::new();
            if !emails.is_empty() {
                let mut query =
                    QueryBuilder::new("SELECT email FROM suppressions WHERE email IN (");
                let mut list = query.separated(", ");
                for email in padded(&emails) {
                    list.push_bind(email.clone());
                }
                query.push(")");
                suppressed = query.build_query_scalar().fetch_all(&mut *tx).await?;
            }
            // Capped reminders one at a time, by customer (a lock order shared by all workers);
            // each sees the ones before it in this batch as being sent, not the ones after it.
            contexts.sort_by_key(|c| (c.customer_id, c.reminder_id));
            let mut later: std::collections::HashSet<Uuid> =
                contexts.iter().map(|c| c.reminder_id).collect();
            for ctx in &mut contexts {
                later.remove(&ctx.reminder_id);
                if ctx.channel == "sms" {
                    let reason = ctx.customer_phone.as_deref().and_then(|p| {
                        numbers
                            .iter()
                            .find(|(n, _)| n == p)
                            .map(|(_, r)| r.as_str())
                    });
                    ctx.opted_out = reason.is_some_and(crate::domain::sms::is_opt_out);
                    ctx.suppressed = reason.is_some() && !ctx.opted_out;
                } else {
                    ctx.suppressed = ctx
                        .customer_email
                        .as_deref()
                        .is_some_and(|e| suppressed.contains(&e.to_lowercase()));
                }
                if (!capped && spacing_since.is_none()) || !crate::domain::send::is_paced(&ctx.kind)
                {
                    continue;
                }
                if backend == Backend::Postgres {
                    // SQLite's BEGIN IMMEDIATE already serializes writers.
                    let _: Option<Uuid> =
                        sqlx::query_scalar("SELECT id FROM customers WHERE id = $1 FOR UPDATE")
                            .bind(ctx.customer_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                }
                let since = spacing_since.map_or(cap_since, |s| s.min(cap_since));
                // One message by two channels counts once; its own twin not at all.
                type Sent = (Uuid, DateTime<Utc>, String, Uuid, i32);
                let sends: Vec<Sent> = sqlx::query_as(
                    "SELECT r.id, COALESCE(r.sent_at, r.updated_at), r.kind, r.registration_id, r.occurrence
                     FROM reminders r JOIN registrations g ON g.id = r.registration_id
                     WHERE g.customer_id = $1 AND r.id <> $2
                       AND ((r.status = 'sent' AND r.sent_at > $3) OR r.status = 'sending')",
                )
                .bind(ctx.customer_id)
                .bind(ctx.reminder_id)
                .bind(since)
                .fetch_all(&mut *tx)
                .await?;
                let mut seen = std::collections::HashSet::new();
                ctx.history = sends
                    .into_iter()
                    .filter(|(id, ..)| !later.contains(id))
                    .filter(|(_, _, kind, reg, occ)| {
                        !(*reg == ctx.registration_id
                            && *kind == ctx.kind
                            && *occ == ctx.occurrence)
                    })
                    .filter(|(_, _, kind, reg, occ)| seen.insert((*reg, kind.clone(), *occ)))
                    .map(|(_, at, kind, ..)| (at, kind))
                    .collect();
            }
            tx.commit().await?;
            contexts
        });
        Ok(ids
            .iter()
            .map(|id| {
                let at = contexts.iter().position(|c| c.reminder_id == *id)?;
                Some(contexts.swap_remove(at))
            })
            .collect())
    }

    /// Records how several sends ended, in one transaction; for each, false (and nothing
    /// changed) when its claim was lost.
    pub async fn finish_sends(&self, sends: &[Finished]) -> Result<Vec<bool>> {
        let changes: Vec<Transition<'_>> = sends.iter().map(|s| s.outcome.transition()).collect();
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut recorded = Vec::with_capacity(sends.len());
            for (send, t) in sends.iter().zip(&changes) {
                let updated = sqlx::query(
                    "UPDATE reminders SET status = $3, send_after = COALESCE($4, send_after),
                       attempts = attempts + $5, outcome = $6, message_id = COALESCE($7, message_id),
                       sent_at = CASE WHEN $3 = 'sent' THEN $8 ELSE sent_at END, lease_until = NULL, updated_at = $8
                     WHERE id = $1 AND status = 'sending' AND lease_until = $2",
                )
                .bind(send.reminder_id)
                .bind(send.lease_until)
                .bind(t.status)
                .bind(t.send_after)
                .bind(i32::from(t.counts))
                .bind(t.label)
                .bind(t.message_id)
                .bind(send.at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                recorded.push(updated == 1);
            }
            let done = || {
                sends
                    .iter()
                    .zip(&changes)
                    .zip(&recorded)
                    .filter(|(_, recorded)| **recorded)
                    .map(|(pair, _)| pair)
            };
            let attempts: Vec<_> = done().filter(|(_, t)| t.counts).collect();
            if !attempts.is_empty() {
                QueryBuilder::new(
                    "INSERT INTO reminder_attempts (id, reminder_id, attempted_at, outcome, smtp_code, detail) ",
                )
                .push_values(&attempts, |mut row, (send, t)| {
                    row.push_bind(Uuid::now_v7())
                        .push_bind(send.reminder_id)
                        .push_bind(send.at)
                        .push_bind(t.label)
                        .push_bind(t.code)
                        .push_bind(t.detail.map(|d| {
                            crate::domain::contact::redact_addresses(d)
                                .chars()
                                .take(500)
                                .collect::<String>()
                        }));
                })
                .build()
                .execute(&mut *tx)
                .await?;
            }
            for (send, t) in done() {
                match &send.outcome {
                    Outcome::Failed {
                        suppress: Some(Suppress::Email(email)),
                        ..
                    } => {
                        sqlx::query(
                            "INSERT INTO suppressions (email, reason, smtp_code, created_at) VALUES ($1, 'hard_bounce', $2, $3)
                             ON CONFLICT (email) DO NOTHING",
                        )
                        .bind(email.to_lowercase())
                        .bind(t.code)
                        .bind(send.at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Outcome::Failed {
                        suppress: Some(Suppress::Phone { number, reason }),
                        ..
                    } => {
                        sqlx::query(
                            "INSERT INTO sms_suppressions (phone, reason, code, created_at) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (phone) DO NOTHING",
                        )
                        .bind(number)
                        .bind(*reason)
                        .bind(t.code)
                        .bind(send.at)
                        .execute(&mut *tx)
                        .await?;
                        if *reason == crate::domain::sms::PROVIDER_OPT_OUT {
                            // The recipient's own withdrawal of texts, as the provider reports it.
                            sqlx::query(
                                "INSERT INTO consent_events (id, customer_id, party, purpose, granted, source, dealer_id,
                                   registration_id, occurred_at, channel)
                                 SELECT $2, r.customer_id, 'dealer', 'service_reminders', $3, $4, NULL, r.registration_id, $5, 'sms'
                                 FROM reminders r WHERE r.id = $1",
                            )
                            .bind(send.reminder_id)
                            .bind(Uuid::now_v7())
                            .bind(false)
                            .bind(crate::domain::consent::source::CUSTOMER_SMS_STOP)
                            .bind(send.at)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    _ => {}
                }
            }
            tx.commit().await?;
            Ok(recorded)
        })
    }
}
