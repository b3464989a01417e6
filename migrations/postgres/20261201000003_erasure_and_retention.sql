-- Erasure finds what a person left behind by indexed columns: a saved idempotent answer names the
-- registration it answered (backfilled from the answer, whose JSON starts with the id). Saved
-- answers expire after the retention period. Paired with migrations/sqlite/ of the same name.
ALTER TABLE idempotency_keys ADD COLUMN registration_id uuid;
UPDATE idempotency_keys SET registration_id = substring(response_body from 8 for 36)::uuid
WHERE state = 'done' AND response_status = 201
  AND response_body LIKE '{"id":"________-____-____-____-____________"%';
CREATE INDEX idempotency_keys_registration ON idempotency_keys (registration_id) WHERE registration_id IS NOT NULL;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
