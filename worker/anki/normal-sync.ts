// Anki's normal sync (start, applyGraves, applyChanges, chunk, applyChunk, sanityCheck2, finish, abort) over the
// relay's collection. What the app sends is staged as a push of the extension is, and committed in one step at
// sanityCheck2 with the relay's merge rule; what the relay sends is its records changed since the app's last sync
// (usn at least minUsn) up to the usn at `start`. docs/anki-protocol.md says how usns and days line up.
import { StatusError } from "itty-router";
import { z } from "zod";
import { PackageError } from "../../shared/anki/errors";
import {
  checkedFilter,
  legacyDeckConfig as deckConfigFromAnki,
  legacyDeck as deckFromAnki,
  legacyNoteType as noteTypeFromAnki,
} from "../../shared/anki/read";
import {
  ankiSettings,
  legacyDeckConfig as deckConfigToAnki,
  legacyDeck as deckToAnki,
  legacyNoteType as noteTypeToAnki,
} from "../../shared/anki/write";
import type { Card, Deck, DeckConfig, Note, NoteType, RevlogEntry, Tag } from "../../shared/model";
import type { SyncKind } from "../../shared/sync/protocol";
import { checkWireObject, toWire } from "../../shared/sync/records";
import {
  type AnkiSession,
  allConfig,
  ankiChunkPage,
  ankiSessionIs,
  beginAnkiSessionStatements,
  clearAnkiStaged,
  endAnkiSessionStatements,
  findAnkiSession,
  gravesBetween,
  liveCounts,
  structureBetween,
  updateAnkiSession,
} from "../db/anki";
import {
  assertRoomToStage,
  cascadedDeletions,
  cleanupStatements,
  commitOrAbandoned,
  commitPushStatements,
  findCollection,
  findOrphan,
  type StagedRow,
} from "../db/collections";
import { crtOf, dayOffset } from "./full-sync";
import {
  AnkiCardRow,
  AnkiNoteRow,
  AnkiRevlogRow,
  cardFromAnki,
  cardToAnki,
  fromAnkiSeconds,
  noteFromAnki,
  noteToAnki,
  revlogFromAnki,
  revlogToAnki,
} from "./rows";
import { stageRows } from "./staging";

/** What Anki's own server sends at most in one chunk. */
const CHUNK_SIZE = 250;

/** A failure Anki's apps show by its status: 400 asks the person to check the database, 409 says to sync later. */
export class AnkiStatus extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const Id = z.union([
  z.number().int().safe(),
  z
    .string()
    .regex(/^-?\d{1,16}$/)
    .transform(Number),
]);
const Graves = z.object({
  cards: z.array(Id).max(100_000).default([]),
  notes: z.array(Id).max(100_000).default([]),
  decks: z.array(Id).max(100_000).default([]),
});
const StartRequest = z.object({
  minUsn: z.number().int().min(0).safe(),
  lnewer: z.boolean(),
  graves: Graves.nullish(),
});
const Json = z.record(z.string(), z.unknown());
const ApplyChangesRequest = z.object({
  changes: z.object({
    models: z.array(Json).max(10_000).default([]),
    decks: z.tuple([z.array(Json).max(100_000), z.array(Json).max(100_000)]).default([[], []]),
    tags: z.array(z.string().max(500)).max(1_000_000).default([]),
    conf: Json.nullish(),
    crt: z.number().int().min(0).safe().nullish(),
  }),
});
/** Anki's apps send 250 rows a chunk; a little more is allowed. */
const CHUNK_ROWS = 1000;
const Chunk = z.object({
  done: z.boolean().default(false),
  revlog: z.array(AnkiRevlogRow).max(CHUNK_ROWS).default([]),
  cards: z.array(AnkiCardRow).max(CHUNK_ROWS).default([]),
  notes: z.array(AnkiNoteRow).max(CHUNK_ROWS).default([]),
});
const SanityRequest = z.object({ client: z.array(z.unknown()).min(8) });

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AnkiStatus(400, `${what}: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
}

export interface NormalContext {
  db: D1Database;
  userId: number;
  /** The session key of the request's anki-sync header. */
  skey: string;
}

/** Runs one method of the normal sync; gives the JSON to answer with. */
export async function normalSync(method: string, body: unknown, context: NormalContext): Promise<unknown> {
  const { db, userId } = context;
  if (method === "abort") {
    await db.batch(endAnkiSessionStatements(db, userId));
    return null;
  }
  if (method === "start") return start(body, context);
  const session = await findAnkiSession(db, userId);
  // Anki's own server answers 409 when the app's session is not the one under way.
  if (!session || session.skey !== context.skey) {
    throw new AnkiStatus(409, "no sync of this app is under way on the relay; sync again");
  }
  try {
    switch (method) {
      case "applyGraves":
        return await applyGraves(body, context, session);
      case "applyChanges":
        return await applyChanges(body, context, session);
      case "chunk":
        return await chunk(context, session);
      case "applyChunk":
        return await applyChunk(body, context, session);
      case "sanityCheck2":
        return await sanityCheck(body, context, session);
      case "finish":
        return await finish(context, session);
      default:
        throw new AnkiStatus(404, `Anki's sync has no method ${method.slice(0, 40)}`);
    }
  } catch (thrown) {
    // A session that failed is over, as in Anki's own server: what it staged goes (unless another replaced it).
    if (thrown instanceof AnkiStatus && (await ankiSessionIs(db, userId, session.sessionId))) {
      await db.batch(endAnkiSessionStatements(db, userId));
    }
    throw thrown;
  }
}

