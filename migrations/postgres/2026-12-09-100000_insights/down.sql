DROP INDEX attendees_no_show;
DROP INDEX bookings_event_type_created;
DROP TABLE page_views;
