// The sync protocol's wire types and their validators. docs/protocol.md describes the exchange.
import { z } from "zod";
import { Card, ConfigEntry, checkNoteSize, Deck, DeckConfig, NoteRecord, NoteType, RevlogEntry, Tag } from "../schemas";

/** Every kind of synced record, parents before children: the order in which a side applies them. */
export const SYNC_KINDS = ["notetype", "deckconfig", "deck", "tag", "config", "note", "card", "revlog"] as const;
export const SyncKind = z.enum(SYNC_KINDS);
export type SyncKind = z.output<typeof SyncKind>;

/** What each kind's body must look like (the record without its usn, which the relay assigns). */
export const BODY_SCHEMAS: Record<SyncKind, z.ZodType> = {
  notetype: NoteType.omit({ usn: true }),
  deckconfig: DeckConfig.omit({ usn: true }),
  deck: Deck.omit({ usn: true }),
  tag: Tag.omit({ usn: true }),
  config: ConfigEntry.omit({ usn: true }),
  note: NoteRecord.omit({ usn: true }).superRefine(checkNoteSize),
  card: Card.omit({ usn: true }),
  revlog: RevlogEntry.omit({ usn: true }),
};

/** One record on the wire: a live body, or a deletion (body null). */
export const WireObject = z.strictObject({
  kind: SyncKind,
  id: z.string().min(1).max(500),
  mtime: z.number().int().nonnegative().safe(),
  deleted: z.boolean(),
  // Only its shape here: each kind's schema checks the body itself (checkWireObject), and a full check here too
  // would walk every field of every record twice.
  body: z.custom<Record<string, unknown> | null>(
    (value) => value === null || (typeof value === "object" && !Array.isArray(value)),
    { error: "body must be an object, or null for a deletion" },
  ),
});
export type WireObject = z.output<typeof WireObject>;

/** A record as the relay sends it back, with the usn at which it last changed there. */
export type RelayObject = WireObject & { usn: number };

/** Most records in one request. */
export const MAX_OBJECTS_PER_REQUEST = 2000;

export const ObjectBatch = z.strictObject({
  objects: z.array(WireObject).max(MAX_OBJECTS_PER_REQUEST, {
    error: `a request carries at most ${MAX_OBJECTS_PER_REQUEST} records; send the rest in further chunks`,
  }),
});

/**
 * Per kind: live records, graves, and the sum of the live records' mtimes (each taken modulo 1,000,003, so that
 * the sum is exact on every side). Both sides compute it; live and
 * mtimeSum must agree after a sync (graves may differ: a full download brings none).
 */
export const KindSummary = z.strictObject({
  live: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  /** -1 where a side did not compute it. */
  mtimeSum: z.number().int().min(-1),
});
export type KindSummary = z.output<typeof KindSummary>;
export const CollectionDigest = z.partialRecord(SyncKind, KindSummary);
export type CollectionDigest = Partial<Record<SyncKind, KindSummary>>;

export const StartRequest = z.strictObject({
  collectionId: z.string().regex(/^[0-9a-f]{32}$/, { error: "collectionId must be 32 hexadecimal characters" }),
  scm: z.number().int().nonnegative().safe(),
  lastSyncUsn: z.number().int().nonnegative(),
  /** 0 when this collection has never synced. */
  lastSync: z.number().int().nonnegative().safe(),
  cards: z.number().int().nonnegative(),
  notes: z.number().int().nonnegative(),
  mtime: z.number().int().nonnegative().safe(),
  /** True when the device has changes that the relay has not seen. */
  pending: z.boolean(),
  /** The person ticked "force a one-way sync". */
  forceOneWay: z.boolean().default(false),
});
export type StartRequest = z.input<typeof StartRequest>;

export interface CollectionSummary {
  collectionId: string;
  cards: number;
  notes: number;
  mtime: number;
  usn: number;
}

export type OneWayReason = "schema" | "first-sync" | "other-collection" | "forced";

export type StartResponse =
  /** Nothing to do: the relay has nothing new and the device sent no pending flag. */
  | { action: "none"; usn: number }
  | { action: "normal"; usn: number }
  /** The relay holds nothing, or the device is empty: the one sensible direction. */
  | { action: "upload"; relay: CollectionSummary | null }
  | { action: "download"; relay: CollectionSummary }
  /** A one-way sync is needed and the person must choose. */
  | { action: "choose"; reason: OneWayReason; relay: CollectionSummary };

export const CommitRequest = z.strictObject({
  /** The relay usn the device pulled up to; the commit is refused (409, code "stale") if the relay moved on. */
  baseUsn: z.number().int().nonnegative(),
  /** Chunks staged before this request, all of which must be present. */
  chunks: z.number().int().nonnegative().max(10_000),
  /** The last records, sent with the commit itself. */
  objects: z.array(WireObject).max(MAX_OBJECTS_PER_REQUEST).default([]),
});
export type CommitRequest = z.input<typeof CommitRequest>;

export interface CommitResponse {
  /** The usn the commit is at: baseUsn + 1, or baseUsn when it changed nothing (applied 0, nothing taken along). */
  usn: number;
  /**
   * How many of the pushed records changed the relay's collection, each counted once: records it did not hold, and
   * versions that won by the merge rule (the others were equal to its own or lost to them). The same whenever the
   * commit is asked for again.
   */
  applied: number;
  /**
   * The relay's versions of pushed records that lost to them, and deletions the push's deletions took with them
   * that the device did not send (a card another device made for a note deleted here): the device takes these.
   */
  lost: RelayObject[];
  /** More records lost than `lost` holds: the device must run a full check. */
  lostTruncated: boolean;
  /** The collection's counts, taken at `digestUsn`: later than `usn` when another device committed since. */
  digest: CollectionDigest;
  digestUsn: number;
}

export const UploadCommitRequest = z.strictObject({
  collectionId: z.string().regex(/^[0-9a-f]{32}$/, { error: "collectionId must be 32 hexadecimal characters" }),
  scm: z.number().int().nonnegative().safe(),
  chunks: z.number().int().nonnegative().max(10_000),
  /** How many records of each kind the upload holds; a truncated upload does not match and is refused. */
  counts: z.partialRecord(SyncKind, z.number().int().nonnegative()),
  /** Replace a collection that has cards with one that has none: only when the person said so. */
  allowEmpty: z.boolean().default(false),
});
export type UploadCommitRequest = z.input<typeof UploadCommitRequest>;

export interface ChangesPage {
  objects: RelayObject[];
  /** Pass as `after` for the next page; null when this was the last. */
  next: string | null;
}

export interface CollectionPage extends ChangesPage {
  collectionId: string;
  scm: number;
  usn: number;
}

/** The record's parent, which must exist for it to be accepted: a note's note type, a card's note. */
export function parentOf(kind: SyncKind, body: Record<string, unknown> | null): { kind: SyncKind; id: string } | null {
  if (!body) return null;
  if (kind === "note") return { kind: "notetype", id: String(body.noteTypeId) };
  if (kind === "card") return { kind: "note", id: String(body.noteId) };
  return null;
}
