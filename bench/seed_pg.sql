-- Seeds a migrated warrantyd PostgreSQL database for the benchmarks, set-based (psql variables):
--   :n        registrations (one customer each, with service-reminder consent)
--   :due      how many of them were registered an hour ago, their confirmation still due now
--             (the others are older, their confirmation and any passed service reminder sent)
--   :dealers  dealers BD0001..; registrations are spread over them and over the past 360 days
-- Every registration gets the three reminders intake plans for the bench product (confirmation,
-- a 6-month service reminder, the warranty notice), addressed to its customer (by email), so the
-- reminders table holds 3 × :n rows.
\set ON_ERROR_STOP on
BEGIN;
-- Ids are UUIDv7 of the row's creation time, as the service makes them (Uuid::now_v7), so rows
-- and index entries lie in the order the service would have written them.
CREATE FUNCTION pg_temp.uuid7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM at) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    52, 1), 53, 1), 'hex')::uuid
$$;
INSERT INTO dealers (id, code, name, email, locale, time_zone, created_at, updated_at)
SELECT gen_random_uuid(), 'BD' || lpad(d::text, 4, '0'), 'Bench dealer ' || d, 'dealer' || d || '@bench.test',
       'en', 'UTC', now() - interval '400 days', now() - interval '400 days'
FROM generate_series(1, :dealers) d;
INSERT INTO products (id, sku, name, category, warranty_months, warranty_start, service_plan,
                      registration_window_days, created_at, updated_at)
VALUES (gen_random_uuid(), 'BENCH-1', 'Bench unit', 'bench', 12, 'purchase', '["P6M"]', 30, now(), now());

CREATE TEMP TABLE seed ON COMMIT DROP AS
SELECT i, pg_temp.uuid7(at) AS reg, pg_temp.uuid7(at) AS cust, at,
       (SELECT id FROM dealers WHERE code = 'BD' || lpad((1 + i % :dealers)::text, 4, '0')) AS dealer
FROM (SELECT i, CASE WHEN i <= :due THEN now() - interval '1 hour'
                     ELSE now() - ((i % 360) || ' days')::interval - ((i % 86400) || ' seconds')::interval END AS at
      FROM generate_series(1, :n) i) s
ORDER BY at;

INSERT INTO customers (id, dealer_id, contact_key, name, email, locale, time_zone, created_at, updated_at)
SELECT cust, dealer, 'email:c' || i || '@bench.test', 'Customer ' || i, 'c' || i || '@bench.test',
       CASE WHEN i % 5 = 0 THEN 'fr' ELSE 'en' END, 'UTC', at, at
FROM seed;
INSERT INTO registrations (id, dealer_id, product_id, customer_id, serial_number, purchase_date,
                           warranty_starts_on, warranty_start_basis, warranty_expires_on, status, created_at, updated_at)
SELECT reg, dealer, (SELECT id FROM products WHERE sku = 'BENCH-1'), cust, 'SN' || i, at::date, at::date,
       'purchase', (at + interval '12 months')::date - 1, 'active', at, at
FROM seed;
INSERT INTO consent_events (id, customer_id, purpose, granted, source, dealer_id, registration_id, occurred_at)
SELECT pg_temp.uuid7(at), cust, 'service_reminders', true, 'dealer_registration', dealer, reg, at FROM seed;

-- The confirmation: due now for the first :due registrations, sent at registration for the rest.
INSERT INTO reminders (id, registration_id, customer_id, kind, occurrence, nominal_date, due_at, send_after, status,
                       sent_at, message_id, outcome, attempts, created_at, updated_at)
SELECT pg_temp.uuid7(at), reg, cust, 'registration_confirmation', 0, at::date,
       CASE WHEN i <= :due THEN now() - interval '1 minute' ELSE at END,
       CASE WHEN i <= :due THEN now() - interval '1 minute' ELSE at END,
       CASE WHEN i <= :due THEN 'pending' ELSE 'sent' END,
       CASE WHEN i <= :due THEN NULL ELSE at END,
       CASE WHEN i <= :due THEN NULL ELSE '<seed-' || i || '@bench.test>' END,
       CASE WHEN i <= :due THEN NULL ELSE 'sent' END,
       CASE WHEN i <= :due THEN 0 ELSE 1 END, at, at
FROM seed;
-- The 6-month service reminder: sent when its date has passed, else pending.
INSERT INTO reminders (id, registration_id, customer_id, kind, occurrence, nominal_date, due_at, send_after, status,
                       sent_at, attempts, created_at, updated_at)
SELECT pg_temp.uuid7(at), reg, cust, 'service_due', 1, (at + interval '6 months')::date,
       at + interval '6 months', at + interval '6 months',
       CASE WHEN i > :due AND at + interval '6 months' < now() THEN 'sent' ELSE 'pending' END,
       CASE WHEN i > :due AND at + interval '6 months' < now() THEN at + interval '6 months' END,
       CASE WHEN i > :due AND at + interval '6 months' < now() THEN 1 ELSE 0 END, at, at
FROM seed;
-- The warranty notice, 30 days before the end: always in the future here.
INSERT INTO reminders (id, registration_id, customer_id, kind, occurrence, nominal_date, due_at, send_after, status,
                       created_at, updated_at)
SELECT pg_temp.uuid7(at), reg, cust, 'warranty_expiring', 0, (at + interval '11 months')::date,
       at + interval '11 months', at + interval '11 months', 'pending', at, at
FROM seed;
COMMIT;
VACUUM ANALYZE;
