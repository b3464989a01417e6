//! A unit registration as a dealer submits it, and its parsing into a valid `NewRegistration`:
//! every field is checked and every problem reported at once, with the field's path.

use chrono::{Months, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use super::catalog::{ProductTerms, WarrantyStart, warranty_expires_on};
use super::contact::{Country, Email, Locale, Phone, SerialNumber, TimeZone, parse_postal_code};
use super::field::{Errors, FieldError, clean_text};

/// How far back a purchase date may lie: older units are not registrable.
pub const MAX_PURCHASE_AGE_YEARS: u32 = 10;

/// The registration body of `POST /v1/registrations` (and each row of a batch).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    /// The manufacturer's serial number; case and separators are ignored.
    #[schema(required = true, example = "SN-2026-000123")]
    pub serial_number: Option<String>,
    #[schema(required = true, example = "BOILER-24")]
    pub sku: Option<String>,
    /// `YYYY-MM-DD`, not in the future in the dealer's time zone.
    #[schema(required = true, format = Date, example = "2026-11-20")]
    pub purchase_date: Option<String>,
    #[schema(format = Date)]
    pub delivered_on: Option<String>,
    #[schema(format = Date)]
    pub installed_on: Option<String>,
    /// The dealer's own reference (invoice or order number).
    pub external_ref: Option<String>,
    #[schema(required = true)]
    pub customer: Option<CustomerRequest>,
    #[schema(required = true)]
    pub consent: Option<ConsentRequest>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerRequest {
    #[schema(required = true, example = "Camille Martin")]
    pub name: Option<String>,
    /// At least one of `email` and `phone` is required.
    #[schema(example = "camille@example.com")]
    pub email: Option<String>,
    /// E.164, e.g. `+33612345678`.
    pub phone: Option<String>,
    /// BCP 47; defaults to the dealer's locale.
    #[schema(example = "fr-FR")]
    pub locale: Option<String>,
    /// IANA; defaults to the dealer's time zone.
    #[schema(example = "Europe/Paris")]
    pub time_zone: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub postal_code: Option<String>,
    /// `email` or `sms`: how the customer prefers to hear from the dealer (where the dealer sends
    /// by the customer's preference; absent: email when there is one, SMS otherwise). The
    /// customer must have that contact.
    #[serde(default)]
    pub preferred_channel: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    /// Reminders sent in the selling dealer's name (consent given to the dealer).
    #[schema(required = true)]
    pub service_reminders: Option<bool>,
    /// Marketing from the selling dealer.
    #[schema(required = true)]
    pub marketing: Option<bool>,
    /// Marketing from the manufacturer, when the customer was asked (a separate grant: withdrawing
    /// one never withdraws the other).
    pub manufacturer_marketing: Option<bool>,
    /// Satisfaction surveys (the manufacturer runs them and shares the results with the dealer),
    /// when the customer was asked.
    #[serde(default)]
    pub surveys: Option<bool>,
    /// Registered for safety messages only (recalls and safety notices): nothing else is sent and
    /// the contact is used for nothing else. Every other consent must then be false.
    #[serde(default)]
    pub safety_only: Option<bool>,
}

/// What the registration is checked against: the submitting dealer's defaults and today's date in
/// the dealer's time zone.
pub struct RegistrationContext {
    pub dealer_locale: Locale,
    pub dealer_time_zone: TimeZone,
    pub today: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub locale: Locale,
    pub time_zone: TimeZone,
    pub country: Option<Country>,
    pub postal_code: Option<String>,
    pub preferred_channel: Option<crate::domain::sms::Channel>,
}

impl NewCustomer {
    /// The key that recognizes the same person across registrations: the email if given,
    /// otherwise the phone (case-insensitive).
    pub fn contact_key(&self) -> String {
        match (&self.email, &self.phone) {
            (Some(email), _) => format!("email:{}", email.as_str().to_lowercase()),
            (None, Some(phone)) => format!("phone:{}", phone.as_str()),
            (None, None) => unreachable!("parse requires a contact"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consent {
    /// Given to the selling dealer.
    pub service_reminders: bool,
    /// Given to the selling dealer.
    pub marketing: bool,
    /// Given to the manufacturer, when asked.
    pub manufacturer_marketing: Option<bool>,
    /// Given to the manufacturer, when asked.
    pub surveys: Option<bool>,
    /// For safety messages only.
    pub safety_only: bool,
}

#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub serial_number: SerialNumber,
    pub sku: String,
    pub purchase_date: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub external_ref: Option<String>,
    pub warranty_starts_on: NaiveDate,
    /// The event the warranty actually starts from: the product's start event, or the purchase
    /// when that event's date was not given.
    pub warranty_start_basis: WarrantyStart,
    pub warranty_expires_on: NaiveDate,
    pub customer: NewCustomer,
    pub consent: Consent,
}

/// Checks the submitted sku's shape, so that the catalog is only consulted for plausible values.
pub fn requested_sku(req: &RegistrationRequest) -> Option<String> {
    req.sku
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 64)
        .map(str::to_owned)
}

impl NewRegistration {
    /// Parses a request; `product` is the catalog entry for the requested sku, if it exists.
    pub fn parse(
        req: &RegistrationRequest,
        ctx: &RegistrationContext,
        product: Option<&ProductTerms>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Errors::default();
        let required =
            |errors: &mut Errors, field: &str| errors.push(field, "required", "is required");

        let serial_number = match &req.serial_number {
            Some(raw) => errors.take("serial_number", SerialNumber::parse(raw)),
            None => {
                required(&mut errors, "serial_number");
                None
            }
        };
        let sku = requested_sku(req);
        match (&req.sku, &sku, product) {
            (None, _, _) => required(&mut errors, "sku"),
            (Some(_), None, _) => errors.push("sku", "invalid_sku", "must be 1 to 64 characters"),
            (Some(_), Some(_), None) => {
                errors.push("sku", "unknown_sku", "no product with this sku exists")
            }
            _ => {}
        }

        let floor = ctx
            .today
            .checked_sub_months(Months::new(12 * MAX_PURCHASE_AGE_YEARS))
            .unwrap_or(ctx.today);
        let purchase_date = match &req.purchase_date {
            None => {
                required(&mut errors, "purchase_date");
                None
            }
            Some(raw) => errors.take("purchase_date", parse_date(raw)).and_then(|d| {
                if d > ctx.today {
                    errors.push("purchase_date", "in_future", format!("must not be after today ({})", ctx.today));
                    None
                } else if d < floor {
                    errors.push(
                        "purchase_date",
                        "too_old",
                        format!("must be within the last {MAX_PURCHASE_AGE_YEARS} years (on or after {floor})"),
                    );
                    None
                } else {
                    Some(d)
                }
            }),
        };
        let mut later_date = |field: &str, raw: &Option<String>| -> Option<NaiveDate> {
            let d = errors.take(field, parse_date(raw.as_deref()?))?;
            if d > ctx.today {
                errors.push(
                    field,
                    "in_future",
                    format!("must not be after today ({})", ctx.today),
                );
                return None;
            }
            if purchase_date.is_some_and(|p| d < p) {
                errors.push(field, "before_purchase", "must not be before purchase_date");
                return None;
            }
            Some(d)
        };
        let delivered_on = later_date("delivered_on", &req.delivered_on);
        let installed_on = later_date("installed_on", &req.installed_on);
        let external_ref = req
            .external_ref
            .as_deref()
            .and_then(|raw| errors.take("external_ref", clean_text(raw, 100)));

        let customer = match &req.customer {
            None => {
                required(&mut errors, "customer");
                None
            }
            Some(c) => parse_customer(c, ctx, &mut errors),
        };
        let consent = match &req.consent {
            None => {
                required(&mut errors, "consent");
                None
            }
            Some(c) => {
                if c.service_reminders.is_none() {
                    required(&mut errors, "consent.service_reminders");
                }
                if c.marketing.is_none() {
                    required(&mut errors, "consent.marketing");
                }
                let safety_only = c.safety_only == Some(true);
                if safety_only {
                    for (field, given) in [
                        ("consent.service_reminders", c.service_reminders),
                        ("consent.marketing", c.marketing),
                        ("consent.manufacturer_marketing", c.manufacturer_marketing),
                        ("consent.surveys", c.surveys),
                    ] {
                        if given == Some(true) {
                            errors.push(
                                field,
                                "conflicts_with_safety_only",
                                "a registration for safety messages only allows no other use",
                            );
                        }
                    }
                }
                c.service_reminders
                    .zip(c.marketing)
                    .map(|(service_reminders, marketing)| Consent {
                        service_reminders,
                        marketing,
                        manufacturer_marketing: c.manufacturer_marketing,
                        surveys: c.surveys,
                        safety_only,
                    })
            }
        };

        if !errors.is_empty() {
            return Err(errors.0);
        }
        let (
            Some(serial_number),
            Some(sku),
            Some(product),
            Some(purchase_date),
            Some(customer),
            Some(consent),
        ) = (
            serial_number,
            sku,
            product,
            purchase_date,
            customer,
            consent,
        )
        else {
            unreachable!("every missing value recorded an error");
        };
        let (warranty_starts_on, warranty_start_basis) = match product.warranty_start {
            WarrantyStart::Delivery if delivered_on.is_some() => {
                (delivered_on.unwrap(), WarrantyStart::Delivery)
            }
            WarrantyStart::Installation if installed_on.is_some() => {
                (installed_on.unwrap(), WarrantyStart::Installation)
            }
            _ => (purchase_date, WarrantyStart::Purchase),
        };
        let warranty_expires_on = warranty_expires_on(warranty_starts_on, product.warranty_months)
            .ok_or_else(|| {
                vec![FieldError::new(
                    "purchase_date",
                    "out_of_range",
                    "warranty end is out of range",
                )]
            })?;
        Ok(Self {
            serial_number,
            sku,
            purchase_date,
            delivered_on,
            installed_on,
            external_ref,
            warranty_starts_on,
            warranty_start_basis,
            warranty_expires_on,
            customer,
            consent,
        })
    }
}

impl NewCustomer {
    /// A customer on their own (a unit's new owner), checked as a registration checks its customer.
    pub fn parse(c: &CustomerRequest, ctx: &RegistrationContext) -> Result<Self, Vec<FieldError>> {
        let mut errors = Errors::default();
        let customer = parse_customer(c, ctx, &mut errors);
        match customer {
            Some(customer) if errors.is_empty() => Ok(customer),
            _ => Err(errors.0),
        }
    }
}

fn parse_customer(
    c: &CustomerRequest,
    ctx: &RegistrationContext,
    errors: &mut Errors,
) -> Option<NewCustomer> {
    let name = match &c.name {
        None => {
            errors.push("customer.name", "required", "is required");
            None
        }
        Some(raw) => errors.take("customer.name", clean_text(raw, 200)),
    };
    let present = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (email_raw, phone_raw) = (present(&c.email), present(&c.phone));
    if email_raw.is_none() && phone_raw.is_none() {
        errors.push(
            "customer",
            "contact_required",
            "give at least one of customer.email and customer.phone",
        );
    }
    let email = email_raw
        .as_ref()
        .and_then(|raw| errors.take("customer.email", Email::parse(raw)));
    let phone = phone_raw
        .as_ref()
        .and_then(|raw| errors.take("customer.phone", Phone::parse(raw)));
    let locale = match present(&c.locale) {
        Some(raw) => errors.take("customer.locale", Locale::parse(&raw)),
        None => Some(ctx.dealer_locale.clone()),
    };
    let time_zone = match present(&c.time_zone) {
        Some(raw) => errors.take("customer.time_zone", TimeZone::parse(&raw)),
        None => Some(ctx.dealer_time_zone),
    };
    let country =
        present(&c.country).and_then(|raw| errors.take("customer.country", Country::parse(&raw)));
    let postal_code = present(&c.postal_code)
        .and_then(|raw| errors.take("customer.postal_code", parse_postal_code(&raw)));
    use crate::domain::sms::Channel;
    let preferred_channel = present(&c.preferred_channel).and_then(|raw| {
        let parsed = match Channel::parse(raw.trim()) {
            None => Err(("invalid_channel", "must be email or sms".to_owned())),
            Some(Channel::Email) if email_raw.is_none() => Err((
                "missing_contact",
                "email is preferred but customer.email is not given".to_owned(),
            )),
            Some(Channel::Sms) if phone_raw.is_none() => Err((
                "missing_contact",
                "sms is preferred but customer.phone is not given".to_owned(),
            )),
            Some(channel) => Ok(channel),
        };
        errors.take("customer.preferred_channel", parsed)
    });
    Some(NewCustomer {
        name: name?,
        email,
        phone,
        locale: locale?,
        time_zone: time_zone?,
        country,
        postal_code,
        preferred_channel,
    })
    .filter(|c| c.email.is_some() || c.phone.is_some())
}

fn parse_date(raw: &str) -> Result<NaiveDate, (&'static str, String)> {
    let raw = raw.trim();
    if raw.len() != 10 {
        return Err((
            "invalid_date",
            "must be a date in the form YYYY-MM-DD".into(),
        ));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        (
            "invalid_date",
            "must be a date in the form YYYY-MM-DD".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Period;

    fn ctx() -> RegistrationContext {
        RegistrationContext {
            dealer_locale: Locale::parse("fr-FR").unwrap(),
            dealer_time_zone: TimeZone::parse("Europe/Paris").unwrap(),
            today: "2026-11-27".parse().unwrap(),
        }
    }

    fn product(start: WarrantyStart) -> ProductTerms {
        ProductTerms {
            warranty_months: 24,
            warranty_start: start,
            service_plan: vec![Period::parse("P12M").unwrap()],
            registration_window_days: 30,
        }
    }

    fn request() -> RegistrationRequest {
        RegistrationRequest {
            serial_number: Some("sn-0001".into()),
            sku: Some("BOILER-24".into()),
            purchase_date: Some("2026-11-20".into()),
            customer: Some(CustomerRequest {
                preferred_channel: None,
                name: Some("Camille".into()),
                email: Some("camille@example.com".into()),
                ..Default::default()
            }),
            consent: Some(ConsentRequest {
                surveys: None,
                safety_only: None,
                service_reminders: Some(true),
                marketing: Some(false),
                manufacturer_marketing: None,
            }),
            ..Default::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<(String, String)> {
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_valid_request_gets_dealer_defaults_and_warranty_dates() {
        let r = NewRegistration::parse(&request(), &ctx(), Some(&product(WarrantyStart::Purchase)))
            .unwrap();
        assert_eq!(r.serial_number.as_str(), "SN0001");
        assert_eq!(r.customer.time_zone.name(), "Europe/Paris");
        assert_eq!(r.customer.locale.as_str(), "fr-FR");
        assert_eq!(r.warranty_expires_on.to_string(), "2028-11-19");
    }

    #[test]
    fn the_warranty_starts_at_the_products_event_when_known() {
        let mut req = request();
        req.installed_on = Some("2026-11-25".into());
        let r = NewRegistration::parse(&req, &ctx(), Some(&product(WarrantyStart::Installation)))
            .unwrap();
        assert_eq!(
            (r.warranty_start_basis, r.warranty_starts_on.to_string()),
            (WarrantyStart::Installation, "2026-11-25".into())
        );
        let r = NewRegistration::parse(
            &request(),
            &ctx(),
            Some(&product(WarrantyStart::Installation)),
        )
        .unwrap();
        assert_eq!(r.warranty_start_basis, WarrantyStart::Purchase);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let req = RegistrationRequest {
            serial_number: Some("??".into()),
            purchase_date: Some("2026-12-01".into()),
            installed_on: Some("2026-01-01".into()),
            customer: Some(CustomerRequest {
                preferred_channel: None,
                name: Some(" ".into()),
                time_zone: Some("Nowhere/City".into()),
                ..Default::default()
            }),
            consent: Some(ConsentRequest::default()),
            ..Default::default()
        };
        let errors = fields(NewRegistration::parse(&req, &ctx(), None).unwrap_err());
        let expected = [
            ("serial_number", "invalid_serial"),
            ("sku", "required"),
            ("purchase_date", "in_future"),
            ("customer.name", "required"),
            ("customer", "contact_required"),
            ("customer.time_zone", "invalid_time_zone"),
            ("consent.service_reminders", "required"),
            ("consent.marketing", "required"),
        ];
        for (field, code) in expected {
            assert!(
                errors.contains(&(field.into(), code.into())),
                "missing {field}/{code} in {errors:?}"
            );
        }
    }

    #[test]
    fn purchase_dates_have_a_floor_and_later_dates_follow_purchase() {
        let mut req = request();
        req.purchase_date = Some("2016-11-26".into());
        assert_eq!(
            fields(
                NewRegistration::parse(&req, &ctx(), Some(&product(WarrantyStart::Purchase)))
                    .unwrap_err()
            ),
            vec![("purchase_date".into(), "too_old".into())]
        );
        let mut req = request();
        req.delivered_on = Some("2026-11-19".into());
        assert_eq!(
            fields(
                NewRegistration::parse(&req, &ctx(), Some(&product(WarrantyStart::Purchase)))
                    .unwrap_err()
            ),
            vec![("delivered_on".into(), "before_purchase".into())]
        );
    }
}
