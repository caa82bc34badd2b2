// Backups of a collection, taken before anything replaces it (a download, a .colpkg import, a restore); the last
// few are kept. Each is a database of its own, named after the profile and the time, that holds the collection's
// records packed a few thousand to a record: IndexedDB spends about the same time on a record whatever its size, so
// a backup of 450,000 records is a few hundred writes instead of 450,000. Backups written before that are copies of
// the collection's database, with its schema; restoreBackup reads both.
import { type IDBPDatabase, openDB, wrap } from "idb";
import type { CollectionMeta } from "../../../shared/model";
import { abortWrites, type Collection } from "../collection/collection";
import { pendingGenOf, sentGenOf } from "../collection/pending";
import { type RevlogBlock, sealBlock } from "../collection/revlog";
import {
  databaseName,
  deleteCollectionDb,
  openCollectionDb,
  SCHEMA_VERSION,
  SYNCED_STORES,
} from "../collection/schema";

const KEEP = 3;
const STORES = SYNCED_STORES;
type Store = (typeof STORES)[number];

/** Records per packed part: blocks of the review log hold up to an hour of answers each, so fewer of them. */
const PART_RECORDS: Record<Store, number> = {
  notetypes: 200,
  deckconfigs: 2000,
  decks: 2000,
  tags: 2000,
  config: 2000,
  notes: 2000,
  cards: 2000,
  revlogBlocks: 50,
  graves: 2000,
};

/** What a backup was taken before. */
export type BackupReason = "download" | "package" | "restore";

interface PackedSchema {
  /** Parts in the order they were read, each a run of one store's records in key order. */
  parts: { key: number; value: { store: Store; records: unknown[] } };
  /** The collection's meta, written last: a backup without it is incomplete. */
  meta: { key: "collection"; value: CollectionMeta };
  about: { key: "reason"; value: BackupReason };
}

export interface BackupInfo {
  id: string;
  time: number;
  /** Unknown for backups written before reasons were kept. */
  reason: BackupReason | null;
}

export function backupProfileId(profileId: string, time: number): string {
  return `${profileId}~backup~${time}`;
}

function openPacked(id: string): Promise<IDBPDatabase<PackedSchema>> {
  return openDB<PackedSchema>(databaseName(id), 1, {
    upgrade(db) {
      db.createObjectStore("parts", { autoIncrement: true });
      db.createObjectStore("meta");
      db.createObjectStore("about");
    },
  });
}

/**
 * A backup's database opened as it is, without a version, so that neither form is upgraded; null when there is no
 * such database (asking does not create it). Reads of an existing backup go through this connection only: opening it
 * again by name could create it anew, empty, had it been deleted in between.
 */
function openExisting(id: string): Promise<IDBPDatabase | null> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName(id));
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onerror = () => (request.error?.name === "AbortError" ? resolve(null) : reject(request.error));
    request.onsuccess = () => resolve(wrap(request.result));
  });
}

/** The key of a record in a store, from the store's key path. */
function keyOf(keyPath: string | string[], record: unknown): IDBValidKey {
  const field = (name: string) => (record as Record<string, IDBValidKey>)[name] as IDBValidKey;
  return Array.isArray(keyPath) ? keyPath.map(field) : field(keyPath);
}

/**
 * Copies every store of the collection into a new backup; returns the backup's profile id. The collection is read in
 * one transaction, so the backup is the collection at one moment even while something else writes to it; each part
 * is handed to the backup's database as soon as it is read (so up to the whole collection may wait in memory to be
 * written). Older backups beyond the last few are deleted afterwards, unless `prune` is false.
 */
export async function backupCollection(
  col: Collection,
  reason: BackupReason,
  { prune = true }: { prune?: boolean } = {},
): Promise<string> {
  // Named by its time, after the newest backup's even within the same millisecond.
  const newest = (await backupNames(col.profileId))[0]?.time ?? 0;
  const id = backupProfileId(col.profileId, Math.max(col.clock.now(), newest + 1));
  const target = await openPacked(id);
  let failed: { error: unknown } | null = null;
  const writes: Promise<unknown>[] = [];
  // Not awaited where they are issued: waiting on another database would end the reading transaction.
  const write = (request: Promise<unknown>) =>
    writes.push(
      request.catch((error: unknown) => {
        failed ??= { error };
      }),
    );
  try {
    write(target.put("about", reason, "reason"));
    const source = col.db.transaction([...STORES, "meta"] as const);
    for (const store of STORES) {
      const keyPath = source.objectStore(store).keyPath ?? "id";
      let after: IDBValidKey | null = null;
      for (;;) {
        if (failed) throw (failed as { error: unknown }).error;
        const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
        const records: unknown[] = await source.objectStore(store).getAll(range as never, PART_RECORDS[store]);
        if (records.length === 0) break;
        write(target.add("parts", { store, records }));
        if (records.length < PART_RECORDS[store]) break;
        after = keyOf(keyPath, records[records.length - 1]);
      }
    }
    const meta = await source.objectStore("meta").get("collection");
    await Promise.all(writes);
    if (failed) throw (failed as { error: unknown }).error;
    if (meta) await target.put("meta", meta, "collection");
  } catch (thrown) {
    // An incomplete backup would count among the few kept and push out a good one.
    await Promise.all(writes);
    target.close();
    await deleteCollectionDb(id);
    throw thrown;
  }
  target.close();
  if (prune) await pruneBackups(col.profileId);
  return id;
}

