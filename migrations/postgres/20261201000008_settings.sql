-- Settings the service remembers between runs, e.g. the send window its pending reminders were
-- planned with (a changed window re-plans every reminder not yet sent).
-- Paired with migrations/sqlite/ of the same name.
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
