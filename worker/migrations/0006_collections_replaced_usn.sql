-- The usn of the full upload that last replaced each collection: a device whose last sync came before it has not
-- seen that collection and must choose a one-way sync, even when its schema stamp happens to equal the upload's
-- (both are times in milliseconds).
ALTER TABLE collections ADD COLUMN replaced_usn INTEGER NOT NULL DEFAULT 0;
