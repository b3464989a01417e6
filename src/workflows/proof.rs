//! Attaching a proof of purchase to a registration: the size limit, the checks of the bytes
//! (`crate::domain::proof`), the file kept once per content and attached on behalf of the owner
//! at the time, with an audit row, in one transaction. Served only to that owner, the selling
//! dealer and admins; erasing the owner removes it (`crate::store::people::erase_customer`).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::ledger::AccountingMonth;
use crate::domain::proof::{Refusal, check};
use crate::proof_files::ProofFiles;
use crate::store::proofs::{self, NewProof, ProofRecord};
use crate::store::{Store, StoreError, entries};

#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such registration")]
    NotFound,
    /// The object store cannot be reached.
    #[error("the file store is unavailable")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who uploads.
#[derive(Debug, Clone, Copy)]
pub enum Uploader {
    Owner,
    Dealer(Option<Uuid>),
    Admin(Option<Uuid>),
}

/// Attaches `bytes` to the active registration `registration_id`, owned by `owner` now.
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    store: &Store,
    files: &ProofFiles,
    registration_id: Uuid,
    owner: Uuid,
    who: Uploader,
    bytes: &[u8],
    max: usize,
    manufacturer_tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<ProofRecord, ProofError> {
    if bytes.len() > max {
        return Err(ProofError::TooLarge(max));
    }
    let kind = check(bytes)?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let (uploaded_by, actor) = match who {
        Uploader::Owner => ("owner", None),
        Uploader::Dealer(actor) => ("dealer", actor),
        Uploader::Admin(actor) => ("admin", actor),
    };
    // Into the object store first (content-addressed: a retry or a twin upload writes the same
    // object); the rows follow in one transaction.
    files.put(&sha256, bytes).await.map_err(|e| {
        tracing::error!(error = %e, "cannot keep a proof of purchase in the object store");
        ProofError::Unavailable
    })?;
    let mut tx = store.begin_write().await?;
    proofs::attach(
        &mut tx,
        &NewProof {
            registration_id,
            sha256: &sha256,
            content_type: kind.content_type(),
            size_bytes: bytes.len() as i64,
            content: (!files.external()).then_some(bytes),
            customer_id: owner,
            uploaded_by,
            actor,
        },
        now,
    )
    .await?;
    entries::audit(
        &mut tx,
        actor,
        "registration.proof_attached",
        "registration",
        &registration_id.to_string(),
        Some(&serde_json::json!({"sha256": sha256, "by": uploaded_by}).to_string()),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%registration_id, uploaded_by, size = bytes.len(), "proof of purchase attached");
    // Amounts a rule held until a proof of purchase: released now (those also waiting for the
    // customer's confirmation, only if it came).
    let verified = store
        .registration_verified(registration_id)
        .await?
        .is_some();
    let released = super::ledger::release_held(
        store,
        registration_id,
        AccountingMonth::of(now, manufacturer_tz),
        "proof_attached",
        verified,
        now,
    )
    .await?;
    if released > 0 {
        tracing::info!(%registration_id, released, "held amounts released by a proof of purchase");
    }
    store
        .latest_proof(registration_id, Some(owner))
        .await?
        .ok_or(ProofError::NotFound)
}
