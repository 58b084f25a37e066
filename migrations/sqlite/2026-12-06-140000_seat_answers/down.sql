ALTER TABLE attendees DROP COLUMN responses;
