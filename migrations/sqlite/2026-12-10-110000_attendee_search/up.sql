-- The console's attendee search (`?q=`, storage::bookings::list) finds attendees whose name or
-- email contains the text, ASCII letters in any case. A trigram index over both narrows that
-- to a few candidates, which the exact test then checks; without it every visible booking was
-- probed (docs/PERFORMANCE.md). Kept in step with `attendees` by triggers, whichever write
-- changes them (cascading deletes included).
CREATE VIRTUAL TABLE attendees_search USING fts5 (
    name, email, content = 'attendees', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO attendees_search (attendees_search) VALUES ('rebuild');

CREATE TRIGGER attendees_search_insert AFTER INSERT ON attendees BEGIN
    INSERT INTO attendees_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER attendees_search_delete AFTER DELETE ON attendees BEGIN
    INSERT INTO attendees_search (attendees_search, rowid, name, email)
        VALUES ('delete', old.id, old.name, old.email);
END;
CREATE TRIGGER attendees_search_update AFTER UPDATE OF name, email ON attendees BEGIN
    INSERT INTO attendees_search (attendees_search, rowid, name, email)
        VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO attendees_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
