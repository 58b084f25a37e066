-- A queue's claim reads its own due jobs in run order: (queue, status, run_at, id) answers it
-- from the index alone, in order, without visiting other queues' due jobs (10,000 reminders
-- due at once made every email claim step over all of them) or sorting ties on run_at.
CREATE INDEX jobs_claim ON jobs (queue, status, run_at, id);
