-- Who made an anonymous hold (a keyed hash of the client's address, never the address), so
-- the open holds of one client can be capped.
ALTER TABLE slot_reservations ADD COLUMN booker_key TEXT;
CREATE INDEX slot_reservations_booker ON slot_reservations (booker_key, expires_at);
