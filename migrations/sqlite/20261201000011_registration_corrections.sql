-- Corrections of a registration without voiding it: each one is an event with who, when, and the
-- facts before and after (JSON). Paired with migrations/postgres/ of the same name.
CREATE TABLE registration_corrections (
    id              blob PRIMARY KEY,
    registration_id blob NOT NULL REFERENCES registrations (id),
    actor           blob,
    before          text NOT NULL,
    after           text NOT NULL,
    at              text NOT NULL
);
CREATE INDEX registration_corrections_registration ON registration_corrections (registration_id, at);
