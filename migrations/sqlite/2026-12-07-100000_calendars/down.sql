DROP INDEX bookings_ical_uid;
DROP TABLE spent_tokens;
DROP TABLE calendar_channels;
DROP TABLE booking_conflicts;
DROP TABLE calendar_events;
DROP TABLE destination_calendars;
DROP TABLE busy_intervals;
DROP TABLE connection_calendars;
DROP TABLE calendar_connections;

CREATE TABLE calendar_connections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL CHECK (provider IN ('google', 'ics')),
    account TEXT NOT NULL,
    feed_url TEXT,
    access_token TEXT,
    refresh_token TEXT,
    token_expires_at TIMESTAMP,
    calendar_ids TEXT NOT NULL DEFAULT '[]',
    write_calendar_id TEXT,
    sync_token TEXT,
    last_synced_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, provider, account)
);

-- Busy time fetched from external calendars, refreshed in the background.
CREATE TABLE busy_intervals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id BIGINT NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_at TIMESTAMP NOT NULL,
    end_at TIMESTAMP NOT NULL,
    external_id TEXT,
    fetched_at TIMESTAMP NOT NULL,
    CHECK (start_at < end_at)
);
CREATE INDEX busy_intervals_user_start ON busy_intervals (user_id, start_at);
CREATE INDEX busy_intervals_connection ON busy_intervals (connection_id);
