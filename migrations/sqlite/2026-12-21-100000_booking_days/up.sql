-- Insights' daily and monthly roll-ups (storage::insights): a year is read as about 365 rows
-- per key and outcome (the series), or a dozen months and the days around them (the busiest
-- hours), instead of 8,760 hourly ones. Each row sums `booking_hours` over one UTC day (or
-- month, dated by its first day), with the bookings of each UTC hour of the day kept in
-- h00..h23, so the reads can still place every hour on its local date and hour of the day for
-- any UTC offset (docs/PERFORMANCE.md, session 14). Without the event type (per host: the
-- caller's own figures) or without the host (per event type, organiser rows only: a team's or
-- an event type's whole figures): with one of the two kept, a day of many event types or many
-- hosts is still a handful of rows. `storage::insights::recount` adds each recounted hour's
-- change to all four, in the booking write's transaction. Filled here in key order, so a key's
-- year lies on few pages.

-- Per UTC day and host: every `booking_hours` row of the host, organiser or not.
CREATE TABLE booking_host_days (
    day DATE NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    rescheduled BOOLEAN NOT NULL,
    no_show BOOLEAN NOT NULL,
    bookings BIGINT NOT NULL,
    lead_seconds BIGINT NOT NULL,
    h00 BIGINT NOT NULL DEFAULT 0,
    h01 BIGINT NOT NULL DEFAULT 0,
    h02 BIGINT NOT NULL DEFAULT 0,
    h03 BIGINT NOT NULL DEFAULT 0,
    h04 BIGINT NOT NULL DEFAULT 0,
    h05 BIGINT NOT NULL DEFAULT 0,
    h06 BIGINT NOT NULL DEFAULT 0,
    h07 BIGINT NOT NULL DEFAULT 0,
    h08 BIGINT NOT NULL DEFAULT 0,
    h09 BIGINT NOT NULL DEFAULT 0,
    h10 BIGINT NOT NULL DEFAULT 0,
    h11 BIGINT NOT NULL DEFAULT 0,
    h12 BIGINT NOT NULL DEFAULT 0,
    h13 BIGINT NOT NULL DEFAULT 0,
    h14 BIGINT NOT NULL DEFAULT 0,
    h15 BIGINT NOT NULL DEFAULT 0,
    h16 BIGINT NOT NULL DEFAULT 0,
    h17 BIGINT NOT NULL DEFAULT 0,
    h18 BIGINT NOT NULL DEFAULT 0,
    h19 BIGINT NOT NULL DEFAULT 0,
    h20 BIGINT NOT NULL DEFAULT 0,
    h21 BIGINT NOT NULL DEFAULT 0,
    h22 BIGINT NOT NULL DEFAULT 0,
    h23 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day, status, rescheduled, no_show)
) WITHOUT ROWID;

-- Per UTC month and host.
CREATE TABLE booking_host_months (
    month DATE NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    rescheduled BOOLEAN NOT NULL,
    no_show BOOLEAN NOT NULL,
    bookings BIGINT NOT NULL,
    lead_seconds BIGINT NOT NULL,
    h00 BIGINT NOT NULL DEFAULT 0,
    h01 BIGINT NOT NULL DEFAULT 0,
    h02 BIGINT NOT NULL DEFAULT 0,
    h03 BIGINT NOT NULL DEFAULT 0,
    h04 BIGINT NOT NULL DEFAULT 0,
    h05 BIGINT NOT NULL DEFAULT 0,
    h06 BIGINT NOT NULL DEFAULT 0,
    h07 BIGINT NOT NULL DEFAULT 0,
    h08 BIGINT NOT NULL DEFAULT 0,
    h09 BIGINT NOT NULL DEFAULT 0,
    h10 BIGINT NOT NULL DEFAULT 0,
    h11 BIGINT NOT NULL DEFAULT 0,
    h12 BIGINT NOT NULL DEFAULT 0,
    h13 BIGINT NOT NULL DEFAULT 0,
    h14 BIGINT NOT NULL DEFAULT 0,
    h15 BIGINT NOT NULL DEFAULT 0,
    h16 BIGINT NOT NULL DEFAULT 0,
    h17 BIGINT NOT NULL DEFAULT 0,
    h18 BIGINT NOT NULL DEFAULT 0,
    h19 BIGINT NOT NULL DEFAULT 0,
    h20 BIGINT NOT NULL DEFAULT 0,
    h21 BIGINT NOT NULL DEFAULT 0,
    h22 BIGINT NOT NULL DEFAULT 0,
    h23 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, month, status, rescheduled, no_show)
) WITHOUT ROWID;

-- Per UTC day and event type: the organiser rows (one per booking).
CREATE TABLE booking_event_type_days (
    day DATE NOT NULL,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    rescheduled BOOLEAN NOT NULL,
    no_show BOOLEAN NOT NULL,
    bookings BIGINT NOT NULL,
    lead_seconds BIGINT NOT NULL,
    h00 BIGINT NOT NULL DEFAULT 0,
    h01 BIGINT NOT NULL DEFAULT 0,
    h02 BIGINT NOT NULL DEFAULT 0,
    h03 BIGINT NOT NULL DEFAULT 0,
    h04 BIGINT NOT NULL DEFAULT 0,
    h05 BIGINT NOT NULL DEFAULT 0,
    h06 BIGINT NOT NULL DEFAULT 0,
    h07 BIGINT NOT NULL DEFAULT 0,
    h08 BIGINT NOT NULL DEFAULT 0,
    h09 BIGINT NOT NULL DEFAULT 0,
    h10 BIGINT NOT NULL DEFAULT 0,
    h11 BIGINT NOT NULL DEFAULT 0,
    h12 BIGINT NOT NULL DEFAULT 0,
    h13 BIGINT NOT NULL DEFAULT 0,
    h14 BIGINT NOT NULL DEFAULT 0,
    h15 BIGINT NOT NULL DEFAULT 0,
    h16 BIGINT NOT NULL DEFAULT 0,
    h17 BIGINT NOT NULL DEFAULT 0,
    h18 BIGINT NOT NULL DEFAULT 0,
    h19 BIGINT NOT NULL DEFAULT 0,
    h20 BIGINT NOT NULL DEFAULT 0,
    h21 BIGINT NOT NULL DEFAULT 0,
    h22 BIGINT NOT NULL DEFAULT 0,
    h23 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_type_id, day, status, rescheduled, no_show)
) WITHOUT ROWID;

