-- A seat holder's own answers to the booking questions (JSON, as bookings.responses), so each
-- seat of a seated booking reads back its own; NULL for guests, plain bookings and older seats.
ALTER TABLE attendees ADD COLUMN responses TEXT;
