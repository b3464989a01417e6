-- no-transaction
-- Consent by purpose: besides service reminders and marketing, `surveys` (the satisfaction
-- surveys the manufacturer runs and shares with the dealer) and `safety` (safety notices and
-- recalls, sent whatever else the customer chose, and used for nothing else). A registration may be
-- made for safety messages only: nothing else is sent to its owner. Paired with
-- migrations/postgres/ of the same name.
--
-- SQLite cannot change a CHECK constraint, so consent_events is rebuilt (SQLite's documented
-- procedure: foreign keys off outside the transaction, new table, copy, drop, rename).

PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE consent_events_by_purpose (
    id              blob PRIMARY KEY,
    customer_id     blob NOT NULL REFERENCES customers (id),
    purpose         text NOT NULL CHECK (purpose IN ('service_reminders', 'marketing', 'surveys', 'safety')),
    granted         integer NOT NULL,
    source          text NOT NULL,
    dealer_id       blob REFERENCES dealers (id),
    registration_id blob REFERENCES registrations (id),
    occurred_at     text NOT NULL,
    party           text NOT NULL DEFAULT 'dealer' CHECK (party IN ('dealer', 'manufacturer')),
    channel         text CHECK (channel IN ('email', 'sms'))
);
INSERT INTO consent_events_by_purpose (id, customer_id, purpose, granted, source, dealer_id, registration_id,
    occurred_at, party, channel)
SELECT id, customer_id, purpose, granted, source, dealer_id, registration_id, occurred_at, party, channel
FROM consent_events;
DROP TABLE consent_events;
ALTER TABLE consent_events_by_purpose RENAME TO consent_events;
CREATE INDEX consent_events_customer ON consent_events (customer_id, purpose, occurred_at);
CREATE INDEX consent_events_registration ON consent_events (registration_id);

ALTER TABLE registrations ADD COLUMN safety_only integer NOT NULL DEFAULT 0;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
