-- Web sessions kept on the server: the cookie is a random token of which only a SHA-256 is kept,
-- so signing out (ended_at) or revoking the key ends the session at once, not when the cookie
-- expires. Paired with migrations/postgres/ of the same name.
CREATE TABLE web_sessions (
    id         blob PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    key_id     blob NOT NULL REFERENCES api_keys (id),
    area       text NOT NULL,
    created_at text NOT NULL,
    expires_at text NOT NULL,
    ended_at   text
);
CREATE INDEX web_sessions_key ON web_sessions (key_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
