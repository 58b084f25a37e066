DROP INDEX booking_made_hours_count;
DROP TABLE booking_event_type_months;
DROP TABLE booking_event_type_days;
DROP TABLE booking_host_months;
DROP TABLE booking_host_days;
