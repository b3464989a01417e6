//! The consent log: events are only ever inserted; the consent in force is read through
//! `crate::domain::consent`.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{Result, Store, WriteTx, with_pool, with_tx};
use crate::domain::consent::{ConsentGrant, CurrentConsent, Party, Purpose};

/// Who recorded a batch of events, and in what context.
#[derive(Debug, Clone, Copy)]
pub struct EventContext {
    pub source: &'static str,
    pub dealer_id: Option<Uuid>,
    pub registration_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

pub async fn insert_events(
    tx: &mut WriteTx,
    customer_id: Uuid,
    grants: &[ConsentGrant],
    ctx: &EventContext,
) -> Result<()> {
    if grants.is_empty() {
        return Ok(());
    }
    with_tx!(tx, |conn| {
        QueryBuilder::new(
            "INSERT INTO consent_events (id, customer_id, party, purpose, granted, source, dealer_id,
               registration_id, occurred_at) ",
        )
        .push_values(grants, |mut row, grant| {
            row.push_bind(Uuid::now_v7())
                .push_bind(customer_id)
                .push_bind(grant.party.as_str())
                .push_bind(grant.purpose.as_str())
                .push_bind(grant.granted)
                .push_bind(ctx.source)
                .push_bind(ctx.dealer_id)
                .push_bind(ctx.registration_id)
                .push_bind(ctx.at);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// The latest event of one party and purpose on a customer record, for every channel (a text's
/// STOP, about texts only, is not it): (granted, source).
pub async fn latest_event(
    tx: &mut WriteTx,
    customer_id: Uuid,
    party: Party,
    purpose: Purpose,
) -> Result<Option<(bool, String)>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT granted, source FROM consent_events WHERE customer_id = $1 AND party = $2 AND purpose = $3
               AND channel IS NULL ORDER BY occurred_at DESC, id DESC LIMIT 1",
        )
        .bind(customer_id)
        .bind(party.as_str())
        .bind(purpose.as_str())
        .fetch_optional(&mut *conn)
        .await?
    }))
}

impl Store {
    /// The customer's current consent per party and purpose (`domain::consent`'s rule).
    pub async fn current_consent(&self, customer_id: Uuid) -> Result<CurrentConsent> {
        let events: Vec<(String, String, bool, String)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT party, purpose, granted, source FROM consent_events WHERE customer_id = $1 AND channel IS NULL
                 ORDER BY occurred_at, id",
            )
            .bind(customer_id)
            .fetch_all(pool)
            .await?
        });
        Ok(CurrentConsent::of(&events))
    }
}
