// Every query on collections, objects, staged records and completed requests.
import { StatusError } from "itty-router";
import type { CollectionDigest, RelayObject, SyncKind } from "../../shared/sync/protocol";

export interface CollectionRow {
  collectionId: string;
  scm: number;
  usn: number;
  mtime: number;
}

/** The crt of Anki's apps of the account (see migration 0009), or null before any full sync with them. */
export async function ankiCrt(db: D1Database, userId: number): Promise<number | null> {
  const row = await db
    .prepare("SELECT anki_crt AS crt FROM collections WHERE user_id = ?1")
    .bind(userId)
    .first<{ crt: number | null }>();
  return row?.crt ?? null;
}

/** Keeps `crt` as the account's Anki crt unless one is kept already; gives the one kept. */
export async function keepAnkiCrt(db: D1Database, userId: number, crt: number): Promise<number> {
  const [, read] = await db.batch([
    db.prepare("UPDATE collections SET anki_crt = ?2 WHERE user_id = ?1 AND anki_crt IS NULL").bind(userId, crt),
    db.prepare("SELECT anki_crt AS crt FROM collections WHERE user_id = ?1").bind(userId),
  ]);
  return ((read?.results ?? [])[0] as { crt: number | null } | undefined)?.crt ?? crt;
}

export async function findCollection(db: D1Database, userId: number): Promise<CollectionRow | null> {
  return db
    .prepare("SELECT collection_id AS collectionId, scm, usn, mtime FROM collections WHERE user_id = ?1")
    .bind(userId)
    .first<CollectionRow>();
}

/** The usn of the full upload that last replaced the account's collection (0 if none since this was recorded). */
export async function replacedUsn(db: D1Database, userId: number): Promise<number> {
  const row = await db
    .prepare("SELECT replaced_usn AS usn FROM collections WHERE user_id = ?1")
    .bind(userId)
    .first<{ usn: number }>();
  return row?.usn ?? 0;
}

/** Live records of one kind, from the counts the triggers keep (see `digest`). */
export async function countLive(db: D1Database, userId: number, kind: SyncKind): Promise<number> {
  const row = await db
    .prepare("SELECT live FROM object_counts WHERE user_id = ?1 AND kind = ?2")
    .bind(userId, kind)
    .first<{ live: number }>();
  return row?.live ?? 0;
}

/**
 * Counts and mtime sums per kind: the digest a device compares with its own after a sync. Triggers on `objects`
 * keep them in `object_counts` (migration 0004), so that this reads a few rows, not the collection.
 */
export async function digest(db: D1Database, userId: number): Promise<CollectionDigest> {
  return (await digestAt(db, userId)).digest;
}

/**
 * The digest together with the collection it describes, read in one batch (one transaction), so that the counts
 * are those of exactly that usn: a commit of another device can come between two separate reads.
 */
export async function digestAt(
  db: D1Database,
  userId: number,
): Promise<{ collection: CollectionRow | null; digest: CollectionDigest }> {
  const [collection, counts] = await db.batch([
    db
      .prepare("SELECT collection_id AS collectionId, scm, usn, mtime FROM collections WHERE user_id = ?1")
      .bind(userId),
    db.prepare("SELECT kind, live, deleted, mtime_sum AS mtimeSum FROM object_counts WHERE user_id = ?1").bind(userId),
  ]);
  const out: CollectionDigest = {};
  for (const row of (counts?.results ?? []) as { kind: SyncKind; live: number; deleted: number; mtimeSum: number }[]) {
    if (row.live > 0 || row.deleted > 0)
      out[row.kind] = { live: row.live, deleted: row.deleted, mtimeSum: row.mtimeSum };
  }
  return { collection: ((collection?.results ?? [])[0] as CollectionRow | undefined) ?? null, digest: out };
}

export interface StagedRow {
  kind: string;
  id: string;
  mtime: number;
  deleted: boolean;
  ref: string | null;
  body: string;
}

/**
 * Stages one chunk: what an earlier sending of the same chunk staged is removed, then the rows (one JSON parameter)
 * go in, so that a chunk sent again replaces it whole. Run both in one batch.
 */
