-- Each account's media files. R2 holds every distinct file of an account once, under u/<user id>/<sha1>; D1 holds
-- which name has which content, and the media usn, a sequence number of its own beside the collection's.

-- An account's media usn (the last committed media change), and its storage quota in bytes when the relay's
-- owner gave it one other than the default (NULL: the default).
CREATE TABLE media_state (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  usn INTEGER NOT NULL,
  quota_bytes INTEGER
);

-- One row per name. A deletion keeps its row (deleted = 1, sha1 NULL), so that devices learn of it. `size` is the
-- size of the content, copied from media_blobs when the change was committed.
CREATE TABLE media (
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  sha1 TEXT,
  size INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  usn INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, name)
) WITHOUT ROWID;
CREATE INDEX media_by_usn ON media (user_id, usn, name);
CREATE INDEX media_by_sha1 ON media (user_id, sha1);

-- The files in R2, one row per distinct content. A row is written before its upload (ready = 0, which reserves
-- the quota) and marked ready once R2 holds the verified bytes. Files no name uses are removed when a commit
-- stops using them, and uploads never used are cleared a day later.
CREATE TABLE media_blobs (
  user_id INTEGER NOT NULL,
  sha1 TEXT NOT NULL,
  size INTEGER NOT NULL,
  ready INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, sha1)
) WITHOUT ROWID;
