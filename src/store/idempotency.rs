//! Idempotency records: the first answer to each (dealer, Idempotency-Key), saved with a hash of
//! the request so that a retry replays it and a different body under the same key is refused.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::WriteTx;
use super::{Result, Store, exec, with_pool};

/// An in-flight claim older than this is presumed abandoned by a crashed process and is taken over.
pub const IN_FLIGHT_LEASE: Duration = Duration::seconds(60);

#[derive(Debug, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// This request owns the key now; complete it in the write's transaction or release it.
    Claimed,
    /// The same request was answered before: replay this.
    Replay { status: u16, body: String },
    /// The key was used with a different request.
    Mismatch,
    /// The first request with this key is still being processed.
    InFlight,
}

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: String,
    state: String,
    response_status: Option<i32>,
    response_body: Option<String>,
    created_at: DateTime<Utc>,
}

impl Store {
    pub async fn idempotency_begin(
        &self,
        dealer_id: Uuid,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin> {
        let inserted = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO idempotency_keys (dealer_id, key, request_hash, state, created_at)
                 VALUES ($1, $2, $3, 'in_flight', $4) ON CONFLICT (dealer_id, key) DO NOTHING",
            )
            .bind(dealer_id)
            .bind(key)
            .bind(request_hash)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if inserted == 1 {
            return Ok(IdempotencyBegin::Claimed);
        }
        let row: Row = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT request_hash, state, response_status, response_body, created_at
                 FROM idempotency_keys WHERE dealer_id = $1 AND key = $2",
            )
            .bind(dealer_id)
            .bind(key)
            .fetch_one(pool)
            .await?
        });
        if row.request_hash != request_hash {
            return Ok(IdempotencyBegin::Mismatch);
        }
        if row.state == "done" {
            let status = row
                .response_status
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200);
            return Ok(IdempotencyBegin::Replay {
                status,
                body: row.response_body.unwrap_or_default(),
            });
        }
        if now - row.created_at < IN_FLIGHT_LEASE {
            return Ok(IdempotencyBegin::InFlight);
        }
        // Take over an abandoned claim; of several concurrent takers exactly one wins.
        let taken = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE idempotency_keys SET created_at = $4
                 WHERE dealer_id = $1 AND key = $2 AND state = 'in_flight' AND created_at = $3",
            )
            .bind(dealer_id)
            .bind(key)
            .bind(row.created_at)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(if taken == 1 {
            IdempotencyBegin::Claimed
        } else {
            IdempotencyBegin::InFlight
        })
    }

    /// Gives a claimed key back (the request failed without effect), so a retry may use it.
    pub async fn idempotency_release(&self, dealer_id: Uuid, key: &str) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM idempotency_keys WHERE dealer_id = $1 AND key = $2 AND state = 'in_flight'")
                .bind(dealer_id)
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

/// Saves the answer to an Idempotency-Key in the transaction of the work it answers, so both
/// commit together.
pub async fn save_answer(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    key: &str,
    status: u16,
    body: &str,
    registration_id: Option<Uuid>,
) -> Result<()> {
    exec!(tx =>
        "UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4,
        registration_id = $5
        WHERE dealer_id = $1 AND key = $2";
        dealer_id, key, i32::from(status), body, registration_id)
}
