-- A claim spans at most 7 days (the longest event, 24 h, plus two 24 h buffers is 3 days). With
-- that bound, "claims of this host meeting [s, e)" is a range of the (user_id, blocked_start)
-- index, blocked_start in [s - 7 days, e), instead of every claim the host ever had that starts
-- before e: the overlap check, and every booking with it, slowed down as a host's history grew.
CREATE TRIGGER booking_claims_span_insert BEFORE INSERT ON booking_claims
WHEN julianday(NEW.blocked_end) - julianday(NEW.blocked_start) > 7
BEGIN
    SELECT RAISE(ABORT, 'booking_claims_span');
END;

CREATE TRIGGER booking_claims_span_update BEFORE UPDATE ON booking_claims
WHEN julianday(NEW.blocked_end) - julianday(NEW.blocked_start) > 7
BEGIN
    SELECT RAISE(ABORT, 'booking_claims_span');
END;

DROP TRIGGER booking_claims_no_overlap_insert;
DROP TRIGGER booking_claims_no_overlap_update;

-- Timestamps are stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text; datetime() writes the same
-- layout without the fraction, so the lower bound is at most a second looser, never tighter.
CREATE TRIGGER booking_claims_no_overlap_insert BEFORE INSERT ON booking_claims
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM booking_claims c
    WHERE c.user_id = NEW.user_id AND c.active
      AND c.blocked_start >= datetime(NEW.blocked_start, '-7 days')
      AND c.blocked_start < NEW.blocked_end AND c.blocked_end > NEW.blocked_start)
BEGIN
    SELECT RAISE(ABORT, 'booking_claims_no_overlap');
END;

CREATE TRIGGER booking_claims_no_overlap_update BEFORE UPDATE ON booking_claims
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM booking_claims c
    WHERE c.user_id = NEW.user_id AND c.active
      AND NOT (c.booking_id = OLD.booking_id AND c.user_id = OLD.user_id)
      AND c.blocked_start >= datetime(NEW.blocked_start, '-7 days')
      AND c.blocked_start < NEW.blocked_end AND c.blocked_end > NEW.blocked_start)
BEGIN
    SELECT RAISE(ABORT, 'booking_claims_no_overlap');
END;
