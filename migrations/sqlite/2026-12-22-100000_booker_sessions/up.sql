-- The booker's portal (issue 17): a booker signed in by an emailed single-use link sees the
-- bookings made with their email. The cookie holds a random token; only its SHA-256 is stored.
-- A booker session lasts a short, fixed time (expires_at) and is tied to an email, not an
-- account. The link's single use is recorded in spent_tokens, in the sign-in's transaction.
CREATE TABLE booker_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX booker_sessions_expiry ON booker_sessions (expires_at);
