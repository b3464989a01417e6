-- Who may report service visits on units other dealers sold: a dealer the manufacturer authorized
-- (JSON: countries, postal_prefixes, selling_dealers; every non-empty list must match; NULL: only
-- the units it sold). Fraud signals carry their evidence (JSON) when it is not derivable later.
-- Paired with migrations/sqlite/ of the same name.
ALTER TABLE dealers ADD COLUMN authorized_servicer text;
ALTER TABLE fraud_signals ADD COLUMN evidence text;
-- A servicer's visits on others' units over a window, and whether it saw a unit before.
CREATE INDEX service_events_servicer ON service_events (servicing_dealer_id, created_at);
