-- Every claim, send and retry rewrites reminder rows, and each rewrite inserts into every index of
-- the table. reminders_registration duplicates the leading column of the unique
-- (registration_id, kind, occurrence) index, which serves the same lookups; drop it.
-- Paired with migrations/{sqlite,postgres}/ of the same name.
DROP INDEX reminders_registration;
