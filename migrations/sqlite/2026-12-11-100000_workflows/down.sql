DROP TABLE workflow_event_types;
DROP TABLE workflows;
