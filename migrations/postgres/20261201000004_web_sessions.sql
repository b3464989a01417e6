-- Web sessions kept on the server: the cookie is a random token of which only a SHA-256 is kept,
-- so signing out (ended_at) or revoking the key ends the session at once, not when the cookie
-- expires. Paired with migrations/sqlite/ of the same name.
CREATE TABLE web_sessions (
    id         uuid PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    key_id     uuid NOT NULL REFERENCES api_keys (id),
    area       text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX web_sessions_key ON web_sessions (key_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
