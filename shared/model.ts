// The collection's data model: Anki's, so that packages import and export without loss. Every syncable record
// carries `mtime` (ms, when it last changed) and `usn` (the relay's update sequence number when it last changed,
// or -1 while the change exists only on this device). The types come from the zod schemas in shared/schemas.ts;
// importing them from here costs no code at run time.
export type {
  Card,
  ConfigEntry,
  Deck,
  DeckConfig,
  DeckFilter,
  FieldDef,
  FilterTerm,
  Grave,
  GraveKind,
  Note,
  NoteType,
  NoteTypeKind,
  RevlogEntry,
  Tag,
  TemplateDef,
} from "./schemas";

/**
 * The usn of a change of the first pending generation, which has not reached the relay yet. Code that changes a
 * collection stamps the usn its transaction reads (extension/lib/collection/pending.ts); this is that usn until
 * the collection's first full upload.
 */
export const PENDING = -1;

/** Anki's card types and queues, by their numbers. */
export const CardType = { New: 0, Learning: 1, Review: 2, Relearning: 3 } as const;
export const CardQueue = {
  SchedBuried: -3,
  UserBuried: -2,
  Suspended: -1,
  New: 0,
  Learning: 1,
  Review: 2,
  DayLearning: 3,
  Preview: 4,
} as const;

/** The collection's identity and schema stamp, one per profile. */
export interface CollectionMeta {
  /** Random id of this collection; an account holds one collection, identified by it. */
  id: string;
  /** Time of the last change that cannot be merged (ms); differing values force a one-way sync. */
  scm: number;
  /** The relay's usn after the last successful sync; 0 before the first. */
  lastSyncUsn: number;
  /** When the last sync succeeded (ms); 0 before the first. */
  lastSync: number;
  /** When the collection was made (ms). */
  created: number;
  /** When anything in the collection last changed (ms). */
  mtime: number;
  /** When a sync last compared mtime sums too, not only counts (ms); absent before the first. */
  lastFullCheck?: number;
  /** The day number on which buried cards were last brought back; absent before the first time. */
  lastUnburied?: number;
  /** The generation changes are stamped with (usn -pendingGen); 1 when absent. See pending.ts in the extension. */
  pendingGen?: number;
  /** Every generation up to this one has reached the relay (a full upload's); 0 when absent. */
  syncedGen?: number;
  /** A full upload may have read changes up to this generation, whether or not the relay holds it; 0 when absent. */
  sentGen?: number;
  /** How many times the collection was replaced here (a restore, a package, a download); 0 when absent. */
  replacements?: number;
  /** Commits sent to the relay whose answer has not arrived: they may or may not have been applied. */
  inDoubt?: { kind: "pushes" | "uploads"; session: string; generation?: number }[];
  /**
   * Relay usns at which this device's own commits were applied and whose records it may not have marked yet: a
   * record arriving at one of them that equals a pending one here is that record, not another device's twin.
   */
  ownUsns?: number[];
  /** Generations in which full merges marked records pending again: records that came from a relay before. */
  mergedGens?: number[];
  /** The newest generation of changes that a commit the relay applied, and whose answer was lost, may have carried. */
  leftGen?: number;
}

/** The first id that is free for Anki's standard objects: the Default deck and the default options. */
export const DEFAULT_DECK_ID = 1;
export const DEFAULT_CONFIG_ID = 1;

/**
 * A note's fields made to fit a note type with `count` fields: missing fields are added empty, and the text of
 * fields beyond the last is kept in the last one, so that nothing typed is lost. A note can arrive with another
 * count than its note type's when a field was added or removed on one device while the note was made on another.
 */
export function fitFields(fields: readonly string[], count: number): string[] {
  if (fields.length === count || count < 1) return [...fields];
  if (fields.length < count) return [...fields, ...Array<string>(count - fields.length).fill("")];
  const extra = fields.slice(count - 1).filter((text) => text !== "");
  return [...fields.slice(0, count - 1), extra.join("; ")];
}
