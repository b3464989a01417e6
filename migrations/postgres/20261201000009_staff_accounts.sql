-- People, not shared keys: an account per person (dealer staff and managers; the manufacturer's
-- finance clerks, finance approvers and admins), created by invitation, signing in by a one-time
-- link sent by email. Web sessions now belong to an account (the key-based page sign-in is gone;
-- keys stay for machines), so the old key sessions are dropped. Registrations record who made and
-- who voided them (an account or a key id: both are UUIDv7 and never collide).
-- Paired with migrations/sqlite/ of the same name.
CREATE TABLE accounts (
    id          uuid PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('dealer_staff', 'dealer_manager', 'finance_clerk', 'finance_approver', 'admin')),
    dealer_id   uuid REFERENCES dealers (id),
    language    text NOT NULL,
    invited_by  uuid,
    created_at  timestamptz NOT NULL,
    disabled_at timestamptz,
    CHECK ((role IN ('dealer_staff', 'dealer_manager')) = (dealer_id IS NOT NULL))
);
CREATE INDEX accounts_dealer ON accounts (dealer_id);

-- One-time sign-in links: only a SHA-256 of the token is kept; a link works once, until expires_at.
CREATE TABLE sign_in_links (
    token_hash text PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX sign_in_links_account ON sign_in_links (account_id);
CREATE INDEX sign_in_links_expires ON sign_in_links (expires_at);

DROP TABLE web_sessions;
CREATE TABLE web_sessions (
    id         uuid PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    account_id uuid NOT NULL REFERENCES accounts (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX web_sessions_account ON web_sessions (account_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

ALTER TABLE registrations ADD COLUMN registered_by uuid;
ALTER TABLE registrations ADD COLUMN voided_by uuid;
-- Fraud signals an admin looked into, with what they found. Signals are partly derived from the
-- data (bursts, late purchase dates, reused contacts), so a resolution is kept by the signal's key:
-- a hash of its kind, dealer and evidence.
CREATE TABLE signal_resolutions (
    signal_key  text PRIMARY KEY,
    kind        text NOT NULL,
    dealer_id   uuid NOT NULL REFERENCES dealers (id),
    resolution  text NOT NULL,
    resolved_by uuid,
    resolved_at timestamptz NOT NULL
);
