-- The serial as the dealer typed it ("MW 500 / 7781"), shown to people; serial_number stays the
-- normalized form ("MW5007781") that identifies the unit. NULL for registrations made before:
-- they show the normalized form. Paired with migrations/sqlite/ of the same name.
ALTER TABLE registrations ADD COLUMN serial_display text;
