//! Whether a reminder goes out now: re-checked against the current state just before sending
//! (void, erasure, address, suppression, consent, the send window, the minimum spacing between
//! messages, the frequency cap), and what a failed delivery leads to (retry with backoff, or
//! give up; suppress the address or not). `jobs::send` gathers the facts, asks, and acts.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::consent::ConsentFacts;
use super::plan::SendWindow;
use super::sms::Channel;

/// What the decision needs of a reminder and its customer, read when sending starts.
#[derive(Debug, Clone)]
pub struct SendFacts<'a> {
    /// The registration confirmation (transactional: needs no consent, ignores spacing and cap).
    pub confirmation: bool,
    pub registration_active: bool,
    pub customer_erased: bool,
    /// The channel this message goes by.
    pub channel: Channel,
    /// The customer has an address on that channel (an email, a phone number).
    pub has_address: bool,
    /// The address is suppressed (hard bounce, complaint, undeliverable number).
    pub suppressed: bool,
    /// The number said STOP (or opted out at the provider): texts are unsubscribed.
    pub opted_out: bool,
    /// For a text in its country's quiet hours: when they end.
    pub quiet_until: Option<DateTime<Utc>>,
    /// The dealer's service-reminder consent on this customer record.
    pub consent: ConsentFacts,
    pub tz: Tz,
    /// The window in force (the dealer's own, or the deployment's).
    pub window: &'a SendWindow,
    /// This customer's other messages sent (or being sent) lately: (when, kind).
    pub history: &'a [(DateTime<Utc>, String)],
}

/// The deployment's limits on how often one customer hears from us.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub min_spacing_days: u32,
    /// At most this many reminders per `frequency_cap_days` (0: no cap).
    pub frequency_cap_count: u32,
    pub frequency_cap_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// The registration was voided.
    Cancel,
    /// Never (reason: `erased`, `no_email`, `no_phone`, `suppressed`, `unsubscribed`,
    /// `no_consent`).
    Skip(&'static str),
    /// Not now (reason: `outside_send_window`, `quiet_hours`, `min_spacing`, `frequency_cap`).
    Defer {
        send_after: DateTime<Utc>,
        reason: &'static str,
    },
}

/// The registration confirmation: transactional, so no consent, spacing or cap applies to it.
pub const CONFIRMATION: &str = "registration_confirmation";

/// Whether a kind of message is paced: spaced from the customer's other messages and counted
/// toward the frequency cap (every kind but the confirmation).
pub fn is_paced(kind: &str) -> bool {
    kind != CONFIRMATION
}

pub fn decide(f: &SendFacts<'_>, pacing: Pacing, now: DateTime<Utc>) -> Decision {
    if !f.registration_active {
        return Decision::Cancel;
    }
    if f.customer_erased {
        return Decision::Skip("erased");
    }
    if !f.has_address {
        return Decision::Skip(match f.channel {
            Channel::Email => "no_email",
            Channel::Sms => "no_phone",
        });
    }
    if f.suppressed {
        return Decision::Skip("suppressed");
    }
    if f.opted_out || f.consent.withdrawn_by_customer() {
        return Decision::Skip("unsubscribed");
    }
    // The confirmation is transactional; reminders need consent.
    if !f.confirmation && f.consent.current() != Some(true) {
        return Decision::Skip("no_consent");
    }
    if !f.window.is_open(now, f.tz) {
        let next = f
            .window
            .next_open(now, f.tz)
            .unwrap_or(now + Duration::days(1));
        return Decision::Defer {
            send_after: next,
            reason: "outside_send_window",
        };
    }
    if let Some(until) = f.quiet_until {
        return Decision::Defer {
            send_after: f.window.next_open(until, f.tz).unwrap_or(until),
            reason: "quiet_hours",
        };
    }
    if f.confirmation {
        return Decision::Send;
    }
    // At least min_spacing_days between two messages to one customer (the confirmation goes at
    // once, and what follows it waits).
    let spacing = Duration::days(i64::from(pacing.min_spacing_days));
    let last_message_at = f.history.iter().map(|(at, _)| *at).max();
    if let Some(last) = last_message_at
        && last + spacing > now
    {
        let next = f
            .window
            .next_open(last + spacing, f.tz)
            .unwrap_or(last + spacing);
        return Decision::Defer {
            send_after: next,
            reason: "min_spacing",
        };
    }
    let cap = pacing.frequency_cap_count as usize;
    let cap_since = now - Duration::days(i64::from(pacing.frequency_cap_days));
    let mut sends: Vec<DateTime<Utc>> = f
        .history
        .iter()
        .filter(|(at, kind)| is_paced(kind) && *at > cap_since)
        .map(|(at, _)| *at)
        .collect();
    if cap > 0 && sends.len() >= cap {
        sends.sort();
        // The cap frees a slot when the oldest send in the window leaves it.
        let frees_at =
            sends[sends.len() - cap] + Duration::days(i64::from(pacing.frequency_cap_days));
        let next = f
            .window
            .next_open(frees_at.max(now), f.tz)
            .unwrap_or(frees_at);
        return Decision::Defer {
            send_after: next,
            reason: "frequency_cap",
        };
    }
    Decision::Send
}

