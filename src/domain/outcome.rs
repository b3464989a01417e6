//! How a send ended (`Outcome`) and the change it makes to the reminder: its next status, when
//! to try again, and whether it counts as a delivery attempt. `jobs::send` produces outcomes;
//! `store::sending::finish_sends` writes the change.

use chrono::{DateTime, Utc};

/// How one send attempt (or decision not to send) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        message_id: String,
        smtp_code: u16,
    },
    /// A temporary failure: try again at `send_after`.
    Retry {
        send_after: DateTime<Utc>,
        smtp_code: Option<u16>,
        detail: String,
    },
    /// A permanent failure; `suppress` is the address to stop using (a hard bounce, a number
    /// that cannot take texts or opted out at the provider).
    Failed {
        smtp_code: Option<u16>,
        detail: String,
        suppress: Option<Suppress>,
    },
    /// Not sent and never will be (no consent, unsubscribed, erased, suppressed, no email).
    Skipped {
        reason: &'static str,
    },
    /// Not now: the send window is closed or the frequency cap is reached.
    Deferred {
        send_after: DateTime<Utc>,
        reason: &'static str,
    },
    /// The registration was voided.
    Cancelled,
}

/// An address a failure stops using.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppress {
    Email(String),
    /// `reason`: `undeliverable` (the number cannot take texts) or `provider_opt_out` (the
    /// recipient opted out at the provider: recorded as their withdrawal of texts).
    Phone {
        number: String,
        reason: &'static str,
    },
}

/// The row change an outcome makes: the reminder's next status (and when to try again), and
/// what the attempt row records.
pub struct Transition<'a> {
    pub status: &'static str,
    pub send_after: Option<DateTime<Utc>>,
    /// Whether this was a delivery attempt (counted and recorded in reminder_attempts).
    pub counts: bool,
    pub label: &'static str,
    pub code: Option<i32>,
    pub detail: Option<&'a str>,
    pub message_id: Option<&'a str>,
}

impl Outcome {
    pub fn transition(&self) -> Transition<'_> {
        let base = |status, label| Transition {
            status,
            send_after: None,
            counts: false,
            label,
            code: None,
            detail: None,
            message_id: None,
        };
        match self {
            Self::Sent {
                message_id,
                smtp_code,
            } => Transition {
                counts: true,
                code: Some(i32::from(*smtp_code)),
                message_id: Some(message_id),
                ..base("sent", "sent")
            },
            Self::Retry {
                send_after,
                smtp_code,
                detail,
            } => Transition {
                send_after: Some(*send_after),
                counts: true,
                code: smtp_code.map(i32::from),
                detail: Some(detail),
                ..base("pending", "retry")
            },
            Self::Failed {
                smtp_code,
                detail,
                suppress,
            } => Transition {
                counts: true,
                code: smtp_code.map(i32::from),
                detail: Some(detail),
                ..base(
                    "failed",
                    if suppress.is_some() {
                        "bounced"
                    } else {
                        "failed"
                    },
                )
            },
            Self::Skipped { reason } => base("skipped", reason),
            Self::Deferred { send_after, reason } => Transition {
                send_after: Some(*send_after),
                ..base("pending", reason)
            },
            Self::Cancelled => base("cancelled", "voided"),
        }
    }
}
