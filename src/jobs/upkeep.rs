//! The upkeep one process runs periodically (by lease): settle held amounts, re-plan pending
//! reminders after a send-window change, delete what is kept only for a while (saved answers,
//! finished tasks, expired sessions), and close ended periods into statements.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::send::Sender;
use crate::domain::ledger::AccountingMonth;
use crate::store::{Store, StoreError};
use crate::workflows::ledger;

/// Gives every pending reminder (of one dealer's registrations, or all) its due time again from
/// its nominal date under `window` (a dealer's own window still wins). Returns how many.
pub async fn replan_pending(
    store: &Store,
    window: &crate::domain::plan::SendWindow,
    dealer_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut after = Uuid::nil();
    let mut count = 0;
    loop {
        let page = store.pending_plans(after, 500, dealer_id).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let plans: Vec<_> = page
            .iter()
            .filter_map(|p| {
                let tz = crate::domain::contact::TimeZone::stored(&p.time_zone);
                let due = window
                    .overridden_by(p.dealer_send_window.as_deref())
                    .first_tick_on_or_after_date(p.nominal_date, tz)?;
                // A retry keeps its back-off; the window is checked again when it is sent.
                let send_after = if p.attempts > 0 {
                    p.send_after.max(due)
                } else {
                    due
                };
                Some((p.id, due, send_after))
            })
            .collect();
        count += plans.len() as u64;
        store.replan(&plans, now).await?;
    }
    Ok(count)
}

impl Sender {
    /// Upkeep: settles held amounts (verified, delivered, voided, bounced), deletes saved answers
    /// and finished tasks past the retention period and, once a period has ended in the
    /// manufacturer's time zone, closes it into statements.
    pub async fn ledger_upkeep(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let tz = self.settings.ledger.manufacturer_tz;
        let period = AccountingMonth::of(now, tz);
        let (released, cancelled) = ledger::settle_held(&self.store, period, now).await?;
        if released + cancelled > 0 {
            tracing::info!(released, cancelled, "held incentives settled");
        }
        let replanned = self.replan_if_window_changed().await?;
        if replanned > 0 {
            tracing::info!(
                reminders = replanned,
                "send window changed: pending reminders re-planned"
            );
        }
        let before = now - chrono::Duration::days(i64::from(self.config.retention_days.max(1)));
        let purged = self.store.purge_expired(before).await?
            + self
                .store
                .purge_web_sessions(now - chrono::Duration::days(1))
                .await?;
        if purged > 0 {
            tracing::info!(rows = purged, "expired answers and finished tasks deleted");
        }
        if self.settings.ledger.auto_close_periods {
            let previous = period.previous();
            if !self.store.period_closed(&previous.to_string()).await? {
                let (closed_now, statements) =
                    ledger::close_period(&self.store, previous, None, now).await?;
                if closed_now {
                    tracing::info!(period = %previous, statements = statements.len(), "period closed automatically");
                }
            }
        }
        Ok(())
    }

    /// When the deployment's send window (or its quiet days) differs from the one the pending
    /// reminders were planned with, every reminder not yet sent gets its due time again from its
    /// nominal date under the new window (a dealer's own window still wins). Returns how many.
    pub async fn replan_if_window_changed(&self) -> Result<u64, StoreError> {
        let current = &self.settings.reminders.window_key;
        match self.store.setting("send_window").await? {
            Some(recorded) if recorded == *current => return Ok(0),
            // First run with this setting kept: the reminders were planned with this window.
            None => {
                self.store.set_setting("send_window", current).await?;
                return Ok(0);
            }
            Some(_) => {}
        }
        let count = replan_pending(
            &self.store,
            &self.settings.reminders.window,
            None,
            self.clock.now(),
        )
        .await?;
        self.store.set_setting("send_window", current).await?;
        Ok(count)
    }
}
