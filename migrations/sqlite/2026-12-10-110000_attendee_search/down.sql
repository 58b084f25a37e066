DROP TRIGGER attendees_search_update;
DROP TRIGGER attendees_search_delete;
DROP TRIGGER attendees_search_insert;
DROP TABLE attendees_search;
