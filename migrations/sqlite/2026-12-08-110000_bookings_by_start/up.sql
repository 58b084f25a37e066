-- Lists of bookings (the console's tabs, GET /v2/bookings) walk bookings in start order and
-- stop at the page's end: upcoming from now, past back from now, a keyset page from its cursor.
CREATE INDEX bookings_start ON bookings (start_at, id);
