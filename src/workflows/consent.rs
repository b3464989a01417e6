//! What customers do and what comes back about their messages: unsubscribing (for the sender, or
//! everything from every party), taking it back, confirming a registration (which releases the
//! dealer's held amounts), and bounce or complaint reports. Consent follows `domain::consent`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::consent::{
    ConsentGrant, Party, Purpose, UnsubscribeScope, source, unsubscribe_records,
};
use crate::domain::ledger::AccountingMonth;
use crate::store::consent::{self as events, EventContext};
use crate::store::{LinkTarget, Store, StoreError, WriteTx, customers};

/// Records the customer's own withdrawal (`UnsubscribeScope`); the whole-person scope reaches
/// every record of the person, found as erasure finds them. Repeating changes nothing; returns
/// whether this call withdrew anything.
pub async fn unsubscribe(
    store: &Store,
    target: &LinkTarget,
    scope: UnsubscribeScope,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut customers = if scope.whole_person() {
        store
            .find_person(
                target.customer_email.as_deref(),
                target.customer_phone.as_deref(),
            )
            .await?
    } else {
        Vec::new()
    };
    if !customers.contains(&target.customer_id) {
        customers.push(target.customer_id);
    }
    let mut tx = store.begin_write().await?;
    let mut changed = false;
    for customer_id in customers {
        for &(party, purpose) in scope.withdraws() {
            let latest = events::latest_event(&mut tx, customer_id, party, purpose).await?;
            if !unsubscribe_records(latest.as_ref().map(|(g, s)| (*g, s.as_str()))) {
                continue;
            }
            let registration_id =
                (customer_id == target.customer_id).then_some(target.registration_id);
            let grant = ConsentGrant {
                party,
                purpose,
                granted: false,
            };
            let by = source::CUSTOMER_UNSUBSCRIBE;
            customers_act(&mut tx, customer_id, grant, by, registration_id, now).await?;
            changed = true;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// The customer takes their withdrawal of the sender's service reminders back.
pub async fn resubscribe(
    store: &Store,
    target: &LinkTarget,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let (customer, registration) = (target.customer_id, Some(target.registration_id));
    let grant = reminders_from_dealer(true);
    customers_act(
        &mut tx,
        customer,
        grant,
        source::CUSTOMER_RESUBSCRIBE,
        registration,
        now,
    )
    .await?;
    tx.commit().await
}

/// What an owner chooses on their own page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choices {
    /// The selling dealer's service and warranty reminders.
    pub service_reminders: bool,
    /// The selling dealer's offers and news.
    pub marketing: bool,
    /// The manufacturer's offers and news.
    pub manufacturer_marketing: bool,
}

/// The owner's choices on their own page, each recorded (as the customer's own act) only where it
/// changes what holds now. Returns how many choices changed.
pub async fn set_choices(
    store: &Store,
    target: &LinkTarget,
    choices: Choices,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let current = store.current_consent(target.customer_id).await?;
    let mut tx = store.begin_write().await?;
    let mut changed = 0;
    for (party, purpose, wanted, now_holds) in [
        (
            Party::Dealer,
            Purpose::ServiceReminders,
            choices.service_reminders,
            current.service_reminders,
        ),
        (
            Party::Dealer,
            Purpose::Marketing,
            choices.marketing,
            current.marketing,
        ),
        (
            Party::Manufacturer,
            Purpose::Marketing,
            choices.manufacturer_marketing,
            current.manufacturer_marketing,
        ),
    ] {
        if now_holds.unwrap_or(false) == wanted {
            continue;
        }
        let grant = ConsentGrant {
            party,
            purpose,
            granted: wanted,
        };
        let by = source::CUSTOMER_OWNER_PAGE;
        customers_act(
            &mut tx,
            target.customer_id,
            grant,
            by,
            Some(target.registration_id),
            now,
        )
        .await?;
        changed += 1;
    }
    tx.commit().await?;
    Ok(changed)
}

/// The customer confirms their registration through the link in the confirmation: it is marked
/// verified (the first time is kept) and the dealer's held amounts are released in `period`.
/// Returns how many held amounts were released.
pub async fn verify(
    store: &Store,
    registration_id: Uuid,
    period: AccountingMonth,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut tx = store.begin_write().await?;
    customers::mark_verified(&mut tx, registration_id, now).await?;
    tx.commit().await?;
    super::ledger::release_held(store, registration_id, period, "verified", true, now).await
}

/// What an inbound report changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportEffect {
    /// The reminder became a bounce and its address is suppressed.
    Bounced,
    /// Noted on the reminder's attempts only.
    Noted,
    /// The address is suppressed and the customer's reminder consent withdrawn.
    Complained,
    /// No such reminder here.
    Unknown,
}

/// Records a report that came back about a sent reminder, in one transaction: an attempt row
/// (`outcome`); a permanent bounce marks the reminder bounced and suppresses the address; a
/// complaint suppresses the address and withdraws the dealer's reminder consent as the customer's
/// own act.
pub async fn record_report(
    store: &Store,
    reminder_id: Uuid,
    outcome: &str,
    smtp_code: Option<i32>,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<ReportEffect, StoreError> {
    let mut tx = store.begin_write().await?;
    let Some((registration_id, customer_id, email)) =
        customers::report_target(&mut tx, reminder_id).await?
    else {
        return Ok(ReportEffect::Unknown);
    };
    customers::insert_report_attempt(&mut tx, reminder_id, outcome, smtp_code, detail, now).await?;
    let (effect, suppress_reason) = match outcome {
        "bounced" => {
            customers::mark_bounced(&mut tx, reminder_id, now).await?;
            (ReportEffect::Bounced, Some("hard_bounce"))
        }
        "complaint" => {
            let grant = reminders_from_dealer(false);
            let by = source::CUSTOMER_COMPLAINT;
            customers_act(&mut tx, customer_id, grant, by, Some(registration_id), now).await?;
            (ReportEffect::Complained, Some("complaint"))
        }
        _ => (ReportEffect::Noted, None),
    };
    if let (Some(reason), Some(email)) = (suppress_reason, email) {
        customers::suppress(&mut tx, &email, reason, smtp_code, now).await?;
    }
    tx.commit().await?;
    Ok(effect)
}

/// The dealer's service-reminder consent, given or withdrawn.
fn reminders_from_dealer(granted: bool) -> ConsentGrant {
    ConsentGrant {
        party: Party::Dealer,
        purpose: Purpose::ServiceReminders,
        granted,
    }
}

/// Records one consent event that is the customer's own act (`source` is a customer source).
async fn customers_act(
    tx: &mut WriteTx,
    customer_id: Uuid,
    grant: ConsentGrant,
    source: &'static str,
    registration_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let context = EventContext {
        source,
        dealer_id: None,
        registration_id,
        at,
    };
    events::insert_events(tx, customer_id, &[grant], &context).await
}
