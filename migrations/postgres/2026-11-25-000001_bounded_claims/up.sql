-- A claim spans at most 7 days (the longest event, 24 h, plus two 24 h buffers is 3 days). With
-- that bound, "claims of this host meeting [s, e)" is a range of the (user_id, blocked_start)
-- index, blocked_start in [s - 7 days, e), instead of every claim the host ever had that starts
-- before e. The exclusion constraint already uses its GiST index.
ALTER TABLE booking_claims ADD CONSTRAINT booking_claims_span
    CHECK (blocked_end - blocked_start <= INTERVAL '7 days');
