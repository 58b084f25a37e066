-- Round-robin host groups (Cal.com's HostGroup): a round-robin team event type may split its
-- non-fixed hosts into groups; a slot needs a free host of each group and a booking gets one
-- host per group. Hosts without a group form the default group. Ids are Cal.com's: strings
-- (a UUID unless the client names one), unique across event types.
CREATE TABLE host_groups (
    id TEXT PRIMARY KEY,
    event_type_id BIGINT NOT NULL REFERENCES event_types (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX host_groups_event_type ON host_groups (event_type_id);

-- The free-text host_group column was never written; the group is now a reference. Deleting a
-- group ungroups its hosts (they return to the default group) rather than being refused.
ALTER TABLE hosts DROP COLUMN host_group;
ALTER TABLE hosts ADD COLUMN group_id TEXT REFERENCES host_groups (id) ON DELETE SET NULL;
