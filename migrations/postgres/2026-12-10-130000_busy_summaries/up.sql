-- Each host's external busy time merged across their selected calendars, one row per UTC
-- month it touches: what the slot path reads instead of every calendar's blocks. Built from
-- busy_intervals in the transaction that changes them (a sync, a change of selection, a
-- removed calendar or connection). `intervals` packs sorted, disjoint [start, end) pairs of
-- Unix seconds as little-endian i64s. Month -1 marks a user whose rows must be built again
-- (existing caches after this migration): Kairos builds them at start-up, before it serves.
CREATE TABLE busy_summaries (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    month INTEGER NOT NULL,
    intervals BYTEA NOT NULL,
    PRIMARY KEY (user_id, month)
);
INSERT INTO busy_summaries (user_id, month, intervals)
SELECT DISTINCT user_id, -1, '\x'::bytea FROM busy_intervals;