export function stageChunk(
  db: D1Database,
  userId: number,
  sessionId: string,
  chunk: number,
  rows: StagedRow[],
): D1PreparedStatement[] {
  const bytes = rows.reduce((sum, row) => sum + row.body.length + row.id.length, 0);
  return [
    db
      .prepare("DELETE FROM staged WHERE user_id = ?1 AND session_id = ?2 AND chunk = ?3")
      .bind(userId, sessionId, chunk),
    db
      .prepare("INSERT OR REPLACE INTO staged_chunks (user_id, session_id, chunk, bytes) VALUES (?1, ?2, ?3, ?4)")
      .bind(userId, sessionId, chunk, bytes),
    db
      .prepare(
        `INSERT OR REPLACE INTO staged (user_id, session_id, chunk, kind, id, mtime, deleted, ref, body)
         SELECT ?1, ?2, ?3, j.value ->> '$.kind', j.value ->> '$.id', j.value ->> '$.mtime', j.value ->> '$.deleted',
                j.value ->> '$.ref', j.value ->> '$.body'
         FROM json_each(?4) AS j`,
      )
      .bind(userId, sessionId, chunk, JSON.stringify(rows.map((r) => ({ ...r, deleted: r.deleted ? 1 : 0 })))),
  ];
}

/** Most sessions (pushes and uploads) one account may have under way, and most bytes they may hold staged. */
export const MAX_OPEN_SESSIONS = 8;
export const MAX_STAGED_BYTES = 512 * 1024 * 1024;
/** A session older than this gives way when a new one would pass MAX_OPEN_SESSIONS. */
export const IDLE_SESSION_MS = 60 * 60 * 1000;

