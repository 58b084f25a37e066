-- Webhook delivery: a worker leases a due delivery before sending it, so instances never send
-- one delivery at the same time; a lease that expires (the worker died) makes it due again.
ALTER TABLE webhook_deliveries ADD COLUMN lease_owner TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN lease_until TIMESTAMP;
-- What was sent: the body's content type and the payload version header.
ALTER TABLE webhook_deliveries ADD COLUMN content_type TEXT NOT NULL DEFAULT 'application/json';
ALTER TABLE webhook_deliveries ADD COLUMN version TEXT NOT NULL DEFAULT '2021-10-20';
-- The last attempt's outcome, so listing deliveries needs no join.
ALTER TABLE webhook_deliveries ADD COLUMN last_status_code INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN last_error TEXT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
-- When a subscription was switched off by failures (disabled_reason says why).
ALTER TABLE webhooks ADD COLUMN disabled_at TIMESTAMP;
