//! An owner registering a unit alone, through its public address (no dealer's QR code): the
//! registration is recorded (checked as any registration is) and credited to no dealer. The
//! selling dealer claims it with the sale's reference within `claim_days`: it then becomes that
//! dealer's registration exactly as the API makes one (same validation, one transaction,
//! reminders in the dealer's name, incentives under rules that may pay the `owner_web` channel
//! differently), and the owner confirms it by the link the dealer's confirmation carries. Until a
//! dealer claims it nobody sends the owner reminders: they go out in the selling dealer's name,
//! and the manufacturer does not take the dealer's customer. A second dealer claiming a claimed
//! unit is refused and raised as a fraud signal.

use chrono::Duration;
use uuid::Uuid;

use super::DealerContext;
use super::registration::{Intake, IntakeError, product_terms};
use crate::domain::contact::{Locale, SerialNumber, TimeZone};
use crate::domain::field::{FieldError, clean_text};
use crate::domain::registration::{
    ConsentRequest, CustomerRequest, NewRegistration, RegistrationContext, RegistrationRequest,
};
use crate::store::owner_registrations::{self, NewOwnerRegistration};
use crate::store::{RegistrationRecord, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error("no owner's registration of this serial number is waiting to be claimed")]
    NotFound,
    #[error("sales can be claimed within {0} days of the owner's registration")]
    WindowClosed(i64),
    #[error("you have already claimed this sale")]
    ClaimedByYou(Uuid),
    #[error("another dealer has claimed this sale")]
    ClaimedByOther,
    #[error("this serial number is already registered")]
    Registered,
    #[error("invalid claim")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An owner's registration through the unit's address, as the form sends it.
pub struct OwnerRequest<'a> {
    pub sku: &'a str,
    pub serial: &'a str,
    pub purchase_date: Option<String>,
    pub customer: CustomerRequest,
    pub service_reminders: bool,
    pub marketing: bool,
}

/// What became of an owner's registration.
pub enum Recorded {
    Waiting(Uuid),
    /// The unit is registered already (by a dealer, or waiting for one).
    Taken,
}

impl Intake {
    /// Records an owner's registration through the unit's address, credited to no dealer.
    pub async fn record_owner_registration(
        &self,
        req: OwnerRequest<'_>,
    ) -> Result<Recorded, ClaimError> {
        let now = self.clock.now();
        let Some(product) = self.store.product_by_sku(req.sku).await? else {
            return Err(ClaimError::NotFound);
        };
        let terms = product_terms(&product)?;
        let tz = self.settings.ledger.manufacturer_tz;
        let locale = req.customer.locale.clone().unwrap_or_else(|| "en".into());
        let ctx = RegistrationContext {
            dealer_locale: Locale::parse(&locale)
                .or_else(|_| Locale::parse("en"))
                .map_err(|_| StoreError::Corrupt("locale".into()))?,
            dealer_time_zone: TimeZone(tz),
            today: now.with_timezone(&tz).date_naive(),
        };
        // The same checks as a registration, so that a claim cannot fail on the owner's input.
        let full = RegistrationRequest {
            serial_number: Some(req.serial.to_owned()),
            sku: Some(req.sku.to_owned()),
            purchase_date: req.purchase_date.clone(),
            delivered_on: None,
            installed_on: None,
            external_ref: None,
            customer: Some(req.customer.clone()),
            consent: Some(ConsentRequest {
                surveys: None,
                safety_only: None,
                service_reminders: Some(req.service_reminders),
                marketing: Some(req.marketing),
                manufacturer_marketing: None,
            }),
        };
        let new = NewRegistration::parse(&full, &ctx, Some(&terms)).map_err(ClaimError::Invalid)?;
        if self
            .store
            .active_serial_holder(new.serial_number.as_str())
            .await?
            .is_some()
        {
            return Ok(Recorded::Taken);
        }
        let recorded = self
            .store
            .insert_owner_registration(
                &NewOwnerRegistration {
                    product_id: product.id,
                    serial_number: new.serial_number.as_str(),
                    serial_display: req.serial.trim(),
                    purchase_date: new.purchase_date,
                    customer_name: &new.customer.name,
                    customer_email: new.customer.email.as_ref().map(|e| e.as_str()),
                    customer_phone: new.customer.phone.as_ref().map(|p| p.as_str()),
                    locale: new.customer.locale.as_str(),
                    consent_service_reminders: new.consent.service_reminders,
                    consent_marketing: new.consent.marketing,
                },
                now,
            )
            .await?;
        Ok(match recorded {
            Some(id) => {
                tracing::info!(owner_registration = %id, sku = %req.sku, "an owner registered a unit through its address");
                Recorded::Waiting(id)
            }
            None => Recorded::Taken,
        })
    }

