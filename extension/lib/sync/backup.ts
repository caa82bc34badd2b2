// Backups of a collection, taken before anything replaces it (a download, a .colpkg import). Each is a copy of
// the collection's database under its own name; the last few are kept.
import type { Collection } from "../collection/collection";
import { databaseName, openCollectionDb, SYNCED_STORES } from "../collection/schema";

const KEEP = 3;
const STORES = SYNCED_STORES;

export function backupProfileId(profileId: string, time: number): string {
  return `${profileId}~backup~${time}`;
}

/** Copies every store of the collection into a new backup database; returns the backup's profile id. */
export async function backupCollection(col: Collection, _reason: string): Promise<string> {
  const id = backupProfileId(col.profileId, col.clock.now());
  const target = await openCollectionDb(id);
  for (const store of STORES) {
    let after: IDBValidKey | null = null;
    for (;;) {
      const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
      const batch = await col.db.getAll(store, range as never, 2000);
      if (batch.length === 0) break;
      const tx = target.transaction(store, "readwrite");
      for (const record of batch) void tx.store.put(record as never);
      await tx.done;
      const keys: IDBValidKey[] = await col.db.getAllKeys(store, range as never, 2000);
      after = keys[keys.length - 1] ?? null;
      if (batch.length < 2000) break;
    }
  }
  const meta = await col.meta();
  await target.put("meta", meta, "collection");
  target.close();
  await pruneBackups(col.profileId);
  return id;
}

/** The backups of a profile, newest first. */
export async function listBackups(profileId: string): Promise<{ id: string; time: number }[]> {
  const prefix = databaseName(`${profileId}~backup~`);
  const all = await indexedDB.databases();
  return all
    .map((d) => d.name ?? "")
    .filter((name) => name.startsWith(prefix))
    .map((name) => ({ id: name.slice("collection:".length), time: Number(name.slice(prefix.length)) }))
    .sort((a, b) => b.time - a.time);
}

async function pruneBackups(profileId: string): Promise<void> {
  for (const old of (await listBackups(profileId)).slice(KEEP)) {
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(databaseName(old.id));
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }
}

/**
 * Puts a backup back in place of the collection, after backing up the current one. The schema stamp moves on,
 * so that the next sync asks which side to keep instead of merging the restored state into the relay's.
 */
export async function restoreBackup(col: Collection, backupId: string): Promise<void> {
  const source = await openCollectionDb(backupId);
  try {
    const meta = await source.get("meta", "collection");
    if (!meta) throw new Error("That backup is incomplete and cannot be restored.");
    await backupCollection(col, "before restore");
    // Read whole before the write transaction opens: waiting on another database inside it would let it commit
    // after the clearing, with the collection empty.
    const records = await Promise.all(STORES.map((store) => source.getAll(store)));
    const now = col.clock.now();
    const tx = col.db.transaction([...STORES, "meta"] as const, "readwrite");
    for (const store of STORES) void tx.objectStore(store).clear();
    for (const [index, store] of STORES.entries()) {
      for (const record of records[index] ?? [])
        void tx
          .objectStore(store)
          .put(record as never)
          .catch(() => {});
    }
    const current = await tx.objectStore("meta").get("collection");
    await tx
      .objectStore("meta")
      .put({ ...meta, id: current?.id ?? meta.id, scm: Math.max(now, meta.scm + 1), mtime: now }, "collection");
    await tx.done;
  } finally {
    source.close();
  }
}
