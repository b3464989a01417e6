-- Corrections of a registration without voiding it: each one is an event with who, when, and the
-- facts before and after (JSON). Paired with migrations/sqlite/ of the same name.
CREATE TABLE registration_corrections (
    id              uuid PRIMARY KEY,
    registration_id uuid NOT NULL REFERENCES registrations (id),
    actor           uuid,
    before          text NOT NULL,
    after           text NOT NULL,
    at              timestamptz NOT NULL
);
CREATE INDEX registration_corrections_registration ON registration_corrections (registration_id, at);
