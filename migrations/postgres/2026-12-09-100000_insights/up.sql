-- Views of public booking pages, counted by Kairos itself: per event type and UTC day, no
-- visitor data at all. Counted in memory and added here by a periodic flush (insights::views).
CREATE TABLE page_views (
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    views BIGINT NOT NULL CHECK (views >= 0),
    PRIMARY KEY (event_type_id, day)
);

-- Insights' conversion counts the bookings an event type's page led to by when they were made.
CREATE INDEX bookings_event_type_created ON bookings (event_type_id, created_at);

-- Insights ask of every booking whether an attendee was absent: few were, so the probe reads a
-- small index.
CREATE INDEX attendees_no_show ON attendees (booking_id) WHERE no_show;
