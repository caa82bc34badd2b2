// Full syncs with Anki's apps: the account's collection as an Anki database file. A download writes the relay's
// records as a schema-11 collection (which Anki's apps open and upgrade); an upload reads the file Anki's apps send
// (schema 18) into the relay's records and replaces the account's collection with them in one step, as an upload
// from the extension does. Review days move between Anki's count from `crt` and the relay's day numbers.
import { creationDay, shiftDueDays } from "../../shared/anki/days";
import { PackageError } from "../../shared/anki/errors";
import { readAnkiCollection } from "../../shared/anki/read";
import { openAnkiDatabase, rows } from "../../shared/anki/sqlite";
import { type AnkiExport, writeAnkiCollection } from "../../shared/anki/write";
import { dayStart } from "../../shared/days";
import type { Card, ConfigEntry, Deck, DeckConfig, Note, NoteType, RevlogEntry, Tag } from "../../shared/model";
import type { RelayObject, SyncKind } from "../../shared/sync/protocol";
import { checkWireObject, toWire } from "../../shared/sync/records";
import {
  ankiCrt,
  assertRoomToStage,
  type Cursor,
  changesPage,
  cleanupStatements,
  commitOrAbandoned,
  commitUploadStatements,
  findCollection,
  findOrphan,
  keepAnkiCrt,
  openSession,
  type StagedRow,
} from "../db/collections";
import { sqlite } from "./sqlite";
import { stageRows } from "./staging";

/** Anki's defaults for the hour days begin at and the creation's time zone (minutes west of UTC). */
const ANKI_ROLLOVER = 4;
/** Records read from D1 a page at a time. */
const PAGE = 5000;

/** The hour days roll over at and the creation's time zone, as the collection's settings say. */
export function dayConfig(config: { key: string; value: unknown }[]): { rollover: number; offsetWest: number | null } {
  const value = (key: string) => config.find((c) => c.key === key)?.value;
  const rollover = value("rollover");
  const offset = value("creationOffset");
  return {
    rollover: typeof rollover === "number" && rollover >= 0 && rollover < 24 ? Math.floor(rollover) : ANKI_ROLLOVER,
    offsetWest: typeof offset === "number" && Math.abs(offset) <= 24 * 60 ? Math.round(offset) : null,
  };
}

/** The start of the day of `ms`, as a crt (seconds). */
function crtFor(ms: number, rollover: number, offsetWest: number): number {
  const day = creationDay(Math.floor(Math.min(ms, Date.now()) / 1000), rollover, offsetWest);
  return Math.floor(dayStart(day, rollover, -offsetWest) / 1000);
}

/**
 * The crt of the account's Anki apps: the one kept, or, at the first full sync with them, the start of the day
 * `oldest` (the oldest card's id, a time in ms) falls on, kept from then on.
 */
export async function crtOf(
  db: D1Database,
  userId: number,
  config: { key: string; value: unknown }[],
  oldest: number,
): Promise<number> {
  const kept = await ankiCrt(db, userId);
  if (kept !== null) return kept;
  const { rollover, offsetWest } = dayConfig(config);
  return keepAnkiCrt(db, userId, crtFor(oldest, rollover, offsetWest ?? 0));
}

/** How far the relay's day numbers are from Anki's: Anki's day N is the relay's day N + this. */
export function dayOffset(crt: number, config: { key: string; value: unknown }[]): number {
  const { rollover, offsetWest } = dayConfig(config);
  return creationDay(crt, rollover, offsetWest ?? 0);
}

/** Every live record of the account, read at `usn`; null when the collection changed while it was read. */
async function readLive(db: D1Database, userId: number, usn: number): Promise<RelayObject[] | null> {
  const out: RelayObject[] = [];
  let after: Cursor | null = null;
  for (;;) {
    const page = await changesPage(db, userId, { since: -1, upto: usn, liveOnly: true }, after, PAGE);
    out.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) break;
    after = { usn: last.usn, kind: last.kind, id: last.id };
  }
  // A record changed meanwhile moved past `usn` and was not read: the reading is not of one moment.
  return (await findCollection(db, userId))?.usn === usn ? out : null;
}

/** The collection of the account as a schema-11 Anki database, or null when it is still changing. */
export async function downloadFile(db: D1Database, userId: number): Promise<Uint8Array | null> {
  const relay = await findCollection(db, userId);
  if (!relay)
    throw new UploadRefused("This account holds no collection yet: upload one (from Anki or the extension) first.");
  const size = await db
    .prepare("SELECT COALESCE(SUM(length(body)), 0) AS bytes FROM objects WHERE user_id = ?1 AND deleted = 0")
    .bind(userId)
    .first<{ bytes: number }>();
  if ((size?.bytes ?? 0) > DOWNLOAD_LIMIT) {
    throw new DownloadTooLarge(
      `The collection holds ${Math.round((size?.bytes ?? 0) / 1024 / 1024)} MiB of records, more than this relay can write into one file for Anki (${DOWNLOAD_LIMIT / 1024 / 1024} MiB); the extension still syncs it.`,
    );
  }
  const live = await readLive(db, userId, relay.usn);
  if (!live) return null;
  const of = <T>(kind: SyncKind): T[] =>
    live.filter((o) => o.kind === kind).map((o) => ({ ...(o.body as object), usn: 0 }) as T);
  const config = of<ConfigEntry>("config");
  const { rollover, offsetWest } = dayConfig(config);
  // Written as creationOffset 0 where the collection has none (ankiSettings), which is what the days assume.
  const west = offsetWest ?? 0;
  const oldest = of<Card>("card").reduce((min, c) => Math.min(min, c.id), Date.now());
  const crt = await crtOf(db, userId, config, oldest);
  const shift = -creationDay(crt, rollover, west);
  const data: AnkiExport = {
    crt,
    created: crt * 1000,
    mod: relay.mtime,
    scm: relay.scm,
    usn: relay.usn + 1,
    noteTypes: of<NoteType>("notetype"),
    decks: of<Deck>("deck"),
    deckConfigs: of<DeckConfig>("deckconfig"),
    notes: of<Note>("note"),
    cards: of<Card>("card").map((card) => shiftDueDays(card, shift)),
    revlog: of<RevlogEntry>("revlog"),
    tags: of<Tag>("tag").map((t) => t.name),
    config,
  };
  return writeAnkiCollection(await sqlite(), data, () => {});
}