async function start(body: unknown, context: NormalContext) {
  const { db, userId } = context;
  const request = parse(StartRequest, body, "start");
  if (!context.skey) throw new AnkiStatus(400, "a sync needs a session key (s) in the anki-sync header");
  const relay = await findCollection(db, userId);
  if (!relay) throw new AnkiStatus(400, "this account holds no collection yet; a full sync must come first");
  const session = {
    skey: context.skey,
    sessionId: `anki-${crypto.randomUUID()}`,
    minUsn: request.minUsn,
    baseUsn: relay.usn,
    lnewer: request.lnewer,
  };
  await db.batch(beginAnkiSessionStatements(db, userId, session, Date.now()));
  // The relay's deletions since the app's last sync, read before anything of the app's is staged.
  const graves = { cards: [] as number[], notes: [] as number[], decks: [] as number[] };
  for (const grave of await gravesBetween(db, userId, request.minUsn, relay.usn)) {
    graves[`${grave.kind}s`].push(Number(grave.id));
  }
  if (request.graves) {
    const staged = await findAnkiSession(db, userId);
    if (staged?.sessionId === session.sessionId) await stageGraves(context, staged, request.graves);
  }
  return graves;
}

async function applyGraves(body: unknown, context: NormalContext, session: AnkiSession) {
  const { chunk } = parse(z.object({ chunk: Graves }), body, "applyGraves");
  await stageGraves(context, session, chunk);
  return null;
}

async function stageGraves(context: NormalContext, session: AnkiSession, graves: z.output<typeof Graves>) {
  const now = Date.now();
  const rows: StagedRow[] = [];
  const kinds: [SyncKind, number[]][] = [
    ["card", graves.cards],
    ["note", graves.notes],
    ["deck", graves.decks],
  ];
  for (const [kind, ids] of kinds) {
    for (const id of ids) rows.push({ kind, id: String(id), mtime: now, deleted: true, ref: null, body: "null" });
  }
  await stage(context, session, rows);
}

/** Stages rows in the session's next chunks. */
async function stage(context: NormalContext, session: AnkiSession, rows: StagedRow[]) {
  if (rows.length === 0) return;
  const { db, userId } = context;
  await assertRoomToStage(db, userId, session.sessionId, session.chunks, rows);
  const written = await stageRows(db, userId, session.sessionId, session.chunks, rows);
  session.chunks += written;
  await db.batch([updateAnkiSession(db, userId, session.sessionId, { chunks: session.chunks })]);
  // Another sync of the account may have ended this one while its rows were written: they go again.
  if (!(await ankiSessionIs(db, userId, session.sessionId))) {
    await db.batch(clearAnkiStaged(db, userId, session.sessionId));
    throw new AnkiStatus(409, "another sync of this account ended this one; sync again");
  }
}

