DROP INDEX IF EXISTS attendees_email_search;
DROP INDEX IF EXISTS attendees_name_search;
