import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import type { Collection } from "../../extension/lib/collection/collection";
import { addNote } from "../../extension/lib/collection/notes";
import { readRevlog, writeRevlog } from "../../extension/lib/collection/revlog";
import { databaseName, openCollectionDb, SYNCED_STORES } from "../../extension/lib/collection/schema";
import { backupCollection, backupProfileId, listBackups, restoreBackup } from "../../extension/lib/sync/backup";
import type { Tag } from "../../shared/model";
import { freshCollection, noteTypeByName } from "./factories";

describe("backups", () => {
  it("a backup restores the collection as it was, backs up the current one first, and forces a one-way sync", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["kept", "x"], tags: "" });
    const backupId = await backupCollection(col, "download");
    clock.advance(60_000);
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["added after the backup", "x"], tags: "" });
    // A sync after the backup: how this device stands with the relay is kept through the restore.
    await col.db.put("meta", { ...(await col.meta()), lastSync: clock.time, lastSyncUsn: 7 }, "collection");
    const before = await col.meta();

    clock.advance(60_000);
    await restoreBackup(col, backupId);
    const fronts = (await col.db.getAll("notes")).map((n) => n.fields[0]);
    expect(fronts).toEqual(["kept"]);
    const after = await col.meta();
    expect(after.scm).toBeGreaterThan(before.scm);
    expect(after).toMatchObject({ id: before.id, lastSync: before.lastSync, lastSyncUsn: 7 });

    const backups = await listBackups(col.profileId);
    // Newest first, each with what it was taken before.
    expect(backups.map((b) => [b.id === backupId, b.reason])).toEqual([
      [false, "restore"],
      [true, "download"],
    ]);
    // The state before the restore is itself restorable.
    const newest = backups[0];
    if (!newest) throw new Error();
    await restoreBackup(col, newest.id);
    expect((await col.db.getAll("notes")).map((n) => n.fields[0]).sort()).toEqual(["added after the backup", "kept"]);
  });

  it("keeps only the last three backups", async () => {
    const { col, clock } = await freshCollection();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await backupCollection(col, "download");
    }
    expect((await listBackups(col.profileId)).length).toBe(3);
  });
});

