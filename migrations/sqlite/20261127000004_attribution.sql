-- Service visits and their attribution to reminders, dealer targets, refused submissions (for the
-- scorecard) and the reminder holdout. Paired with migrations/postgres/ of the same name.

CREATE TABLE service_events (
    id                     blob PRIMARY KEY,
    serial_number          text NOT NULL,
    registration_id        blob NOT NULL REFERENCES registrations (id),
    servicing_dealer_id    blob NOT NULL REFERENCES dealers (id),
    selling_dealer_id      blob NOT NULL REFERENCES dealers (id),
    service_date           text NOT NULL,
    kind                   text NOT NULL,
    external_ref           text,
    -- The reminder that led to this visit (a clicked booking link wins over a sent email).
    attributed_reminder_id blob REFERENCES reminders (id),
    attributed_via         text,
    created_at             text NOT NULL
);
-- A reminder is credited for at most one visit.
CREATE UNIQUE INDEX service_events_attributed_reminder ON service_events (attributed_reminder_id)
    WHERE attributed_reminder_id IS NOT NULL;
CREATE INDEX service_events_registration ON service_events (registration_id);
CREATE INDEX service_events_selling_dealer ON service_events (selling_dealer_id, service_date);

ALTER TABLE ledger_entries ADD COLUMN service_event_id blob REFERENCES service_events (id);

-- One target per dealer, period and metric (registrations, on_time_rate, contact_completeness,
-- attributed_visits); rates are fractions from 0 to 1.
CREATE TABLE dealer_targets (
    dealer_id  blob NOT NULL REFERENCES dealers (id),
    period     text NOT NULL,
    metric     text NOT NULL,
    target     real NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (dealer_id, period, metric)
);

-- Submissions refused as invalid or as duplicates, counted on the scorecard.
CREATE TABLE submission_rejections (
    id        blob PRIMARY KEY,
    dealer_id blob NOT NULL REFERENCES dealers (id),
    reason    text NOT NULL CHECK (reason IN ('invalid', 'duplicate')),
    at        text NOT NULL
);
CREATE INDEX submission_rejections_dealer ON submission_rejections (dealer_id, at);

-- Registrations chosen (deterministically) to receive no service reminders, to measure their lift.
ALTER TABLE registrations ADD COLUMN holdout integer NOT NULL DEFAULT 0;
