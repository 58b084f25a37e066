-- Routing forms (Cal.com's): questions (booking-question fields) and ordered routes that send
-- a submission to an event type (narrowing a round-robin one's hosts), a message or an external
-- URL, owned by a user or a team. Fields and routes are JSON, read and validated as a whole by
-- src/routing_forms. Every submission is kept with where it was routed and, once booked, the
-- booking's uid.
CREATE TABLE routing_forms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    fields TEXT NOT NULL,
    routes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (team_id IS NULL))
);
CREATE INDEX routing_forms_user ON routing_forms (user_id);
CREATE INDEX routing_forms_team ON routing_forms (team_id);

CREATE TABLE routing_form_responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    form_id BIGINT NOT NULL REFERENCES routing_forms (id) ON DELETE CASCADE,
    answers TEXT NOT NULL,
    routed TEXT NOT NULL,
    event_type_id BIGINT REFERENCES event_types (id) ON DELETE SET NULL,
    booking_uid TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX routing_form_responses_form ON routing_form_responses (form_id, id);
