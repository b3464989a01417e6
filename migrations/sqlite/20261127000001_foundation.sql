-- Foundation: dealers, keys, catalog, customers, registrations, their reminder plan, the consent
-- log, idempotency records and fraud signals. Paired with migrations/postgres/ of the same name.

CREATE TABLE dealers (
    id          blob PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    email       text,
    phone       text,
    locale      text NOT NULL,
    time_zone   text NOT NULL,
    country     text,
    booking_url text,
    active      integer NOT NULL DEFAULT 1,
    created_at  text NOT NULL,
    updated_at  text NOT NULL
);

-- Keys are shown once; only a SHA-256 of the secret part is kept. `prefix` finds the row.
CREATE TABLE api_keys (
    id          blob PRIMARY KEY,
    prefix      text NOT NULL UNIQUE,
    secret_hash text NOT NULL,
    role        text NOT NULL CHECK (role IN ('dealer', 'finance', 'admin')),
    dealer_id   blob REFERENCES dealers (id),
    label       text,
    created_at  text NOT NULL,
    revoked_at  text,
    CHECK ((role = 'dealer') = (dealer_id IS NOT NULL))
);

CREATE TABLE products (
    id                       blob PRIMARY KEY,
    sku                      text NOT NULL UNIQUE,
    name                     text NOT NULL,
    category                 text NOT NULL,
    warranty_months          integer NOT NULL CHECK (warranty_months > 0),
    warranty_start           text NOT NULL CHECK (warranty_start IN ('purchase', 'delivery', 'installation')),
    service_plan             text NOT NULL, -- JSON array of ISO 8601 periods, e.g. ["P6M","P12M"]
    registration_window_days integer NOT NULL CHECK (registration_window_days >= 0),
    created_at               text NOT NULL,
    updated_at               text NOT NULL
);

-- One row per person, recognized across registrations by `contact_key` (email, else phone).
-- Erasure clears the personal fields and the key; the row stays for the records that point at it.
CREATE TABLE customers (
    id          blob PRIMARY KEY,
    contact_key text UNIQUE,
    name        text,
    email       text,
    phone       text,
    locale      text NOT NULL,
    time_zone   text NOT NULL,
    country     text,
    postal_code text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    erased_at   text
);

CREATE TABLE registrations (
    id                   blob PRIMARY KEY,
    dealer_id            blob NOT NULL REFERENCES dealers (id),
    product_id           blob NOT NULL REFERENCES products (id),
    customer_id          blob NOT NULL REFERENCES customers (id),
    serial_number        text NOT NULL,
    purchase_date        text NOT NULL,
    delivered_on         text,
    installed_on         text,
    warranty_starts_on   text NOT NULL,
    warranty_start_basis text NOT NULL,
    warranty_expires_on  text NOT NULL,
    external_ref         text,
    status               text NOT NULL CHECK (status IN ('active', 'voided')),
    void_reason          text,
    created_at           text NOT NULL,
    updated_at           text NOT NULL,
    voided_at            text
);
-- One active registration per serial number, whichever dealer holds it.
CREATE UNIQUE INDEX registrations_active_serial ON registrations (serial_number) WHERE status = 'active';
CREATE INDEX registrations_dealer_updated ON registrations (dealer_id, updated_at, id);
CREATE INDEX registrations_customer ON registrations (customer_id);

-- Reminders are data: one row per planned message.
CREATE TABLE reminders (
    id              blob PRIMARY KEY,
    registration_id blob NOT NULL REFERENCES registrations (id),
    kind            text NOT NULL,
    occurrence      integer NOT NULL,
    nominal_date    text NOT NULL,
    due_at          text NOT NULL,
    status          text NOT NULL,
    created_at      text NOT NULL,
    updated_at      text NOT NULL,
    UNIQUE (registration_id, kind, occurrence)
);
CREATE INDEX reminders_pending_due ON reminders (due_at) WHERE status = 'pending';

-- Append-only: who agreed to (or withdrew) what, when, and through which channel.
CREATE TABLE consent_events (
    id              blob PRIMARY KEY,
    customer_id     blob NOT NULL REFERENCES customers (id),
    purpose         text NOT NULL CHECK (purpose IN ('service_reminders', 'marketing')),
    granted         integer NOT NULL,
    source          text NOT NULL,
    dealer_id       blob REFERENCES dealers (id),
    registration_id blob REFERENCES registrations (id),
    occurred_at     text NOT NULL
);
CREATE INDEX consent_events_customer ON consent_events (customer_id, purpose, occurred_at);

-- The first answer to each Idempotency-Key, per dealer.
CREATE TABLE idempotency_keys (
    dealer_id       blob NOT NULL REFERENCES dealers (id),
    key             text NOT NULL,
    request_hash    text NOT NULL,
    state           text NOT NULL CHECK (state IN ('in_flight', 'done')),
    response_status integer,
    response_body   text,
    created_at      text NOT NULL,
    PRIMARY KEY (dealer_id, key)
);

CREATE TABLE fraud_signals (
    id              blob PRIMARY KEY,
    kind            text NOT NULL,
    dealer_id       blob NOT NULL REFERENCES dealers (id),
    serial_number   text,
    registration_id blob REFERENCES registrations (id),
    created_at      text NOT NULL
);
CREATE INDEX fraud_signals_created ON fraud_signals (created_at);
