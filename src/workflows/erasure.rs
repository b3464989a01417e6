//! Erasing a person on request: find every record of them (by email, phone or one record's id,
//! following the identifiers those records hold, across dealers), erase them in one transaction
//! with an audit row each, then delete their emails from the outbox. Used by the admin API and the
//! CLI.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::store::{Backend, Store, StoreError, entries, people};

/// Who to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonId {
    /// One customer record; the person's other records are found from its email and phone.
    Record(Uuid),
    Contact {
        email: Option<String>,
        phone: Option<String>,
    },
}

/// What was erased, for the audit answer (ids only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    pub customer_ids: Vec<Uuid>,
    pub outbox_files_removed: usize,
}

/// Erases every record of the person; `None` when nothing matches.
pub async fn erase(
    store: &Store,
    files: &crate::proof_files::ProofFiles,
    outbox_dir: &std::path::Path,
    sms_outbox_dir: &std::path::Path,
    who: &PersonId,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<Erasure>, StoreError> {
    let (ids, contact) = match who {
        PersonId::Record(id) => match store.customer_contact(*id).await? {
            None => return Ok(None),
            Some((email, phone)) => {
                let mut ids = store
                    .find_person(email.as_deref(), phone.as_deref())
                    .await?;
                if !ids.contains(id) {
                    ids.push(*id);
                }
                (ids, (email, phone))
            }
        },
        PersonId::Contact { email, phone } => (
            store
                .find_person(email.as_deref(), phone.as_deref())
                .await?,
            (email.clone(), phone.clone()),
        ),
    };
    // Units they registered alone through the unit's address, still waiting for a dealer.
    let waiting = store
        .erase_owner_registrations(contact.0.as_deref(), contact.1.as_deref())
        .await?;
    let mut tx = store.begin_write().await?;
    let (mut customer_ids, mut message_ids, mut proof_files) = (Vec::new(), Vec::new(), Vec::new());
    let mut text_ids = Vec::new();
    for id in ids {
        if let Some(erased) = people::erase_customer(&mut tx, id, now).await? {
            entries::audit(
                &mut tx,
                actor,
                "customer.erased",
                "customer",
                &id.to_string(),
                None,
                now,
            )
            .await?;
            customer_ids.push(id);
            message_ids.extend(erased.message_ids);
            text_ids.extend(erased.text_ids);
            proof_files.extend(erased.files);
        }
    }
    tx.commit().await?;
    if customer_ids.is_empty() {
        return Ok((waiting > 0).then(Erasure::default));
    }
    if store.backend() == Backend::Sqlite {
        // secure_delete zeroed the old values in the database file; the write-ahead log still
        // holds the pages as they were until it is checkpointed and truncated.
        store.checkpoint().await?;
    }
    for sha256 in &proof_files {
        // The rows are gone already; a file the store keeps is reported (by hash) to remove.
        if let Err(e) = files.delete(sha256).await {
            tracing::error!(error = %e, file = %sha256, "cannot remove an erased person's proof of purchase");
        }
    }
    let mut removed = 0;
    let emails = message_ids
        .iter()
        .map(|id| outbox_dir.join(crate::mail::outbox_file_name(id)));
    let texts = text_ids
        .iter()
        .map(|id| sms_outbox_dir.join(crate::sms::outbox_file_name(*id)));
    for path in emails.chain(texts) {
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // The database is erased already; an outbox file that cannot be removed is reported
            // (by id only) so the operator can remove it.
            Err(e) => {
                tracing::error!(error = %e, file = ?path.file_name(), "cannot remove an erased person's outbox file")
            }
        }
    }
    tracing::info!(
        records = customer_ids.len(),
        outbox_files = removed,
        "person erased"
    );
    Ok(Some(Erasure {
        customer_ids,
        outbox_files_removed: removed,
    }))
}
