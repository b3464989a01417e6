-- A program rule may require a proof of purchase before paying: each held amount says what it
-- waits for (the customer's confirmation, a proof of purchase, or both). Amounts held before
-- this migration waited for the confirmation. Paired with migrations/sqlite/ of the same name.
ALTER TABLE pending_accruals ADD COLUMN needs_verification boolean NOT NULL DEFAULT true;
ALTER TABLE pending_accruals ADD COLUMN needs_proof boolean NOT NULL DEFAULT false;
