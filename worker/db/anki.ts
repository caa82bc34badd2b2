// The queries of Anki's normal sync: its session (one per account, see migration 0010) and the relay's changes in
// the order Anki's apps ask for them.
import { ABANDONED, clearSession } from "./collections";

export interface AnkiSession {
  skey: string;
  sessionId: string;
  minUsn: number;
  baseUsn: number;
  lnewer: boolean;
  chunks: number;
  cursor: string | null;
  crt: number | null;
  mod: number | null;
}

export async function findAnkiSession(db: D1Database, userId: number): Promise<AnkiSession | null> {
  const row = await db
    .prepare(
      `SELECT skey, session_id AS sessionId, min_usn AS minUsn, base_usn AS baseUsn, lnewer, chunks, cursor, crt, mod
       FROM anki_sessions WHERE user_id = ?1`,
    )
    .bind(userId)
    .first<Omit<AnkiSession, "lnewer"> & { lnewer: number }>();
  return row ? { ...row, lnewer: row.lnewer === 1 } : null;
}

/**
 * Ends the account's session under way, if any, with what it staged. Unless it committed, it is recorded as
 * abandoned, so that a commit of it still under way fails whole (see commitOrAbandoned).
 */
export function endAnkiSessionStatements(db: D1Database, userId: number, now = Date.now()): D1PreparedStatement[] {
  const of = "(SELECT session_id FROM anki_sessions WHERE user_id = ?1)";
  return [
    db
      .prepare(
        `INSERT OR IGNORE INTO completed_requests (user_id, request_id, response, created_at)
         SELECT ?1, session_id, ?2, ?3 FROM anki_sessions WHERE user_id = ?1`,
      )
      .bind(userId, ABANDONED, now),
    db.prepare(`DELETE FROM staged WHERE user_id = ?1 AND session_id = ${of}`).bind(userId),
    db.prepare(`DELETE FROM staged_chunks WHERE user_id = ?1 AND session_id = ${of}`).bind(userId),
    db.prepare(`DELETE FROM sync_sessions WHERE user_id = ?1 AND session_id = ${of}`).bind(userId),
    db.prepare("DELETE FROM anki_sessions WHERE user_id = ?1").bind(userId),
  ];
}

