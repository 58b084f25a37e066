-- Every attempt at a job of the `jobs` table (emails, and the calendar and reminder jobs to
-- come), as webhook_attempts keeps them for deliveries: when, how long, and what went wrong.
CREATE TABLE job_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    latency_ms INTEGER NOT NULL,
    error TEXT
);
CREATE INDEX job_attempts_job ON job_attempts (job_id, id);
