-- The owner's door, first part: products may carry a GTIN (a unit's GS1 Digital Link address is
-- /01/{GTIN}/21/{serial}), and every registration records the channel it came through
-- (dealer_api, dealer_counter, owner_qr, owner_web), which program rules may pay differently.
-- Paired with migrations/postgres/ of the same name.
ALTER TABLE products ADD COLUMN gtin text;
CREATE UNIQUE INDEX products_gtin ON products (gtin) WHERE gtin IS NOT NULL;
ALTER TABLE registrations ADD COLUMN channel text NOT NULL DEFAULT 'dealer_api';