/** A record of the app's, checked against its kind's schema as any record the relay takes. */
function row(kind: SyncKind, record: { usn: number } & Record<string, unknown>, index: number): StagedRow {
  const checked = checkWireObject(toWire(kind, record), index);
  if (!checked.ok) throw new AnkiStatus(400, checked.error);
  const { object } = checked;
  return { kind, id: object.id, mtime: object.mtime, deleted: false, ref: checked.ref, body: checked.text };
}

/** Anki's legacy readers throw a PackageError in words for a record they cannot take; here that is a 400. */
function converted<T>(read: () => T): T {
  try {
    return read();
  } catch (thrown) {
    const words = thrown instanceof PackageError ? thrown.message : "a record is not what Anki's apps send";
    throw new AnkiStatus(400, words);
  }
}

async function applyChanges(body: unknown, context: NormalContext, session: AnkiSession) {
  const { db, userId } = context;
  const { changes } = parse(ApplyChangesRequest, body, "applyChanges");
  // The relay's changes are read first, as Anki's server does, so that the app's own do not come back to it.
  const reply = await relayChanges(context, session);
  const seconds = (json: Record<string, unknown>) => fromAnkiSeconds(Number(json.mod) || 0);
  const rows: StagedRow[] = [];
  for (const json of changes.models) {
    const noteType: NoteType = { ...converted(() => noteTypeFromAnki(json)), mtime: seconds(json) };
    rows.push(row("notetype", noteType, rows.length));
  }
  for (const json of changes.decks[0]) {
    const { filter: raw, ...read } = converted(() => deckFromAnki(json));
    const filter = raw ? checkedFilter(raw) : null;
    const deck: Deck = { ...read, ...(filter ? { filter } : {}), mtime: seconds(json) };
    rows.push(row("deck", deck, rows.length));
  }
  for (const json of changes.decks[1]) {
    const preset: DeckConfig = { ...converted(() => deckConfigFromAnki(json)), mtime: seconds(json) };
    rows.push(row("deckconfig", preset, rows.length));
  }
  // Anki's apps only ever add a tag this way: one the relay holds already keeps its own state (mtime 0 loses).
  for (const name of new Set(changes.tags.filter((t) => t.trim() !== ""))) {
    const tag: Tag = { name, collapsed: false, mtime: 0, usn: 0 };
    rows.push(row("tag", tag, rows.length));
  }
  if (changes.conf) {
    const now = Date.now();
    for (const [key, value] of Object.entries(changes.conf)) {
      rows.push(row("config", { key, value: value ?? null, mtime: now, usn: 0 }, rows.length));
    }
  }
  await stage(context, session, rows);
  if (typeof changes.crt === "number") {
    await db.batch([updateAnkiSession(db, userId, session.sessionId, { crt: changes.crt })]);
  }
  return reply;
}

/** The relay's note types, decks, presets and tags changed since the app's last sync; its settings if it is newer. */
async function relayChanges(context: NormalContext, session: AnkiSession) {
  const { db, userId } = context;
  const models: unknown[] = [];
  const decks: unknown[] = [];
  const presets: unknown[] = [];
  const tags: string[] = [];
  for (const object of await structureBetween(db, userId, session.sessionId, session.minUsn, session.baseUsn)) {
    const record = { ...(JSON.parse(object.body) as object), usn: object.usn };
    if (object.kind === "notetype") models.push({ ...noteTypeToAnki(record as NoteType), usn: object.usn });
    if (object.kind === "deck") decks.push({ ...deckToAnki(record as Deck), usn: object.usn });
    if (object.kind === "deckconfig") presets.push({ ...deckConfigToAnki(record as DeckConfig), usn: object.usn });
    if (object.kind === "tag") tags.push((record as Tag).name);
  }
  const reply: Record<string, unknown> = { models, decks: [decks, presets], tags };
  if (!session.lnewer) {
    // The app replaces all its settings with these: with Anki's defaults beneath, as a download has them.
    const config = await allConfig(db, userId);
    reply.conf = ankiSettings(config, null, 0);
    reply.crt = await crtOf(db, userId, config, Date.now());
  }
  return reply;
}

