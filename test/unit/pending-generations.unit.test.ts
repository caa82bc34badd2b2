// Pending generations (extension/lib/collection/pending.ts): a full upload says every change it covers is synced
// without writing any record again, and a change made while it runs, in any page, stays pending.
import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import { Collection } from "../../extension/lib/collection/collection";
import { addNote, updateNote } from "../../extension/lib/collection/notes";
import { addField } from "../../extension/lib/collection/notetypes";
import { countPendingRevlog, readRevlog, writeRevlog } from "../../extension/lib/collection/revlog";
import { databaseName, openCollectionDb } from "../../extension/lib/collection/schema";
import { type Answered, answerCard, undoAnswer } from "../../extension/lib/collection/study";
import { backupCollection, restoreBackup } from "../../extension/lib/sync/backup";
import {
  beginUpload,
  endUpload,
  finishUpload,
  hasPending,
  pendingBatches,
  pendingCounts,
  readForUpload,
} from "../../extension/lib/sync/local";
import type { WireObject } from "../../shared/sync/protocol";
import { freshCollection, noteTypeByName } from "./factories";

async function addBasic(col: Collection, front: string): Promise<number> {
  const basic = await noteTypeByName(col, "Basic");
  const added = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: [front, "back"], tags: "" });
  if (!added.ok) throw new Error(added.error);
  return added.value.id;
}

async function everyPending(col: Collection): Promise<WireObject[]> {
  const out: WireObject[] = [];
  for await (const batch of pendingBatches(col)) out.push(...batch);
  return out;
}

/** A full upload as fullUpload makes it, the relay left out: begun, every record read, then held by the relay. */
async function uploadWithout(col: Collection, meanwhile: () => Promise<void> = async () => {}) {
  const start = await beginUpload(col);
  let sent = 0;
  for await (const batch of readForUpload(col)) {
    sent += batch.length;
    await meanwhile();
  }
  await finishUpload(col, start, 7);
  await endUpload(col);
  return sent;
}

/** Answers a card, as the study screen does; the test stops if the answer is refused. */
async function answer(col: Collection, cardId: number, ease: 1 | 2 | 3 | 4): Promise<Answered> {
  const answered = await answerCard(col, cardId, ease);
  if (!answered.ok) throw new Error(answered.error);
  return answered.value;
}

/** A review-log row of card 1, answered at `id`, with this usn. */
const row = (id: number, usn: number) => ({
  id,
  cardId: 1,
  usn,
  ease: 3,
  ivl: 1,
  lastIvl: 0,
  factor: 2500,
  time: 1000,
  type: 1,
});

/** A fresh collection with one note, and its card's id. */
async function collectionWithCard() {
  const { col, clock } = await freshCollection();
  await addBasic(col, "q");
  const [card] = await col.db.getAll("cards", null, 1);
  if (!card) throw new Error("no card");
  return { col, clock, cardId: card.id };
}

