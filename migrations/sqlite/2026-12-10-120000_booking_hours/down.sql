DROP TABLE booking_made_hours;
DROP TABLE booking_hours;
DROP VIEW booking_host_outcomes;
DROP VIEW booking_outcomes;
