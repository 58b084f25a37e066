-- Kairos data model (SQLite). The PostgreSQL twin in migrations/postgres has the same tables,
-- columns and nullability; tests/api/schema.rs proves it. Instants are TIMESTAMP in UTC,
-- ids shown by the Cal.com API are integers, internal and public tokens are text.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    password_hash TEXT,
    role TEXT NOT NULL DEFAULT 'USER' CHECK (role IN ('USER', 'ADMIN')),
    locale TEXT NOT NULL DEFAULT 'en',
    week_start TEXT NOT NULL DEFAULT 'Monday',
    time_format INTEGER NOT NULL DEFAULT 24 CHECK (time_format IN (12, 24)),
    bio TEXT NOT NULL DEFAULT '',
    brand_color TEXT NOT NULL DEFAULT '#292929',
    dark_brand_color TEXT NOT NULL DEFAULT '#fafafa',
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL,
    brand_color TEXT NOT NULL DEFAULT '#292929',
    booking_limits TEXT,
    rr_reset_interval TEXT NOT NULL DEFAULT 'MONTH' CHECK (rr_reset_interval IN ('MONTH', 'DAY')),
    rr_timestamp_basis TEXT NOT NULL DEFAULT 'CREATED_AT' CHECK (rr_timestamp_basis IN ('CREATED_AT', 'START_TIME')),
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'MEMBER' CHECK (role IN ('MEMBER', 'ADMIN', 'OWNER')),
    accepted BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX schedules_user ON schedules (user_id);
-- At most one default schedule per user, enforced by the database.
CREATE UNIQUE INDEX schedules_one_default ON schedules (user_id) WHERE is_default;

-- Weekly hours: `days` is a bit set (bit 0 = Monday … bit 6 = Sunday, as the engine); minutes after local
-- midnight, end 1440 meaning midnight at the end of the day.
CREATE TABLE availability_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id BIGINT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (start_minute < end_minute)
);
CREATE INDEX availability_rules_schedule ON availability_rules (schedule_id);

-- Date overrides replace a day's weekly hours; 0–0 closes the day.
CREATE TABLE date_overrides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id BIGINT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    date DATE NOT NULL,
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    CHECK (start_minute < end_minute OR (start_minute = 0 AND end_minute = 0))
);
CREATE INDEX date_overrides_schedule_date ON date_overrides (schedule_id, date);

-- Recurring extra availability, an RFC 5545 RRULE expanded in the schedule's timezone from
-- `starts_on`.
CREATE TABLE availability_patterns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id BIGINT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    rrule TEXT NOT NULL,
    starts_on DATE NOT NULL,
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (start_minute < end_minute)
);
CREATE INDEX availability_patterns_schedule ON availability_patterns (schedule_id);

CREATE TABLE out_of_office (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_at TIMESTAMP NOT NULL,
    end_at TIMESTAMP NOT NULL,
    reason TEXT,
    notes TEXT,
    redirect_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (start_at < end_at)
);
CREATE INDEX out_of_office_user ON out_of_office (user_id, start_at);

CREATE TABLE event_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    length_minutes INTEGER NOT NULL CHECK (length_minutes BETWEEN 1 AND 1440),
    length_options TEXT,
    slot_interval INTEGER CHECK (slot_interval BETWEEN 1 AND 1440),
    offset_start INTEGER NOT NULL DEFAULT 0 CHECK (offset_start >= 0),
    before_buffer INTEGER NOT NULL DEFAULT 0 CHECK (before_buffer >= 0),
    after_buffer INTEGER NOT NULL DEFAULT 0 CHECK (after_buffer >= 0),
    minimum_notice INTEGER NOT NULL DEFAULT 120 CHECK (minimum_notice >= 0),
    booking_window TEXT,
    booking_limits TEXT,
    duration_limits TEXT,
    seats_per_slot INTEGER CHECK (seats_per_slot >= 1),
    requires_confirmation BOOLEAN NOT NULL DEFAULT FALSE,
    unconfirmed_blocks_slot BOOLEAN NOT NULL DEFAULT FALSE,
    booking_fields TEXT NOT NULL DEFAULT '[]',
    locations TEXT NOT NULL DEFAULT '[]',
    schedule_id BIGINT REFERENCES schedules (id) ON DELETE SET NULL,
    restriction_schedule_id BIGINT REFERENCES schedules (id) ON DELETE RESTRICT,
    scheduling_type TEXT CHECK (scheduling_type IN ('COLLECTIVE', 'ROUND_ROBIN')),
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    only_show_first_slot BOOLEAN NOT NULL DEFAULT FALSE,
    -- Booking-page and lifecycle options that no query filters on (seat display, confirmation
    -- threshold, recurrence, success redirect, cancelling/rescheduling switches), as JSON.
    settings TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '{}',
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((owner_id IS NULL) <> (team_id IS NULL)),
    CHECK ((team_id IS NULL) = (scheduling_type IS NULL))
);
CREATE UNIQUE INDEX event_types_owner_slug ON event_types (owner_id, slug);
CREATE UNIQUE INDEX event_types_team_slug ON event_types (team_id, slug);

