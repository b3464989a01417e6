-- A second channel: SMS. A reminder row is one message by one channel (`email` or `sms`), so a
-- step planned for both channels is two rows, each with its own delivery state, attempts and
-- lease; the unique (registration, kind, occurrence) gains the channel. Consent events may name the
-- channel they are about (NULL: every channel), so an SMS STOP withdraws texts and leaves email.
-- Numbers that must not get texts (STOP, permanent failures, provider opt-outs) are kept like
-- suppressed email addresses. Dealers and products choose the channels of their messages; dealers
-- may have an SMS sender ID; customers may prefer a channel. A status callback's provider state
-- is kept on the reminder. Paired with migrations/sqlite/ of the same name.

ALTER TABLE reminders ADD COLUMN channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
ALTER TABLE reminders ADD COLUMN provider_status text;
ALTER TABLE reminders DROP CONSTRAINT reminders_registration_id_kind_occurrence_key;
ALTER TABLE reminders ADD CONSTRAINT reminders_registration_id_kind_occurrence_channel_key
    UNIQUE (registration_id, kind, occurrence, channel);
-- Status callbacks find a text by the provider's id.
CREATE INDEX reminders_sms_message ON reminders (message_id) WHERE channel = 'sms';

ALTER TABLE consent_events ADD COLUMN channel text CHECK (channel IN ('email', 'sms'));

CREATE TABLE sms_suppressions (
    phone      text PRIMARY KEY,
    reason     text NOT NULL,
    code       integer,
    created_at timestamptz NOT NULL
);

-- What came in from a provider (opt-outs, opt-ins, help, status), without the message text.
CREATE TABLE sms_events (
    id          uuid PRIMARY KEY,
    provider    text NOT NULL,
    kind        text NOT NULL,
    phone       text,
    reminder_id uuid REFERENCES reminders (id),
    detail      text,
    received_at timestamptz NOT NULL
);
CREATE INDEX sms_events_phone ON sms_events (phone);

ALTER TABLE dealers ADD COLUMN sms_sender_id text;
ALTER TABLE dealers ADD COLUMN message_channels text;
ALTER TABLE products ADD COLUMN message_channels text;
ALTER TABLE customers ADD COLUMN preferred_channel text CHECK (preferred_channel IN ('email', 'sms'));
