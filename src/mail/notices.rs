//! Notices to people who use the pages: the one-time sign-in link and the invitation that carries
//! one; the link a unit's new owner accepts its transfer with. Sent at once from the request (a person waits for them), through the same transport and
//! DKIM keys as reminders, from the manufacturer's name.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use lettre::Address;
use minijinja::context;

use super::message::{Notice, build_notice};
use super::templates::Renderer;
use super::{Mailer, Outgoing, SendError};
use crate::config::Config;

pub struct Notices {
    mailer: Mailer,
    dkim: Vec<super::dkim::Signer>,
    from: Address,
    from_name: String,
    domain: String,
    renderer: Renderer,
}

/// One sign-in link to send.
pub struct SignInNotice<'a> {
    pub to_name: &'a str,
    pub to: &'a str,
    pub language: &'a str,
    pub link: &'a str,
    pub minutes: i64,
    /// Set for an invitation: who invited the person, and to what.
    pub invitation: Option<Invitation<'a>>,
}

pub struct Invitation<'a> {
    pub invited_by: &'a str,
    /// The role in words, in the person's language.
    pub role: &'a str,
    /// The dealer the person joins, for dealer roles.
    pub dealer: Option<&'a str>,
}

/// The link a unit's new owner accepts its transfer with.
pub struct TransferNotice<'a> {
    pub to: &'a str,
    pub language: &'a str,
    pub link: &'a str,
    pub product: &'a str,
    pub serial: &'a str,
    /// The selling dealer, whose reminders the new owner will get.
    pub dealer: &'a str,
    /// The warranty's end on record, formatted for the reader.
    pub warranty_until: &'a str,
    /// The link's last day, formatted for the reader.
    pub until: &'a str,
    /// Started by a dealer for the new owner (its name), rather than by the previous owner.
    pub serving_dealer: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("cannot compose the notice: {0}")]
    Compose(String),
    #[error(transparent)]
    Send(#[from] SendError),
}

impl Notices {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        Self::with_mailer(config, crate::jobs::Sender::mailer_from(config)?)
    }

    pub fn with_mailer(config: &Config, mailer: Mailer) -> anyhow::Result<Self> {
        Ok(Self {
            mailer,
            dkim: crate::jobs::send::dkim_signers(config)?,
            from: config.mail_from.parse()?,
            from_name: config.manufacturer_name.clone(),
            domain: config.mail_domain().to_owned(),
            renderer: Renderer::new(),
        })
    }

    /// Notices kept in memory (tests read the links from them).
    pub fn memory(config: &Config) -> anyhow::Result<(Self, Arc<Mutex<Vec<Outgoing>>>)> {
        let sent = Arc::new(Mutex::new(Vec::new()));
        Ok((
            Self::with_mailer(config, Mailer::Memory(sent.clone()))?,
            sent,
        ))
    }

    /// The message of a sign-in link or an invitation: (Message-ID, envelope, bytes).
    pub fn compose(
        &self,
        notice: &SignInNotice<'_>,
        now: DateTime<Utc>,
    ) -> Result<(String, lettre::address::Envelope, Vec<u8>), NoticeError> {
        let kind = if notice.invitation.is_some() {
            "invitation"
        } else {
            "sign_in"
        };
        let ctx = context! {
            manufacturer => &self.from_name, name => notice.to_name, link => notice.link, minutes => notice.minutes,
            invited_by => notice.invitation.as_ref().map(|i| i.invited_by),
            role => notice.invitation.as_ref().map(|i| i.role),
            dealer => notice.invitation.as_ref().and_then(|i| i.dealer),
        };
        self.compose_kind(kind, notice.to_name, notice.to, notice.language, &ctx, now)
    }

    /// The message offering a unit to its new owner.
    pub fn compose_transfer(
        &self,
        notice: &TransferNotice<'_>,
        now: DateTime<Utc>,
    ) -> Result<(String, lettre::address::Envelope, Vec<u8>), NoticeError> {
        let ctx = context! {
            manufacturer => &self.from_name, link => notice.link, product => notice.product,
            serial => notice.serial, dealer => notice.dealer, warranty_until => notice.warranty_until,
            until => notice.until, serving_dealer => notice.serving_dealer,
        };
        self.compose_kind("transfer", "", notice.to, notice.language, &ctx, now)
    }

    /// The message telling a unit's owner that a dealer asked to transfer it (a link to their
    /// page, where they can stop it).
    pub fn compose_transfer_notice(
        &self,
        notice: &TransferNotice<'_>,
        now: DateTime<Utc>,
    ) -> Result<(String, lettre::address::Envelope, Vec<u8>), NoticeError> {
        let ctx = context! {
            manufacturer => &self.from_name, link => notice.link, product => notice.product,
            serial => notice.serial, serving_dealer => notice.serving_dealer,
        };
        self.compose_kind("transfer_notice", "", notice.to, notice.language, &ctx, now)
    }

    fn compose_kind(
        &self,
        kind: &str,
        to_name: &str,
        to: &str,
        language: &str,
        ctx: &minijinja::Value,
        now: DateTime<Utc>,
    ) -> Result<(String, lettre::address::Envelope, Vec<u8>), NoticeError> {
        let to: Address = to
            .parse()
            .map_err(|e| NoticeError::Compose(format!("recipient: {e}")))?;
        let lang = crate::templating::language([language]);
        let content = self
            .renderer
            .email(kind, lang, ctx)
            .map_err(|e| NoticeError::Compose(format!("template {kind}/{lang}: {e:#}")))?;
        let message_id = format!("<{}@{}>", uuid::Uuid::now_v7(), self.domain);
        let (envelope, raw) = build_notice(
            &Notice {
                message_id: &message_id,
                from_name: &self.from_name,
                from: &self.from,
                to_name,
                to: &to,
                date: now,
            },
            &content,
            &self.dkim,
        )
        .map_err(NoticeError::Compose)?;
        Ok((message_id, envelope, raw))
    }

    pub async fn send(
        &self,
        notice: &SignInNotice<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), NoticeError> {
        self.deliver(self.compose(notice, now)?).await
    }

    pub async fn send_transfer(
        &self,
        notice: &TransferNotice<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), NoticeError> {
        self.deliver(self.compose_transfer(notice, now)?).await
    }

    pub async fn send_transfer_notice(
        &self,
        notice: &TransferNotice<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), NoticeError> {
        self.deliver(self.compose_transfer_notice(notice, now)?)
            .await
    }

    async fn deliver(
        &self,
        (message_id, envelope, raw): (String, lettre::address::Envelope, Vec<u8>),
    ) -> Result<(), NoticeError> {
        self.mailer.send(&envelope, &message_id, &raw).await?;
        Ok(())
    }
}
