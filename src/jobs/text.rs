//! Sending one reminder as a text: rendered in the customer's language in the dealer's name, with
//! short signed links (verification, booking), sent by the SMS provider under the reminder's id as
//! its idempotency key. 429, 5xx and timeouts retry later (after the provider's `Retry-After` when
//! it gave one); a refusal about the number suppresses it for texts; an opt-out at the provider
//! (Twilio 21610) is recorded as the customer's withdrawal.

use chrono::{DateTime, Utc};

use super::send::Sender;
use crate::domain::outcome::Suppress;
use crate::domain::sms::{PROVIDER_OPT_OUT, UNDELIVERABLE};
use crate::mail::templates::DealerView;
use crate::sms::templates::{TextLinks, text_context};
use crate::sms::{Text, TextError};
use crate::store::{Outcome, SendContext};
use crate::tokens::Purpose;

impl Sender {
    fn short_link(&self, path: &str, purpose: Purpose, id: uuid::Uuid) -> String {
        self.address(path, &self.signer.sign_short(purpose, id))
    }

    /// The text of a reminder.
    pub fn render_text(&self, ctx: &SendContext) -> Result<String, String> {
        let lang =
            crate::templating::language([ctx.customer_locale.as_str(), ctx.dealer_locale.as_str()]);
        let links = TextLinks {
            verify: (ctx.kind == crate::domain::send::CONFIRMATION)
                .then(|| self.short_link("v", Purpose::Verify, ctx.registration_id)),
            booking: ctx
                .dealer_booking_url
                .as_ref()
                .map(|_| self.short_link("r", Purpose::Booking, ctx.reminder_id)),
        };
        let dealer = DealerView {
            name: ctx.dealer_name.clone(),
            email: ctx.dealer_email.clone(),
            phone: ctx.dealer_phone.clone(),
            address: None,
        };
        let date = if ctx.kind == "warranty_expiring" {
            ctx.warranty_expires_on
        } else {
            ctx.nominal_date
        };
        let context = text_context(lang, &dealer, &ctx.product_name, date, &links);
        self.texts
            .render(&ctx.kind, lang, &context)
            .map_err(|e| format!("text template {}/{lang}: {e:#}", ctx.kind))
    }

    pub(super) async fn send_text(&self, ctx: &SendContext, now: DateTime<Utc>) -> Outcome {
        let phone = ctx.customer_phone.as_deref().expect("decided: has a phone");
        let body = match self.render_text(ctx) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(reminder_id = %ctx.reminder_id, error = %e, "cannot build the text");
                return Outcome::Failed {
                    smtp_code: None,
                    detail: e,
                    suppress: None,
                };
            }
        };
        let text = Text {
            to: phone,
            from: ctx
                .dealer_sms_sender_id
                .as_deref()
                .unwrap_or(&self.sms.from),
            body: &body,
            reference: ctx.reminder_id,
        };
        match self.sms.send(&text).await {
            Ok(accepted) => Outcome::Sent {
                message_id: accepted.id,
                smtp_code: accepted.http_status,
            },
            Err(TextError::Permanent {
                status,
                detail,
                opted_out,
                bad_number,
                ..
            }) => Outcome::Failed {
                smtp_code: status,
                suppress: if opted_out {
                    Some(PROVIDER_OPT_OUT)
                } else {
                    bad_number.then_some(UNDELIVERABLE)
                }
                .map(|reason| Suppress::Phone {
                    number: phone.to_owned(),
                    reason,
                }),
                detail,
            },
            Err(TextError::Transient {
                status,
                detail,
                retry_after,
            }) => self.retry_later(ctx.attempts, status, detail, retry_after, now),
        }
    }
}
