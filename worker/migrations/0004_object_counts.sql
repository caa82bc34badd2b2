-- Each account's digest (live and deleted records per kind, and the sum of live records' mtimes modulo 1,000,003),
-- kept up to date by triggers as `objects` changes, so that a sync reads a few rows instead of the whole
-- collection.
CREATE TABLE object_counts (
  user_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  live INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  mtime_sum INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

INSERT INTO object_counts (user_id, kind, live, deleted, mtime_sum)
SELECT user_id, kind, SUM(deleted = 0), SUM(deleted = 1), SUM(CASE WHEN deleted = 0 THEN mtime % 1000003 ELSE 0 END)
FROM objects GROUP BY user_id, kind;

CREATE TRIGGER objects_counted_on_insert AFTER INSERT ON objects
BEGIN
  INSERT INTO object_counts (user_id, kind, live, deleted, mtime_sum)
  VALUES (NEW.user_id, NEW.kind, NEW.deleted = 0, NEW.deleted = 1,
          CASE WHEN NEW.deleted = 0 THEN NEW.mtime % 1000003 ELSE 0 END)
  ON CONFLICT (user_id, kind) DO UPDATE SET
    live = live + excluded.live, deleted = deleted + excluded.deleted, mtime_sum = mtime_sum + excluded.mtime_sum;
END;

CREATE TRIGGER objects_counted_on_update AFTER UPDATE OF deleted, mtime ON objects
BEGIN
  UPDATE object_counts SET
    live = live - (OLD.deleted = 0) + (NEW.deleted = 0),
    deleted = deleted - (OLD.deleted = 1) + (NEW.deleted = 1),
    mtime_sum = mtime_sum - (CASE WHEN OLD.deleted = 0 THEN OLD.mtime % 1000003 ELSE 0 END)
                          + (CASE WHEN NEW.deleted = 0 THEN NEW.mtime % 1000003 ELSE 0 END)
  WHERE user_id = NEW.user_id AND kind = NEW.kind;
END;

CREATE TRIGGER objects_counted_on_delete AFTER DELETE ON objects
BEGIN
  UPDATE object_counts SET
    live = live - (OLD.deleted = 0),
    deleted = deleted - (OLD.deleted = 1),
    mtime_sum = mtime_sum - (CASE WHEN OLD.deleted = 0 THEN OLD.mtime % 1000003 ELSE 0 END)
  WHERE user_id = OLD.user_id AND kind = OLD.kind;
END;
