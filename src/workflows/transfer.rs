//! Ownership transfer: a unit changes hands and its registration follows it. The owner starts it
//! from their page, or a dealer for a new owner at its counter (instead of a bare 409); the new
//! owner accepts once, through the link emailed to them, with their own details and choices.
//! Accepting, in one transaction with the registration locked: the registration's customer
//! becomes the new owner (the old owner's record stays, attached to their period of ownership);
//! the reminders not sent yet are cancelled or re-addressed and planned again from the unit's
//! facts in the new owner's time zone and language, with a confirmation to them; the selling
//! dealer keeps its credit (no ledger line changes); no fraud signal is raised. Two transfers of
//! one unit racing: the first to commit wins, the other finds the unit no longer its owner's.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::registration::{Intake, UnitFacts, consent_grants, product_terms};
use crate::domain::catalog::TransferPolicy;
use crate::domain::contact::{Email, Locale, TimeZone};
use crate::domain::field::FieldError;
use crate::domain::plan::ReminderKind;
use crate::domain::registration::{Consent, CustomerRequest, NewCustomer, RegistrationContext};
use crate::store::consent::{self as consent_rows, EventContext};
use crate::store::transfers::{self, NewTransfer, TransferRecord};
use crate::store::{CustomerRecord, StoreError, entries, registrations};

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("no such unit")]
    NotFound,
    /// The product's warranty does not follow the unit (or has followed it once already).
    #[error("this product's warranty cannot be transferred")]
    NotTransferable,
    /// The link was used, cancelled or has expired.
    #[error("this transfer link has been used or has expired")]
    Gone,
    /// Someone else owns the unit now (another transfer was accepted first, or it was voided).
    #[error("the unit changed hands meanwhile")]
    Superseded,
    #[error("invalid transfer")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who starts a transfer.
pub enum Starter {
    /// The current owner, from their page.
    Owner { customer_id: Uuid },
    /// A dealer, for a new owner at its counter (recorded as the dealer serving the new owner).
    Dealer {
        dealer_id: Uuid,
        actor: Option<Uuid>,
    },
}

/// A transfer offered: its id (the acceptance link signs it) and when the link stops working.
#[derive(Debug, Clone)]
pub struct Offered {
    pub id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub transfer: TransferRecord,
}

/// The new owner's side of an accepted transfer.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub registration_id: Uuid,
    pub customer_id: Uuid,
}

