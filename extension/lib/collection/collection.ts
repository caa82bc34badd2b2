// A profile's collection: the open database, the clock and the id source every operation uses, and the helpers
// that make every change carry mtime and a pending usn (pending.ts) and every deletion a grave.
import { type CollectionMeta, DEFAULT_CONFIG_ID, DEFAULT_DECK_ID, type GraveKind } from "../../../shared/model";
import { stockNoteTypes } from "../../../shared/stock-notetypes";
import { defaultDeckConfig } from "./defaults";
import { pendingUsnOf } from "./pending";
import { type CollectionDb, databaseName, openCollectionDb } from "./schema";

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** An expected failure, as a value: what went wrong in words, and whether the person may confirm and go on. */
export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: string; confirm?: "schema-change" | "delete-reviewed-cards" };

/** The failing half of an Outcome, which fits any Outcome<T>. */
export type Refusal = Extract<Outcome<never>, { ok: false }>;

export const done = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refuse = <T>(error: string): Outcome<T> => ({ ok: false, error });

/**
 * Aborts a transaction that may have ended already, and waits until it has. A write that throws at once (a value
 * that is no key, or cannot be copied) does not end its transaction: without this, the writes issued before it
 * would be committed.
 */
export async function abortWrites(tx: { abort(): void; done: Promise<void> }): Promise<void> {
  try {
    tx.abort();
  } catch {
    // Ended already, by a failed write.
  }
  await tx.done.catch(() => {});
}

export const SCHEMA_CHANGE_WARNING =
  "This change cannot be merged with other devices: the next sync will have to be one-way (upload or download). " +
  "Go on?";

export interface ChangeOptions {
  /** The person has seen the schema-change warning and chose to go on. */
  confirmSchemaChange?: boolean;
}

export class Collection {
  private lastId = 0;

  private constructor(
    readonly db: CollectionDb,
    readonly profileId: string,
    readonly clock: Clock,
  ) {}

  /** Opens a profile's collection, creating a new one with Anki's stock content the first time. */
  static async open(profileId: string, clock: Clock = systemClock): Promise<Collection> {
    const db = await openCollectionDb(profileId);
    const collection = new Collection(db, profileId, clock);
    await collection.createIfMissing();
    return collection;
  }

  close(): void {
    this.db.close();
  }

  get name(): string {
    return databaseName(this.profileId);
  }

  /**
   * A new id: the current time in ms, or one more than the last id given, so that ids made in one burst stay
   * unique and ordered, as Anki's are.
   */
  nextId(): number {
    this.lastId = Math.max(this.clock.now(), this.lastId + 1);
    return this.lastId;
  }

  /** Ids for records that must not collide with existing keys in a store (notes and cards made in a burst). */
  async freshIds(store: "notes" | "cards" | "notetypes" | "decks" | "deckconfigs", count: number): Promise<number[]> {
    const tx = this.db.transaction([store, "graves"]);
    const last = await tx.objectStore(store).openCursor(null, "prev");
    // Nor with a deletion's: a new record under a deleted one's id would lose to that deletion on the relay.
    const kind = GRAVE_KIND_OF[store];
    const grave = await tx.objectStore("graves").openCursor(IDBKeyRange.bound([kind, ""], [kind, "\uffff"]), "prev");
    const deleted = Number(grave?.key[1] ?? 0);
    this.lastId = Math.max(
      this.lastId,
      typeof last?.key === "number" ? last.key : 0,
      Number.isFinite(deleted) ? deleted : 0,
    );
    return Array.from({ length: count }, () => this.nextId());
  }

  /**
   * The hour at which a new day begins for studying (Anki's "Next day starts at", 4 am unless the collection's
   * `rollover` setting says otherwise, as in collections imported from Anki), in local time.
   */
  async rolloverHour(): Promise<number> {
    const value = (await this.db.get("config", "rollover"))?.value;
    return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 23 ? value : 4;
  }

  async meta(): Promise<CollectionMeta> {
    const meta = await this.db.get("meta", "collection");
    if (!meta) throw new Error(`the collection of profile ${this.profileId} has no meta record`);
    return meta;
  }

  /** True when a schema change now would turn the next sync into a one-way sync that was not already due. */
  async schemaChangeNeedsWarning(): Promise<boolean> {
    const meta = await this.meta();
    return meta.lastSync > 0 && meta.scm <= meta.lastSync;
  }

  /** Refuses with the warning unless the person confirmed, when a schema change would need it. */
  async guardSchemaChange(options: ChangeOptions): Promise<Refusal | null> {
    if (options.confirmSchemaChange || !(await this.schemaChangeNeedsWarning())) return null;
    return { ok: false, error: SCHEMA_CHANGE_WARNING, confirm: "schema-change" };
  }

  private async createIfMissing(): Promise<void> {
    if (await this.db.get("meta", "collection")) return;
    const now = this.clock.now();
    const tx = this.db.transaction(["meta", "notetypes", "decks", "deckconfigs", "config"], "readwrite");
    if (await tx.objectStore("meta").get("collection")) return;
    const meta: CollectionMeta = {
      id: randomCollectionId(),
      scm: now,
      lastSyncUsn: 0,
      lastSync: 0,
      created: now,
      mtime: now,
    };
    await tx.objectStore("meta").put(meta, "collection");
    const usn = pendingUsnOf(meta);
    for (const noteType of stockNoteTypes(now, now)) await tx.objectStore("notetypes").put({ ...noteType, usn });
    await tx.objectStore("deckconfigs").put(defaultDeckConfig(DEFAULT_CONFIG_ID, "Default", now, usn));
    await tx.objectStore("decks").put({
      id: DEFAULT_DECK_ID,
      name: "Default",
      configId: DEFAULT_CONFIG_ID,
      description: "",
      collapsed: false,
      mtime: now,
      usn,
    });
    await tx.objectStore("config").put({ key: "nextPos", value: 1, mtime: now, usn });
    await tx.done;
    this.lastId = now + 10;
  }
}

/** Marks a record as changed now and not yet synced, with the usn its transaction read (see pending.ts). */
export function stamp<T extends { mtime: number; usn: number }>(record: T, now: number, usn: number): T {
  record.mtime = now;
  record.usn = usn;
  return record;
}

/** A deletion made now and not yet synced, with the usn its transaction read (see pending.ts). */
/** The kind of grave a deletion from each store of numbered records leaves. */
const GRAVE_KIND_OF = {
  notes: "note",
  cards: "card",
  notetypes: "notetype",
  decks: "deck",
  deckconfigs: "deckconfig",
} as const;

export function grave(kind: GraveKind, id: number | string, now: number, usn: number, guid?: string) {
  return { kind, id: String(id), mtime: now, usn, ...(guid === undefined ? {} : { guid }) };
}

/** Stamps the collection's meta as changed, and as schema-changed when `schema` is set. */
export function touchedMeta(meta: CollectionMeta, now: number, schema = false): CollectionMeta {
  return { ...meta, mtime: now, scm: schema ? Math.max(now, meta.scm + 1) : meta.scm };
}

function randomCollectionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Anki's note guid: ten characters of base91 from 64 random bits. */
export function randomGuid(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~";
  let value = crypto.getRandomValues(new BigUint64Array(1))[0] ?? 0n;
  let text = "";
  while (value > 0n) {
    text = alphabet.charAt(Number(value % 91n)) + text;
    value /= 91n;
  }
  return text || "a";
}
