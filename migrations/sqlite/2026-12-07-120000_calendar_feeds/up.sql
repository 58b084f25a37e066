-- Published calendar feeds (issue 15): a host's bookings and free/busy as iCalendar at a secret
-- URL. Only the SHA-256 of the URL's token is stored, as for API keys, so the database cannot
-- give the URL back. One feed per user: a new one replaces the old, whose URL stops working.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
