-- Lists of bookings (the console's tabs, GET /v2/bookings) walk bookings in start order and
-- stop at the page's end: upcoming from now, past back from now, a keyset page from its cursor.
CREATE INDEX bookings_start ON bookings (start_at, id);

-- The booking an email job tells about, so the console can show a booking's emails. No foreign
-- key: bookings are never deleted, and SQLite cannot drop a column that has one (down.sql).
ALTER TABLE jobs ADD COLUMN booking_id BIGINT;
CREATE INDEX jobs_booking ON jobs (booking_id) WHERE booking_id IS NOT NULL;
