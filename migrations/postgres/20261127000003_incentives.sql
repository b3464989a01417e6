-- Incentives: versioned programs, the append-only ledger, amounts held until a registration is
-- verified, per-dealer accrual totals (for exact caps), statements with their lines, closed periods
-- and the audit log. Paired with migrations/sqlite/ of the same name.

-- A program's current version; every change adds a row to program_versions.
CREATE TABLE programs (
    id         text PRIMARY KEY,
    version    integer NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE program_versions (
    program_id text NOT NULL REFERENCES programs (id),
    version    integer NOT NULL,
    definition text NOT NULL, -- JSON: name, currency, validity, cap, clawback window, rules
    created_at timestamptz NOT NULL,
    created_by uuid,
    PRIMARY KEY (program_id, version)
);

-- Append-only: never updated or deleted. Corrections are new entries.
CREATE TABLE ledger_entries (
    id              uuid PRIMARY KEY,
    dealer_id       uuid NOT NULL REFERENCES dealers (id),
    currency        text NOT NULL,
    amount_minor    bigint NOT NULL,
    kind            text NOT NULL, -- registration, on_time_bonus, clawback, adjustment, service_attribution
    period          text NOT NULL, -- YYYY-MM, in the manufacturer's time zone, when it accrued
    registration_id uuid REFERENCES registrations (id),
    program_id      text,
    program_version integer,
    rule_id         text,
    reverses        uuid REFERENCES ledger_entries (id),
    reason          text,
    actor           uuid,
    clawback_until  timestamptz, -- a void before this reverses the entry
    created_at      timestamptz NOT NULL
);
CREATE INDEX ledger_entries_dealer ON ledger_entries (dealer_id, period);
CREATE INDEX ledger_entries_registration ON ledger_entries (registration_id);

-- Amounts earned but held until the customer verifies the registration; not money owed yet.
CREATE TABLE pending_accruals (
    id              uuid PRIMARY KEY,
    registration_id uuid NOT NULL REFERENCES registrations (id),
    dealer_id       uuid NOT NULL REFERENCES dealers (id),
    currency        text NOT NULL,
    amount_minor    bigint NOT NULL,
    kind            text NOT NULL,
    period          text NOT NULL,
    program_id      text NOT NULL,
    program_version integer NOT NULL,
    rule_id         text NOT NULL,
    release_after   timestamptz NOT NULL, -- released if the confirmation was delivered and this passed
    clawback_until  timestamptz,
    reason          text,
    state           text NOT NULL CHECK (state IN ('held', 'released', 'cancelled')),
    entry_id        uuid REFERENCES ledger_entries (id),
    created_at      timestamptz NOT NULL,
    resolved_at     timestamptz
);
CREATE INDEX pending_accruals_held ON pending_accruals (registration_id) WHERE state = 'held';

-- Gross accruals (held and accrued) per dealer, program and period: the row locked to apply caps.
CREATE TABLE accrual_totals (
    dealer_id   uuid NOT NULL REFERENCES dealers (id),
    program_id  text NOT NULL,
    period      text NOT NULL,
    total_minor bigint NOT NULL,
    PRIMARY KEY (dealer_id, program_id, period)
);

CREATE TABLE statements (
    id                uuid PRIMARY KEY,
    dealer_id         uuid NOT NULL REFERENCES dealers (id),
    currency          text NOT NULL,
    period            text NOT NULL,
    status            text NOT NULL CHECK (status IN ('pending_review', 'approved', 'on_hold', 'paid')),
    total_minor       bigint NOT NULL,
    hold_reason       text,
    payment_reference text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    approved_at       timestamptz,
    paid_at           timestamptz,
    UNIQUE (dealer_id, currency, period)
);

CREATE TABLE statement_lines (
    entry_id     uuid PRIMARY KEY REFERENCES ledger_entries (id),
    statement_id uuid NOT NULL REFERENCES statements (id)
);
CREATE INDEX statement_lines_statement ON statement_lines (statement_id);

CREATE TABLE closed_periods (
    period    text PRIMARY KEY,
    closed_at timestamptz NOT NULL,
    closed_by uuid
);

-- Who did what: every state change made by a person (or the system, actor NULL).
CREATE TABLE audit_log (
    id           uuid PRIMARY KEY,
    actor        uuid,
    action       text NOT NULL,
    subject_type text NOT NULL,
    subject_id   text NOT NULL,
    detail       text,
    at           timestamptz NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, at);

CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
