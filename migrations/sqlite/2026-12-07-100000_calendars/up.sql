-- External calendars (issue 15). The placeholder tables of the initial schema never held data;
-- they are replaced by connections, their calendars, the busy cache, destinations, written
-- events, conflicts and push channels.
DROP TABLE busy_intervals;
DROP TABLE calendar_connections;

-- One connected account. `secrets` is sealed JSON (the URL and the credentials): a feed URL
-- often holds a secret token, and OAuth tokens and passwords never rest in plaintext.
-- `account_key` makes an account unique per user (an email, user@server, a feed URL's hash).
-- The sync runs as a queue over this table: due at `sync_due_at`, leased by one instance.
CREATE TABLE calendar_connections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL CHECK (provider IN ('google', 'office365', 'caldav', 'ics')),
    account TEXT NOT NULL,
    account_key TEXT NOT NULL,
    secrets TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invalid')),
    invalid_reason TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    synced_at TIMESTAMP,
    -- Under KAIROS_CALENDAR_STALE_POLICY=block: once past, the owner offers no times (the
    -- cache is too old to trust); each good sync moves it on.
    blocks_after TIMESTAMP,
    sync_due_at TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, provider, account_key)
);
CREATE INDEX calendar_connections_due ON calendar_connections (sync_due_at);

-- The calendars of a connection; `selected` ones block availability. `cursor` is the
-- provider's incremental-sync state; `covered_until` how far ahead the cache reaches.
CREATE TABLE connection_calendars (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id BIGINT NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    read_only BOOLEAN NOT NULL DEFAULT FALSE,
    time_zone TEXT,
    selected BOOLEAN NOT NULL DEFAULT FALSE,
    cursor TEXT,
    synced_at TIMESTAMP,
    covered_from TIMESTAMP,
    covered_until TIMESTAMP,
    UNIQUE (connection_id, external_id)
);
CREATE INDEX connection_calendars_user ON connection_calendars (user_id);

-- The busy cache: what the slot path reads instead of asking providers.
CREATE TABLE busy_intervals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id BIGINT NOT NULL REFERENCES connection_calendars (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_at TIMESTAMP NOT NULL,
    end_at TIMESTAMP NOT NULL,
    uid TEXT,
    summary TEXT,
    CHECK (start_at < end_at)
);
CREATE INDEX busy_intervals_user_start ON busy_intervals (user_id, start_at, end_at);
CREATE INDEX busy_intervals_calendar ON busy_intervals (calendar_id);

-- Where a host's bookings are written: their default (no event type), or one event type's.
CREATE TABLE destination_calendars (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_type_id BIGINT REFERENCES event_types (id) ON DELETE CASCADE,
    calendar_id BIGINT NOT NULL REFERENCES connection_calendars (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX destination_calendars_default ON destination_calendars (user_id)
    WHERE event_type_id IS NULL;
CREATE UNIQUE INDEX destination_calendars_event ON destination_calendars (user_id, event_type_id)
    WHERE event_type_id IS NOT NULL;

-- The event written into a host's calendar for a booking, for later moves and deletes.
CREATE TABLE calendar_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id BIGINT REFERENCES connection_calendars (id) ON DELETE SET NULL,
    external_id TEXT NOT NULL,
    etag TEXT,
    meeting_url TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (booking_id, user_id)
);

-- An external event found overlapping an accepted booking after the fact.
CREATE TABLE booking_conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id BIGINT NOT NULL REFERENCES connection_calendars (id) ON DELETE CASCADE,
    start_at TIMESTAMP NOT NULL,
    end_at TIMESTAMP NOT NULL,
    summary TEXT,
    detected_at TIMESTAMP NOT NULL,
    UNIQUE (booking_id, calendar_id, start_at, end_at)
);

-- Push channels (Google events.watch, Microsoft Graph subscriptions); only a hash of the
-- channel's secret token is kept.
CREATE TABLE calendar_channels (
    id TEXT PRIMARY KEY NOT NULL,
    calendar_id BIGINT NOT NULL REFERENCES connection_calendars (id) ON DELETE CASCADE,
    resource_id TEXT,
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Single-use tokens already spent (OAuth state), kept until they expire.
CREATE TABLE spent_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- Busy time that is a Kairos booking's own written-back event is recognised by its UID.
CREATE INDEX bookings_ical_uid ON bookings (ical_uid);
