DROP TRIGGER booking_claims_span_insert;
DROP TRIGGER booking_claims_span_update;
DROP TRIGGER booking_claims_no_overlap_insert;
DROP TRIGGER booking_claims_no_overlap_update;

CREATE TRIGGER booking_claims_no_overlap_insert BEFORE INSERT ON booking_claims
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM booking_claims c
    WHERE c.user_id = NEW.user_id AND c.active
      AND c.blocked_start < NEW.blocked_end AND c.blocked_end > NEW.blocked_start)
BEGIN
    SELECT RAISE(ABORT, 'booking_claims_no_overlap');
END;

CREATE TRIGGER booking_claims_no_overlap_update BEFORE UPDATE ON booking_claims
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM booking_claims c
    WHERE c.user_id = NEW.user_id AND c.active
      AND NOT (c.booking_id = OLD.booking_id AND c.user_id = OLD.user_id)
      AND c.blocked_start < NEW.blocked_end AND c.blocked_end > NEW.blocked_start)
BEGIN
    SELECT RAISE(ABORT, 'booking_claims_no_overlap');
END;
