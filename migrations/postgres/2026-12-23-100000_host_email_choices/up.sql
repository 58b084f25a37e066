-- Which booking emails a host receives, as they chose (src/notify/choices.rs); no row means
-- all of them. `booked`: a booking made or requested; `rescheduled`: moved, or its place
-- changed; `cancelled`: cancelled or declined; `workflows`: workflow steps that email the
-- hosts (`email_host`).
CREATE TABLE host_email_choices (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    booked BOOLEAN NOT NULL DEFAULT TRUE,
    rescheduled BOOLEAN NOT NULL DEFAULT TRUE,
    cancelled BOOLEAN NOT NULL DEFAULT TRUE,
    workflows BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL
);