/** A backup's records by store and its meta, whichever form it was written in; null when it is incomplete. */
async function readBackup(backupId: string): Promise<{ meta: CollectionMeta; records: Map<Store, unknown[]> } | null> {
  const existing = await openExisting(backupId);
  if (!existing) return null;
  const records = new Map<Store, unknown[]>(STORES.map((store) => [store, []]));
  const names = existing.objectStoreNames;
  const packed = names.contains("parts") && names.contains("meta");
  // A copy has the collection's stores as they were at its version (before version 3, no review-log blocks).
  const copy = !packed && names.contains("meta") && names.contains("notes");
  if (!packed && !copy) {
    existing.close();
    return null;
  }
  // A copy made before the review log's blocks is upgraded first (and then read from its new form).
  const source = packed || existing.version === SCHEMA_VERSION ? existing : await upgradedCopy(existing, backupId);
  try {
    const meta = (await source.get("meta", "collection")) as CollectionMeta | undefined;
    if (!meta) return null;
    if (packed) {
      for (const part of (await source.getAll("parts")) as PackedSchema["parts"]["value"][])
        records.get(part.store)?.push(...part.records);
    } else {
      for (const store of STORES) records.set(store, await source.getAll(store));
    }
    return { meta, records };
  } finally {
    source.close();
  }
}

async function upgradedCopy(existing: IDBPDatabase, backupId: string): Promise<IDBPDatabase> {
  existing.close();
  return (await openCollectionDb(backupId)) as unknown as IDBPDatabase;
}

/** The backups of a profile by their databases' names alone, newest first. */
async function backupNames(profileId: string): Promise<{ id: string; time: number }[]> {
  const prefix = databaseName(`${profileId}~backup~`);
  const all = await indexedDB.databases();
  return all
    .map((d) => d.name ?? "")
    .filter((name) => name.startsWith(prefix))
    .map((name) => ({ id: name.slice("collection:".length), time: Number(name.slice(prefix.length)) }))
    .sort((a, b) => b.time - a.time);
}

/** The backups of a profile, newest first, with what each was taken before where it is known. */
export async function listBackups(profileId: string): Promise<BackupInfo[]> {
  const found = await backupNames(profileId);
  return Promise.all(found.map(async (backup) => ({ ...backup, reason: await reasonOf(backup.id) })));
}

/** Null when unknown: an older backup, or one that cannot be read (which a restore then says in words). */
async function reasonOf(id: string): Promise<BackupReason | null> {
  try {
    const db = await openExisting(id);
    if (!db) return null;
    try {
      return db.objectStoreNames.contains("about")
        ? (((await db.get("about", "reason")) as BackupReason | undefined) ?? null)
        : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** Deletes a profile's backups beyond the newest few. */
export async function pruneBackups(profileId: string, keep = KEEP): Promise<void> {
  for (const old of (await backupNames(profileId)).slice(keep)) await deleteCollectionDb(old.id);
}

/** Deletes these backups (by id), taken for something that did not happen or that a later backup covers. */
export async function discardBackups(backupIds: readonly string[]): Promise<void> {
  for (const id of backupIds) await deleteCollectionDb(id);
}

/** Deletes every backup of a profile, with the profile itself. */
export function deleteBackups(profileId: string): Promise<void> {
  return pruneBackups(profileId, 0);
}

/**
 * Puts a backup back in place of the collection, after backing up the current one. The schema stamp moves on,
 * so that the next sync asks which side to keep instead of merging the restored state into the relay's.
 */
export async function restoreBackup(col: Collection, backupId: string): Promise<void> {
  // Read whole before the write transaction opens: waiting on another database inside it would let it commit
  // after the clearing, with the collection empty.
  const backup = await readBackup(backupId);
  if (!backup) throw new Error("That backup is incomplete and cannot be restored.");
  // Pruned only once the restore is done: the backup being restored may be the oldest of those kept.
  await backupCollection(col, "restore", { prune: false });
  const { meta, records } = backup;
  const now = col.clock.now();
  const tx = col.db.transaction([...STORES, "meta"] as const, "readwrite");
  try {
    for (const store of STORES) void tx.objectStore(store).clear();
    for (const store of STORES) {
      for (const record of records.get(store) ?? []) {
        // A block of an older backup counts its pending rows another way: sealed again, it is indexed as now.
        const value = store === "revlogBlocks" ? sealBlock(record as RevlogBlock) : record;
        void tx
          .objectStore(store)
          .put(value as never)
          .catch(() => {});
      }
    }
    const current = await tx.objectStore("meta").get("collection");
    // How this device stands with the relay is the device's, not the backup's: kept as it is, with a new schema
    // stamp, so that the next sync is one-way and the badge says so at once.
    // The next normal sync compares mtime sums too (no lastFullCheck).
    const { id, lastSync, lastSyncUsn } = current ?? meta;
    const { lastFullCheck: _, ...kept } = meta;
    const scm = Math.max(now, meta.scm + 1, (current?.scm ?? 0) + 1);
    // The backup's changes wait as they did (its syncedGen), and count as sent for undo: a later upload may have
    // sent them. A change made from now on is of a generation above any either side has used (pending.ts).
    const top = Math.max(pendingGenOf(meta), pendingGenOf(current), sentGenOf(meta), sentGenOf(current));
    const generations = { pendingGen: top + 1, sentGen: top };
    const replacements = Math.max(meta.replacements ?? 0, current?.replacements ?? 0) + 1;
    await tx
      .objectStore("meta")
      .put({ ...kept, ...generations, id, lastSync, lastSyncUsn, scm, mtime: now, replacements }, "collection");
    await tx.done;
  } catch (thrown) {
    // A record IndexedDB refuses at once throws here rather than failing its request: nothing of it is kept.
    await abortWrites(tx);
    throw thrown;
  }
  await pruneBackups(col.profileId);
}
