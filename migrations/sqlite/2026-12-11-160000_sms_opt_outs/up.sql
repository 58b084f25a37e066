-- Phone numbers (E.164) that answered an opt-out word (STOP, ...) to our SMS number, as the
-- provider's inbound webhook told it: no SMS is sent to them until they answer START.
CREATE TABLE sms_opt_outs (
    phone TEXT PRIMARY KEY NOT NULL,
    opted_out_at TIMESTAMP NOT NULL
);
