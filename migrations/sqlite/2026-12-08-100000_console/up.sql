-- The console (issue 16): signed-in sessions and disabled accounts. A session's cookie holds a
-- random token; only its SHA-256 is stored, so the database cannot sign anyone in. A session
-- ends at expires_at (absolute) or after an idle time measured from last_seen_at.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    user_agent TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- A disabled account cannot sign in or use its API keys; its pages and bookings stay.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
