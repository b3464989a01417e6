-- The writes of one registration, naively: one statement per row, in one transaction (pgbench,
-- simple protocol so that the ids \gset by one statement are substituted as text into the next).
-- A customer, the registration, its three reminders (confirmation, one service step, the
-- warranty notice) and its two consent events, against warrantyd's own schema.
\set n random(1, 1000000000000)
BEGIN;
INSERT INTO customers (id, dealer_id, contact_key, name, email, locale, time_zone, created_at, updated_at)
  VALUES (gen_random_uuid(), (SELECT id FROM dealers WHERE code = 'BENCH'), 'email:pgb' || :n::text || '@bench.test', 'Bench',
    'pgb' || :n::text || '@bench.test', 'en', 'UTC', now(), now())
  ON CONFLICT (dealer_id, contact_key) DO UPDATE SET updated_at = excluded.updated_at RETURNING id AS customer_id \gset
INSERT INTO registrations (id, dealer_id, product_id, customer_id, serial_number, purchase_date, warranty_starts_on,
  warranty_start_basis, warranty_expires_on, status, created_at, updated_at)
  VALUES (gen_random_uuid(), (SELECT id FROM dealers WHERE code = 'BENCH'), (SELECT id FROM products WHERE sku = 'BENCH-1'),
    ':customer_id'::uuid, 'PGB' || :n::text || '-' || :client_id::text, current_date, current_date, 'purchase', current_date + 364, 'active', now(), now())
  RETURNING id AS registration_id \gset
INSERT INTO reminders (id, registration_id, kind, occurrence, nominal_date, due_at, send_after, status, created_at, updated_at)
  VALUES (gen_random_uuid(), ':registration_id'::uuid, 'registration_confirmation', 0, current_date, now(), now(), 'pending', now(), now());
INSERT INTO reminders (id, registration_id, kind, occurrence, nominal_date, due_at, send_after, status, created_at, updated_at)
  VALUES (gen_random_uuid(), ':registration_id'::uuid, 'service_due', 1, current_date + 182, now() + interval '182 days', now() + interval '182 days', 'pending', now(), now());
INSERT INTO reminders (id, registration_id, kind, occurrence, nominal_date, due_at, send_after, status, created_at, updated_at)
  VALUES (gen_random_uuid(), ':registration_id'::uuid, 'warranty_expiring', 0, current_date + 334, now() + interval '334 days', now() + interval '334 days', 'pending', now(), now());
INSERT INTO consent_events (id, customer_id, party, purpose, granted, source, registration_id, occurred_at)
  VALUES (gen_random_uuid(), ':customer_id'::uuid, 'dealer', 'service_reminders', true, 'dealer_registration', ':registration_id'::uuid, now());
INSERT INTO consent_events (id, customer_id, party, purpose, granted, source, registration_id, occurred_at)
  VALUES (gen_random_uuid(), ':customer_id'::uuid, 'dealer', 'marketing', false, 'dealer_registration', ':registration_id'::uuid, now());
COMMIT;
