-- Insights' hourly roll-up (storage::insights). What a booking counts for is written once, in
-- the views: `booking_outcomes`, one row per booking (the UTC hour it starts in, its outcome,
-- whether the host or an attendee was absent, its lead time in seconds), and
-- `booking_host_outcomes`, one row per booking and host (its organiser, and each other user
-- whose claim holds its time). The roll-ups sum them per UTC hour; every booking write
-- recounts the hours the booking is in (storage::insights::recount, called where the write
-- appends its history), and figures for parts of hours are read from the views.
CREATE VIEW booking_outcomes AS
SELECT b.id AS booking_id,
       strftime('%Y-%m-%d %H:00:00', b.start_at) AS hour,
       b.start_at AS start_at,
       b.event_type_id AS event_type_id,
       b.user_id AS organiser_id,
       b.status AS status,
       b.rescheduled AS rescheduled,
       (b.no_show_host OR EXISTS (SELECT 1 FROM attendees a WHERE a.booking_id = b.id AND a.no_show))
           AS no_show,
       CAST(round((julianday(b.start_at) - julianday(b.created_at)) * 86400) AS BIGINT)
           AS lead_seconds,
       1 AS bookings
FROM bookings b;

CREATE VIEW booking_host_outcomes AS
SELECT o.*, o.organiser_id AS user_id, TRUE AS organiser FROM booking_outcomes o
UNION ALL
SELECT o.*, c.user_id AS user_id, FALSE AS organiser
FROM booking_outcomes o JOIN booking_claims c ON c.booking_id = o.booking_id
WHERE c.user_id <> o.organiser_id;

-- Bookings starting in each UTC hour, per event type, host (organiser or not) and outcome.
CREATE TABLE booking_hours (
    hour TIMESTAMP NOT NULL,
    event_type_id BIGINT REFERENCES event_types (id) ON DELETE SET NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    organiser BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    rescheduled BOOLEAN NOT NULL,
    no_show BOOLEAN NOT NULL,
    bookings BIGINT NOT NULL,
    lead_seconds BIGINT NOT NULL
);
CREATE INDEX booking_hours_hour ON booking_hours (hour);
-- Covering, in the order the reads group by: a year of one host is 8,760 index entries read
-- in order, no table lookups and no sort (docs/PERFORMANCE.md).
CREATE INDEX booking_hours_user ON booking_hours
    (user_id, hour, status, rescheduled, no_show, organiser, bookings, lead_seconds);
CREATE INDEX booking_hours_event_type ON booking_hours
    (event_type_id, hour, status, rescheduled, no_show, organiser, user_id, bookings, lead_seconds);

-- Bookings made (by `created_at`) in each UTC hour, per event type: the conversion's count.
CREATE TABLE booking_made_hours (
    hour TIMESTAMP NOT NULL,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    bookings BIGINT NOT NULL,
    PRIMARY KEY (event_type_id, hour)
);

INSERT INTO booking_hours (hour, event_type_id, user_id, organiser, status, rescheduled,
                           no_show, bookings, lead_seconds)
SELECT hour, event_type_id, user_id, organiser, status, rescheduled, no_show, SUM(bookings),
       SUM(lead_seconds)
FROM booking_host_outcomes
GROUP BY hour, event_type_id, user_id, organiser, status, rescheduled, no_show;

INSERT INTO booking_made_hours (hour, event_type_id, bookings)
SELECT strftime('%Y-%m-%d %H:00:00', created_at), event_type_id, COUNT(*)
FROM bookings WHERE event_type_id IS NOT NULL
GROUP BY 1, event_type_id;
