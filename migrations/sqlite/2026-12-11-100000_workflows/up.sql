-- Workflows (Cal.com's): a trigger (a booking change, or a time before the start or after the
-- end) and steps (email the attendees, the hosts or an address; call a webhook subscription),
-- owned by a user (their personal event types) or a team (its event types), active on all of
-- the owner's event types or on those listed in workflow_event_types. Steps are JSON, read
-- and validated as a whole by src/workflows.
CREATE TABLE workflows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    trigger_type TEXT NOT NULL,
    offset_minutes INTEGER NOT NULL DEFAULT 0,
    offset_unit TEXT NOT NULL DEFAULT 'hour',
    active_on_all BOOLEAN NOT NULL DEFAULT FALSE,
    steps TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (team_id IS NULL)),
    CHECK (offset_minutes >= 0)
);
CREATE INDEX workflows_user ON workflows (user_id);
CREATE INDEX workflows_team ON workflows (team_id);

CREATE TABLE workflow_event_types (
    workflow_id BIGINT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    PRIMARY KEY (workflow_id, event_type_id)
);
CREATE INDEX workflow_event_types_event_type ON workflow_event_types (event_type_id);

-- Attendees who stopped a booking's reminders through the signed link in them.
CREATE TABLE reminder_opt_outs (
    booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (booking_id, email)
);
