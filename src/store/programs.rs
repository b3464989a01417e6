//! Incentive programs, versioned: each saved change is a new version, and entries name the
//! version that produced them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, Store, WriteTx, read, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramVersion {
    pub program_id: String,
    pub version: i32,
    pub definition: String,
    pub created_at: DateTime<Utc>,
}

/// The current version of a program and its definition, if it exists.
pub async fn current_version(tx: &mut WriteTx, id: &str) -> Result<Option<(i32, String)>> {
    Ok(with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT v.version, v.definition FROM programs p JOIN program_versions v ON v.program_id = p.id AND v.version = p.version
             WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    }))
}

/// Stores `definition` as version `version` of program `id` and makes it current.
pub async fn insert_version(
    tx: &mut WriteTx,
    id: &str,
    version: i32,
    definition: &str,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programs (id, version, created_at, updated_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(version)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO program_versions (program_id, version, definition, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(definition)
        .bind(now)
        .bind(actor)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

impl Store {
    /// The current version of every program.
    pub async fn current_programs(&self) -> Result<Vec<ProgramVersion>> {
        read!(self, query_as, fetch_all =>
        "SELECT v.program_id, v.version, v.definition, v.created_at FROM programs p
        JOIN program_versions v ON v.program_id = p.id AND v.version = p.version ORDER BY p.id";
        )
    }

    pub async fn program_versions(&self, id: &str) -> Result<Vec<ProgramVersion>> {
        read!(self, query_as, fetch_all =>
            "SELECT program_id, version, definition, created_at FROM program_versions WHERE program_id = $1 ORDER BY version";
            id)
    }
}
