// The review log kept in blocks of an hour: rows written together all land, a block knows its cards and whether
// it waits to sync, and a collection made before blocks keeps every row when it is opened.
import "fake-indexeddb/auto";
import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import {
  answersOfCards,
  BLOCK_MS,
  blockKey,
  countPendingRevlog,
  countRevlog,
  RevlogRows,
  readRevlog,
  revlogOfCard,
  revlogSince,
  writeRevlog,
} from "../../extension/lib/collection/revlog";
import { databaseName, openCollectionDb } from "../../extension/lib/collection/schema";
import { PENDING, type RevlogEntry } from "../../shared/model";
import { freshCollection } from "./factories";

const HOUR = Date.UTC(2026, 0, 15, 9);

function row(id: number, cardId: number, usn = PENDING): RevlogEntry {
  return { id, cardId, usn, ease: 3, ivl: 1, lastIvl: 0, factor: 2500, time: 3000, type: 1 };
}

describe("the review log in blocks", () => {
  it("rows put without waiting for one another all land, one block per hour, each knowing its cards", async () => {
    const { col } = await freshCollection();
    const rows = [row(HOUR + 5, 1), row(HOUR + 1, 2), row(HOUR + BLOCK_MS + 7, 1), row(HOUR + 3, 2)];
    const tx = col.db.transaction("revlogBlocks", "readwrite");
    const revlog = new RevlogRows(tx.store);
    for (const r of rows) void revlog.put(r);
    await revlog.flush();
    await tx.done;
    expect((await readRevlog(col.db)).map((r) => r.id)).toEqual([HOUR + 1, HOUR + 3, HOUR + 5, HOUR + BLOCK_MS + 7]);
    const blocks = await col.db.getAll("revlogBlocks");
    expect(blocks.map((b) => b.key)).toEqual([blockKey(HOUR), blockKey(HOUR) + 1]);
    expect(blocks[0]?.cardIds.sort()).toEqual([1, 2]);
    expect(blocks[1]?.cardIds).toEqual([1]);
    expect((await revlogOfCard(col.db.transaction("revlogBlocks").store, 1)).map((r) => r.id)).toEqual([
      HOUR + 5,
      HOUR + BLOCK_MS + 7,
    ]);
    expect((await revlogSince(col.db.transaction("revlogBlocks").store, HOUR + 4)).map((r) => r.id)).toEqual([
      HOUR + 5,
      HOUR + BLOCK_MS + 7,
    ]);
    const store = () => col.db.transaction("revlogBlocks").store;
    expect(await answersOfCards(store(), [1, 2, 3], "first")).toEqual(
      new Map([
        [1, HOUR + 5],
        [2, HOUR + 1],
      ]),
    );
    expect(await answersOfCards(store(), [1, 2, 3], "last")).toEqual(
      new Map([
        [1, HOUR + BLOCK_MS + 7],
        [2, HOUR + 3],
      ]),
    );
  });

  it("a block counts its rows and those waiting to sync, and is removed when its last row is", async () => {
    const { col } = await freshCollection();
    await writeRevlog(col.db, [row(HOUR, 1, 4), row(HOUR + 1, 1), row(HOUR + BLOCK_MS, 2)]);
    expect(await col.db.getAllKeysFromIndex("revlogBlocks", "pending")).toEqual([blockKey(HOUR), blockKey(HOUR) + 1]);
    // Counted from the blocks' indexes, without reading their rows.
    const store = () => col.db.transaction("revlogBlocks").store;
    expect(await countRevlog(store())).toBe(3);
    expect(await countPendingRevlog(store(), 0)).toBe(2);
    await writeRevlog(col.db, [row(HOUR + BLOCK_MS, 2, 6)]);
    await writeRevlog(col.db, [row(HOUR + 1, 1, 5)]);
    expect(await col.db.getAllKeysFromIndex("revlogBlocks", "pending")).toEqual([]);
    expect(await countPendingRevlog(store(), 0)).toBe(0);
    expect(await countRevlog(store())).toBe(3);
    const tx = col.db.transaction("revlogBlocks", "readwrite");
    const revlog = new RevlogRows(tx.store);
    void revlog.delete(HOUR);
    void revlog.delete(HOUR + 1);
    await revlog.flush();
    await tx.done;
    expect(await col.db.count("revlogBlocks")).toBe(1);
    expect(await countRevlog(store())).toBe(1);
  });

  it("add keeps a row that is there already, and freeId finds the next free millisecond", async () => {
    const { col } = await freshCollection();
    await writeRevlog(col.db, [row(HOUR, 1, 4)]);
    const tx = col.db.transaction("revlogBlocks", "readwrite");
    const revlog = new RevlogRows(tx.store);
    expect(await revlog.add(row(HOUR, 2))).toBe(false);
    expect(await revlog.freeId(HOUR)).toBe(HOUR + 1);
    expect(await revlog.add(row(HOUR + 1, 2))).toBe(true);
    // Changes not yet flushed are seen within the transaction.
    expect((await revlog.ofCard(2)).map((r) => r.id)).toEqual([HOUR + 1]);
    await revlog.flush();
    await tx.done;
    expect(await readRevlog(col.db)).toEqual([row(HOUR, 1, 4), row(HOUR + 1, 2)]);
  });

  it("a collection from before blocks keeps every row of its review log, synced or not", async () => {
    const id = `v2-${Math.random().toString(36).slice(2)}`;
    const v2 = await openDB(databaseName(id), 2, {
      upgrade(db) {
        db.createObjectStore("meta");
        const revlog = db.createObjectStore("revlog", { keyPath: "id" });
        revlog.createIndex("usn", "usn");
        revlog.createIndex("cardId", "cardId");
      },
    });
    const rows = Array.from({ length: 500 }, (_, i) =>
      row(HOUR + i * 60_000, 100 + (i % 7), i % 3 === 0 ? 9 : PENDING),
    );
    for (const r of rows) await v2.put("revlog", r);
    v2.close();
    const db = await openCollectionDb(id);
    expect([...db.objectStoreNames]).not.toContain("revlog");
    expect(await readRevlog(db)).toEqual(rows);
    expect(await countRevlog(db.transaction("revlogBlocks").store)).toBe(500);
    expect(await countPendingRevlog(db.transaction("revlogBlocks").store, 0)).toBe(
      rows.filter((r) => r.usn === PENDING).length,
    );
    // 500 minutes of answers: nine hours.
    expect(await db.count("revlogBlocks")).toBe(9);
    expect(
      (await db.getAllFromIndex("revlogBlocks", "pending")).flatMap((b) => b.rows).filter((r) => r.usn === PENDING),
    ).toHaveLength(rows.filter((r) => r.usn === PENDING).length);
    db.close();
  });
});