-- Hosts of team event types: fixed hosts are always booked, round-robin hosts are chosen by
-- weight, then priority, then least recently booked; at least one per group must be free.
CREATE TABLE hosts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_fixed BOOLEAN NOT NULL DEFAULT FALSE,
    weight INTEGER NOT NULL DEFAULT 100 CHECK (weight >= 0),
    priority INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 4),
    host_group TEXT,
    schedule_id BIGINT REFERENCES schedules (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_type_id, user_id)
);
CREATE INDEX hosts_user ON hosts (user_id);

CREATE TABLE bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    event_type_id BIGINT REFERENCES event_types (id) ON DELETE SET NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('ACCEPTED', 'PENDING', 'CANCELLED', 'REJECTED', 'AWAITING_HOST')),
    start_at TIMESTAMP NOT NULL,
    end_at TIMESTAMP NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    location TEXT,
    responses TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '{}',
    ical_uid TEXT NOT NULL,
    ical_sequence INTEGER NOT NULL DEFAULT 0,
    rescheduled BOOLEAN NOT NULL DEFAULT FALSE,
    from_reschedule TEXT,
    rescheduled_by TEXT,
    reschedule_reason TEXT,
    cancellation_reason TEXT,
    cancelled_by TEXT,
    rejection_reason TEXT,
    no_show_host BOOLEAN NOT NULL DEFAULT FALSE,
    assignment_reason TEXT,
    idempotency_key TEXT UNIQUE,
    recurring_event_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    CHECK (start_at < end_at)
);
CREATE INDEX bookings_user_start ON bookings (user_id, start_at);
CREATE INDEX bookings_event_type_start ON bookings (event_type_id, start_at);
CREATE INDEX bookings_from_reschedule ON bookings (from_reschedule);

CREATE TABLE attendees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    locale TEXT,
    phone_number TEXT,
    no_show BOOLEAN NOT NULL DEFAULT FALSE,
    seat_uid TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attendees_booking ON attendees (booking_id);
CREATE INDEX attendees_email ON attendees (email);

-- Per-host time claims: the time a booking blocks for each of its hosts, buffers included.
-- Active claims of one host never overlap: enforced here by triggers (PostgreSQL: an
-- exclusion constraint). Half-open intervals, so back-to-back bookings are allowed.
CREATE TABLE booking_claims (
    booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    blocked_start TIMESTAMP NOT NULL,
    blocked_end TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (booking_id, user_id),
    CHECK (blocked_start < blocked_end)
);
CREATE INDEX booking_claims_user_time ON booking_claims (user_id, blocked_start);

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

-- Append-only audit trail of every booking state change.
CREATE TABLE booking_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BIGINT NOT NULL REFERENCES bookings (id),
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'booker', 'system')),
    actor_id TEXT,
    from_status TEXT,
    to_status TEXT,
    changes TEXT NOT NULL DEFAULT '{}',
    reason TEXT
);
CREATE INDEX booking_history_booking ON booking_history (booking_id, id);

CREATE TRIGGER booking_history_no_update BEFORE UPDATE ON booking_history
BEGIN
    SELECT RAISE(ABORT, 'booking_history_append_only');
END;

CREATE TRIGGER booking_history_no_delete BEFORE DELETE ON booking_history
BEGIN
    SELECT RAISE(ABORT, 'booking_history_append_only');
END;

-- Slot holds while a booker fills in the form; `uid` is the booker's reservation token.
CREATE TABLE slot_reservations (
    uid TEXT PRIMARY KEY NOT NULL,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    slot_start TIMESTAMP NOT NULL,
    slot_end TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    is_seat BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CHECK (slot_start < slot_end)
);
CREATE INDEX slot_reservations_event_type ON slot_reservations (event_type_id, slot_start);
CREATE INDEX slot_reservations_expiry ON slot_reservations (expires_at);

-- Webhook subscriptions. Cal.com's ids are UUID strings; so are ours.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    event_type_id BIGINT REFERENCES event_types (id) ON DELETE CASCADE,
    team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
    subscriber_url TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    triggers TEXT NOT NULL,
    secret TEXT,
    payload_template TEXT,
    version TEXT NOT NULL DEFAULT '2021-10-20',
    time INTEGER,
    time_unit TEXT CHECK (time_unit IN ('DAY', 'HOUR', 'MINUTE')),
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NOT NULL) + (event_type_id IS NOT NULL) + (team_id IS NOT NULL) = 1)
);
CREATE INDEX webhooks_user ON webhooks (user_id);
CREATE INDEX webhooks_event_type ON webhooks (event_type_id);
CREATE INDEX webhooks_team ON webhooks (team_id);

-- One delivery per (event, subscription): the exact body, sent byte-identical on every attempt.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    trigger_event TEXT NOT NULL,
    booking_id BIGINT REFERENCES bookings (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX webhook_deliveries_booking ON webhook_deliveries (booking_id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    response_excerpt TEXT,
    error TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- API keys: only a SHA-256 of the key is stored; `prefix` lets a person recognise it.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_user ON api_keys (user_id);

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

-- The durable outbox and job queue: written in the same transaction as the change that
-- causes it, claimed by workers with a lease.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    queue TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'dead', 'cancelled')),
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_due ON jobs (status, run_at);
