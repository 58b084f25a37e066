-- The same 100,000 bookings as insights-100k-bookings.sqlite.sql, for PostgreSQL (after `kairos demo`).
BEGIN;
CREATE TEMP TABLE ctx AS SELECT
  (SELECT id FROM event_types WHERE team_id IS NOT NULL ORDER BY id LIMIT 1) AS et,
  (SELECT min(user_id) FROM memberships) AS u0;
INSERT INTO bookings (uid, event_type_id, user_id, status, start_at, end_at, title, ical_uid,
                      rescheduled, no_show_host, created_at)
SELECT 'perf-' || i, (SELECT et FROM ctx), (SELECT u0 FROM ctx) + (i % 3),
  CASE WHEN i % 13 = 0 THEN 'CANCELLED' WHEN i % 7 = 0 THEN 'CANCELLED' WHEN i % 11 = 0 THEN 'PENDING' ELSE 'ACCEPTED' END,
  date_trunc('second', now() at time zone 'utc') - interval '365 days' + i * interval '315 seconds',
  date_trunc('second', now() at time zone 'utc') - interval '365 days' + i * interval '315 seconds' + interval '30 minutes',
  'Perf', 'perf-' || i || '@kairos', i % 13 = 0, i % 19 = 0,
  date_trunc('second', now() at time zone 'utc') - interval '368 days' + i * interval '315 seconds'
FROM generate_series(0, 99999) AS i;
INSERT INTO booking_claims (booking_id, user_id, blocked_start, blocked_end, active)
SELECT id, user_id, start_at, end_at, FALSE FROM bookings WHERE uid LIKE 'perf-%';
INSERT INTO attendees (booking_id, email, name, time_zone, no_show, created_at)
SELECT id, 'a' || id || '@example.com', 'A', 'UTC', id % 17 = 0, created_at FROM bookings WHERE uid LIKE 'perf-%';
COMMIT;
ANALYZE;