    /// The selling dealer claims an owner's registration of `serial` with the sale's reference.
    pub async fn claim(
        &self,
        dealer: &DealerContext,
        serial: &str,
        reference: &str,
    ) -> Result<RegistrationRecord, ClaimError> {
        let now = self.clock.now();
        let mut errors = Vec::new();
        let serial = SerialNumber::parse(serial)
            .map_err(|(code, message)| errors.push(FieldError::new("serial_number", code, message)))
            .ok();
        let reference = clean_text(reference, 100)
            .map_err(|(code, message)| errors.push(FieldError::new("reference", code, message)))
            .ok();
        let (Some(serial), Some(reference)) = (serial, reference) else {
            return Err(ClaimError::Invalid(errors));
        };
        let Some(row) = self.store.owner_registration_of(serial.as_str()).await? else {
            return Err(ClaimError::NotFound);
        };
        match row.status.as_str() {
            "unclaimed" => {}
            "claimed" => return Err(self.claimed(dealer, &row, &reference).await?),
            "superseded" => return Err(ClaimError::Registered),
            _ => return Err(ClaimError::NotFound),
        }
        let days = self.settings.claim_days;
        if now > row.created_at + Duration::days(days) {
            return Err(ClaimError::WindowClosed(days));
        }
        let req = RegistrationRequest {
            serial_number: Some(row.serial_display.clone()),
            sku: Some(row.sku.clone()),
            purchase_date: Some(row.purchase_date.to_string()),
            delivered_on: None,
            installed_on: None,
            external_ref: Some(reference.clone()),
            customer: Some(CustomerRequest {
                preferred_channel: None,
                name: row.customer_name.clone(),
                email: row.customer_email.clone(),
                phone: row.customer_phone.clone(),
                locale: Some(row.locale.clone()),
                time_zone: None,
                country: None,
                postal_code: None,
            }),
            consent: Some(ConsentRequest {
                surveys: None,
                safety_only: None,
                service_reminders: Some(row.consent_service_reminders),
                marketing: Some(row.consent_marketing),
                manufacturer_marketing: None,
            }),
        };
        let ctx = DealerContext {
            channel: "owner_web",
            ..dealer.clone()
        };
        match self.register(&ctx, &req).await {
            Ok(mut registered) => {
                let id = registered.record.id;
                if !owner_registrations::mark_claimed(
                    registered.tx(),
                    row.id,
                    dealer.id,
                    id,
                    &reference,
                    now,
                )
                .await?
                {
                    drop(registered);
                    let row = self
                        .store
                        .owner_registration_of(serial.as_str())
                        .await?
                        .ok_or(ClaimError::NotFound)?;
                    return Err(self.claimed(dealer, &row, &reference).await?);
                }
                let record = registered.commit().await?;
                tracing::info!(registration_id = %record.id, dealer = %dealer.code, "a dealer claimed an owner's registration");
                Ok(record)
            }
            Err(IntakeError::Duplicate { .. }) => {
                let mut tx = self.store.begin_write().await?;
                owner_registrations::mark_superseded(&mut tx, row.id).await?;
                tx.commit().await?;
                Err(ClaimError::Registered)
            }
            Err(IntakeError::Invalid(errors)) => Err(ClaimError::Invalid(errors)),
            Err(IntakeError::Store(e)) => Err(e.into()),
        }
    }

    /// The answer to a claim of a claimed unit; another dealer's claim is a fraud signal.
    async fn claimed(
        &self,
        dealer: &DealerContext,
        row: &owner_registrations::OwnerRegistration,
        reference: &str,
    ) -> Result<ClaimError, StoreError> {
        if row.claimed_by == Some(dealer.id) {
            return Ok(ClaimError::ClaimedByYou(
                row.registration_id.unwrap_or_default(),
            ));
        }
        self.store
            .record_fraud_evidence(
                "double_claim",
                dealer.id,
                Some(&row.serial_number),
                row.registration_id,
                Some(&serde_json::json!({
                    "serial_number": row.serial_number, "claimed_by": row.claimed_by,
                    "second_claim_reference": reference,
                })),
                self.clock.now(),
            )
            .await?;
        tracing::warn!(dealer = %dealer.code, "a second dealer claimed an owner's registration");
        Ok(ClaimError::ClaimedByOther)
    }
}
