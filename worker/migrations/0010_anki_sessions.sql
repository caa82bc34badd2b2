-- A normal sync of one of Anki's apps, from `start` to `finish`: Anki keeps one per account, and a new one (or a
-- meta, upload, download or abort) ends the one under way. What the app sends is staged under `session_id` (in
-- `staged`, as a push of the extension is) and committed in one step; `cursor` is where `chunk` has got to in
-- the relay's changes, and `crt` a crt the app sent, kept at the commit.
CREATE TABLE anki_sessions (
  user_id INTEGER PRIMARY KEY,
  skey TEXT NOT NULL,
  session_id TEXT NOT NULL,
  min_usn INTEGER NOT NULL,
  base_usn INTEGER NOT NULL,
  lnewer INTEGER NOT NULL,
  chunks INTEGER NOT NULL DEFAULT 0,
  cursor TEXT,
  crt INTEGER,
  mod INTEGER,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
