// Which changes wait to sync. A record the relay has not seen carries a negative usn, -g, where g is the
// collection's pending generation when the change was written (meta.pendingGen, 1 until the first full upload). A
// record with a usn of 0 or more holds the relay's usn of its last sync.
//
// A full upload sends every record at once. Rather than write each one again to mark it as sent, it moves the
// generation on when it starts (changes made from then on are of the next one), and once the relay holds the
// upload it records that every generation up to the one it sent is synced (meta.syncedGen). A record is pending
// while -usn > syncedGen. Each change reads the generation in the transaction that writes it, so a change is either
// in the upload or of the next generation, whichever moment it was made at.
import type { CollectionMeta } from "../../../shared/model";

/** The generation changes are written in now. */
export const pendingGenOf = (meta: CollectionMeta | undefined): number => meta?.pendingGen ?? 1;

/** Every generation up to this one has reached the relay. */
export const syncedGenOf = (meta: CollectionMeta | undefined): number => meta?.syncedGen ?? 0;

/** A full upload may have read changes up to this generation: an answer of it may be on the relay already. */
export const sentGenOf = (meta: CollectionMeta | undefined): number => meta?.sentGen ?? 0;

/** The usn that marks a change written now as pending. */
export const pendingUsnOf = (meta: CollectionMeta | undefined): number => -pendingGenOf(meta);

/** True when a record with this usn waits to sync, given the collection's syncedGen. */
export const isPending = (usn: number, syncedGen: number): boolean => usn < -syncedGen;

/**
 * True when a change with this usn has surely not reached the relay: pending, and newer than anything a full upload
 * may have read (an upload reads changes made while it runs too, and its answer may be lost). Only such a change
 * may be taken back without trace, as undoing an answer does.
 */
export const isUnsent = (usn: number, meta: CollectionMeta | undefined): boolean =>
  isPending(usn, syncedGenOf(meta)) && generationOf(usn) > sentGenOf(meta);

/** The range of a "usn" index that holds the pending records. */
export const pendingUsns = (syncedGen: number): IDBKeyRange => IDBKeyRange.upperBound(-syncedGen, true);

/** The generation of a pending usn (0 for a synced one). */
export const generationOf = (usn: number): number => (usn < 0 ? -usn : 0);

interface MetaReader {
  get(key: "collection"): Promise<CollectionMeta | undefined>;
}

/**
 * The usn to stamp a transaction's changes with, read from the meta store of that same read-write transaction:
 * a full upload that moves the generation on is then either wholly before the transaction or wholly after it.
 */
export async function pendingUsn(meta: MetaReader): Promise<number> {
  return pendingUsnOf(await meta.get("collection"));
}

/** What tells pending records from synced ones: the collection's syncedGen. */
export async function syncedGen(meta: MetaReader): Promise<number> {
  return syncedGenOf(await meta.get("collection"));
}