-- Per UTC month and event type.
CREATE TABLE booking_event_type_months (
    month DATE NOT NULL,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    rescheduled BOOLEAN NOT NULL,
    no_show BOOLEAN NOT NULL,
    bookings BIGINT NOT NULL,
    lead_seconds BIGINT NOT NULL,
    h00 BIGINT NOT NULL DEFAULT 0,
    h01 BIGINT NOT NULL DEFAULT 0,
    h02 BIGINT NOT NULL DEFAULT 0,
    h03 BIGINT NOT NULL DEFAULT 0,
    h04 BIGINT NOT NULL DEFAULT 0,
    h05 BIGINT NOT NULL DEFAULT 0,
    h06 BIGINT NOT NULL DEFAULT 0,
    h07 BIGINT NOT NULL DEFAULT 0,
    h08 BIGINT NOT NULL DEFAULT 0,
    h09 BIGINT NOT NULL DEFAULT 0,
    h10 BIGINT NOT NULL DEFAULT 0,
    h11 BIGINT NOT NULL DEFAULT 0,
    h12 BIGINT NOT NULL DEFAULT 0,
    h13 BIGINT NOT NULL DEFAULT 0,
    h14 BIGINT NOT NULL DEFAULT 0,
    h15 BIGINT NOT NULL DEFAULT 0,
    h16 BIGINT NOT NULL DEFAULT 0,
    h17 BIGINT NOT NULL DEFAULT 0,
    h18 BIGINT NOT NULL DEFAULT 0,
    h19 BIGINT NOT NULL DEFAULT 0,
    h20 BIGINT NOT NULL DEFAULT 0,
    h21 BIGINT NOT NULL DEFAULT 0,
    h22 BIGINT NOT NULL DEFAULT 0,
    h23 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_type_id, month, status, rescheduled, no_show)
) WITHOUT ROWID;

INSERT INTO booking_host_days (day, user_id, status, rescheduled, no_show, bookings, lead_seconds,
    h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23)
SELECT date(hour), user_id, status, rescheduled, no_show, SUM(bookings), SUM(lead_seconds),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 0 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 1 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 2 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 3 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 4 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 5 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 6 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 7 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 8 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 9 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 10 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 11 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 12 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 13 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 14 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 15 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 16 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 17 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 18 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 19 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 20 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 21 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 22 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 23 THEN bookings ELSE 0 END)
FROM booking_hours
GROUP BY date(hour), user_id, status, rescheduled, no_show
ORDER BY user_id, 1;

INSERT INTO booking_host_months (month, user_id, status, rescheduled, no_show, bookings, lead_seconds,
    h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23)
SELECT strftime('%Y-%m-01', hour), user_id, status, rescheduled, no_show, SUM(bookings), SUM(lead_seconds),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 0 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 1 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 2 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 3 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 4 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 5 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 6 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 7 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 8 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 9 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 10 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 11 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 12 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 13 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 14 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 15 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 16 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 17 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 18 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 19 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 20 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 21 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 22 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 23 THEN bookings ELSE 0 END)
FROM booking_hours
GROUP BY strftime('%Y-%m-01', hour), user_id, status, rescheduled, no_show
ORDER BY user_id, 1;

INSERT INTO booking_event_type_days (day, event_type_id, status, rescheduled, no_show, bookings, lead_seconds,
    h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23)
SELECT date(hour), event_type_id, status, rescheduled, no_show, SUM(bookings), SUM(lead_seconds),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 0 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 1 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 2 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 3 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 4 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 5 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 6 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 7 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 8 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 9 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 10 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 11 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 12 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 13 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 14 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 15 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 16 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 17 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 18 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 19 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 20 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 21 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 22 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 23 THEN bookings ELSE 0 END)
FROM booking_hours
WHERE organiser AND event_type_id IS NOT NULL
GROUP BY date(hour), event_type_id, status, rescheduled, no_show
ORDER BY event_type_id, 1;

INSERT INTO booking_event_type_months (month, event_type_id, status, rescheduled, no_show, bookings, lead_seconds,
    h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23)
SELECT strftime('%Y-%m-01', hour), event_type_id, status, rescheduled, no_show, SUM(bookings), SUM(lead_seconds),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 0 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 1 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 2 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 3 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 4 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 5 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 6 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 7 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 8 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 9 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 10 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 11 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 12 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 13 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 14 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 15 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 16 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 17 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 18 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 19 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 20 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 21 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 22 THEN bookings ELSE 0 END),
       SUM(CASE WHEN CAST(strftime('%H', hour) AS INTEGER) = 23 THEN bookings ELSE 0 END)
FROM booking_hours
WHERE organiser AND event_type_id IS NOT NULL
GROUP BY strftime('%Y-%m-01', hour), event_type_id, status, rescheduled, no_show
ORDER BY event_type_id, 1;

-- The conversion's count of bookings made reads a year of an event type's hours from this index
-- alone (no table lookup per hour).
CREATE INDEX booking_made_hours_count ON booking_made_hours (event_type_id, hour, bookings);