/** Ends the session under way and begins another, in one batch. */
export function beginAnkiSessionStatements(
  db: D1Database,
  userId: number,
  session: Pick<AnkiSession, "skey" | "sessionId" | "minUsn" | "baseUsn" | "lnewer">,
  now: number,
): D1PreparedStatement[] {
  return [
    ...endAnkiSessionStatements(db, userId),
    db
      .prepare(
        `INSERT INTO anki_sessions (user_id, skey, session_id, min_usn, base_usn, lnewer, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
      )
      .bind(userId, session.skey, session.sessionId, session.minUsn, session.baseUsn, session.lnewer ? 1 : 0, now),
    db
      .prepare(
        "INSERT OR IGNORE INTO sync_sessions (user_id, session_id, kind, created_at) VALUES (?1, ?2, 'push', ?3)",
      )
      .bind(userId, session.sessionId, now),
  ];
}

export function updateAnkiSession(
  db: D1Database,
  userId: number,
  sessionId: string,
  change: { chunks?: number; cursor?: string; crt?: number; mod?: number },
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE anki_sessions SET chunks = COALESCE(?3, chunks), cursor = COALESCE(?4, cursor), crt = COALESCE(?5, crt),
         mod = COALESCE(?6, mod)
       WHERE user_id = ?1 AND session_id = ?2`,
    )
    .bind(userId, sessionId, change.chunks ?? null, change.cursor ?? null, change.crt ?? null, change.mod ?? null);
}

/** Ids of the notes, cards and decks deleted on the relay at usns from `from` to `upto`. */
export async function gravesBetween(db: D1Database, userId: number, from: number, upto: number) {
  const { results } = await db
    .prepare(
      `SELECT kind, id FROM objects WHERE user_id = ?1 AND usn >= ?2 AND usn <= ?3 AND deleted = 1
         AND kind IN ('card', 'note', 'deck')`,
    )
    .bind(userId, from, upto)
    .all<{ kind: "card" | "note" | "deck"; id: string }>();
  return results;
}

export interface AnkiObjectRow {
  kind: string;
  id: string;
  usn: number;
  body: string;
}

/**
 * Live note types, decks, presets and tags changed at usns from `from` to `upto`, but for decks the app deleted in
 * this session (Anki applies its own deletions first).
 */
export async function structureBetween(db: D1Database, userId: number, sessionId: string, from: number, upto: number) {
  const { results } = await db
    .prepare(
      `SELECT o.kind, o.id, o.usn, o.body FROM objects o
       WHERE o.user_id = ?1 AND o.usn >= ?2 AND o.usn <= ?3 AND o.deleted = 0
         AND o.kind IN ('notetype', 'deck', 'deckconfig', 'tag')
         AND NOT EXISTS (SELECT 1 FROM staged s WHERE s.user_id = ?1 AND s.session_id = ?4 AND s.deleted = 1
                         AND s.kind = o.kind AND s.id = o.id)`,
    )
    .bind(userId, from, upto, sessionId)
    .all<AnkiObjectRow>();
  return results;
}

/** Every live setting of the collection. */
export async function allConfig(db: D1Database, userId: number): Promise<{ key: string; value: unknown }[]> {
  const { results } = await db
    .prepare("SELECT id, body FROM objects WHERE user_id = ?1 AND kind = 'config' AND deleted = 0")
    .bind(userId)
    .all<{ id: string; body: string }>();
  return results.map((row) => ({ key: row.id, value: (JSON.parse(row.body) as { value: unknown }).value }));
}

/**
 * A page of the notes, cards and review-log rows changed at usns from `from` to `upto`, after a cursor, leaving out
 * what the app's own deletions of this session remove (Anki applies those before it sends its changes).
 */
export async function ankiChunkPage(
  db: D1Database,
  userId: number,
  sessionId: string,
  range: { from: number; upto: number },
  after: { usn: number; kind: string; id: string },
  limit: number,
): Promise<AnkiObjectRow[]> {
  // As in changesPage, the lower usn bound only filters ("+ 0"): the cursor is the index range.
  const { results } = await db
    .prepare(
      `SELECT o.kind, o.id, o.usn, o.body FROM objects o
       WHERE o.user_id = ?1 AND (o.usn, o.kind, o.id) > (?4, ?5, ?6) AND o.usn <= ?3 AND o.usn >= ?2 + 0
         AND o.deleted = 0 AND o.kind IN ('card', 'note', 'revlog')
         AND NOT EXISTS (SELECT 1 FROM staged s WHERE s.user_id = ?1 AND s.session_id = ?7 AND s.deleted = 1
                         AND ((s.kind = o.kind AND s.id = o.id) OR (o.kind = 'card' AND s.kind = 'note' AND s.id = o.ref)))
       ORDER BY o.usn, o.kind, o.id LIMIT ?8`,
    )
    .bind(userId, range.from, range.upto, after.usn, after.kind, after.id, sessionId, limit)
    .all<AnkiObjectRow>();
  return results;
}

/** Live records per kind, from the counts the triggers keep. */
export async function liveCounts(db: D1Database, userId: number): Promise<Record<string, number>> {
  const { results } = await db
    .prepare("SELECT kind, live FROM object_counts WHERE user_id = ?1")
    .bind(userId)
    .all<{ kind: string; live: number }>();
  return Object.fromEntries(results.map((row) => [row.kind, row.live]));
}

/** Whether the account's session under way is still `sessionId`. */
export async function ankiSessionIs(db: D1Database, userId: number, sessionId: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS yes FROM anki_sessions WHERE user_id = ?1 AND session_id = ?2")
    .bind(userId, sessionId)
    .first<{ yes: number }>();
  return row !== null;
}

/** Clears what a session that is no longer under way staged. */
export function clearAnkiStaged(db: D1Database, userId: number, sessionId: string): D1PreparedStatement[] {
  return clearSession(db, userId, sessionId);
}