/// A permanent rejection suppresses the address, unless it is a policy rejection (5.7.x, or 554),
/// which is about the message, not the mailbox.
pub fn suppresses(code: Option<u16>, detail: &str) -> bool {
    !(detail.contains(" 5.7.") || code == Some(554))
}

/// After a temporary failure on attempt `attempt` (1-based): `Some(delay)` to try again, `None`
/// to give up. The delay is base × 2^(attempt-1), at most 6 hours, times `jitter` (0.8–1.2).
pub fn retry_after(
    attempt: u32,
    max_attempts: u32,
    retry_base_secs: u64,
    jitter: f64,
) -> Option<Duration> {
    if attempt >= max_attempts {
        return None;
    }
    let base = retry_base_secs as f64 * 2f64.powi(attempt.saturating_sub(1).min(20) as i32);
    let capped = base.min(6.0 * 3600.0);
    Some(Duration::milliseconds((capped * jitter * 1000.0) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::DEFAULT_SEND_WINDOW;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const PACING: Pacing = Pacing {
        min_spacing_days: 3,
        frequency_cap_count: 2,
        frequency_cap_days: 30,
    };

    fn facts<'a>(window: &'a SendWindow, sends: &'a [(DateTime<Utc>, String)]) -> SendFacts<'a> {
        SendFacts {
            confirmation: false,
            registration_active: true,
            customer_erased: false,
            channel: Channel::Email,
            has_address: true,
            suppressed: false,
            opted_out: false,
            quiet_until: None,
            consent: ConsentFacts {
                latest: Some(true),
                latest_by_customer: None,
            },
            tz: chrono_tz::Europe::Paris,
            window,
            history: sends,
        }
    }

    #[test]
    fn the_current_state_decides_before_anything_is_sent() {
        let window = SendWindow::parse(DEFAULT_SEND_WINDOW).unwrap();
        // A Tuesday at 10:00 in Paris, inside the default window.
        let now = at("2027-03-02T09:00:00Z");
        let ok = facts(&window, &[]);
        assert_eq!(decide(&ok, PACING, now), Decision::Send);
        let check = |f: SendFacts<'_>| decide(&f, PACING, now);
        assert_eq!(
            check(SendFacts {
                registration_active: false,
                ..ok.clone()
            }),
            Decision::Cancel
        );
        assert_eq!(
            check(SendFacts {
                customer_erased: true,
                ..ok.clone()
            }),
            Decision::Skip("erased")
        );
        assert_eq!(
            check(SendFacts {
                has_address: false,
                ..ok.clone()
            }),
            Decision::Skip("no_email")
        );
        assert_eq!(
            check(SendFacts {
                has_address: false,
                channel: Channel::Sms,
                ..ok.clone()
            }),
            Decision::Skip("no_phone")
        );
        assert_eq!(
            check(SendFacts {
                opted_out: true,
                channel: Channel::Sms,
                confirmation: true,
                ..ok.clone()
            }),
            Decision::Skip("unsubscribed"),
            "a STOP stops the confirmation text too"
        );
        let morning = now + Duration::hours(10);
        assert!(matches!(
            check(SendFacts {
                quiet_until: Some(morning),
                channel: Channel::Sms,
                confirmation: true,
                ..ok.clone()
            }),
            Decision::Defer { reason: "quiet_hours", send_after } if send_after >= morning
        ));
        assert_eq!(
            check(SendFacts {
                suppressed: true,
                ..ok.clone()
            }),
            Decision::Skip("suppressed")
        );
        let unsubscribed = ConsentFacts {
            latest: Some(true),
            latest_by_customer: Some(false),
        };
        assert_eq!(
            check(SendFacts {
                consent: unsubscribed,
                ..ok.clone()
            }),
            Decision::Skip("unsubscribed")
        );
        let refused = ConsentFacts {
            latest: Some(false),
            latest_by_customer: None,
        };
        assert_eq!(
            check(SendFacts {
                consent: refused,
                ..ok.clone()
            }),
            Decision::Skip("no_consent")
        );
        assert_eq!(
            check(SendFacts {
                consent: refused,
                confirmation: true,
                ..ok.clone()
            }),
            Decision::Send,
            "the confirmation needs no consent"
        );
        assert_eq!(
            check(SendFacts {
                consent: unsubscribed,
                confirmation: true,
                ..ok.clone()
            }),
            Decision::Skip("unsubscribed"),
            "but an unsubscribe stops it too"
        );
    }

    #[test]
    fn the_window_spacing_and_cap_defer() {
        let window = SendWindow::parse(DEFAULT_SEND_WINDOW).unwrap();
        let night = at("2027-03-02T23:00:00Z");
        let deferred = decide(&facts(&window, &[]), PACING, night);
        assert!(
            matches!(deferred, Decision::Defer { reason: "outside_send_window", send_after } if send_after > night)
        );

        let now = at("2027-03-02T09:00:00Z");
        let yesterday = [(now - Duration::days(1), "service_due".to_owned())];
        let recent = facts(&window, &yesterday);
        assert!(
            matches!(decide(&recent, PACING, now), Decision::Defer { reason: "min_spacing", send_after } if send_after >= now + Duration::days(2))
        );
        let confirmation = SendFacts {
            confirmation: true,
            ..recent
        };
        assert_eq!(decide(&confirmation, PACING, now), Decision::Send);

        let sent = |days: i64, kind: &str| (now - Duration::days(days), kind.to_owned());
        let sends = [sent(20, "service_due"), sent(10, "warranty_expiring")];
        let capped = facts(&window, &sends);
        assert!(
            matches!(decide(&capped, PACING, now), Decision::Defer { reason: "frequency_cap", send_after } if send_after >= now + Duration::days(10))
        );
        // A confirmation does not count toward the cap, nor a send older than the cap's period.
        let confirmation_too = [sent(20, "service_due"), sent(10, CONFIRMATION)];
        assert_eq!(
            decide(&facts(&window, &confirmation_too), PACING, now),
            Decision::Send
        );
        let long_ago = [sent(40, "service_due"), sent(10, "service_due")];
        assert_eq!(
            decide(&facts(&window, &long_ago), PACING, now),
            Decision::Send
        );
        let one = facts(&window, &sends[1..]);
        assert_eq!(decide(&one, PACING, now), Decision::Send);
    }

    #[test]
    fn failures_retry_with_backoff_then_give_up() {
        assert_eq!(retry_after(1, 5, 60, 1.0), Some(Duration::seconds(60)));
        assert_eq!(retry_after(3, 5, 60, 1.0), Some(Duration::seconds(240)));
        assert_eq!(
            retry_after(4, 5, 60, 1.2),
            Some(Duration::milliseconds(576_000))
        );
        assert_eq!(retry_after(30, 99, 60, 1.0), Some(Duration::hours(6)));
        assert_eq!(retry_after(5, 5, 60, 1.0), None);
        // With the default settings (8 attempts, 60 s), a server or SMS provider down for an hour
        // loses nothing: the retries span 1.7 hours even with the shortest jitter (2.1 on average).
        let span: i64 = (1..8)
            .map(|attempt| retry_after(attempt, 8, 60, 0.8).unwrap().num_seconds())
            .sum();
        assert!(span > 3600 + 1800, "{span}");
        assert!(suppresses(Some(550), "550 5.1.1 no such user"));
        assert!(!suppresses(Some(550), "550 5.7.1 message refused as spam"));
        assert!(!suppresses(Some(554), "554 transaction failed"));
    }
}
