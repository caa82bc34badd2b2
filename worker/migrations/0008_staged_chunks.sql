-- The size of each staged chunk, so that what an account has staged can be capped without reading the records.
CREATE TABLE staged_chunks (
  user_id INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (user_id, session_id, chunk)
) WITHOUT ROWID;
