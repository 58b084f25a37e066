DROP INDEX webhook_deliveries_due;
ALTER TABLE webhooks DROP COLUMN disabled_at;
ALTER TABLE webhook_deliveries DROP COLUMN last_error;
ALTER TABLE webhook_deliveries DROP COLUMN last_status_code;
ALTER TABLE webhook_deliveries DROP COLUMN version;
ALTER TABLE webhook_deliveries DROP COLUMN content_type;
ALTER TABLE webhook_deliveries DROP COLUMN lease_until;
ALTER TABLE webhook_deliveries DROP COLUMN lease_owner;
