DROP TABLE reminder_opt_outs;
DROP TABLE workflow_event_types;
DROP TABLE workflows;
