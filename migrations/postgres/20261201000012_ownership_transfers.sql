-- Ownership transfer: a unit changes hands without a new registration. The registration keeps
-- its selling dealer, warranty and earnings; its customer becomes the new owner. Each reminder
-- names the customer it was (or will be) addressed to, so an old owner's links keep acting on
-- the old owner only, and a transfer re-addresses only the reminders not sent yet.
-- Paired with migrations/sqlite/ of the same name.
ALTER TABLE reminders ADD COLUMN customer_id uuid REFERENCES customers (id);
UPDATE reminders SET customer_id = (SELECT g.customer_id FROM registrations g WHERE g.id = reminders.registration_id);
CREATE INDEX reminders_customer ON reminders (customer_id);

-- Whether a product's warranty follows the unit to a new owner.
ALTER TABLE products ADD COLUMN transfer_policy text NOT NULL DEFAULT 'transferable'
    CHECK (transfer_policy IN ('transferable', 'not_transferable', 'once'));

-- A transfer started by the owner (from their page) or by a dealer (for a new owner at its
-- counter), accepted once by the new owner through the link sent to them, before it expires.
CREATE TABLE ownership_transfers (
    id               uuid PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id),
    from_customer_id uuid NOT NULL REFERENCES customers (id),
    to_customer_id   uuid REFERENCES customers (id),
    -- Where the acceptance link went (cleared when accepted, cancelled or erased).
    invited_email    text,
    invited_locale   text NOT NULL,
    started_by       text NOT NULL CHECK (started_by IN ('owner', 'dealer')),
    -- The dealer who serves the new owner (a dealer-started transfer).
    serving_dealer_id uuid REFERENCES dealers (id),
    status           text NOT NULL CHECK (status IN ('pending', 'accepted', 'cancelled')),
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    accepted_at      timestamptz
);
CREATE INDEX ownership_transfers_registration ON ownership_transfers (registration_id, created_at);
CREATE INDEX ownership_transfers_from ON ownership_transfers (from_customer_id);
CREATE INDEX ownership_transfers_to ON ownership_transfers (to_customer_id);
