//! Building one email: From in the dealer's name via the manufacturer's sending address, Reply-To
//! the dealer, a deterministic Message-ID, List-Unsubscribe (https, and mailto where an inbound
//! path reads it) with RFC 8058 one-click, List-ID and Feedback-ID, Date, text and HTML parts, and optional DKIM signatures over the final bytes.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::address::{Address, Envelope};
use lettre::message::MultiPart;
use lettre::message::header::{Header, HeaderName, HeaderValue};

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
    /// Advertised only where an inbound path reads it (`inbound_token` configured).
    pub unsubscribe_mailto: Option<String>,
    /// `List-ID`: one list per dealer, e.g. `<demo.reminders.oem.test>`.
    pub list_id: String,
    /// `Feedback-ID` (Gmail's feedback loop): `kind:dealer:reminders:warrantyd`.
    pub feedback_id: String,
}

macro_rules! plain_header {
    ($type:ident, $name:literal) => {
        #[derive(Clone)]
        struct $type(String);

        impl Header for $type {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self(s.to_owned()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

plain_header!(ListUnsubscribe, "List-Unsubscribe");
plain_header!(ListId, "List-ID");
plain_header!(FeedbackId, "Feedback-ID");

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

/// An address header (From, To, Reply-To) written the way receivers expect: an ASCII display name
/// as a quoted string (lettre would base64-encode names with `&` or quotes, which SpamAssassin
/// scores as FROM_EXCESS_BASE64), a non-ASCII one as RFC 2047 encoded words, folded between words.
macro_rules! address_header {
    ($type:ident, $name:literal) => {
        #[derive(Clone)]
        struct $type {
            raw: String,
            encoded: String,
        }

        impl $type {
            fn new(name: &str, address: &Address) -> Self {
                let (raw, encoded) = mailbox_text(name, address);
                Self { raw, encoded }
            }
        }

        impl Header for $type {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self {
                    raw: s.to_owned(),
                    encoded: s.to_owned(),
                })
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::dangerous_new_pre_encoded(
                    Self::name(),
                    self.raw.clone(),
                    self.encoded.clone(),
                )
            }
        }
    };
}

address_header!(FromHeader, "From");
address_header!(ToHeader, "To");
address_header!(ReplyToHeader, "Reply-To");

/// `(raw, encoded)`: the decoded form lettre parses for the envelope, and the form on the wire.
fn mailbox_text(name: &str, address: &Address) -> (String, String) {
    let name = one_line(name);
    if name.is_empty() {
        return (address.to_string(), address.to_string());
    }
    let quoted = format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""));
    let raw = format!("{quoted} <{address}>");
    if name.is_ascii() {
        return (raw.clone(), raw);
    }
    // Encoded words of at most 75 characters (RFC 2047): 45 bytes of UTF-8 per word, whole chars.
    use base64::Engine;
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in name.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    let encoded: Vec<String> = words
        .iter()
        .map(|w| {
            format!(
                "=?utf-8?b?{}?=",
                base64::engine::general_purpose::STANDARD.encode(w.as_bytes())
            )
        })
        .collect();
    (raw, format!("{}\r\n <{address}>", encoded.join("\r\n ")))
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
        || !parts
            .unsubscribe_mailto
            .as_deref()
            .is_none_or(is_header_safe)
        || !is_header_safe(&parts.message_id)
        || !is_header_safe(&parts.list_id)
        || !is_header_safe(&parts.feedback_id)
    {
        return Err("unsafe characters in a generated header".into());
    }
    let mut builder = Message::builder()
        .header(FromHeader::new(&parts.from_name, &parts.from))
        .header(ToHeader::new(&parts.to_name, &parts.to))
        .subject(one_line(&content.subject))
        .message_id(Some(parts.message_id.clone()))
        .date(SystemTime::from(parts.date))
        .header(ListUnsubscribe(match &parts.unsubscribe_mailto {
            Some(mailto) => format!("<{}>, <{}>", parts.unsubscribe_url, mailto),
            None => format!("<{}>", parts.unsubscribe_url),
        }))
        .header(ListUnsubscribePost)
        .header(ListId(parts.list_id.clone()))
        .header(FeedbackId(parts.feedback_id.clone()));
    if let Some((name, address)) = &parts.reply_to {
        builder = builder.header(ReplyToHeader::new(name, address));
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

/// What a notice to a person of the manufacturer or a dealer carries (sign-in links,
/// invitations): no list headers, since nobody subscribes to these.
pub struct Notice<'a> {
    pub message_id: &'a str,
    pub from_name: &'a str,
    pub from: &'a Address,
    pub to_name: &'a str,
    pub to: &'a Address,
    pub date: DateTime<Utc>,
}

/// Builds a notice; returns its envelope and its bytes, DKIM-signed last.
pub fn build_notice(
    notice: &Notice<'_>,
    content: &Rendered,
    dkim: &[super::dkim::Signer],
) -> Result<(Envelope, Vec<u8>), String> {
    if !is_header_safe(notice.message_id) {
        return Err("unsafe characters in a generated header".into());
    }
    let message = Message::builder()
        .header(FromHeader::new(notice.from_name, notice.from))
        .header(ToHeader::new(notice.to_name, notice.to))
        .subject(one_line(&content.subject))
        .message_id(Some(notice.message_id.to_owned()))
        .date(SystemTime::from(notice.date))
        .multipart(MultiPart::alternative_plain_html(
            content.text.clone(),
            content.html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))?;
    let raw = super::dkim::sign(dkim, message.formatted())?;
    Ok((message.envelope().clone(), raw))
}
