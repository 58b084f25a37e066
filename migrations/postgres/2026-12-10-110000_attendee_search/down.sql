DROP INDEX attendees_email_search;
DROP INDEX attendees_name_search;
