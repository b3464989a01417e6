//! What an admin (API or CLI) sends to define a dealer or a product, and its parse into the
//! validated profile the store writes (`DealerUpsert`, `ProductUpsert`); the check of dealer and
//! program codes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::catalog::{Period, WarrantyStart};
use super::contact::{Country, Email, Locale, Phone, TimeZone, parse_web_url};
use super::field::{Errors, clean_text};
use super::plan::SendWindow;
use super::servicing::ServicingArea;

/// A dealer's full profile, as an admin sets it.
#[derive(Debug, Clone)]
pub struct DealerUpsert {
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub time_zone: String,
    pub country: Option<String>,
    pub booking_url: Option<String>,
    pub address: Option<String>,
    pub send_window: Option<String>,
    pub active: bool,
    pub authorized_servicer: Option<String>,
    /// `auto`, `email`, `sms` or `both` (`domain::sms::ChannelPolicy`); `None`: the product's.
    pub message_channels: Option<String>,
    /// The dealer's own SMS sender ID (a number or 3 to 11 letters and digits).
    pub sms_sender_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ProductUpsert {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub warranty_months: i32,
    pub warranty_start: String,
    pub service_plan: Vec<String>,
    pub registration_window_days: i32,
    /// GTIN-14 (validated, padded), when the product has one.
    pub gtin: Option<String>,
    /// `transferable`, `not_transferable` or `once`.
    pub transfer_policy: String,
    /// `auto`, `email`, `sms` or `both`; `None`: `auto`.
    pub message_channels: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealerRequest {
    #[schema(example = "Garage Martin")]
    pub name: String,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// BCP 47; the default language of its customers' emails.
    #[schema(example = "fr-FR")]
    pub locale: String,
    /// IANA; the default time zone of its customers, and the dealer's calendar.
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    pub country: Option<String>,
    /// Where reminder emails send customers to book a visit. `{serial}`, `{sku}` and `{campaign}`
    /// in it are filled in; without them, `serial`, `product` and `campaign` query parameters are added.
    pub booking_url: Option<String>,
    /// Postal address, shown in the footer of emails.
    pub address: Option<String>,
    /// Overrides the deployment's send window for this dealer's customers (6-field cron).
    #[schema(example = "0 0 10-16 * * Mon-Sat")]
    pub send_window: Option<String>,
    /// Inactive dealers' keys are refused. Default true.
    pub active: Option<bool>,
    /// Authorizes this dealer to report service visits on units other dealers sold: `{}` for any
    /// unit, or limited to a territory and/or selling dealers. Absent: only the units it sold.
    pub authorized_servicer: Option<ServicingRequest>,
    /// How its customers' messages go: `auto` (the customer's preferred channel, else email when
    /// there is one, SMS otherwise), `email`, `sms` or `both`. Absent: the product's choice.
    #[serde(default)]
    pub message_channels: Option<String>,
    /// The sender of its customers' texts, where the SMS provider allows one: a number (E.164) or
    /// an alphanumeric sender ID of 3 to 11 letters and digits.
    #[schema(example = "GMARTIN")]
    #[serde(default)]
    pub sms_sender_id: Option<String>,
}

/// Every list that is given and not empty must match the unit.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicingRequest {
    /// Countries (ISO 3166-1 alpha-2) of the units' customers.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Postal code prefixes of the units' customers.
    #[serde(default)]
    pub postal_prefixes: Vec<String>,
    /// Codes of the dealers whose units it may service.
    #[serde(default)]
    pub selling_dealers: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductRequest {
    #[schema(example = "Condensing boiler 24 kW")]
    pub name: String,
    #[schema(example = "boilers")]
    pub category: String,
    /// 1 to 600.
    #[schema(example = 24)]
    pub warranty_months: i32,
    pub warranty_start: WarrantyStart,
    /// ISO 8601 periods after the warranty start, e.g. `["P12M", "P24M"]`.
    #[schema(example = json!(["P12M", "P24M"]))]
    pub service_plan: Vec<String>,
    /// Days after purchase within which a registration counts as on time (0 to 3650).
    #[schema(example = 30)]
    pub registration_window_days: i32,
    /// The product's GTIN (8, 12, 13 or 14 digits, check digit verified): its units get GS1
    /// Digital Link addresses `/01/{GTIN-14}/21/{serial}`.
    #[schema(example = "4006381333931")]
    #[serde(default)]
    pub gtin: Option<String>,
    /// Whether the warranty follows the unit to a new owner (default `transferable`).
    #[serde(default)]
    pub transfer_policy: super::catalog::TransferPolicy,
    /// How messages about its units go: `auto`, `email`, `sms` or `both` (a dealer's own choice
    /// wins). Absent: `auto`.
    #[serde(default)]
    pub message_channels: Option<String>,
}

/// Dealer codes: 1 to 32 letters, digits, `-` or `_`, starting with a letter or digit.
pub fn check_code(field: &str, code: &str) -> Result<(), FieldError> {
    let ok = (1..=32).contains(&code.len())
        && code
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "invalid_code",
            "must be 1 to 32 letters, digits, '-' or '_'",
        ))
    }
}

/// A channel policy's name.
fn message_channels(v: &str) -> Result<String, (&'static str, String)> {
    super::sms::ChannelPolicy::parse(v.trim())
        .map(|p| p.as_str().to_owned())
        .ok_or_else(|| {
            (
                "invalid_channels",
                format!("must be one of {}", super::sms::CHANNEL_POLICIES.join(", ")),
            )
        })
}

