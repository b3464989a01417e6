-- Proof of purchase: files (PDF, JPEG, PNG, HEIC) kept once per content (by SHA-256), in the
-- database by default (every API process serves them) or in an S3-compatible object store; each
-- upload attaches one to a registration, on behalf of the owner at the time (whose file it is:
-- a later owner never sees it). Paired with migrations/postgres/ of the same name.
CREATE TABLE proof_files (
    sha256       text PRIMARY KEY,
    content_type text NOT NULL,
    size_bytes   integer NOT NULL,
    -- The bytes, when kept in the database; NULL when they are in the object store.
    content      blob,
    created_at   text NOT NULL
);
CREATE TABLE registration_proofs (
    id              blob PRIMARY KEY,
    registration_id blob NOT NULL REFERENCES registrations (id),
    sha256          text NOT NULL REFERENCES proof_files (sha256),
    customer_id     blob NOT NULL REFERENCES customers (id),
    uploaded_by     text NOT NULL CHECK (uploaded_by IN ('owner', 'dealer', 'admin')),
    actor           blob,
    created_at      text NOT NULL,
    UNIQUE (registration_id, sha256)
);
CREATE INDEX registration_proofs_registration ON registration_proofs (registration_id, created_at);
CREATE INDEX registration_proofs_customer ON registration_proofs (customer_id);
