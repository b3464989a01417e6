//! What is worth an admin's look (fraud signals, with the evidence kept as it was) and what counts
//! against a dealer's submission quality (rejections, once per submission).

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[cfg(feature = "testing")]
use super::read;
use super::{Result, Store, with_pool};

impl Store {
    /// Records an attempt worth an admin's attention (e.g. a serial registered by another dealer).
    pub async fn record_fraud_signal(
        &self,
        kind: &str,
        dealer_id: Uuid,
        serial_number: Option<&str>,
        registration_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.record_fraud_evidence(kind, dealer_id, serial_number, registration_id, None, now)
            .await
    }

    /// Records a signal with the evidence an admin needs to judge it (kept with the signal, since
    /// the facts behind it may change).
    pub async fn record_fraud_evidence(
        &self,
        kind: &str,
        dealer_id: Uuid,
        serial_number: Option<&str>,
        registration_id: Option<Uuid>,
        evidence: Option<&serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let evidence = evidence.map(ToString::to_string);
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO fraud_signals (id, kind, dealer_id, serial_number, registration_id, created_at, evidence)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(kind)
            .bind(dealer_id)
            .bind(serial_number)
            .bind(registration_id)
            .bind(now)
            .bind(&evidence)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    #[cfg(feature = "testing")]
    pub async fn fraud_signal_total(&self) -> Result<i64> {
        read!(self, query_scalar, fetch_one => "SELECT COUNT(*) FROM fraud_signals";)
    }

    #[cfg(feature = "testing")]
    pub async fn fraud_signal_count(&self, kind: &str) -> Result<i64> {
        read!(self, query_scalar, fetch_one =>
            "SELECT COUNT(*) FROM fraud_signals WHERE kind = $1";
            kind)
    }
}
