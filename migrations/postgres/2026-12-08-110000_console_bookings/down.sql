DROP INDEX jobs_booking;
ALTER TABLE jobs DROP COLUMN booking_id;
DROP INDEX bookings_start;
