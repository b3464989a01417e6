-- When each key was last used (kept to the minute, per process), for `warrantyd key list`.
-- Paired with migrations/postgres/ of the same name.
ALTER TABLE api_keys ADD COLUMN last_used_at text;
