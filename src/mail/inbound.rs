//! Reading what comes back: delivery status notifications (RFC 3464), feedback-loop complaint
//! reports (RFC 5965, ARF) and mailto unsubscribes (RFC 2369). Each is matched to the reminder it
//! is about by the original's Message-ID (`<reminder-id@domain>`, which this service sets).

use mail_parser::{MessageParser, MimeHeaders};
use uuid::Uuid;

/// What an inbound message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The message was refused after the next hop accepted it (a DSN with `Action: failed`).
    Bounce {
        reminder_id: Uuid,
        /// The enhanced status code, e.g. `5.1.1`.
        status: String,
        /// The SMTP reply code in the diagnostic, when there is one.
        smtp_code: Option<i32>,
        permanent: bool,
    },
    /// Delivery is delayed (`Action: delayed`): noted, nothing else changes.
    Delayed { reminder_id: Uuid, status: String },
    /// The recipient reported the message as spam (ARF `Feedback-Type: abuse`, or any other).
    Complaint {
        reminder_id: Uuid,
        feedback_type: String,
    },
    /// A mail to the advertised `mailto:` unsubscribe address, its subject carrying the token.
    Unsubscribe { token: String },
    /// Anything else (an ordinary reply, a DSN about another sender's message).
    Unrelated,
}

/// Fields of a `message/delivery-status` or `message/feedback-report` part: `name: value` lines,
/// names lower-cased, continuation lines folded in.
fn fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The reminder of an original message: the Message-ID headers of the returned headers or message,
/// the first of the form `<uuid@…>`.
fn original_reminder(text: &str) -> Option<Uuid> {
    fields(text)
        .into_iter()
        .filter(|(name, _)| name == "message-id")
        .find_map(|(_, value)| {
            let id = value.trim().trim_start_matches('<');
            id.split('@').next().and_then(|uuid| uuid.parse().ok())
        })
}

/// The SMTP reply code in a diagnostic such as `smtp; 550 5.1.1 user unknown`.
fn smtp_code(diagnostic: &str) -> Option<i32> {
    diagnostic
        .split(|c: char| c == ';' || c.is_whitespace())
        .find_map(|w| {
            (w.len() == 3 && w.starts_with(['2', '4', '5']))
                .then(|| w.parse().ok())
                .flatten()
        })
}

/// Reads one inbound message (as the mail server delivered it).
pub fn read(raw: &[u8]) -> Report {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Report::Unrelated;
    };
    let report_type = message
        .content_type()
        .filter(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        })
        .and_then(|ct| ct.attribute("report-type"))
        .map(str::to_ascii_lowercase);
    let part_text = |ctype: &str, subtypes: &[&str]| {
        message.parts.iter().find_map(|part| {
            let ct = part.content_type()?;
            (ct.ctype().eq_ignore_ascii_case(ctype)
                && ct
                    .subtype()
                    .is_some_and(|s| subtypes.iter().any(|x| s.eq_ignore_ascii_case(x))))
            .then(|| String::from_utf8_lossy(part.contents()).into_owned())
        })
    };
    let original = || {
        part_text("text", &["rfc822-headers"])
            .or_else(|| part_text("message", &["rfc822", "global", "global-headers"]))
            .and_then(|text| original_reminder(&text))
    };
    match report_type.as_deref() {
        Some("delivery-status") => {
            let Some(status_text) =
                part_text("message", &["delivery-status", "global-delivery-status"])
            else {
                return Report::Unrelated;
            };
            let Some(reminder_id) = original() else {
                return Report::Unrelated;
            };
            let f = fields(&status_text);
            let action = field(&f, "action").unwrap_or("").to_ascii_lowercase();
            let status = field(&f, "status").unwrap_or("").to_owned();
            match action.as_str() {
                "failed" => Report::Bounce {
                    reminder_id,
                    smtp_code: field(&f, "diagnostic-code").and_then(smtp_code),
                    permanent: status.starts_with('5'),
                    status,
                },
                "delayed" => Report::Delayed {
                    reminder_id,
                    status,
                },
                _ => Report::Unrelated,
            }
        }
        Some("feedback-report") => {
            let Some(report) = part_text("message", &["feedback-report"]) else {
                return Report::Unrelated;
            };
            let Some(reminder_id) = original() else {
                return Report::Unrelated;
            };
            let f = fields(&report);
            Report::Complaint {
                reminder_id,
                feedback_type: field(&f, "feedback-type")
                    .unwrap_or("abuse")
                    .to_ascii_lowercase(),
            }
        }
        _ => {
            let to_unsubscribe = message.to().is_some_and(|to| {
                to.iter().any(|a| {
                    a.address()
                        .is_some_and(|a| a.to_ascii_lowercase().starts_with("unsubscribe@"))
                })
            });
            match message
                .subject()
                .and_then(|s| s.trim().strip_prefix("unsubscribe-"))
            {
                Some(token) if to_unsubscribe => Report::Unsubscribe {
                    token: token.trim().to_owned(),
                },
                _ => Report::Unrelated,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/mail/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn reports_are_read_from_real_shaped_samples() {
        let one: Uuid = "01a2312f-0000-7000-8000-000000000001".parse().unwrap();
        let two: Uuid = "01a2312f-0000-7000-8000-000000000002".parse().unwrap();
        assert_eq!(
            read(&fixture("dsn-hard-bounce.eml")),
            Report::Bounce {
                reminder_id: one,
                status: "5.1.1".into(),
                smtp_code: Some(550),
                permanent: true
            }
        );
        assert_eq!(
            read(&fixture("dsn-delayed.eml")),
            Report::Delayed {
                reminder_id: one,
                status: "4.4.1".into()
            }
        );
        assert_eq!(
            read(&fixture("arf-complaint.eml")),
            Report::Complaint {
                reminder_id: two,
                feedback_type: "abuse".into()
            }
        );
        let reply = b"From: someone@client.test\r\nTo: reminders@oem.test\r\nSubject: thanks\r\n\r\nhello\r\n";
        assert_eq!(read(reply), Report::Unrelated);
        let unsubscribe = b"From: someone@client.test\r\nTo: unsubscribe@oem.test\r\nSubject: unsubscribe-abc_DEF\r\n\r\n\r\n";
        assert_eq!(
            read(unsubscribe),
            Report::Unsubscribe {
                token: "abc_DEF".into()
            }
        );
    }
}
