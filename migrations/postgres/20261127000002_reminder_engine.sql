-- Reminder engine: sending state on each reminder, every attempt, suppressed addresses, booking-link
-- clicks, customer verification, per-dealer send windows and leases for periodic jobs.
-- Paired with migrations/sqlite/ of the same name.

ALTER TABLE dealers ADD COLUMN address text;
-- A 6-field cron expression overriding the deployment's send window for this dealer's customers.
ALTER TABLE dealers ADD COLUMN send_window text;

ALTER TABLE registrations ADD COLUMN verified_at timestamptz;

-- send_after: when the reminder may next be sent (starts at due_at; moved by retries, the send window
-- and the frequency cap). lease_until: how long a queued or sending claim holds before it is presumed
-- abandoned and the reminder is claimed again.
ALTER TABLE reminders ADD COLUMN send_after timestamptz;
ALTER TABLE reminders ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN lease_until timestamptz;
ALTER TABLE reminders ADD COLUMN message_id text;
ALTER TABLE reminders ADD COLUMN sent_at timestamptz;
ALTER TABLE reminders ADD COLUMN outcome text;
UPDATE reminders SET send_after = due_at;
DROP INDEX reminders_pending_due;
CREATE INDEX reminders_due ON reminders (send_after) WHERE status = 'pending';
CREATE INDEX reminders_leased ON reminders (lease_until) WHERE status IN ('queued', 'sending');
CREATE INDEX reminders_registration ON reminders (registration_id);

CREATE TABLE reminder_attempts (
    id           uuid PRIMARY KEY,
    reminder_id  uuid NOT NULL REFERENCES reminders (id),
    attempted_at timestamptz NOT NULL,
    outcome      text NOT NULL, -- sent, retry, bounced, failed
    smtp_code    integer,
    detail       text
);
CREATE INDEX reminder_attempts_reminder ON reminder_attempts (reminder_id, attempted_at);

-- Addresses that must not be mailed again (hard bounce), keyed by the lower-cased address.
CREATE TABLE suppressions (
    email      text PRIMARY KEY,
    reason     text NOT NULL,
    smtp_code  integer,
    created_at timestamptz NOT NULL
);

CREATE TABLE link_clicks (
    id          uuid PRIMARY KEY,
    reminder_id uuid NOT NULL REFERENCES reminders (id),
    clicked_at  timestamptz NOT NULL
);
CREATE INDEX link_clicks_reminder ON link_clicks (reminder_id);

-- One holder at a time per periodic job, across processes.
CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL
);
