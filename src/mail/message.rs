//! Building one email: From in the dealer's name via the manufacturer's sending address, Reply-To
//! the dealer, a deterministic Message-ID, List-Unsubscribe (https and mailto) with RFC 8058
//! one-click, Date, text and HTML parts, and optional DKIM signatures over the final bytes.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::address::{Address, Envelope};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use super::templates::Rendered;

#[derive(Debug, Clone)]
pub struct Parts {
    pub message_id: String,
    pub from_name: String,
    pub from: Address,
    pub reply_to: Option<(String, Address)>,
    pub to_name: String,
    pub to: Address,
    pub date: DateTime<Utc>,
    pub unsubscribe_url: String,
    pub unsubscribe_mailto: String,
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// Display names and subjects on one line, without control characters: nothing a customer or a
/// dealer typed can add a header.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Header values we build from URLs must not carry anything but visible ASCII.
fn is_header_safe(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_graphic())
}

/// Builds the message; returns its envelope and its bytes.
pub fn build(
    parts: &Parts,
    content: &Rendered,
    dkim: &[super::dkim::Signer],
) -> Result<(Envelope, Vec<u8>), String> {
    if !is_header_safe(&parts.unsubscribe_url)
        || !is_header_safe(&parts.unsubscribe_mailto)
        || !is_header_safe(&parts.message_id)
    {
        return Err("unsafe characters in a generated header".into());
    }
    let mut builder = Message::builder()
        .from(Mailbox::new(
            Some(one_line(&parts.from_name)),
            parts.from.clone(),
        ))
        .to(Mailbox::new(
            Some(one_line(&parts.to_name)),
            parts.to.clone(),
        ))
        .subject(one_line(&content.subject))
        .message_id(Some(parts.message_id.clone()))
        .date(SystemTime::from(parts.date))
        .header(ListUnsubscribe(format!(
            "<{}>, <{}>",
            parts.unsubscribe_url, parts.unsubscribe_mailto
        )))
        .header(ListUnsubscribePost);
    if let Some((name, address)) = &parts.reply_to {
        builder = builder.reply_to(Mailbox::new(Some(one_line(name)), address.clone()));
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(
            content.text.clone(),
            content.html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))?;
    // Signed last, over the bytes exactly as they are sent.
    let raw = super::dkim::sign(dkim, message.formatted())?;
    Ok((message.envelope().clone(), raw))
}
