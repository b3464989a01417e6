//! The message of one reminder: rendered in the customer's language in the dealer's name, with its
//! signed links (unsubscribe, booking, verification), headers for receivers (List-Unsubscribe,
//! List-ID, Feedback-ID) and a deterministic Message-ID, DKIM-signed last.

use chrono::{DateTime, Utc};
use lettre::Address;
use uuid::Uuid;

use super::send::Sender;
use crate::mail::message::{self, Parts};
use crate::mail::templates::{DealerView, Links, email_context};
use crate::store::SendContext;
use crate::tokens::Purpose;

impl Sender {
    pub(super) fn link(&self, path: &str, purpose: Purpose, id: Uuid) -> String {
        self.address(path, &self.signer.sign(purpose, id))
    }

    /// `public_url/path/token`.
    pub(super) fn address(&self, path: &str, token: &str) -> String {
        format!(
            "{}/{path}/{token}",
            self.config.public_url.trim_end_matches('/')
        )
    }

    /// The message of a reminder: (Message-ID, envelope, bytes).
    pub fn render(
        &self,
        ctx: &SendContext,
        to: Address,
        now: DateTime<Utc>,
    ) -> Result<(String, lettre::address::Envelope, Vec<u8>), String> {
        let lang =
            crate::templating::language([ctx.customer_locale.as_str(), ctx.dealer_locale.as_str()]);
        let unsubscribe = self.link("u", Purpose::Unsubscribe, ctx.reminder_id);
        let links = Links {
            booking: ctx
                .dealer_booking_url
                .as_ref()
                .map(|_| self.link("r", Purpose::Booking, ctx.reminder_id)),
            unsubscribe: unsubscribe.clone(),
            owner: self.link("o", Purpose::Owner, ctx.reminder_id),
            verify: (ctx.kind == "registration_confirmation")
                .then(|| self.link("v", Purpose::Verify, ctx.registration_id)),
        };
        let dealer = DealerView {
            name: ctx.dealer_name.clone(),
            email: ctx.dealer_email.clone(),
            phone: ctx.dealer_phone.clone(),
            address: ctx.dealer_address.clone(),
        };
        let date = if ctx.kind == "warranty_expiring" {
            ctx.warranty_expires_on
        } else {
            ctx.nominal_date
        };
        let context = email_context(
            lang,
            ctx.customer_name.as_deref().unwrap_or(""),
            &dealer,
            &ctx.product_name,
            &ctx.sku,
            &ctx.serial_number,
            ctx.purchase_date,
            ctx.warranty_expires_on,
            &ctx.kind,
            ctx.occurrence,
            date,
            &links,
        );
        let content = self
            .renderer
            .email(&ctx.kind, lang, &context)
            .map_err(|e| format!("template {}/{lang}: {e:#}", ctx.kind))?;
        // Deterministic: a resend after a crash carries the same Message-ID.
        let message_id = format!("<{}@{}>", ctx.reminder_id, self.config.mail_domain());
        let reply_to = ctx
            .dealer_email
            .as_deref()
            .and_then(|e| e.parse().ok())
            .map(|a| (ctx.dealer_name.clone(), a));
        let parts = Parts {
            message_id: message_id.clone(),
            from_name: ctx.dealer_name.clone(),
            from: self.from.clone(),
            reply_to,
            to_name: ctx.customer_name.clone().unwrap_or_default(),
            to,
            date: now,
            unsubscribe_url: unsubscribe,
            // Read by POST /v1/inbound/email when the operator routes this address there.
            unsubscribe_mailto: self.config.inbound_token.as_ref().map(|_| {
                format!(
                    "mailto:unsubscribe@{}?subject=unsubscribe-{}",
                    self.config.mail_domain(),
                    self.signer.sign(Purpose::Unsubscribe, ctx.reminder_id)
                )
            }),
            list_id: format!(
                "<{}.reminders.{}>",
                ctx.dealer_code.to_ascii_lowercase(),
                self.config.mail_domain()
            ),
            feedback_id: format!("{}:{}:reminders:warrantyd", ctx.kind, ctx.dealer_code),
        };
        let (envelope, raw) = message::build(&parts, &content, &self.dkim)?;
        Ok((message_id, envelope, raw))
    }
}
