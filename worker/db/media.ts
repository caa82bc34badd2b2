// Every query on media_state, media and media_blobs: names and hashes of an account's media files, its media usn,
// and the files R2 holds for it.
import type { MediaChange, MediaEntry } from "../../shared/protocol/media";

/** Storage an account may use for media when the relay's owner set nothing else for it. */
export const DEFAULT_MEDIA_QUOTA = 1024 * 1024 * 1024;

interface RawEntry {
  name: string;
  sha1: string | null;
  size: number;
  mtime: number;
  usn: number;
  deleted: number;
}

function toEntry(row: RawEntry): MediaEntry {
  return { name: row.name, sha1: row.deleted ? null : row.sha1, size: row.size, mtime: row.mtime, usn: row.usn };
}

export async function mediaUsn(db: D1Database, userId: number): Promise<number> {
  const row = await db.prepare("SELECT usn FROM media_state WHERE user_id = ?1").bind(userId).first<{ usn: number }>();
  return row?.usn ?? 0;
}

/** The statement of a page of media changes; exported for the test that checks SQLite's plan for it. */
export const MEDIA_CHANGES_SQL = `SELECT name, sha1, size, mtime, usn, deleted FROM media
  WHERE user_id = ?1 AND (usn, name) > (?4, ?5) AND usn <= ?3 AND usn > ?2 + 0
  ORDER BY usn, name LIMIT ?6`;

/** Names changed after `since` up to `upto`, in (usn, name) order, after a cursor. */
export async function mediaChangesPage(
  db: D1Database,
  userId: number,
  since: number,
  upto: number,
  after: { usn: number; name: string } | null,
  limit: number,
): Promise<MediaEntry[]> {
  // As changesPage: the cursor is the index range's start, "usn > ?2 + 0" only a filter (names are never empty).
  const from = after ?? { usn: since + 1, name: "" };
  const { results } = await db
    .prepare(MEDIA_CHANGES_SQL)
    .bind(userId, since, upto, from.usn, from.name, limit)
    .all<RawEntry>();
  return results.map(toEntry);
}

/** The hashes among `sha1s` that the account has no verified file for. */
export async function missingBlobs(db: D1Database, userId: number, sha1s: string[], now: number): Promise<string[]> {
  // Files asked about are kept another day, so that a commit following soon finds them.
  const [, missing] = await db.batch<{ sha1: string }>([
    db
      .prepare(
        `UPDATE media_blobs SET created_at = ?3
         WHERE user_id = ?1 AND ready = 1 AND sha1 IN (SELECT value FROM json_each(?2))`,
      )
      .bind(userId, JSON.stringify(sha1s), now),
    db
      .prepare(
        `SELECT DISTINCT j.value AS sha1 FROM json_each(?2) j
         WHERE NOT EXISTS (SELECT 1 FROM media_blobs b WHERE b.user_id = ?1 AND b.sha1 = j.value AND b.ready = 1)`,
      )
      .bind(userId, JSON.stringify(sha1s)),
  ]);
  return (missing?.results ?? []).map((r) => r.sha1);
}

export async function findBlob(
  db: D1Database,
  userId: number,
  sha1: string,
): Promise<{ size: number; ready: boolean } | null> {
  const row = await db
    .prepare("SELECT size, ready FROM media_blobs WHERE user_id = ?1 AND sha1 = ?2")
    .bind(userId, sha1)
    .first<{ size: number; ready: number }>();
  return row ? { size: row.size, ready: row.ready === 1 } : null;
}

/** Bytes the account's files take (uploads under way included), and its quota. */
export async function mediaUsage(
  db: D1Database,
  userId: number,
): Promise<{ files: number; bytes: number; quota: number }> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes,
              COALESCE((SELECT quota_bytes FROM media_state WHERE user_id = ?1), ?2) AS quota
       FROM media_blobs WHERE user_id = ?1`,
    )
    .bind(userId, DEFAULT_MEDIA_QUOTA)
    .first<{ files: number; bytes: number; quota: number }>();
  return row ?? { files: 0, bytes: 0, quota: DEFAULT_MEDIA_QUOTA };
}

/**
 * Reserves room for an upload: writes the file's row (not ready) when the account's files and this one fit its
 * quota. Returns false when they do not. A row left by an earlier, unfinished upload of the same file is reused.
 */
export async function reserveBlob(
  db: D1Database,
  userId: number,
  sha1: string,
  size: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO media_blobs (user_id, sha1, size, ready, created_at)
       SELECT ?1, ?2, ?3, 0, ?4
       WHERE (SELECT COALESCE(SUM(size), 0) FROM media_blobs WHERE user_id = ?1 AND sha1 <> ?2) + ?3
             <= COALESCE((SELECT quota_bytes FROM media_state WHERE user_id = ?1), ?5)
       ON CONFLICT (user_id, sha1) DO UPDATE SET size = excluded.size, created_at = excluded.created_at
       WHERE media_blobs.ready = 0`,
    )
    .bind(userId, sha1, size, now, DEFAULT_MEDIA_QUOTA)
    .run();
  return result.meta.changes > 0;
}

export async function markBlobReady(db: D1Database, userId: number, sha1: string, now: number): Promise<void> {
  await db
    .prepare("UPDATE media_blobs SET ready = 1, created_at = ?3 WHERE user_id = ?1 AND sha1 = ?2")
    .bind(userId, sha1, now)
    .run();
}

/** Drops the reservation of an upload that failed (a ready file of the same content is left alone). */
export async function dropReservation(db: D1Database, userId: number, sha1: string): Promise<void> {
  await db.prepare("DELETE FROM media_blobs WHERE user_id = ?1 AND sha1 = ?2 AND ready = 0").bind(userId, sha1).run();
}

