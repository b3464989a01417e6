-- The scorecard asks, for each of a dealer's registrations in a period, whether it captured
-- service-reminder consent: without this index that was a scan of every consent event per
-- registration (24 s for one dealer-period at 1,000,000 registrations; bench/run).
-- Paired with migrations/{sqlite,postgres}/ of the same name.
CREATE INDEX consent_events_registration ON consent_events (registration_id);
