-- A recurring series' occurrences are read and cancelled together (recurringBookingUid).
CREATE INDEX bookings_recurring_event_id ON bookings (recurring_event_id) WHERE recurring_event_id IS NOT NULL;
