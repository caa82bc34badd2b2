-- Each account's collection: one row of identity, and every syncable record as a row of `objects`.

-- The collection an account holds. `usn` is the last committed update sequence number.
CREATE TABLE collections (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  collection_id TEXT NOT NULL,
  scm INTEGER NOT NULL,
  usn INTEGER NOT NULL,
  mtime INTEGER NOT NULL
);

-- Every record of every kind (notetype, deckconfig, deck, tag, config, note, card, revlog), keyed by user.
-- A deletion keeps the row as a grave: deleted = 1 and an empty body. `ref` is the record's parent (a note's
-- note type, a card's note), so that a push can be checked for references to records that do not exist.
CREATE TABLE objects (
  user_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  usn INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  ref TEXT,
  body TEXT NOT NULL,
  PRIMARY KEY (user_id, kind, id)
) WITHOUT ROWID;
CREATE INDEX objects_by_usn ON objects (user_id, usn, kind, id);

-- Records of a push or a full upload that is under way, committed to `objects` in one step.
CREATE TABLE staged (
  user_id INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  mtime INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  ref TEXT,
  body TEXT NOT NULL,
  PRIMARY KEY (user_id, session_id, kind, id)
) WITHOUT ROWID;
CREATE INDEX staged_by_chunk ON staged (user_id, session_id, chunk);

-- Sessions of pushes and uploads: when they began, so that abandoned ones can be cleared.
CREATE TABLE sync_sessions (
  user_id INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, session_id)
) WITHOUT ROWID;

-- The answer to every committed mutating request, so that a retry after a lost answer gets the same answer
-- and changes nothing.
CREATE TABLE completed_requests (
  user_id INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, request_id)
) WITHOUT ROWID;
