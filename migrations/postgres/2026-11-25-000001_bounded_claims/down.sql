ALTER TABLE booking_claims DROP CONSTRAINT booking_claims_span;
