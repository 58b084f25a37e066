-- The console's attendee search (`?q=`, storage::bookings::list) finds attendees whose name or
-- email contains the text, ASCII letters in any case: `lower(… COLLATE "C")` folds ASCII only,
-- as SQLite's lower() does, so both backends match the same attendees. Trigram indexes serve
-- `LIKE '%…%'` on those expressions; without them every visible booking was probed
-- (docs/PERFORMANCE.md). pg_trgm is a trusted extension: a database owner may create it. Where
-- it cannot be had (no contrib package, no CREATE privilege, a cloud allow-list), the migration
-- still succeeds without the indexes: the search gives the same answers, more slowly
-- (docs/OPERATIONS.md).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX attendees_name_search ON attendees
        USING gin (lower(name COLLATE "C") gin_trgm_ops);
    CREATE INDEX attendees_email_search ON attendees
        USING gin (lower(email COLLATE "C") gin_trgm_ops);
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported
    OR undefined_object THEN
    RAISE WARNING 'pg_trgm is not available (%): the attendee search runs without its index',
        SQLERRM;
END $$;
