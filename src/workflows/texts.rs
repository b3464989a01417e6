//! What providers tell us about texts, applied: a status callback updates its text's state (a
//! failure about the number fails the text and suppresses the number; a provider opt-out is the
//! customer's withdrawal); an inbound STOP withdraws texts on every customer record with the
//! number (and suppresses the number, known or not), START restores what STOP withdrew, HELP is
//! answered with the dealer's contact by the caller.

use chrono::{DateTime, Utc};

use crate::domain::consent::source;
use crate::domain::sms::{Keyword, PROVIDER_OPT_OUT, STOPPED};
use crate::sms::{InboundText, StatusReport};
use crate::store::texts;
use crate::store::{Store, StoreError};

/// The (party, purpose) pairs a STOP withdraws for texts: everything sent by text.
const TEXTED: [(&str, &str); 3] = [
    ("dealer", "service_reminders"),
    ("dealer", "marketing"),
    ("manufacturer", "marketing"),
];

/// What a status callback changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusEffect {
    /// Not a text of ours (recorded in the log only).
    Unknown,
    Noted,
    /// The text failed and the number is suppressed (or its opt-out recorded).
    Suppressed,
    /// The text failed; the number stays (a content or account problem).
    Failed,
}

pub async fn record_status(
    store: &Store,
    provider: &str,
    report: &StatusReport,
    now: DateTime<Utc>,
) -> Result<StatusEffect, StoreError> {
    let mut tx = store.begin_write().await?;
    let text = texts::text_by_message_id(&mut tx, &report.message_id).await?;
    let detail = report.error_code.as_deref().map(|c| format!("error {c}"));
    texts::log_event(
        &mut tx,
        provider,
        report.status.as_str(),
        None,
        text.as_ref().map(|(id, ..)| *id),
        detail.as_deref(),
        now,
    )
    .await?;
    let Some((reminder_id, _, phone)) = text else {
        tx.commit().await?;
        return Ok(StatusEffect::Unknown);
    };
    texts::set_provider_status(&mut tx, reminder_id, report.status.as_str(), now).await?;
    let mut effect = StatusEffect::Noted;
    if report.status.is_permanent_failure() {
        texts::mark_undelivered(&mut tx, reminder_id, report.error_code.as_deref(), now).await?;
        effect = StatusEffect::Failed;
        let number = phone.or_else(|| report.to.clone());
        if let (Some(reason), Some(number)) = (report.suppress, number) {
            let code = report.error_code.as_deref().and_then(|c| c.parse().ok());
            texts::suppress_number(&mut tx, &number, reason, code, now).await?;
            if reason == PROVIDER_OPT_OUT {
                withdraw(&mut tx, &number, now).await?;
            }
            effect = StatusEffect::Suppressed;
        }
    }
    tx.commit().await?;
    Ok(effect)
}

/// Records the SMS-channel withdrawal of everything texted, on every record with the number.
async fn withdraw(
    tx: &mut crate::store::WriteTx,
    phone: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for customer in texts::customers_with_phone(tx, phone).await? {
        for (party, purpose) in TEXTED {
            texts::insert_text_event(
                tx,
                customer,
                party,
                purpose,
                false,
                source::CUSTOMER_SMS_STOP,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// The customer's preferred channel, from their own page: kept, and the messages not sent yet of
/// their units whose dealer (or product) sends by the customer's choice (`auto`) move to it.
/// Returns how many moved.
pub async fn prefer_channel(
    store: &Store,
    customer_id: uuid::Uuid,
    channel: crate::domain::sms::Channel,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    use crate::domain::sms::ChannelPolicy;
    let mut tx = store.begin_write().await?;
    texts::set_preferred_channel(&mut tx, customer_id, channel.as_str(), now).await?;
    let mut moved = 0;
    for (registration_id, dealer, product) in
        texts::owned_units_channels(&mut tx, customer_id).await?
    {
        if ChannelPolicy::of(dealer.as_deref(), product.as_deref()) == ChannelPolicy::Auto {
            moved +=
                texts::move_unsent(&mut tx, registration_id, customer_id, channel.as_str(), now)
                    .await?;
        }
    }
    tx.commit().await?;
    Ok(moved)
}

/// Applies an inbound text; returns the keyword it carried, if any (HELP is answered by the
/// caller, which can send texts).
pub async fn record_inbound(
    store: &Store,
    provider: &str,
    text: &InboundText,
    now: DateTime<Utc>,
) -> Result<Option<Keyword>, StoreError> {
    let keyword = Keyword::of(&text.body);
    let mut tx = store.begin_write().await?;
    let phone = text.from.as_str();
    texts::log_event(
        &mut tx,
        provider,
        keyword.map_or("message", Keyword::as_str),
        Some(phone),
        None,
        None,
        now,
    )
    .await?;
    match keyword {
        Some(Keyword::Stop) => {
            // Known or not, the number is not texted again until it says START.
            texts::suppress_number(&mut tx, phone, STOPPED, None, now).await?;
            withdraw(&mut tx, phone, now).await?;
        }
        Some(Keyword::Start) => {
            texts::lift_opt_out(&mut tx, phone).await?;
            // Restores what a STOP (or a provider opt-out) withdrew, and nothing else.
            for customer in texts::customers_with_phone(&mut tx, phone).await? {
                for (party, purpose) in TEXTED {
                    let latest =
                        texts::latest_text_event(&mut tx, customer, party, purpose).await?;
                    if matches!(latest, Some((false, s)) if s == source::CUSTOMER_SMS_STOP) {
                        texts::insert_text_event(
                            &mut tx,
                            customer,
                            party,
                            purpose,
                            true,
                            source::CUSTOMER_SMS_START,
                            now,
                        )
                        .await?;
                    }
                }
            }
        }
        Some(Keyword::Help) | None => {}
    }
    tx.commit().await?;
    Ok(keyword)
}