describe("pending generations", () => {
  it("a finished full upload leaves nothing pending, and writes none of the records it sent", async () => {
    const { col } = await freshCollection();
    for (let i = 0; i < 30; i++) await addBasic(col, `note ${i}`);
    const before = await col.db.getAll("notes");
    expect(before.every((n) => n.usn === -1)).toBe(true);
    expect(await hasPending(col)).toBe(true);
    expect(await uploadWithout(col)).toBeGreaterThan(60);
    expect(await hasPending(col)).toBe(false);
    expect((await pendingCounts(col)).total).toBe(0);
    // The records are as they were, usn included: the meta alone says that their generation is synced.
    expect(await col.db.getAll("notes")).toEqual(before);
    // The upload sent generation 1; a change made while it ran or after it is of generation 2, and waits.
    expect(await col.meta()).toMatchObject({ pendingGen: 2, syncedGen: 1, sentGen: 1, lastSyncUsn: 7 });
    const note = await addBasic(col, "after");
    expect((await col.db.get("notes", note))?.usn).toBe(-2);
    expect((await everyPending(col)).filter((o) => o.kind === "note").map((o) => o.id)).toEqual([String(note)]);
    col.close();
  });

  // 3,000 notes: more than a few seconds on a busy machine.
  it("a change made while the upload runs, in another page's connection, stays pending after it", {
    timeout: 30_000,
  }, async () => {
    const { col, clock } = await freshCollection();
    const notes: number[] = [];
    for (let i = 0; i < 3000; i++) notes.push(await addBasic(col, `note ${i}`));
    // Another page of the extension (the study screen, say) with its own connection to the same collection.
    const other = await Collection.open(col.profileId, clock);
    let edited = false;
    await uploadWithout(col, async () => {
      if (edited) return;
      edited = true;
      clock.advance(1000);
      // After the first batch was read: the upload has begun, and may or may not read this note again.
      expect((await updateNote(other, notes[0] ?? 0, { fields: ["edited", "back"] })).ok).toBe(true);
    });
    expect(edited).toBe(true);
    const pending = await everyPending(col);
    expect(pending.map((o) => `${o.kind} ${o.id}`)).toEqual([`note ${notes[0]}`]);
    expect(pending[0]?.body).toMatchObject({ fields: ["edited", "back"] });
    other.close();
    col.close();
  });

  it("an upload that never finishes leaves every change pending; the next one covers them all", async () => {
    const { col } = await freshCollection();
    await addBasic(col, "first");
    const waiting = (await pendingCounts(col)).total;
    await beginUpload(col);
    expect((await pendingCounts(col)).total).toBe(waiting);
    await addBasic(col, "during");
    expect((await pendingCounts(col)).total).toBe(waiting + 2);
    await uploadWithout(col);
    expect(await hasPending(col)).toBe(false);
    col.close();
  });

  it("a schema change made while the upload runs does not stop it from counting", async () => {
    const { col } = await freshCollection();
    await addBasic(col, "kept");
    const start = await beginUpload(col);
    const basic = await noteTypeByName(col, "Basic");
    expect((await addField(col, basic.id, "Extra", { confirmSchemaChange: true })).ok).toBe(true);
    await finishUpload(col, start, 9);
    await endUpload(col);
    // What the upload sent is synced; the schema change waits, and the next sync is one-way again.
    expect((await col.meta()).lastSyncUsn).toBe(9);
    const pending = await everyPending(col);
    expect(pending.map((o) => o.kind).sort()).toEqual(["note", "notetype"]);
    expect((await col.meta()).scm).toBeGreaterThan(start.meta.scm);
    col.close();
  });

  it("an upload is not recorded when the collection was restored while it ran", async () => {
    const { col } = await freshCollection();
    await addBasic(col, "kept");
    const backupId = await backupCollection(col, "download");
    const start = await beginUpload(col);
    await restoreBackup(col, backupId);
    await finishUpload(col, start, 9);
    // What the relay holds is not this collection: its changes still wait, and the sync record is unchanged.
    expect(await hasPending(col)).toBe(true);
    expect((await col.meta()).lastSyncUsn).toBe(0);
    col.close();
  });

  it("an answer can be undone while it waits, and not once a full upload covered it", async () => {
    const { col, clock, cardId } = await collectionWithCard();
    const first = await answer(col, cardId, 3);
    await uploadWithout(col);
    expect(await undoAnswer(col, first)).toMatchObject({ ok: false });
    clock.advance(60_000);
    const second = await answer(col, cardId, 3);
    expect(second.card.usn).toBe(-2);
    expect(await undoAnswer(col, second)).toMatchObject({ ok: true });
    expect((await readRevlog(col.db)).map((r) => r.id)).toEqual([first.revlogId]);
    col.close();
  });

  it("an answer given while an upload runs is left for the next sync, so it can still be undone", async () => {
    const { col, clock, cardId } = await collectionWithCard();
    const start = await beginUpload(col);
    clock.advance(1000);
    const during = await answer(col, cardId, 3);
    let sentRow = false;
    for await (const batch of readForUpload(col, start.generation)) {
      if (batch.some((o) => o.kind === "revlog" && o.id === String(during.revlogId))) sentRow = true;
    }
    // The upload does not carry it: after a lost answer it would not be known whether the relay holds it...
    expect(sentRow).toBe(false);
    await finishUpload(col, start, 3);
    await endUpload(col);
    // ...so it waits for the next sync, and may be taken back until then.
    expect((await pendingCounts(col)).reviews).toBe(1);
    expect(await undoAnswer(col, during)).toMatchObject({ ok: true });
    expect((await pendingCounts(col)).reviews).toBe(0);
    col.close();
  });

  it("after an upload cut off with the browser, answers made since can be undone: no upload carries them", async () => {
    const { col, clock, cardId } = await collectionWithCard();
    await beginUpload(col);
    // The browser closed before the upload ended: whether the relay committed it is unknown.
    const reopened = await Collection.open(col.profileId, clock);
    col.close();
    clock.advance(1000);
    const after = await answer(reopened, cardId, 4);
    expect(await undoAnswer(reopened, after)).toMatchObject({ ok: true });
    // Nothing else was taken back: the note waits for a sync.
    expect((await pendingCounts(reopened)).reviews).toBe(0);
    expect((await pendingCounts(reopened)).notes).toBe(1);
    reopened.close();
  });

  it("answers of two pending generations in one block are all counted and sent", async () => {
    const { col, clock, cardId } = await collectionWithCard();
    const old = await answer(col, cardId, 3);
    // An upload that failed: its generation is not synced.
    await beginUpload(col);
    await endUpload(col);
    clock.advance(1000);
    const next = await answer(col, cardId, 3);
    expect((await col.db.getAll("revlogBlocks"))[0]?.pending).toEqual([2, 1, 1]);
    expect((await pendingCounts(col)).reviews).toBe(2);
    const sent = (await everyPending(col)).filter((o) => o.kind === "revlog").map((o) => o.id);
    expect(sent).toEqual([String(old.revlogId), String(next.revlogId)]);
    col.close();
  });

  it("a block of the review log with synced rows and a new answer sends and counts the new answer alone", async () => {
    const { col, clock, cardId } = await collectionWithCard();
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      expect((await answerCard(col, cardId, 3)).ok).toBe(true);
    }
    await uploadWithout(col);
    clock.advance(1000);
    const last = await answer(col, cardId, 1);
    // All four answers are in one hour's block.
    expect(await col.db.count("revlogBlocks")).toBe(1);
    // Newest generation 2 with one row; three rows of generation 1, which the upload covered.
    expect((await col.db.getAll("revlogBlocks"))[0]?.pending).toEqual([2, 1, 3]);
    expect((await pendingCounts(col)).reviews).toBe(1);
    const sent = (await everyPending(col)).filter((o) => o.kind === "revlog");
    expect(sent.map((o) => o.id)).toEqual([String(last.revlogId)]);
    col.close();
  });

  it("a review log written before generations is counted the new way once the database is upgraded", async () => {
    const id = `v3-${Math.random().toString(36).slice(2)}`;
    // Version 3's review-log store, with a block as version 3 wrote it: `pending` counted the rows with usn -1.
    const v3 = await openDB(databaseName(id), 3, {
      upgrade(db) {
        db.createObjectStore("meta");
        const blocks = db.createObjectStore("revlogBlocks", { keyPath: "key" });
        blocks.createIndex("cardIds", "cardIds", { multiEntry: true });
        blocks.createIndex("pending", "pending");
        blocks.createIndex("n", "n");
      },
    });
    const at = 3_600_000 * 500;
    const rows = [row(at + 1, 4), row(at + 2, -1), row(at + 3, -1), row(at + 4, -1)];
    await v3.put("revlogBlocks", { key: 500, rows, cardIds: [1], n: 4, pending: 3 });
    await v3.put("revlogBlocks", { key: 501, rows: [row(3_600_000 * 501, 5)], cardIds: [1], n: 1 });
    v3.close();
    const db = await openCollectionDb(id);
    expect((await db.get("revlogBlocks", 500))?.pending).toEqual([1, 3, 0]);
    expect((await db.get("revlogBlocks", 501))?.pending).toBeUndefined();
    expect(await countPendingRevlog(db.transaction("revlogBlocks").store, 0)).toBe(3);
    expect(await countPendingRevlog(db.transaction("revlogBlocks").store, 1)).toBe(0);
    db.close();
  });

  it("rows written by writeRevlog with a pending usn are counted by generation", async () => {
    const { col } = await freshCollection();
    const base = 3_600_000 * 600;
    await writeRevlog(col.db, [row(base + 1, -1), row(base + 2, -3), row(base + 3, -3), row(base + 4, 8)]);
    expect((await col.db.get("revlogBlocks", 600))?.pending).toEqual([3, 2, 1]);
    col.close();
  });
});
