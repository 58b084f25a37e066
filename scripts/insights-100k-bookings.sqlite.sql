-- For docs/PERFORMANCE.md (insights), on a database `kairos demo` seeded.
-- 100,000 bookings of the demo team's round-robin event type over the last 365 days (one every
-- 315 s, hosts in turn), a claim (inactive: they overlap) and an attendee each.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TEMP TABLE ctx AS SELECT
  (SELECT id FROM event_types WHERE team_id IS NOT NULL ORDER BY id LIMIT 1) AS et,
  (SELECT min(user_id) FROM memberships) AS u0;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
INSERT INTO bookings (uid, event_type_id, user_id, status, start_at, end_at, title, ical_uid,
                      rescheduled, no_show_host, created_at)
SELECT 'perf-' || i, (SELECT et FROM ctx), (SELECT u0 FROM ctx) + (i % 3),
  CASE WHEN i % 13 = 0 THEN 'CANCELLED' WHEN i % 7 = 0 THEN 'CANCELLED' WHEN i % 11 = 0 THEN 'PENDING' ELSE 'ACCEPTED' END,
  datetime('now', '-365 days', '+' || (i * 315) || ' seconds'),
  datetime('now', '-365 days', '+' || (i * 315 + 1800) || ' seconds'),
  'Perf', 'perf-' || i || '@kairos', i % 13 = 0, i % 19 = 0,
  datetime('now', '-368 days', '+' || (i * 315) || ' seconds')
FROM n;
INSERT INTO booking_claims (booking_id, user_id, blocked_start, blocked_end, active)
SELECT id, user_id, start_at, end_at, FALSE FROM bookings WHERE uid LIKE 'perf-%';
INSERT INTO attendees (booking_id, email, name, time_zone, no_show, created_at)
SELECT id, 'a' || id || '@example.com', 'A', 'UTC', id % 17 = 0, created_at FROM bookings WHERE uid LIKE 'perf-%';
COMMIT;
ANALYZE;
