-- Consent by purpose: besides service reminders and marketing, `surveys` (the satisfaction
-- surveys the manufacturer runs and shares with the dealer) and `safety` (safety notices and
-- recalls, sent whatever else the customer chose, and used for nothing else). A registration may be
-- made for safety messages only: nothing else is sent to its owner. Paired with
-- migrations/sqlite/ of the same name.

ALTER TABLE consent_events DROP CONSTRAINT consent_events_purpose_check;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_purpose_check
    CHECK (purpose IN ('service_reminders', 'marketing', 'surveys', 'safety'));

ALTER TABLE registrations ADD COLUMN safety_only boolean NOT NULL DEFAULT false;
