-- The console's attendee search (`?q=`, storage::bookings::list) finds attendees whose name or
-- email contains the text, ASCII letters in any case: `lower(… COLLATE "C")` folds ASCII only,
-- as SQLite's lower() does, so both backends match the same attendees. Trigram indexes serve
-- `LIKE '%…%'` on those expressions; without them every visible booking was probed
-- (docs/PERFORMANCE.md). pg_trgm is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX attendees_name_search ON attendees USING gin (lower(name COLLATE "C") gin_trgm_ops);
CREATE INDEX attendees_email_search ON attendees USING gin (lower(email COLLATE "C") gin_trgm_ops);