describe("backups in both forms", () => {
  it("packs thousands of records a few thousand to a record, and restores each one in order", async () => {
    const { col } = await freshCollection();
    const tags = Array.from({ length: 4500 }, (_, i) => ({
      name: `tag${String(i).padStart(5, "0")}`,
      collapsed: false,
      mtime: i,
      usn: 0,
    }));
    const rows = Array.from({ length: 120 }, (_, i) => ({
      id: Date.UTC(2021, 0, 1) + i * 3_600_000,
      cardId: 7,
      usn: 0,
      ease: 3,
      ivl: 1,
      lastIvl: 0,
      factor: 2500,
      time: 5000,
      type: 1,
    }));
    await writeTags(col, tags);
    await writeRevlog(col.db, rows);
    const before = await col.db.getAll("tags");
    const backupId = await backupCollection(col, "download");

    const packed = await openDB(databaseName(backupId));
    expect([...packed.objectStoreNames].sort()).toEqual(["about", "meta", "parts"]);
    // 4,500 tags in three parts and 120 blocks of an hour in three: the backup's writes do not grow with each record.
    const parts = (await packed.getAll("parts")) as { store: string; records: unknown[] }[];
    packed.close();
    expect(parts.filter((p) => p.store === "tags").map((p) => p.records.length)).toEqual([2000, 2000, 500]);
    expect(parts.filter((p) => p.store === "revlogBlocks").map((p) => p.records.length)).toEqual([50, 50, 20]);

    await col.db.clear("tags");
    await restoreBackup(col, backupId);
    expect(await col.db.getAll("tags")).toEqual(before);
    expect((await readRevlog(col.db)).map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });

  it("is the collection at one moment: a card written while it is taken is not in it, even after its notes were read", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["kept", "x"], tags: "" });
    const [card] = await col.db.getAll("cards");
    if (!card) throw new Error("the note has a card");
    // As soon as the backup has read the notes, another page writes a card (of a note the backup did not see).
    const getAll = IDBObjectStore.prototype.getAll;
    let written: Promise<unknown> | null = null;
    IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...args: Parameters<typeof getAll>) {
      const request = getAll.apply(this, args);
      if (this.name === "notes" && !written) {
        request.addEventListener("success", () => {
          written ??= col.db.put("cards", { ...card, id: 999, noteId: 999 });
        });
      }
      return request;
    };
    let backupId: string;
    try {
      backupId = await backupCollection(col, "download");
    } finally {
      IDBObjectStore.prototype.getAll = getAll;
    }
    await written;
    expect((await col.db.getAllKeys("cards")).sort()).toEqual([999, card.id].sort());
    await restoreBackup(col, backupId);
    expect(await col.db.getAllKeys("cards")).toEqual([card.id]);
  });

  it("a backup that fails is not left behind, where it would push out a good one", async () => {
    const { col } = await freshCollection();
    await backupCollection(col, "download");
    col.db.close();
    await expect(backupCollection(col, "download")).rejects.toThrow();
    expect(await listBackups(col.profileId)).toHaveLength(1);
  });

  it("asking for the list while a backup is deleted does not bring it back, empty", async () => {
    const { col } = await freshCollection();
    const backupId = await backupCollection(col, "download");
    const listing = listBackups(col.profileId);
    await new Promise((resolve) => setImmediate(resolve));
    const deleted = new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(databaseName(backupId));
      request.onsuccess = () => resolve();
    });
    await listing;
    await deleted;
    expect(await listBackups(col.profileId)).toEqual([]);
  });

  it("restores a packed backup of a later version, and its schema stamp moves past the device's own", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["in the backup", "x"], tags: "" });
    const notes = await col.db.getAll("notes");
    const meta = await col.meta();
    const backupId = backupProfileId(col.profileId, 2_000);
    const later = await openDB(databaseName(backupId), 2, {
      upgrade(db) {
        db.createObjectStore("parts", { autoIncrement: true });
        db.createObjectStore("meta");
        db.createObjectStore("about");
      },
    });
    await later.add("parts", { store: "notes", records: notes });
    await later.put("meta", meta, "collection");
    later.close();
    expect((await listBackups(col.profileId)).map((b) => b.id)).toEqual([backupId]);
    // This device's stamp is ahead of its clock (taken from a device whose clock runs fast).
    const ahead = clock.time + 600_000;
    await col.db.put("meta", { ...(await col.meta()), scm: ahead }, "collection");
    await restoreBackup(col, backupId);
    expect((await col.db.getAll("notes")).map((n) => n.fields[0])).toEqual(["in the backup"]);
    expect((await col.meta()).scm).toBeGreaterThan(ahead);
  });

  it("restores a backup written as a copy of the collection's database, as earlier versions did", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["in the old backup", "x"], tags: "" });
    const backupId = backupProfileId(col.profileId, 1_000);
    const copy = await openCollectionDb(backupId);
    for (const store of SYNCED_STORES) {
      const records = await col.db.getAll(store);
      const tx = copy.transaction(store, "readwrite");
      for (const record of records) void tx.store.put(record as never);
      await tx.done;
    }
    await copy.put("meta", await col.meta(), "collection");
    copy.close();
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["added later", "x"], tags: "" });

    expect(await listBackups(col.profileId)).toEqual([{ id: backupId, time: 1_000, reason: null }]);
    await restoreBackup(col, backupId);
    expect((await col.db.getAll("notes")).map((n) => n.fields[0])).toEqual(["in the old backup"]);
  });

  it("restores a copy written before the review log's blocks (version 2), with its review log", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["in the version 2 copy", "x"], tags: "" });
    const backupId = backupProfileId(col.profileId, 3_000);
    const keys: Record<string, string | string[]> = {
      notetypes: "id",
      decks: "id",
      deckconfigs: "id",
      notes: "id",
      cards: "id",
      revlog: "id",
      tags: "name",
      config: "key",
      graves: ["kind", "id"],
    };
    const v2 = await openDB(databaseName(backupId), 2, {
      upgrade(db) {
        db.createObjectStore("meta");
        for (const [name, keyPath] of Object.entries(keys)) db.createObjectStore(name, { keyPath });
        db.createObjectStore("media", { keyPath: "name" });
        db.createObjectStore("mediaBytes");
        db.createObjectStore("mediaSync");
      },
    });
    for (const store of ["notetypes", "decks", "deckconfigs", "notes", "cards", "tags", "config"] as const) {
      for (const record of await col.db.getAll(store)) await v2.put(store, record);
    }
    const review = {
      id: Date.UTC(2024, 0, 1),
      cardId: 5,
      usn: 3,
      ease: 3,
      ivl: 1,
      lastIvl: 0,
      factor: 2500,
      time: 4000,
      type: 1,
    };
    await v2.put("revlog", review);
    await v2.put("meta", await col.meta(), "collection");
    v2.close();
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["added later", "x"], tags: "" });

    await restoreBackup(col, backupId);
    expect((await col.db.getAll("notes")).map((n) => n.fields[0])).toEqual(["in the version 2 copy"]);
    expect(await readRevlog(col.db)).toEqual([review]);
  });

  it("refuses a backup that is gone or incomplete, and leaves the collection as it was", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["kept", "x"], tags: "" });
    await expect(restoreBackup(col, backupProfileId(col.profileId, 5))).rejects.toThrow(/incomplete/);
    // Asking for it did not create it.
    expect(await listBackups(col.profileId)).toEqual([]);
    // A backup cut off before its meta was written.
    const partial = await openDB(databaseName(backupProfileId(col.profileId, 6)), 1, {
      upgrade(db) {
        db.createObjectStore("parts", { autoIncrement: true });
        db.createObjectStore("meta");
        db.createObjectStore("about");
      },
    });
    await partial.add("parts", { store: "notes", records: [] });
    partial.close();
    await expect(restoreBackup(col, backupProfileId(col.profileId, 6))).rejects.toThrow(/incomplete/);
    expect((await col.db.getAll("notes")).map((n) => n.fields[0])).toEqual(["kept"]);
  });
});

async function writeTags(col: Collection, tags: Tag[]): Promise<void> {
  const tx = col.db.transaction("tags", "readwrite");
  for (const tag of tags) void tx.store.put(tag);
  await tx.done;
}
