DROP TABLE host_email_choices;