impl Intake {
    /// Offers the unit of `registration_id` to the person at `email`.
    pub async fn start_transfer(
        &self,
        who: Starter,
        registration_id: Uuid,
        email: &str,
        locale: &str,
    ) -> Result<Offered, TransferError> {
        let now = self.clock.now();
        let email = Email::parse(email).map_err(|(code, message)| {
            TransferError::Invalid(vec![FieldError::new("email", code, message)])
        })?;
        let locale = Locale::parse(locale)
            .map(|l| l.as_str().to_owned())
            .unwrap_or_else(|_| "en".to_owned());
        let mut tx = self.store.begin_write().await?;
        let Some(record) = registrations::lock_for_correction(&mut tx, registration_id).await?
        else {
            return Err(TransferError::NotFound);
        };
        if record.status != "active" {
            return Err(TransferError::NotFound);
        }
        let (started_by, serving_dealer_id, actor) = match who {
            Starter::Owner { customer_id } => {
                if record.customer_id != customer_id {
                    return Err(TransferError::NotFound);
                }
                ("owner", None, None)
            }
            Starter::Dealer { dealer_id, actor } => ("dealer", Some(dealer_id), actor),
        };
        if record
            .customer
            .email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(email.as_str()))
        {
            return Err(TransferError::Invalid(vec![FieldError::new(
                "email",
                "same_owner",
                "this is the current owner's address",
            )]));
        }
        let policy = self.policy_of(&record.sku).await?;
        if !policy.allows(transfers::accepted_count(&mut tx, registration_id).await?) {
            return Err(TransferError::NotTransferable);
        }
        let expires_at = now + Duration::days(self.settings.transfer_link_days);
        let id = transfers::insert(
            &mut tx,
            &NewTransfer {
                registration_id,
                from_customer_id: record.customer_id,
                invited_email: email.as_str(),
                invited_locale: &locale,
                started_by,
                serving_dealer_id,
                expires_at,
            },
            now,
        )
        .await?;
        entries::audit(
            &mut tx,
            actor,
            "transfer.started",
            "registration",
            &registration_id.to_string(),
            Some(&serde_json::json!({"transfer_id": id, "started_by": started_by}).to_string()),
            now,
        )
        .await?;
        let transfer = transfers::lock(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("transfer just written".into()))?;
        tx.commit().await?;
        tracing::info!(%registration_id, transfer_id = %id, started_by, "transfer offered");
        Ok(Offered {
            id,
            expires_at,
            transfer,
        })
    }

    async fn policy_of(&self, sku: &str) -> Result<TransferPolicy, StoreError> {
        let product = self
            .store
            .product_by_sku(sku)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("product {sku}")))?;
        Ok(TransferPolicy::parse(&product.transfer_policy).unwrap_or_default())
    }

    /// The new owner accepts the transfer `id` with their own details and choices.
    pub async fn accept_transfer(
        &self,
        id: Uuid,
        customer: &CustomerRequest,
        consent: Consent,
    ) -> Result<Accepted, TransferError> {
        let now = self.clock.now();
        let Some(seen) = self.store.transfer(id).await? else {
            return Err(TransferError::Gone);
        };
        let registration_id = seen.registration_id;
        let mut tx = self.store.begin_write().await?;
        // The unit first, then the transfer: every change of a unit's transfers is made with the
        // unit locked, so two acceptances queue on it instead of deadlocking on each other's offer.
        let Some(record) = registrations::lock_for_correction(&mut tx, registration_id).await?
        else {
            return Err(TransferError::NotFound);
        };
        let Some(transfer) = transfers::lock(&mut tx, id).await? else {
            return Err(TransferError::Gone);
        };
        if transfer.status != "pending" || now >= transfer.expires_at {
            return Err(TransferError::Gone);
        }
        if record.status != "active" || record.customer_id != transfer.from_customer_id {
            return Err(TransferError::Superseded);
        }
        let policy = TransferPolicy::parse(&transfer.transfer_policy).unwrap_or_default();
        let done = transfers::accepted_count(&mut tx, registration_id).await?;
        if !policy.allows(done) {
            return Err(TransferError::NotTransferable);
        }
        let dealer = self
            .store
            .dealer_by_id(record.dealer_id)
            .await?
            .ok_or(TransferError::NotFound)?;
        let dealer_tz = TimeZone(TimeZone::stored(&dealer.time_zone));
        let ctx = RegistrationContext {
            dealer_locale: Locale::parse(&dealer.locale)
                .map_err(|_| StoreError::Corrupt("dealer locale".into()))?,
            dealer_time_zone: dealer_tz,
            today: now.with_timezone(&dealer_tz.0).date_naive(),
        };
        let new = NewCustomer::parse(customer, &ctx).map_err(TransferError::Invalid)?;
        let stored = CustomerRecord {
            name: Some(new.name.clone()),
            email: new.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: new.phone.as_ref().map(|p| p.as_str().to_owned()),
            locale: new.locale.as_str().to_owned(),
            time_zone: new.time_zone.name().to_owned(),
            country: new.country.as_ref().map(|c| c.as_str().to_owned()),
            postal_code: new.postal_code.clone(),
            preferred_channel: new.preferred_channel.map(|c| c.as_str().to_owned()),
        };
        let customer_id = registrations::upsert_customer(
            &mut tx,
            record.dealer_id,
            &new.contact_key(),
            &stored,
            now,
        )
        .await?;
        if customer_id == transfer.from_customer_id {
            return Err(TransferError::Invalid(vec![FieldError::new(
                "customer.email",
                "same_owner",
                "this is the current owner's address",
            )]));
        }
        if !transfers::change_owner(
            &mut tx,
            registration_id,
            transfer.from_customer_id,
            customer_id,
            now,
        )
        .await?
        {
            return Err(TransferError::Superseded);
        }
        transfers::accept(&mut tx, id, registration_id, customer_id, now).await?;
        consent_rows::insert_events(
            &mut tx,
            customer_id,
            &consent_grants(&consent),
            &EventContext {
                source: crate::domain::consent::source::CUSTOMER_TRANSFER,
                dealer_id: Some(record.dealer_id),
                registration_id: Some(registration_id),
                at: now,
            },
        )
        .await?;
        // The reminders not sent yet: planned again from the unit's facts for the new owner
        // (addressed to them), the old owner's that are no longer planned cancelled, and a
        // confirmation to the new owner of their own.
        // The programs do not matter: a transfer changes no earnings.
        let product = self
            .store
            .product_by_sku(&record.sku)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("product {}", record.sku)))?;
        let terms = product_terms(&product)?;
        let unit = UnitFacts {
            tz: new.time_zone.0,
            reach: crate::domain::sms::Reach {
                email: new.email.is_some(),
                phone: new.phone.is_some(),
                preferred: new.preferred_channel,
            },
            warranty_starts_on: record.warranty_starts_on,
            warranty_expires_on: record.warranty_expires_on,
        };
        let mut plan = self.unit_reminder_rows(
            dealer.send_window.as_deref(),
            crate::domain::sms::ChannelPolicy::of(
                dealer.message_channels.as_deref(),
                product.message_channels.as_deref(),
            ),
            &unit,
            &terms,
            registration_id,
            record.holdout,
            now,
        );
        let confirmation = ReminderKind::RegistrationConfirmation.as_str();
        for step in plan.iter_mut().filter(|r| r.kind == confirmation) {
            step.occurrence = i32::try_from(done + 1).unwrap_or(i32::MAX);
        }
        registrations::replan_unsent(&mut tx, registration_id, &record.reminders, &plan, now)
            .await?;
        entries::audit(
            &mut tx,
            None,
            "transfer.accepted",
            "registration",
            &registration_id.to_string(),
            Some(&serde_json::json!({"transfer_id": id}).to_string()),
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(%registration_id, transfer_id = %id, "transfer accepted");
        Ok(Accepted {
            registration_id,
            customer_id,
        })
    }
}
