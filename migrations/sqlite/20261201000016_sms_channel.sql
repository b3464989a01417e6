-- no-transaction
-- A second channel: SMS. A reminder row is one message by one channel (`email` or `sms`), so a
-- step planned for both channels is two rows, each with its own delivery state, attempts and
-- lease; the unique (registration, kind, occurrence) gains the channel. Consent events may name the
-- channel they are about (NULL: every channel), so an SMS STOP withdraws texts and leaves email.
-- Numbers that must not get texts (STOP, permanent failures, provider opt-outs) are kept like
-- suppressed email addresses. Dealers and products choose the channels of their messages; dealers
-- may have an SMS sender ID; customers may prefer a channel. A status callback's provider state
-- is kept on the reminder. Paired with migrations/postgres/ of the same name.
--
-- SQLite cannot change a UNIQUE constraint, so reminders is rebuilt (SQLite's documented
-- procedure: foreign keys off outside the transaction, new table, copy, drop, rename).

PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE reminders_by_channel (
    id              blob PRIMARY KEY,
    registration_id blob NOT NULL REFERENCES registrations (id),
    kind            text NOT NULL,
    occurrence      integer NOT NULL,
    nominal_date    text NOT NULL,
    due_at          text NOT NULL,
    status          text NOT NULL,
    created_at      text NOT NULL,
    updated_at      text NOT NULL,
    send_after      text,
    attempts        integer NOT NULL DEFAULT 0,
    lease_until     text,
    message_id      text,
    sent_at         text,
    outcome         text,
    customer_id     blob REFERENCES customers (id),
    channel         text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms')),
    provider_status text,
    UNIQUE (registration_id, kind, occurrence, channel)
);
INSERT INTO reminders_by_channel (id, registration_id, kind, occurrence, nominal_date, due_at, status,
    created_at, updated_at, send_after, attempts, lease_until, message_id, sent_at, outcome, customer_id)
SELECT id, registration_id, kind, occurrence, nominal_date, due_at, status, created_at, updated_at,
    send_after, attempts, lease_until, message_id, sent_at, outcome, customer_id
FROM reminders;
DROP TABLE reminders;
ALTER TABLE reminders_by_channel RENAME TO reminders;
CREATE INDEX reminders_due ON reminders (send_after) WHERE status = 'pending';
CREATE INDEX reminders_leased ON reminders (lease_until) WHERE status IN ('queued', 'sending');
CREATE INDEX reminders_customer ON reminders (customer_id);
-- Status callbacks find a text by the provider's id.
CREATE INDEX reminders_sms_message ON reminders (message_id) WHERE channel = 'sms';

ALTER TABLE consent_events ADD COLUMN channel text CHECK (channel IN ('email', 'sms'));

CREATE TABLE sms_suppressions (
    phone      text PRIMARY KEY,
    reason     text NOT NULL,
    code       integer,
    created_at text NOT NULL
);

-- What came in from a provider (opt-outs, opt-ins, help, status), without the message text.
CREATE TABLE sms_events (
    id          blob PRIMARY KEY,
    provider    text NOT NULL,
    kind        text NOT NULL,
    phone       text,
    reminder_id blob REFERENCES reminders (id),
    detail      text,
    received_at text NOT NULL
);
CREATE INDEX sms_events_phone ON sms_events (phone);

ALTER TABLE dealers ADD COLUMN sms_sender_id text;
ALTER TABLE dealers ADD COLUMN message_channels text;
ALTER TABLE products ADD COLUMN message_channels text;
ALTER TABLE customers ADD COLUMN preferred_channel text CHECK (preferred_channel IN ('email', 'sms'));

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