/** How far the relay's day numbers are from the app's (see dayOffset). */
async function offsetOf(context: NormalContext): Promise<number> {
  const config = await allConfig(context.db, context.userId);
  return dayOffset(await crtOf(context.db, context.userId, config, Date.now()), config);
}

async function chunk(context: NormalContext, session: AnkiSession) {
  const { db, userId } = context;
  if (session.cursor === "done") return { done: true };
  const after = session.cursor
    ? (JSON.parse(session.cursor) as { usn: number; kind: string; id: string })
    : { usn: session.minUsn, kind: "", id: "" };
  const page = await ankiChunkPage(
    db,
    userId,
    session.sessionId,
    { from: session.minUsn, upto: session.baseUsn },
    after,
    CHUNK_SIZE,
  );
  const shift = -(await offsetOf(context));
  const out = {
    done: page.length < CHUNK_SIZE,
    revlog: [] as unknown[],
    cards: [] as unknown[],
    notes: [] as unknown[],
  };
  for (const object of page) {
    const record = JSON.parse(object.body) as Record<string, unknown>;
    if (object.kind === "note") out.notes.push(noteToAnki(record as unknown as Note, object.usn));
    if (object.kind === "card") out.cards.push(cardToAnki(record as unknown as Card, object.usn, shift));
    if (object.kind === "revlog") out.revlog.push(revlogToAnki(record as unknown as RevlogEntry, object.usn));
  }
  const last = page[page.length - 1];
  const cursor = out.done || !last ? "done" : JSON.stringify({ usn: last.usn, kind: last.kind, id: last.id });
  await db.batch([updateAnkiSession(db, userId, session.sessionId, { cursor })]);
  return out;
}

async function applyChunk(body: unknown, context: NormalContext, session: AnkiSession) {
  const { chunk: data } = parse(z.object({ chunk: Chunk }), body, "applyChunk");
  const shift = data.cards.length > 0 ? await offsetOf(context) : 0;
  const rows: StagedRow[] = [];
  for (const entry of data.revlog) rows.push(row("revlog", revlogFromAnki(entry), rows.length));
  for (const entry of data.notes) rows.push(row("note", noteFromAnki(entry), rows.length));
  for (const entry of data.cards) rows.push(row("card", cardFromAnki(entry, shift), rows.length));
  await stage(context, session, rows);
  return null;
}

/** Commits what the app sent (once), then compares the counts of both sides as the commit left them. */
async function sanityCheck(body: unknown, context: NormalContext, session: AnkiSession) {
  const { client } = parse(SanityRequest, body, "sanityCheck2");
  const { counts } = await commit(context, session);
  const server = [
    [0, 0, 0],
    counts.card ?? 0,
    counts.note ?? 0,
    counts.revlog ?? 0,
    0,
    counts.notetype ?? 0,
    counts.deck ?? 0,
    counts.deckconfig ?? 0,
  ];
  // As Anki's server compares: the due counts and graves are left out.
  const compared = [1, 2, 3, 5, 6, 7];
  const ok = compared.every((i) => Number(client[i]) === server[i]);
  return { status: ok ? "ok" : "bad", c: client, s: server };
}

const STALE = "another device synced with the relay during this sync; sync again";

