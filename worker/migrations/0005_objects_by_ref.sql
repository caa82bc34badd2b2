-- The records that refer to a parent (a note's note type, a card's note), so that a deletion of the parent finds
-- its live children at once (see CASCADE_SQL in worker/db/collections.ts).
CREATE INDEX objects_by_ref ON objects (user_id, kind, ref);