/** What a refused upload says to the person, in Anki's own words where it has them. */
export class UploadRefused extends Error {}

/** A collection too large to write into one file within the Worker's memory. */
export class DownloadTooLarge extends UploadRefused {}

/**
 * The most record text a download writes: the Worker holds the records, the SQLite database sql.js builds from them
 * and the file at once, within its 128 MB (docs/anki-protocol.md).
 */
const DOWNLOAD_LIMIT = 32 * 1024 * 1024;

/**
 * Replaces the account's collection with the one in an Anki database file (as Anki's apps upload it), in one step;
 * throws UploadRefused with a sentence when the file cannot be taken, and nothing is changed then.
 */
export async function uploadFile(db: D1Database, userId: number, file: Uint8Array): Promise<void> {
  const { records, stamps } = await readUpload(file);
  const session = `anki-upload-${crypto.randomUUID()}`;
  const now = Date.now();
  await assertRoomToStage(db, userId, session, 0, records);
  await stageRows(db, userId, session, 0, records, [openSession(db, userId, session, "upload", now)]);
  const orphan = await findOrphan(db, userId, session, true);
  if (orphan) {
    throw new UploadRefused(
      `The collection is damaged: ${orphan.kind} ${orphan.id} refers to ${orphan.ref}, which it does not hold. ` +
        "Use Tools > Check Database in Anki, then sync again.",
    );
  }
  const relay = await findCollection(db, userId);
  // Anki's apps keep the file's usn as the next one to sync from, so the relay's must not be below it.
  const usn = Math.max((relay?.usn ?? 0) + 1, stamps.usn - 1);
  const collectionId = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  await commitOrAbandoned(db, userId, session, [
    ...commitUploadStatements(
      db,
      userId,
      session,
      // The records at a usn below the app's own, so that its next sync does not get them all back.
      { collectionId, scm: stamps.scm, usn, mtime: stamps.mod, ankiCrt: stamps.crt, objectsUsn: stamps.usn - 1 },
      now,
    ),
    ...cleanupStatements(db, userId, now),
  ]);
}

/** Reads an uploaded file into the relay's rows, refusing (UploadRefused) what is not a whole Anki collection. */
async function readUpload(file: Uint8Array): Promise<{
  records: StagedRow[];
  stamps: { crt: number; mod: number; scm: number; usn: number };
}> {
  // Anki's apps upload their collection in WAL mode (bytes 18 and 19 of the header are 2), which a database held in
  // memory cannot open; closed cleanly, as it is for an upload, the file reads the same in rollback mode.
  if (file.length > 100 && file[18] === 2 && file[19] === 2) {
    file[18] = 1;
    file[19] = 1;
  }
  const SQL = await sqlite();
  let collection: ReturnType<typeof readAnkiCollection>;
  let stamps: { crt: number; mod: number; scm: number; usn: number };
  try {
    const database = openAnkiDatabase(SQL, file);
    try {
      const [col] = rows(database, "SELECT crt, mod, scm, usn FROM col LIMIT 1");
      stamps = { crt: Number(col?.[0]), mod: Number(col?.[1]), scm: Number(col?.[2]), usn: Number(col?.[3]) };
      collection = readAnkiCollection(database);
    } finally {
      database.close();
    }
  } catch (thrown) {
    if (thrown instanceof PackageError)
      throw new UploadRefused(thrown.message.replace(/ nothing was imported/, " nothing was changed on the relay"));
    throw thrown;
  }
  if (!Object.values(stamps).every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new UploadRefused("The collection's own stamps (crt, mod, scm, usn) are not valid; nothing was changed.");
  }
  const { rollover, offsetWest } = dayConfig(collection.config);
  const shift = creationDay(stamps.crt, rollover, offsetWest ?? 0);
  const kinds: [SyncKind, { usn: number }[]][] = [
    ["notetype", collection.noteTypes],
    ["deckconfig", collection.deckConfigs],
    ["deck", collection.decks],
    ["tag", collection.tags],
    ["config", collection.config],
    ["note", collection.notes],
    ["card", collection.cards.map((card) => shiftDueDays(card, shift))],
    ["revlog", collection.revlog],
  ];
  const records: StagedRow[] = [];
  for (const [kind, list] of kinds) {
    for (const record of list) {
      const checked = checkWireObject(
        toWire(kind, record as { usn: number } & Record<string, unknown>),
        records.length,
      );
      if (!checked.ok)
        throw new UploadRefused(`The collection holds a record the relay cannot keep: ${checked.error}.`);
      const { object } = checked;
      records.push({ kind, id: object.id, mtime: object.mtime, deleted: false, ref: checked.ref, body: checked.text });
    }
  }
  return { records, stamps };
}
