-- `Idempotency-Key` on POST /v2/bookings: the key (hashed with its scope), a fingerprint of the
-- request it was first used with, and the booking that request created.
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY NOT NULL,
    request_hash TEXT NOT NULL,
    booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idempotency_keys_booking ON idempotency_keys (booking_id);
