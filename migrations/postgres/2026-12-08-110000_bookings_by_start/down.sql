DROP INDEX bookings_start;
