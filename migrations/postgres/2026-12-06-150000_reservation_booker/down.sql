DROP INDEX slot_reservations_booker;
ALTER TABLE slot_reservations DROP COLUMN booker_key;