/// An SMS sender: a number in E.164, or an alphanumeric sender ID (3 to 11 letters, digits and
/// spaces, with at least one letter), as carriers accept them.
fn sms_sender_id(v: &str) -> Result<String, (&'static str, String)> {
    let v = v.trim();
    if v.starts_with('+') {
        return Phone::parse(v)
            .map(|p| p.as_str().to_owned())
            .map_err(|_| ("invalid_sender_id", "not an E.164 number".to_owned()));
    }
    let ok = (3..=11).contains(&v.len())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
        && v.chars().any(|c| c.is_ascii_alphabetic());
    if ok {
        Ok(v.to_owned())
    } else {
        Err((
            "invalid_sender_id",
            "must be a number in E.164 or 3 to 11 letters and digits, with a letter".to_owned(),
        ))
    }
}

pub fn parse_dealer(code: &str, req: &DealerRequest) -> Result<DealerUpsert, Vec<FieldError>> {
    check_code("code", code).map_err(|e| vec![e])?;
    let mut e = Errors::default();
    let name = e.take("name", clean_text(&req.name, 200));
    let email = req
        .email
        .as_deref()
        .and_then(|v| e.take("email", Email::parse(v)))
        .map(|v| v.as_str().to_owned());
    let phone = req
        .phone
        .as_deref()
        .and_then(|v| e.take("phone", Phone::parse(v)))
        .map(|v| v.as_str().to_owned());
    let locale = e.take("locale", Locale::parse(&req.locale));
    let time_zone = e.take("time_zone", TimeZone::parse(&req.time_zone));
    let country = req
        .country
        .as_deref()
        .and_then(|v| e.take("country", Country::parse(v)))
        .map(|v| v.as_str().to_owned());
    let booking_url = req
        .booking_url
        .as_deref()
        .and_then(|v| e.take("booking_url", parse_web_url(v)));
    let address = req
        .address
        .as_deref()
        .and_then(|v| e.take("address", clean_text(v, 300)));
    let send_window = req.send_window.as_deref().and_then(|v| {
        let parsed = SendWindow::parse(v).map(|_| v.trim().to_owned());
        e.take(
            "send_window",
            parsed.map_err(|m| ("invalid_send_window", m)),
        )
    });
    let authorized_servicer = req.authorized_servicer.as_ref().and_then(|s| {
        ServicingArea::parse(
            "authorized_servicer",
            &s.countries,
            &s.postal_prefixes,
            &s.selling_dealers,
            &mut e,
        )
    });
    let message_channels = req
        .message_channels
        .as_deref()
        .and_then(|v| e.take("message_channels", message_channels(v)));
    let sms_sender_id = req
        .sms_sender_id
        .as_deref()
        .and_then(|v| e.take("sms_sender_id", sms_sender_id(v)));
    if !e.is_empty() {
        return Err(e.0);
    }
    Ok(DealerUpsert {
        message_channels,
        sms_sender_id,
        authorized_servicer: authorized_servicer
            .map(|a| serde_json::to_string(&a).expect("plain data serializes")),
        code: code.to_owned(),
        name: name.expect("checked"),
        email,
        phone,
        locale: locale.expect("checked").as_str().to_owned(),
        time_zone: time_zone.expect("checked").name().to_owned(),
        country,
        booking_url,
        address,
        send_window,
        active: req.active.unwrap_or(true),
    })
}

pub fn parse_product(sku: &str, req: &ProductRequest) -> Result<ProductUpsert, Vec<FieldError>> {
    let mut e = Errors::default();
    let sku_ok = !sku.is_empty()
        && sku.len() <= 64
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !sku_ok {
        e.push(
            "sku",
            "invalid_sku",
            "must be 1 to 64 letters, digits, '-', '_' or '.'",
        );
    }
    let name = e.take("name", clean_text(&req.name, 200));
    let category = e.take("category", clean_text(&req.category, 100));
    if !(1..=600).contains(&req.warranty_months) {
        e.push("warranty_months", "out_of_range", "must be from 1 to 600");
    }
    if !(0..=3650).contains(&req.registration_window_days) {
        e.push(
            "registration_window_days",
            "out_of_range",
            "must be from 0 to 3650",
        );
    }
    if req.service_plan.len() > 50 {
        e.push("service_plan", "too_long", "at most 50 steps");
    }
    let mut plan = Vec::new();
    for (i, step) in req.service_plan.iter().enumerate() {
        if let Some(period) = e.take(&format!("service_plan[{i}]"), Period::parse(step)) {
            plan.push(period.to_string());
        }
    }
    let gtin = match req.gtin.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(raw) => match super::gtin::Gtin::parse(raw) {
            Ok(g) => Some(g.as_str().to_owned()),
            Err(err) => {
                e.0.push(err);
                None
            }
        },
        None => None,
    };
    let message_channels = req
        .message_channels
        .as_deref()
        .and_then(|v| e.take("message_channels", message_channels(v)));
    if !e.is_empty() {
        return Err(e.0);
    }
    Ok(ProductUpsert {
        message_channels,
        gtin,
        sku: sku.to_owned(),
        name: name.expect("checked"),
        category: category.expect("checked"),
        warranty_months: req.warranty_months,
        warranty_start: req.warranty_start.as_str().to_owned(),
        service_plan: plan,
        registration_window_days: req.registration_window_days,
        transfer_policy: req.transfer_policy.as_str().to_owned(),
    })
}
