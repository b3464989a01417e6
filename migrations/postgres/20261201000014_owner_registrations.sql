-- Owners registering a unit through its public address, with no dealer's QR code: recorded,
-- credited to no dealer, until the selling dealer claims it with the sale's reference within
-- claim_days (it then becomes that dealer's registration, channel owner_web). A second dealer's
-- claim of the same unit is refused and raised as a fraud signal.
-- Paired with migrations/sqlite/ of the same name.
CREATE TABLE owner_registrations (
    id              uuid PRIMARY KEY,
    product_id      uuid NOT NULL REFERENCES products (id),
    serial_number   text NOT NULL,
    serial_display  text NOT NULL,
    purchase_date   date NOT NULL,
    customer_name   text,
    customer_email  text,
    customer_phone  text,
    locale          text NOT NULL,
    consent_service_reminders boolean NOT NULL,
    consent_marketing         boolean NOT NULL,
    status          text NOT NULL CHECK (status IN ('unclaimed', 'claimed', 'superseded', 'erased')),
    registration_id uuid REFERENCES registrations (id),
    claimed_by      uuid REFERENCES dealers (id),
    claim_reference text,
    created_at      timestamptz NOT NULL,
    claimed_at      timestamptz
);
CREATE UNIQUE INDEX owner_registrations_unclaimed_serial ON owner_registrations (serial_number) WHERE status = 'unclaimed';
CREATE INDEX owner_registrations_serial ON owner_registrations (serial_number, created_at);
