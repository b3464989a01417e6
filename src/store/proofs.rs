//! Proof of purchase files as rows: kept once per content (SHA-256), attached to registrations on
//! behalf of the owner at the time. The checks of the bytes are `crate::domain::proof`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, exec, read};

/// A proof attached to a registration (without its bytes).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProofRecord {
    pub sha256: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub customer_id: Uuid,
    /// `owner`, `dealer` or `admin`.
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewProof<'a> {
    pub registration_id: Uuid,
    pub sha256: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    /// The bytes, when kept in the database (`None`: in the object store).
    pub content: Option<&'a [u8]>,
    pub customer_id: Uuid,
    pub uploaded_by: &'a str,
    pub actor: Option<Uuid>,
}

/// Keeps the file (once per content) and attaches it to the registration (once).
pub async fn attach(tx: &mut WriteTx, p: &NewProof<'_>, now: DateTime<Utc>) -> Result<()> {
    exec!(tx =>
        "INSERT INTO proof_files (sha256, content_type, size_bytes, content, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sha256) DO NOTHING";
        p.sha256, p.content_type, p.size_bytes, p.content, now)?;
    exec!(tx =>
        "INSERT INTO registration_proofs (id, registration_id, sha256, customer_id, uploaded_by, actor, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (registration_id, sha256) DO NOTHING";
        Uuid::now_v7(), p.registration_id, p.sha256, p.customer_id, p.uploaded_by, p.actor, now)
}

impl Store {
    /// The newest proof of a registration; only `customer`'s when given (an owner sees their own).
    pub async fn latest_proof(
        &self,
        registration_id: Uuid,
        customer: Option<Uuid>,
    ) -> Result<Option<ProofRecord>> {
        read!(self, query_as, fetch_optional =>
            "SELECT p.sha256, f.content_type, f.size_bytes, p.customer_id, p.uploaded_by, p.created_at
             FROM registration_proofs p JOIN proof_files f ON f.sha256 = p.sha256
             WHERE p.registration_id = $1 AND ($2 IS NULL OR p.customer_id = $2)
             ORDER BY p.created_at DESC, p.id DESC LIMIT 1";
            registration_id, customer)
    }

    /// A registration's serial number (of `dealer`'s registrations only, when given).
    pub async fn registration_serial(
        &self,
        registration_id: Uuid,
        dealer: Option<Uuid>,
    ) -> Result<Option<String>> {
        read!(self, query_scalar, fetch_optional =>
            "SELECT serial_number FROM registrations WHERE id = $1 AND ($2 IS NULL OR dealer_id = $2)";
            registration_id, dealer)
    }

    /// A file's bytes.
    pub async fn proof_content(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let row: Option<Option<Vec<u8>>> = read!(self, query_scalar, fetch_optional =>
            "SELECT content FROM proof_files WHERE sha256 = $1"; sha256)?;
        Ok(row.flatten())
    }

    /// How many files are kept (tests: erasure removes what nobody refers to).
    #[cfg(feature = "testing")]
    pub async fn proof_file_count(&self) -> Result<i64> {
        read!(self, query_scalar, fetch_one => "SELECT COUNT(*) FROM proof_files";)
    }
}
