-- A dealer's customer data is its own. A customer row now belongs to the dealer that captured it
-- and is recognized across that dealer's registrations by (dealer_id, contact_key); the same person
-- at another dealer is another row, so no dealer reads or changes what another captured. The
-- manufacturer finds one person across dealers by contact_key, email or phone (indexed). Consent
-- events name the party they were given to. Paired with migrations/sqlite/ of the same name.

ALTER TABLE customers ADD COLUMN dealer_id uuid REFERENCES dealers (id);
ALTER TABLE customers DROP CONSTRAINT customers_contact_key_key;

-- The dealer of a row's earliest registration keeps the row.
UPDATE customers c SET dealer_id = (
    SELECT r.dealer_id FROM registrations r WHERE r.customer_id = c.id ORDER BY r.created_at, r.id LIMIT 1);

-- Every other dealer of a shared row gets a row of its own with only what it must have typed
-- itself (the contact the row was recognized by, the name, language and time zone of its latest
-- registration's write); the phone, country and postal code may have come from another dealer and
-- are not copied.
CREATE TEMP TABLE customer_split AS
    SELECT s.old_id, s.dealer_id, gen_random_uuid() AS new_id
    FROM (SELECT DISTINCT r.customer_id AS old_id, r.dealer_id
          FROM registrations r JOIN customers c ON c.id = r.customer_id
          WHERE r.dealer_id <> c.dealer_id) s;

INSERT INTO customers (id, dealer_id, contact_key, name, email, phone, locale, time_zone, country, postal_code,
    created_at, updated_at, erased_at)
SELECT s.new_id, s.dealer_id, c.contact_key, c.name,
    CASE WHEN c.contact_key LIKE 'email:%' THEN c.email END,
    CASE WHEN c.contact_key LIKE 'phone:%' THEN c.phone END,
    c.locale, c.time_zone, NULL, NULL, c.created_at, c.updated_at, c.erased_at
FROM customer_split s JOIN customers c ON c.id = s.old_id;

UPDATE registrations r SET customer_id = s.new_id
FROM customer_split s WHERE r.customer_id = s.old_id AND r.dealer_id = s.dealer_id;

-- Consent given with a registration moves with it.
UPDATE consent_events e SET customer_id = r.customer_id
FROM registrations r WHERE e.registration_id = r.id AND e.customer_id <> r.customer_id AND e.source NOT LIKE 'customer_%';

-- A withdrawal by the customer applied to the person everywhere: every new row keeps it.
INSERT INTO consent_events (id, customer_id, purpose, granted, source, dealer_id, registration_id, occurred_at)
SELECT gen_random_uuid(), s.new_id, e.purpose, e.granted, e.source, e.dealer_id, NULL, e.occurred_at
FROM consent_events e JOIN customer_split s ON s.old_id = e.customer_id WHERE e.source LIKE 'customer_%';

DROP TABLE customer_split;

ALTER TABLE customers ADD CONSTRAINT customers_dealer_contact UNIQUE (dealer_id, contact_key);
CREATE INDEX customers_contact ON customers (contact_key);
CREATE INDEX customers_phone ON customers (phone);

-- Who a grant or withdrawal was given to: the dealer whose customer row it is on, or the manufacturer.
ALTER TABLE consent_events ADD COLUMN party text NOT NULL DEFAULT 'dealer' CHECK (party IN ('dealer', 'manufacturer'));
