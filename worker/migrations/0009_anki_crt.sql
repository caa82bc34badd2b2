-- Anki's apps count review days from the collection's creation time (`crt`, seconds), the relay from the Unix
-- epoch (shared/days.ts). The crt that Anki's apps of this account hold: set by a full upload from Anki, or chosen
-- at the first full download to Anki, and kept, so that every app of the account counts days alike.
ALTER TABLE collections ADD COLUMN anki_crt INTEGER;
