-- Private links (Cal.com's `hashedLink`, issue 18): a secret URL that lets a booker book an
-- event type, hidden ones included; either until `expires_at`, or `max_usage_count` bookings
-- (usage_count counts them, raised in the booking's transaction). The link is stored readable,
-- as Cal.com does: its owners list it again (`bookingUrl`).
CREATE TABLE private_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    link TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP,
    max_usage_count INTEGER CHECK (max_usage_count >= 1),
    usage_count INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    created_at TIMESTAMP NOT NULL,
    CHECK ((expires_at IS NULL) <> (max_usage_count IS NULL))
);
CREATE INDEX private_links_event_type ON private_links (event_type_id);