/** What an account has staged: its open sessions, and the bytes of its chunks other than the one being replaced. */
export async function stagedUsage(
  db: D1Database,
  userId: number,
  sessionId: string,
  chunk: number,
): Promise<{ sessions: number; open: boolean; bytes: number }> {
  const row = await db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM sync_sessions WHERE user_id = ?1) AS sessions,
              EXISTS (SELECT 1 FROM sync_sessions WHERE user_id = ?1 AND session_id = ?2) AS open,
              (SELECT COALESCE(SUM(bytes), 0) FROM staged_chunks
               WHERE user_id = ?1 AND NOT (session_id = ?2 AND chunk = ?3)) AS bytes`,
    )
    .bind(userId, sessionId, chunk)
    .first<{ sessions: number; open: number; bytes: number }>();
  return { sessions: row?.sessions ?? 0, open: Boolean(row?.open), bytes: row?.bytes ?? 0 };
}

/** Clears the account's sessions begun before `before`, with what they staged. */
export function clearIdleSessions(db: D1Database, userId: number, before: number): D1PreparedStatement[] {
  const idle = "SELECT session_id FROM sync_sessions WHERE user_id = ?1 AND created_at < ?2";
  return [
    db.prepare(`DELETE FROM staged WHERE user_id = ?1 AND session_id IN (${idle})`).bind(userId, before),
    db.prepare(`DELETE FROM staged_chunks WHERE user_id = ?1 AND session_id IN (${idle})`).bind(userId, before),
    db.prepare("DELETE FROM sync_sessions WHERE user_id = ?1 AND created_at < ?2").bind(userId, before),
  ];
}

export function openSession(db: D1Database, userId: number, sessionId: string, kind: "push" | "upload", now: number) {
  return db
    .prepare("INSERT OR IGNORE INTO sync_sessions (user_id, session_id, kind, created_at) VALUES (?1, ?2, ?3, ?4)")
    .bind(userId, sessionId, kind, now);
}

export async function sessionKind(db: D1Database, userId: number, sessionId: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT kind FROM sync_sessions WHERE user_id = ?1 AND session_id = ?2")
    .bind(userId, sessionId)
    .first<{ kind: string }>();
  return row?.kind ?? null;
}

/** Refuses (409) a session that holds records of the other kind: a push's chunks are no upload, nor the reverse. */
export async function requireSessionKind(
  db: D1Database,
  userId: number,
  sessionId: string,
  kind: "push" | "upload",
): Promise<void> {
  const existing = await sessionKind(db, userId, sessionId);
  if (existing && existing !== kind) {
    const article = (k: string) => (k === "upload" ? "an upload" : "a push");
    throw new StatusError(409, `session ${sessionId} is ${article(existing)}, not ${article(kind)}`);
  }
}

export async function stagedChunks(db: D1Database, userId: number, sessionId: string): Promise<number[]> {
  const { results } = await db
    .prepare("SELECT DISTINCT chunk FROM staged WHERE user_id = ?1 AND session_id = ?2 ORDER BY chunk")
    .bind(userId, sessionId)
    .all<{ chunk: number }>();
  return results.map((r) => r.chunk);
}

export async function stagedCounts(db: D1Database, userId: number, sessionId: string): Promise<Record<string, number>> {
  const { results } = await db
    .prepare(
      "SELECT kind, COUNT(*) AS n FROM staged WHERE user_id = ?1 AND session_id = ?2 AND deleted = 0 GROUP BY kind",
    )
    .bind(userId, sessionId)
    .all<{ kind: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.kind, r.n]));
}

/**
 * A staged record whose parent (a note's note type, a card's note) exists neither live in the session nor, unless
 * `replacing`, live on the relay without the session deleting it.
 */
export async function findOrphan(
  db: D1Database,
  userId: number,
  sessionId: string,
  replacing: boolean,
): Promise<{ kind: string; id: string; ref: string } | null> {
  const live = replacing
    ? ""
    : `AND NOT (EXISTS (SELECT 1 FROM objects o WHERE o.user_id = ?1 AND o.kind = p.kind AND o.id = s.ref AND o.deleted = 0)
               AND NOT EXISTS (SELECT 1 FROM staged d WHERE d.user_id = ?1 AND d.session_id = ?2 AND d.kind = p.kind
                               AND d.id = s.ref AND d.deleted = 1))`;
  return db
    .prepare(
      `SELECT s.kind, s.id, s.ref FROM staged s
       JOIN (SELECT 'note' AS child, 'notetype' AS kind UNION ALL SELECT 'card', 'note') p ON p.child = s.kind
       WHERE s.user_id = ?1 AND s.session_id = ?2 AND s.deleted = 0
         AND NOT EXISTS (SELECT 1 FROM staged t WHERE t.user_id = ?1 AND t.session_id = ?2 AND t.kind = p.kind
                         AND t.id = s.ref AND t.deleted = 0)
         ${live}
       LIMIT 1`,
    )
    .bind(userId, sessionId)
    .first<{ kind: string; id: string; ref: string }>();
}

/**
 * The live records of the relay that a push's deletions take with them and the push does not send itself: the notes
 * of a deleted note type, and the cards of a deleted note (or of such a note), each as a deletion that names its
 * note (by guid) at the mtime of the deletion that took it. A deletion beats a concurrent edit: a card another
 * device made for a note meanwhile goes with the note, so that the collection on the relay stays whole.
 */
export const CASCADE_SQL = `
  WITH gone_notes (id, mtime, guid, own) AS (
    SELECT s.id, s.mtime, n.body ->> '$.guid', 1 FROM staged s
    LEFT JOIN objects n ON n.user_id = ?1 AND n.kind = 'note' AND n.id = s.id
    WHERE s.user_id = ?1 AND s.session_id = ?2 AND s.kind = 'note' AND s.deleted = 1
    UNION ALL
    SELECT o.id, s.mtime, o.body ->> '$.guid', 0 FROM staged s
    CROSS JOIN objects o INDEXED BY objects_by_ref ON o.user_id = ?1 AND o.kind = 'note' AND o.ref = s.id AND o.deleted = 0
    WHERE s.user_id = ?1 AND s.session_id = ?2 AND s.kind = 'notetype' AND s.deleted = 1
  ),
  gone (kind, id, mtime, guid) AS (
    SELECT 'note', id, mtime, guid FROM gone_notes WHERE own = 0
    UNION ALL
    SELECT 'card', c.id, g.mtime, g.guid FROM gone_notes g
    CROSS JOIN objects c INDEXED BY objects_by_ref ON c.user_id = ?1 AND c.kind = 'card' AND c.ref = g.id AND c.deleted = 0
  )
  -- From the few deletions of the push to their children (CROSS JOIN keeps that order), through objects_by_ref: without
  -- statistics SQLite would rather walk every card of the account.
  SELECT kind, id, MAX(mtime) AS mtime, guid FROM gone
  WHERE NOT EXISTS (SELECT 1 FROM staged t WHERE t.user_id = ?1 AND t.session_id = ?2 AND t.kind = gone.kind
                    AND t.id = gone.id)
  GROUP BY kind, id`;

export interface Cascaded {
  kind: "note" | "card";
  id: string;
  mtime: number;
  guid: string | null;
}

export async function cascadedDeletions(db: D1Database, userId: number, sessionId: string): Promise<Cascaded[]> {
  const { results } = await db.prepare(CASCADE_SQL).bind(userId, sessionId).all<Cascaded>();
  return results;
}

/** A cascaded deletion as the relay sends it, at the usn of the commit that makes it. */
export function cascadedObject(record: Cascaded, usn: number): RelayObject {
  return {
    kind: record.kind,
    id: record.id,
    usn,
    mtime: record.mtime,
    deleted: true,
    body: record.guid === null ? null : { guid: record.guid },
  };
}

/**
 * The statements that commit a push atomically, each guarded by the collection still being at `baseUsn`: merge
 * the staged records into the collection with the merge rule of shared/sync/merge.ts, delete what the push's
 * deletions take with them (`cascaded`, see CASCADE_SQL), record the answer, move the usn on, and clear the session.
 * If another commit came first, none of them changes anything. The usn moves on in the fourth statement. A push
 * that changes nothing (`changes` false: every record it sent equals or loses to the relay's, and it takes nothing
 * with it) only records its answer, at `baseUsn`, in the first statement: the usn stays, and other devices have
 * nothing to pull.
 */
export function commitPushStatements(
  db: D1Database,
  userId: number,
  sessionId: string,
  baseUsn: number,
  now: number,
  answer: Record<string, unknown> = {},
  cascaded: Cascaded[] = [],
  changes = true,
): D1PreparedStatement[] {
  const atBase = "(SELECT usn FROM collections WHERE user_id = ?1) = ?3";
  const remember = db
    .prepare(
      `INSERT INTO completed_requests (user_id, request_id, response, created_at)
       SELECT ?1, ?2, json_patch(?5, json_object('usn', ?3 + ?6)), ?4 WHERE ${atBase}`,
    )
    .bind(userId, sessionId, baseUsn, now, JSON.stringify(answer), changes ? 1 : 0);
  if (!changes) return [remember, ...clearSession(db, userId, sessionId, true)];
  return [
    db
      .prepare(
        `INSERT INTO objects (user_id, kind, id, usn, mtime, deleted, ref, body)
         SELECT ?1, kind, id, ?3 + 1, mtime, deleted, ref, body FROM staged
         WHERE user_id = ?1 AND session_id = ?2 AND ${atBase}
         ON CONFLICT (user_id, kind, id) DO UPDATE SET
           usn = excluded.usn, mtime = excluded.mtime, deleted = excluded.deleted, ref = excluded.ref, body = excluded.body
         WHERE objects.deleted = 0 AND (excluded.deleted = 1 OR (objects.kind <> 'revlog' AND (
           excluded.mtime > objects.mtime OR (excluded.mtime = objects.mtime AND excluded.body > objects.body))))`,
      )
      .bind(userId, sessionId, baseUsn),
    db
      .prepare(
        `UPDATE objects SET deleted = 1, usn = ?3 + 1, mtime = j.value ->> '$.mtime',
           body = CASE WHEN j.value ->> '$.guid' IS NULL THEN 'null' ELSE json_object('guid', j.value ->> '$.guid') END
         FROM json_each(?2) AS j
         WHERE objects.user_id = ?1 AND objects.kind = j.value ->> '$.kind' AND objects.id = j.value ->> '$.id'
           AND objects.deleted = 0 AND (SELECT usn FROM collections WHERE user_id = ?1) = ?3`,
      )
      .bind(userId, JSON.stringify(cascaded), baseUsn),
    remember,
    db
      .prepare(`UPDATE collections SET usn = ?3 + 1, mtime = ?4 WHERE user_id = ?1 AND usn = ?3`)
      .bind(userId, sessionId, baseUsn, now),
    ...clearSession(db, userId, sessionId, true),
  ];
}

/**
 * The relay's versions of staged records that will lose to what the relay holds (and differ from it): the device
 * must take these instead of marking its own as synced. Read before the commit, under the same base usn.
 */
export async function losingRecords(db: D1Database, userId: number, sessionId: string, limit: number) {
  const { results } = await db
    .prepare(
      `SELECT o.kind, o.id, o.usn, o.mtime, o.deleted, o.body FROM staged s
       JOIN objects o ON o.user_id = s.user_id AND o.kind = s.kind AND o.id = s.id
       WHERE s.user_id = ?1 AND s.session_id = ?2
         AND NOT (o.deleted = 0 AND (s.deleted = 1 OR (o.kind <> 'revlog' AND (
           s.mtime > o.mtime OR (s.mtime = o.mtime AND s.body > o.body)))))
         AND NOT (o.deleted = s.deleted AND o.body = s.body)
       LIMIT ?3`,
    )
    .bind(userId, sessionId, limit)
    .all<RawObject>();
  return results.map(toObject);
}

/**
 * How many staged records will change the relay's collection when committed: those it does not hold, and those that
 * win over its version by the merge rule (a version equal to the relay's changes nothing). Read before the commit,
 * under the same base usn.
 */
export async function applicableCount(db: D1Database, userId: number, sessionId: string): Promise<number> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS n FROM staged s
       LEFT JOIN objects o ON o.user_id = s.user_id AND o.kind = s.kind AND o.id = s.id
       WHERE s.user_id = ?1 AND s.session_id = ?2
         AND (o.id IS NULL OR (o.deleted = 0 AND (s.deleted = 1 OR (o.kind <> 'revlog' AND (
           s.mtime > o.mtime OR (s.mtime = o.mtime AND s.body > o.body))))))`,
    )
    .bind(userId, sessionId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Removes a session's staged records; when `ifCompleted`, only once its answer is recorded. */
export function clearSession(db: D1Database, userId: number, sessionId: string, ifCompleted = false) {
  const guard = ifCompleted
    ? "AND EXISTS (SELECT 1 FROM completed_requests WHERE user_id = ?1 AND request_id = ?2)"
    : "";
  return [
    db.prepare(`DELETE FROM staged WHERE user_id = ?1 AND session_id = ?2 ${guard}`).bind(userId, sessionId),
    db.prepare(`DELETE FROM staged_chunks WHERE user_id = ?1 AND session_id = ?2 ${guard}`).bind(userId, sessionId),
    db.prepare(`DELETE FROM sync_sessions WHERE user_id = ?1 AND session_id = ?2 ${guard}`).bind(userId, sessionId),
  ];
}

/** The statements that replace the whole collection with an upload, atomically. */
export function commitUploadStatements(
  db: D1Database,
  userId: number,
  sessionId: string,
  collection: {
    collectionId: string;
    scm: number;
    usn: number;
    mtime?: number;
    ankiCrt?: number;
    /** The usn the records are stored at, when not `usn` (at most `usn`). */
    objectsUsn?: number;
  },
  now: number,
): D1PreparedStatement[] {
  // An upload from Anki's apps brings its own crt (the day they count review days from); one from the extension
  // leaves the one that Anki's apps of the account hold.
  const ankiCrt =
    collection.ankiCrt === undefined
      ? []
      : [db.prepare("UPDATE collections SET anki_crt = ?2 WHERE user_id = ?1").bind(userId, collection.ankiCrt)];
  return [
    db.prepare("DELETE FROM objects WHERE user_id = ?1").bind(userId),
    db
      .prepare(
        `INSERT INTO objects (user_id, kind, id, usn, mtime, deleted, ref, body)
         SELECT ?1, kind, id, ?3, mtime, deleted, ref, body FROM staged WHERE user_id = ?1 AND session_id = ?2`,
      )
      .bind(userId, sessionId, Math.min(collection.objectsUsn ?? collection.usn, collection.usn)),
    db
      .prepare(
        `INSERT INTO collections (user_id, collection_id, scm, usn, mtime, replaced_usn) VALUES (?1, ?2, ?3, ?4, ?5, ?4)
         ON CONFLICT (user_id) DO UPDATE SET collection_id = ?2, scm = ?3, usn = ?4, mtime = ?5, replaced_usn = ?4`,
      )
      .bind(userId, collection.collectionId, collection.scm, collection.usn, collection.mtime ?? now),
    ...ankiCrt,
    db
      .prepare(
        "INSERT INTO completed_requests (user_id, request_id, response, created_at) VALUES (?1, ?2, json_object('usn', ?3), ?4)",
      )
      .bind(userId, sessionId, collection.usn, now),
    ...clearSession(db, userId, sessionId),
  ];
}

/** What a remembered answer holds for a session that was abandoned (see abandonStatements). */
export const ABANDONED = JSON.stringify({ abandoned: true });

/**
 * The statements that settle a session whose commit's answer was lost, in one batch: unless the commit's answer is
 * remembered, an "abandoned" answer is, which makes any later commit of the session fail (its own insert of the
 * answer conflicts, and its batch is rolled back); then the answer is read, and the staged records cleared.
 */
export function abandonStatements(db: D1Database, userId: number, sessionId: string, now: number) {
  return [
    db
      .prepare(
        "INSERT OR IGNORE INTO completed_requests (user_id, request_id, response, created_at) VALUES (?1, ?2, ?3, ?4)",
      )
      .bind(userId, sessionId, ABANDONED, now),
    db
      .prepare("SELECT response FROM completed_requests WHERE user_id = ?1 AND request_id = ?2")
      .bind(userId, sessionId),
    ...clearSession(db, userId, sessionId),
  ];
}

/** The answer to a commit of a session that was abandoned first: 409 with the code "abandoned". */
export function abandoned(): StatusError {
  const error = new StatusError(
    409,
    "this push or upload was abandoned by its device before it was committed; nothing of it was applied",
  );
  error.code = "abandoned";
  return error;
}

/**
 * Runs a commit's batch. A session abandoned meanwhile (see abandonStatements) makes the batch's insert of the
 * answer conflict, which rolls the whole batch back: that is answered as abandoned.
 */
export async function commitOrAbandoned(
  db: D1Database,
  userId: number,
  sessionId: string,
  statements: D1PreparedStatement[],
): Promise<D1Result[]> {
  try {
    return await db.batch(statements);
  } catch (error) {
    if ((await completedResponse(db, userId, sessionId)) === ABANDONED) throw abandoned();
    throw error;
  }
}

export async function completedResponse(db: D1Database, userId: number, requestId: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT response FROM completed_requests WHERE user_id = ?1 AND request_id = ?2")
    .bind(userId, requestId)
    .first<{ response: string }>();
  return row?.response ?? null;
}

interface RawObject {
  kind: SyncKind;
  id: string;
  usn: number;
  mtime: number;
  deleted: number;
  body: string;
}

function toObject(row: RawObject): RelayObject {
  return {
    kind: row.kind,
    id: row.id,
    usn: row.usn,
    mtime: row.mtime,
    deleted: row.deleted === 1,
    body: row.deleted === 1 && row.body === "null" ? null : (JSON.parse(row.body) as Record<string, unknown>),
  };
}

export interface Cursor {
  usn: number;
  kind: string;
  id: string;
}

/** Records changed after `since` up to `upto`, in (usn, kind, id) order, after a cursor. */
/** The statement of a page of changes; exported for the test that checks SQLite's plan for it. */
export function changesPageSql(liveOnly: boolean): string {
  return `SELECT kind, id, usn, mtime, deleted, body FROM objects
    WHERE user_id = ?1 AND (usn, kind, id) > (?4, ?5, ?6) AND usn <= ?3 AND usn > ?2 + 0
      ${liveOnly ? "AND deleted = 0" : ""}
    ORDER BY usn, kind, id LIMIT ?7`;
}

export async function changesPage(
  db: D1Database,
  userId: number,
  range: { since: number; upto: number; liveOnly: boolean },
  after: Cursor | null,
  limit: number,
): Promise<RelayObject[]> {
  // The page starts where the cursor points, found in the index: the first page at (since + 1, "", ""), which
  // comes before every record of a greater usn, as kinds and ids are never empty. "usn > ?2 + 0" only filters:
  // were it a bound of the index range, SQLite would walk every record of the cursor's usn from the first one
  // on each page, and a full download of one upload (every record at one usn) would take quadratic time.
  const from = after ?? { usn: range.since + 1, kind: "", id: "" };
  const { results } = await db
    .prepare(changesPageSql(range.liveOnly))
    .bind(userId, range.since, range.upto, from.usn, from.kind, from.id, limit)
    .all<RawObject>();
  return results.map(toObject);
}

/** Removes a user's collection and everything staged for it. */
export function deleteCollectionStatements(db: D1Database, userId: number): D1PreparedStatement[] {
  return [
    "objects",
    "object_counts",
    "staged",
    "staged_chunks",
    "sync_sessions",
    "completed_requests",
    "anki_sessions",
    "collections",
  ].map((table) => db.prepare(`DELETE FROM ${table} WHERE user_id = ?1`).bind(userId));
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ABANDONED_MS = DAY_MS;
/** Whole answers are kept for a week (a retried commit gets the same one)... */
const REMEMBERED_MS = 7 * DAY_MS;
/**
 * ...and a commit's usn, or that it was abandoned, for 400 days: a device whose commit's answer was lost asks at its
 * next sync (DELETE /v1/sync/pushes/:session), which may come after a long time offline, and a wrong "never applied"
 * would make it take its own records for another device's.
 */
const SETTLED_MS = 400 * DAY_MS;

/**
 * Clears pushes and uploads abandoned a day ago, shrinks answers older than a week to their usn, and forgets them
 * after 400 days.
 */
export function cleanupStatements(db: D1Database, userId: number, now: number): D1PreparedStatement[] {
  const stale = "SELECT session_id FROM sync_sessions WHERE user_id = ?1 AND created_at < ?2";
  return [
    db.prepare(`DELETE FROM staged WHERE user_id = ?1 AND session_id IN (${stale})`).bind(userId, now - ABANDONED_MS),
    db
      .prepare(`DELETE FROM staged_chunks WHERE user_id = ?1 AND session_id IN (${stale})`)
      .bind(userId, now - ABANDONED_MS),
    db.prepare("DELETE FROM sync_sessions WHERE user_id = ?1 AND created_at < ?2").bind(userId, now - ABANDONED_MS),
    db
      .prepare(
        `UPDATE completed_requests SET response = json_object('usn', response ->> '$.usn')
         WHERE user_id = ?1 AND created_at < ?2 AND response ->> '$.usn' IS NOT NULL
           AND response <> json_object('usn', response ->> '$.usn')`,
      )
      .bind(userId, now - REMEMBERED_MS),
    db.prepare("DELETE FROM completed_requests WHERE user_id = ?1 AND created_at < ?2").bind(userId, now - SETTLED_MS),
  ];
}

/**
 * Refuses a chunk that would open more sessions than an account may have under way (429; sessions idle for an
 * hour give way first) or stage more than it may hold (413), in words.
 */
export async function assertRoomToStage(
  db: D1Database,
  userId: number,
  session: string,
  chunk: number,
  rows: StagedRow[],
) {
  let usage = await stagedUsage(db, userId, session, chunk);
  if (!usage.open && usage.sessions >= MAX_OPEN_SESSIONS) {
    await db.batch(clearIdleSessions(db, userId, Date.now() - IDLE_SESSION_MS));
    usage = await stagedUsage(db, userId, session, chunk);
    if (usage.sessions >= MAX_OPEN_SESSIONS) {
      const error = new StatusError(
        429,
        `this account has ${usage.sessions} syncs under way, the most at once; finish or cancel one, or try again within an hour`,
      );
      error.retryAfter = 60;
      throw error;
    }
  }
  const bytes = rows.reduce((sum, row) => sum + row.body.length + row.id.length, 0);
  if (usage.bytes + bytes > MAX_STAGED_BYTES) {
    throw new StatusError(
      413,
      `this account has ${Math.round(usage.bytes / 1024 / 1024)} MiB of sync data waiting to be committed; with this chunk it would pass the most, ${MAX_STAGED_BYTES / 1024 / 1024} MiB; commit or cancel the syncs under way`,
    );
  }
}