/**
 * Merges the staged records into the collection in one batch, at the usn after the one the session began at, and
 * moves the collection's mtime on. The app takes meta's usn + 1 as its own afterwards, so the relay's usn moves on
 * even when nothing changed; and a commit of another device since `start` means the app has not seen it: the sync
 * is refused (409), to run again. A session that another ended meanwhile (a new `start`, `meta`, `abort`) has an
 * "abandoned" answer recorded, with which the commit's own record of its answer conflicts: the batch fails whole.
 * Gives the commit's mtime and the counts of live records right after it, read in the same batch.
 */
async function commit(
  context: NormalContext,
  session: AnkiSession,
): Promise<{ mod: number; counts: Record<string, number> }> {
  const { db, userId } = context;
  if (session.mod !== null) return { mod: session.mod, counts: await liveCounts(db, userId) };
  if ((await findCollection(db, userId))?.usn !== session.baseUsn) throw new AnkiStatus(409, STALE);
  const orphan = await findOrphan(db, userId, session.sessionId, false);
  if (orphan) {
    throw new AnkiStatus(
      400,
      `${orphan.kind} ${orphan.id} refers to ${orphan.ref}, which the collection does not hold`,
    );
  }
  const cascaded = await cascadedDeletions(db, userId, session.sessionId);
  const now = Date.now();
  // Each statement after the commit's own acts only if the commit recorded its answer (it did not if stale).
  const committed = "EXISTS (SELECT 1 FROM completed_requests WHERE user_id = ?1 AND request_id = ?2)";
  const statements = [
    preferApp(db, userId, session),
    ...commitPushStatements(db, userId, session.sessionId, session.baseUsn, now, {}, cascaded, true),
    db
      .prepare(`UPDATE anki_sessions SET mod = ?3 WHERE user_id = ?1 AND session_id = ?2 AND ${committed}`)
      .bind(userId, session.sessionId, now),
    db
      .prepare(`UPDATE collections SET anki_crt = COALESCE(?3, anki_crt) WHERE user_id = ?1 AND ${committed}`)
      .bind(userId, session.sessionId, session.crt),
    db.prepare("SELECT kind, live FROM object_counts WHERE user_id = ?1").bind(userId),
    ...cleanupStatements(db, userId, now),
  ];
  let results: D1Result[];
  try {
    results = await commitOrAbandoned(db, userId, session.sessionId, statements);
  } catch (thrown) {
    if (thrown instanceof StatusError && thrown.status === 409) {
      throw new AnkiStatus(409, "another sync of this account ended this one; sync again");
    }
    throw thrown;
  }
  // The usn moved on in commitPushStatements' fourth statement, the first here being preferApp.
  if ((results[4]?.meta.changes ?? 0) !== 1) throw new AnkiStatus(409, STALE);
  const countsAt = statements.length - cleanupStatements(db, userId, now).length - 1;
  const counts = Object.fromEntries(
    ((results[countsAt]?.results ?? []) as { kind: string; live: number }[]).map((r) => [r.kind, r.live]),
  );
  session.mod = now;
  return { mod: now, counts };
}

/**
 * As Anki's own server merges: a record of the app's wins over the relay's when the relay's has not changed since
 * the app's last sync (the app has it, and changed it since), whatever their mtimes say (clocks differ by minutes
 * within what Anki allows). Its mtime moves past the relay's, so that the extension's devices, which merge by
 * mtime, take it too.
 */
function preferApp(db: D1Database, userId: number, session: AnkiSession): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE staged SET mtime = o.mtime + 1, body = json_set(staged.body, '$.mtime', o.mtime + 1)
       FROM objects o
       WHERE staged.user_id = ?1 AND staged.session_id = ?2 AND staged.deleted = 0 AND staged.kind <> 'revlog'
         AND o.user_id = ?1 AND o.kind = staged.kind AND o.id = staged.id AND o.deleted = 0
         AND o.usn < ?3 AND o.mtime >= staged.mtime`,
    )
    .bind(userId, session.sessionId, session.minUsn);
}

async function finish(context: NormalContext, session: AnkiSession) {
  const { mod } = await commit(context, session);
  await context.db.batch(endAnkiSessionStatements(context.db, context.userId));
  return mod;
}
