//! Email: rendering (templates), building (headers, parts, DKIM) and transports (SMTP, an outbox
//! directory of `.eml` files, or memory for tests).

pub mod dkim;
pub mod inbound;
pub mod message;
pub mod notices;
pub mod smtp;
pub mod templates;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lettre::address::Envelope;

/// Why a send did not succeed, classified for the retry policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 4xx, a dropped connection or a timeout: try again later.
    #[error("temporary failure ({code:?}): {detail}")]
    Transient { code: Option<u16>, detail: String },
    /// 5xx: the address (or message) is refused for good.
    #[error("permanent failure ({code:?}): {detail}")]
    Permanent { code: Option<u16>, detail: String },
}

impl SendError {
    pub fn code(&self) -> Option<u16> {
        match self {
            Self::Transient { code, .. } | Self::Permanent { code, .. } => *code,
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Self::Transient { detail, .. } | Self::Permanent { detail, .. } => detail,
        }
    }
}

/// A message as handed to a transport (kept by the memory transport).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: Vec<String>,
    pub raw: String,
}

/// The outbox file of a message: `<message-id>.eml`, with anything but letters, digits, `-` and
/// `.` replaced, so a resend overwrites the same file and erasure can find it.
pub fn outbox_file_name(message_id: &str) -> String {
    let name: String = message_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{name}.eml")
}

/// Where emails go.
pub enum Mailer {
    Smtp(smtp::SmtpSender),
    /// Writes `<message-id>.eml` files: a resend overwrites the same file.
    Outbox(PathBuf),
    Memory(Arc<Mutex<Vec<Outgoing>>>),
}

impl Mailer {
    /// Sends one message; returns the SMTP reply code (250 for the non-SMTP transports).
    pub async fn send(
        &self,
        envelope: &Envelope,
        message_id: &str,
        raw: &[u8],
    ) -> Result<u16, SendError> {
        match self {
            Self::Smtp(sender) => sender.send(envelope, raw).await,
            Self::Outbox(dir) => {
                let name = outbox_file_name(message_id);
                let write = async {
                    crate::files::create_dir_private(dir)?;
                    let tmp = dir.join(format!(".{name}.tmp"));
                    crate::files::write_private(&tmp, raw).await?;
                    tokio::fs::rename(&tmp, dir.join(name)).await
                };
                write.await.map(|()| 250).map_err(|e| SendError::Transient {
                    code: None,
                    detail: format!("cannot write to the outbox {}: {e}", dir.display()),
                })
            }
            Self::Memory(sent) => {
                let to = envelope.to().iter().map(ToString::to_string).collect();
                sent.lock().unwrap().push(Outgoing {
                    to,
                    raw: String::from_utf8_lossy(raw).into_owned(),
                });
                Ok(250)
            }
        }
    }

    pub async fn shutdown(&self) {
        if let Self::Smtp(sender) = self {
            sender.close_idle().await;
        }
    }
}
