//! The use cases. Each opens its transaction (`Store::begin_write`), applies the rules of
//! `crate::domain` to what the store reads, writes through the store's row functions, and commits:
//! registering and voiding (`registration`), recording a visit (`visit`), consent and what
//! customers do through their links (`consent`), and the ledger (`ledger`). Callers (HTTP, CLI,
//! jobs) parse, call one of these, and render the result; errors map to problem documents in one
//! place (`crate::http::error`).

pub mod claim;
pub mod consent;
pub mod correction;
pub mod erasure;
pub mod ledger;
pub mod proof;
pub mod registration;
pub mod texts;
pub mod transfer;
pub mod visit;

use uuid::Uuid;

/// The dealer on whose behalf a unit is registered.
#[derive(Debug, Clone)]
pub struct DealerContext {
    pub id: Uuid,
    pub code: String,
    pub locale: String,
    pub time_zone: String,
    /// The dealer's own send window, if it overrides the deployment's.
    pub send_window: Option<String>,
    /// How its customers' messages go (`domain::sms::ChannelPolicy`), if it chose.
    pub message_channels: Option<String>,
    /// Who acts: the person's account or the API key (recorded on what they change).
    pub actor: Option<Uuid>,
    /// How a registration arrives: `dealer_api`, `dealer_counter` (the counter page), `owner_qr`
    /// (the owner, through the dealer's QR code).
    pub channel: &'static str,
}

impl From<crate::store::DealerRecord> for DealerContext {
    fn from(d: crate::store::DealerRecord) -> Self {
        Self {
            id: d.id,
            code: d.code,
            locale: d.locale,
            time_zone: d.time_zone,
            send_window: d.send_window,
            message_channels: d.message_channels,
            actor: None,
            channel: "dealer_api",
        }
    }
}

/// The dealer behind an API key, as read with the key.
pub enum KeyDealer {
    /// A staff key.
    None,
    Active(DealerContext),
    /// The dealer is deactivated (or its row is missing): the key may not act.
    Refused,
}

impl KeyDealer {
    pub fn of(key: &crate::store::KeyRecord) -> Self {
        match (
            key.dealer_id,
            &key.dealer_code,
            &key.dealer_locale,
            &key.dealer_time_zone,
        ) {
            (None, ..) => Self::None,
            (Some(id), Some(code), Some(locale), Some(time_zone))
                if key.dealer_active == Some(true) =>
            {
                Self::Active(DealerContext {
                    id,
                    code: code.clone(),
                    locale: locale.clone(),
                    time_zone: time_zone.clone(),
                    send_window: key.dealer_send_window.clone(),
                    message_channels: key.dealer_message_channels.clone(),
                    actor: Some(key.id),
                    channel: "dealer_api",
                })
            }
            _ => Self::Refused,
        }
    }
}