/**
 * The statements of a media commit, in one batch: the names' versions before, the usn before, the merge of every
 * change with the rule of shared/media.ts (later mtime wins; at equal mtime a file beats a deletion, then the greater
 * hash; the same content changes nothing), the usn moved on when anything changed, the request remembered, and how
 * the usn and the names stand after. The batch fails (a constraint) when a change names a file that is not
 * uploaded, so that nothing is written then.
 */
export function commitMediaStatements(
  db: D1Database,
  userId: number,
  requestId: string,
  changes: MediaChange[],
  now: number,
): D1PreparedStatement[] {
  const json = JSON.stringify(changes);
  const names = JSON.stringify(changes.map((c) => c.name));
  const newUsn = "(SELECT usn FROM media_state WHERE user_id = ?1) + 1";
  return [
    db.prepare("INSERT OR IGNORE INTO media_state (user_id, usn) VALUES (?1, 0)").bind(userId),
    // Fails on the primary key, aborting the batch, when a live change's file is not uploaded and verified.
    db
      .prepare(
        `INSERT INTO media_state (user_id, usn)
         SELECT ?1, 0 FROM json_each(?2) j
         WHERE j.value ->> '$.sha1' IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM media_blobs b WHERE b.user_id = ?1 AND b.sha1 = j.value ->> '$.sha1' AND b.ready = 1)
         LIMIT 1`,
      )
      .bind(userId, json),
    db
      .prepare(
        `SELECT m.sha1 FROM media m JOIN json_each(?2) j ON m.name = j.value
         WHERE m.user_id = ?1 AND m.deleted = 0`,
      )
      .bind(userId, names),
    db.prepare("SELECT usn FROM media_state WHERE user_id = ?1").bind(userId),
    db
      .prepare(
        `INSERT INTO media (user_id, name, sha1, size, mtime, usn, deleted)
         SELECT ?1, j.value ->> '$.name', j.value ->> '$.sha1', COALESCE(b.size, 0), j.value ->> '$.mtime', ${newUsn},
                (j.value ->> '$.sha1') IS NULL
         FROM json_each(?2) j LEFT JOIN media_blobs b ON b.user_id = ?1 AND b.sha1 = j.value ->> '$.sha1'
         WHERE true
         ON CONFLICT (user_id, name) DO UPDATE SET
           sha1 = excluded.sha1, size = excluded.size, mtime = excluded.mtime, usn = excluded.usn, deleted = excluded.deleted
         WHERE media.sha1 IS NOT excluded.sha1 AND (excluded.mtime > media.mtime OR (excluded.mtime = media.mtime
           AND COALESCE(excluded.sha1, '') > COALESCE(media.sha1, '')))`,
      )
      .bind(userId, json),
    db
      .prepare(
        `UPDATE media_state SET usn = usn + 1 WHERE user_id = ?1
         AND EXISTS (SELECT 1 FROM media WHERE user_id = ?1 AND usn = media_state.usn + 1)`,
      )
      .bind(userId),
    db
      .prepare(
        "INSERT OR IGNORE INTO completed_requests (user_id, request_id, response, created_at) VALUES (?1, ?2, '{}', ?3)",
      )
      .bind(userId, mediaRequestKey(requestId), now),
    db.prepare("SELECT usn FROM media_state WHERE user_id = ?1").bind(userId),
    entriesStatement(db, userId, names),
    // Answers are remembered for a week, as the collection's are.
    db
      .prepare("DELETE FROM completed_requests WHERE user_id = ?1 AND request_id LIKE 'media:%' AND created_at < ?2")
      .bind(userId, now - REMEMBERED_MS),
  ];
}

const REMEMBERED_MS = 7 * 24 * 60 * 60 * 1000;

/** Media request ids share completed_requests with the collection's, under their own prefix. */
export function mediaRequestKey(requestId: string): string {
  return `media:${requestId}`;
}

function entriesStatement(db: D1Database, userId: number, namesJson: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT name, sha1, size, mtime, usn, deleted FROM media
       WHERE user_id = ?1 AND name IN (SELECT value FROM json_each(?2)) ORDER BY name`,
    )
    .bind(userId, namesJson);
}

export async function mediaEntries(db: D1Database, userId: number, names: string[]): Promise<MediaEntry[]> {
  const { results } = await entriesStatement(db, userId, JSON.stringify(names)).all<RawEntry>();
  return results.map(toEntry);
}

export function toEntries(rows: unknown[]): MediaEntry[] {
  return (rows as RawEntry[]).map(toEntry);
}

const UNUSED_UPLOAD_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the rows of files no live name uses any more: those a commit just stopped using, and uploads left unused
 * for a day. Returns their hashes, whose R2 objects the caller deletes.
 */
export async function sweepBlobs(db: D1Database, userId: number, released: string[], now: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `DELETE FROM media_blobs WHERE user_id = ?1
         AND (sha1 IN (SELECT value FROM json_each(?2)) OR created_at < ?3)
         AND NOT EXISTS (SELECT 1 FROM media m WHERE m.user_id = ?1 AND m.sha1 = media_blobs.sha1 AND m.deleted = 0)
       RETURNING sha1`,
    )
    .bind(userId, JSON.stringify(released), now - UNUSED_UPLOAD_MS)
    .all<{ sha1: string }>();
  return results.map((r) => r.sha1);
}

/** Removes every media row of an account. */
export function deleteMediaStatements(db: D1Database, userId: number): D1PreparedStatement[] {
  return ["media", "media_blobs", "media_state"].map((table) =>
    db.prepare(`DELETE FROM ${table} WHERE user_id = ?1`).bind(userId),
  );
}
