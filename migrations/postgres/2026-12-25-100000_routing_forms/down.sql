DROP TABLE routing_form_responses;
DROP TABLE routing_forms;
