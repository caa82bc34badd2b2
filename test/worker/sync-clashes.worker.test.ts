// Regression tests for what the deterministic sync fuzz found when devices sync at the same time and make records
// with the same ids (Anki's ids are times in ms): each fails on the code before its fix.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Collection } from "../../extension/lib/collection/collection";
import { addNote, deleteNotes, updateNote } from "../../extension/lib/collection/notes";
import { addField, deleteNoteType } from "../../extension/lib/collection/notetypes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { answerCard, undoAnswer } from "../../extension/lib/collection/study";
import { RelayClient } from "../../extension/lib/relay-client";
import { toWire } from "../../shared/sync/records";
import { accountWithDevice, Device, pairedDevices } from "./devices";
import { BASE, call, signUp } from "./relay";

const times = async (device: Device) => (await readRevlog(device.col.db)).map((row) => row.time).sort();
const guids = async (device: Device) => (await device.col.db.getAll("notes")).map((note) => note.guid).sort();

describe("records of two devices with one id", () => {
  it("the same card answered alike in the same millisecond on two devices keeps both reviews", async () => {
    const { a, b } = await pairedDevices();
    const card = (await a.col.db.getAll("cards"))[0];
    if (!card) throw new Error("no card");
    b.clock.time = a.clock.time;
    const fromA = await answerCard(a.col, card.id, 3, { timeTakenMs: 4_000 });
    const fromB = await answerCard(b.col, card.id, 3, { timeTakenMs: 4_000 });
    expect(fromA.ok && fromB.ok).toBe(true);
    // Equal in every field, the id included.
    const strip = (rows: { usn: number }[]) => rows.map(({ usn: _usn, ...row }) => row);
    expect(strip(await readRevlog(b.col.db))).toEqual(strip(await readRevlog(a.col.db)));
    for (const device of [a, b, a]) expect(await device.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await times(a)).toEqual([4_000, 4_000]);
    expect(await times(b)).toEqual([4_000, 4_000]);
  });

  it("an answer made while a push runs is not taken for another device's equal one when that push's answer is lost", async () => {
    const { a, b } = await pairedDevices();
    const card = (await a.col.db.getAll("cards"))[0];
    if (!card) throw new Error("no card");
    await b.addBasic("sent by B's push");
    b.clock.time = a.clock.time + 60_000;
    // B answers while its push runs; the push's answer is lost. A answers the same card alike in the same ms.
    b.network.before = async (url) => {
      if (url.endsWith("/commit")) {
        b.network.before = null;
        expect(await answerCard(b.col, card.id, 3, { timeTakenMs: 1_700 })).toMatchObject({ ok: true });
        a.clock.time = b.clock.time;
        expect(await answerCard(a.col, card.id, 3, { timeTakenMs: 1_700 })).toMatchObject({ ok: true });
      }
    };
    b.network.after = (url) => {
      if (url.endsWith("/commit")) throw new TypeError("answer lost");
    };
    expect(await b.sync()).toMatchObject({ kind: "failed" });
    b.network.after = null;
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await times(a)).toEqual([1_700, 1_700]);
    expect(await times(b)).toEqual([1_700, 1_700]);
  });

  it("a review whose push lost its answer is not taken for another device's on the next sync", async () => {
    const { a, b } = await pairedDevices();
    const card = (await a.col.db.getAll("cards"))[0];
    if (!card) throw new Error("no card");
    await answerCard(a.col, card.id, 3, { timeTakenMs: 2_500 });
    a.network.after = (url) => {
      if (url.endsWith("/commit")) throw new TypeError("answer lost");
    };
    expect(await a.sync()).toMatchObject({ kind: "failed" });
    a.network.after = null;
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    expect(await times(a)).toEqual([2_500]);
    expect(await times(b)).toEqual([2_500]);
  });

  it("a note made and deleted on one device does not delete another device's note that has its id", async () => {
    const { a, b } = await pairedDevices();
    a.clock.time = b.clock.time + 10_000;
    b.clock.time = a.clock.time;
    const mine = await a.addBasic("made on A, then deleted");
    const theirs = await b.addBasic("made on B");
    expect(theirs).toBe(mine);
    const kept = (await b.col.db.get("notes", theirs))?.guid;
    await deleteNotes(a.col, [mine]);
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    // B receives A's deletion of that id, which names A's note: B's note moves aside and stays.
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(kept).toBeDefined();
    expect(await guids(b)).toContain(kept);
    expect(await guids(a)).toEqual(await guids(b));
  });

  it("a card of another device's note that comes before its note is not taken for one deleted here", async () => {
    const { a, b } = await pairedDevices();
    a.clock.time = b.clock.time + 10_000;
    b.clock.time = a.clock.time;
    const theirs = await a.addBasic("made on A");
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    const mine = await b.addBasic("made on B, then deleted");
    expect(mine).toBe(theirs);
    await deleteNotes(b.col, [mine]);
    // A edits its note after B asked what to pull: B's pull brings A's card, and its note only in a later pull.
    b.network.before = async (url) => {
      if (url.includes("/sync/changes")) {
        b.network.before = null;
        expect(await updateNote(a.col, theirs, { fields: ["made on A", "edited"] })).toMatchObject({ ok: true });
        expect(await a.sync()).toMatchObject({ kind: "synced" });
      }
    };
    expect(await b.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await a.sync()).not.toMatchObject({ kind: "failed" });
    expect((await b.cardOf(theirs)).id).toBe((await a.cardOf(theirs)).id);
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("a note that a deleted note type takes with it on one device does not delete another device's note of its id", async () => {
    const { account, a, b } = await pairedDevices();
    const c = await Device.create("C", account.token, a.clock.time);
    await c.download();
    const reversed = await a.noteTypeId("Basic (and reversed card)");
    expect(await deleteNoteType(a.col, reversed, { confirmSchemaChange: true })).toMatchObject({ ok: true });
    expect(await a.sync()).toMatchObject({ kind: "needs-choice" });
    expect(await a.upload(true)).toMatchObject({ kind: "synced" });
    // Meanwhile B adds a note of that type and C a Basic note, in the same millisecond.
    c.clock.time = b.clock.time + 10_000;
    b.clock.time = c.clock.time;
    b.clock.tick();
    const added = await addNote(b.col, { noteTypeId: reversed, deckId: 1, fields: ["B's", "note"], tags: "" });
    if (!added.ok) throw new Error(added.error);
    const kept = await c.addBasic("C's note");
    expect(kept).toBe(added.value.id);
    const guid = (await c.col.db.get("notes", kept))?.guid;
    // B merges: its note goes with the note type, and B tells the relay. C merges after it.
    for (const device of [b, c]) {
      expect(await device.sync()).toMatchObject({ kind: "needs-choice" });
      expect(await device.merge()).toMatchObject({ kind: "synced" });
    }
    for (const device of [a, b, c]) expect(await device.sync()).not.toMatchObject({ kind: "failed" });
    for (const device of [a, b, c]) expect((await device.col.db.getAll("notes")).map((n) => n.guid)).toContain(guid);
    expect(await c.snapshot()).toEqual(await a.snapshot());
  });

  it("a note added under the id of one deleted here is not refused by the sync", async () => {
    const { a, b } = await pairedDevices();
    const first = await a.addBasic("deleted before it synced");
    await deleteNotes(a.col, [first]);
    // Another page of the extension (a new connection) adds a note in the same millisecond.
    const page = await Collection.open(a.col.profileId, { now: () => first });
    const noteTypeId = await a.noteTypeId();
    const added = await addNote(page, { noteTypeId, deckId: 1, fields: ["added after", ""], tags: "" });
    page.close();
    if (!added.ok) throw new Error(added.error);
    expect(added.value.id).not.toBe(first);
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    expect((await b.col.db.get("notes", added.value.id))?.fields[0]).toBe("added after");
  });

  it("a note that another collection holds the id of moves to the same new id on every device of its own", async () => {
    // Account 1 holds a collection with a note made at one moment; B and C hold another collection (account 2)
    // with a different note made at the same moment. Both merge into account 1.
    const { account, device: a } = await accountWithDevice("A");
    const start = a.clock.time;
    await a.addBasic("account 1's note");
    await a.upload();
    const other = await signUp();
    const b = await Device.create("B", other.token, start);
    await b.addBasic("account 2's note");
    await b.upload();
    const c = await Device.create("C", other.token, start + 60_000);
    await c.download();
    expect((await b.col.db.getAllKeys("notes")).sort()).toEqual((await a.col.db.getAllKeys("notes")).sort());
    for (const device of [b, c]) {
      device.client = new RelayClient(BASE, account.token, device.network.fetch);
      expect(await device.sync()).toMatchObject({ kind: "needs-choice", start: { reason: "other-collection" } });
      expect(await device.merge()).toMatchObject({ kind: "synced" });
    }
    for (const device of [a, b, c]) expect(await device.sync()).not.toMatchObject({ kind: "failed" });
    expect(await guids(a)).toHaveLength(2);
    for (const device of [b, c]) expect(await guids(device)).toEqual(await guids(a));
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });
});

describe("a note moved to a new id on one device and brought back at its old id by another's upload", () => {
  it("is one note after a merge, with its review once, at the id the relay holds", async () => {
    const { account, a, b } = await pairedDevices();
    const c = await Device.create("C", account.token, a.clock.time);
    await c.download();
    // A makes a note and answers its card; B receives both. C makes another note at the same moment.
    c.clock.time = a.clock.time + 10_000;
    a.clock.time = c.clock.time;
    const made = await a.addBasic("made on A");
    expect(await c.addBasic("made on C")).toBe(made);
    await answerCard(a.col, (await a.cardOf(made)).id, 3, { timeTakenMs: 3_300 });
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    const guid = (await a.col.db.get("notes", made))?.guid;
    // C replaces the relay's collection; B merges with it, which moves A's note (and its card) to a new id there.
    expect(await c.upload(true)).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "needs-choice" });
    expect(await b.merge()).toMatchObject({ kind: "synced" });
    const moved = (await b.col.db.getAll("notes")).find((note) => note.guid === guid);
    expect(moved?.id).not.toBe(made);
    // A, which never saw C's collection, replaces it with its own: the note is back at its old id.
    expect(await a.upload(true)).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "needs-choice" });
    expect(await b.merge()).toMatchObject({ kind: "synced" });
    expect((await b.col.db.getAll("notes")).filter((note) => note.guid === guid).map((note) => note.id)).toEqual([
      made,
    ]);
    expect(await times(b)).toEqual([3_300]);
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await b.sync()).not.toMatchObject({ kind: "failed" });
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });
});

describe("a sync cut off between a note and its card", () => {
  it("a card an edit made for the note meanwhile becomes the relay's card, not a second card of one template", async () => {
    const { a, b } = await pairedDevices();
    const made = await a.addBasic("made on A");
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    // While B's sync pulls, A answers the card: the relay's card is then newer than the range B pulls, and B's
    // sync is cut off before it asks for more. B holds the note without its card.
    b.network.before = async (url) => {
      if (url.includes("/sync/changes")) {
        await answerCard(a.col, (await a.cardOf(made)).id, 3, { timeTakenMs: 2_200 });
        expect(await a.sync()).toMatchObject({ kind: "synced" });
      }
      if (url.endsWith("/sync/digest")) throw new TypeError("network down");
    };
    expect(await b.sync()).toMatchObject({ kind: "failed" });
    b.network.before = null;
    expect(await b.col.db.get("notes", made)).toBeDefined();
    expect(await b.col.db.getAllFromIndex("cards", "noteId", made)).toEqual([]);
    // Editing the note makes the card it lacks; the next sync brings the relay's card of that template.
    expect(await updateNote(b.col, made, { fields: ["made on A", "edited on B"] })).toMatchObject({ ok: true });
    expect(await b.col.db.getAllFromIndex("cards", "noteId", made)).toHaveLength(1);
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    const cards = await b.col.db.getAllFromIndex("cards", "noteId", made);
    expect(cards.map((card) => card.id)).toEqual([(await a.cardOf(made)).id]);
    expect(await times(b)).toEqual([2_200]);
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });
});

describe("a card that waits for its note during a sync", () => {
  it("is not put back over the newer version of it that a later pull of the same sync brought", async () => {
    const { account, a, b } = await pairedDevices();
    const c = await Device.create("C", account.token, a.clock.time);
    await c.download();
    const [note] = await c.col.db.getAll("notes");
    if (!note) throw new Error("no note");
    const card = await c.cardOf(note.id);
    // C edits the note: a card of it that comes without the note waits for the end of C's sync.
    expect(await updateNote(c.col, note.id, { fields: ["edited on C", "back"] })).toMatchObject({ ok: true });
    await answerCard(a.col, card.id, 3, { timeTakenMs: 1_100 });
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    // After C has pulled A's answer, and before it commits, B answers the card later and edits the note.
    c.network.before = async (url) => {
      if (url.endsWith("/commit")) {
        c.network.before = null;
        expect(await b.sync()).toMatchObject({ kind: "synced" });
        await answerCard(b.col, card.id, 1, { timeTakenMs: 1_200 });
        expect(await updateNote(b.col, note.id, { fields: ["edited on B", "back"] })).toMatchObject({ ok: true });
        expect(await b.sync()).toMatchObject({ kind: "synced" });
      }
    };
    expect(await c.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await c.col.db.get("cards", card.id)).toEqual(await b.col.db.get("cards", card.id));
  });
});

describe("a card moved aside in a merge, on two devices", () => {
  it("keeps its review once: the review that moved with it is not taken for a new answer", async () => {
    const { account, a, b } = await pairedDevices();
    const [seed] = await a.col.db.getAll("cards");
    if (!seed) throw new Error("no card");
    await answerCard(a.col, seed.id, 3, { timeTakenMs: 2_400 });
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    // Another collection, made at the same moments, has a note and a card with the seed's ids; it replaces the
    // relay's collection.
    const other = await signUp();
    const x = await Device.create("X", other.token);
    await x.addBasic("another collection's note");
    expect((await x.col.db.getAll("cards")).map((card) => card.id)).toEqual([seed.id]);
    x.client = new RelayClient(BASE, account.token, x.network.fetch);
    expect(await x.upload(true)).toMatchObject({ kind: "synced" });
    // A merges first: its note, card and review move aside and reach the relay. B then merges and moves them too.
    for (const device of [a, b]) {
      expect(await device.sync()).toMatchObject({ kind: "needs-choice" });
      expect(await device.merge()).toMatchObject({ kind: "synced" });
    }
    expect(await a.sync()).not.toMatchObject({ kind: "failed" });
    expect(await times(b)).toEqual([2_400]);
    expect(await times(a)).toEqual([2_400]);
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });
});

describe("reviews of cards that share an id", () => {
  it("a review of the relay's card stays with it when this device's card of that id moves away", async () => {
    const { account, a, b } = await pairedDevices();
    const c = await Device.create("C", account.token, a.clock.time);
    await c.download();
    // B and C make different notes in the same millisecond; C answers its card and syncs first.
    c.clock.time = b.clock.time + 10_000;
    b.clock.time = c.clock.time;
    const mine = await b.addBasic("made on B");
    expect(await c.addBasic("made on C")).toBe(mine);
    const theirs = await c.cardOf(mine);
    await answerCard(c.col, theirs.id, 1, { timeTakenMs: 1_300 });
    expect(await c.sync()).toMatchObject({ kind: "synced" });
    // B's sync brings C's note and review, but C answers again first, so C's card is newer than what B pulls,
    // and B's sync is cut off before it asks for more.
    b.network.before = async (url) => {
      if (url.includes("/sync/changes")) {
        b.network.before = async (next) => {
          if (next.endsWith("/sync/digest")) throw new TypeError("network down");
        };
        c.clock.tick(60_000);
        await answerCard(c.col, theirs.id, 3, { timeTakenMs: 1_400 });
        expect(await c.sync()).toMatchObject({ kind: "synced" });
      }
    };
    expect(await b.sync()).toMatchObject({ kind: "failed" });
    b.network.before = null;
    // Now B's card of that id moves away; C's reviews stay with C's card.
    expect(await b.sync()).toMatchObject({ kind: "synced", repaired: [] });
    for (const device of [c, a, b]) expect(await device.sync()).not.toMatchObject({ kind: "failed" });
    expect(await times(b)).toEqual([1_300, 1_400]);
    expect(await times(c)).toEqual([1_300, 1_400]);
    expect(await b.snapshot()).toEqual(await c.snapshot());
  });

  it("a review moved aside in a merge and brought back at its id by another device's upload is one review", async () => {
    const { account, a, b } = await pairedDevices();
    const c = await Device.create("C", account.token, a.clock.time);
    await c.download();
    const [card] = await a.col.db.getAll("cards");
    if (!card) throw new Error("no card");
    // A answers and C receives it; B answers in the same millisecond and replaces the relay's collection.
    a.clock.time = b.clock.time;
    const answeredAt = a.clock.time;
    await answerCard(a.col, card.id, 3, { timeTakenMs: 2_100 });
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(await c.sync()).toMatchObject({ kind: "synced" });
    b.clock.time = answeredAt;
    await answerCard(b.col, card.id, 1, { timeTakenMs: 2_200 });
    expect((await readRevlog(b.col.db)).map((row) => row.id)).toEqual([answeredAt]);
    expect(await b.upload(true)).toMatchObject({ kind: "synced" });
    // C merges: A's review moves aside from B's, and both reach the relay.
    expect(await c.sync()).toMatchObject({ kind: "needs-choice" });
    expect(await c.merge()).toMatchObject({ kind: "synced" });
    expect(await times(c)).toEqual([2_100, 2_200]);
    // A, which never saw the move, replaces the relay's collection with its own; C merges again.
    expect(await a.upload(true)).toMatchObject({ kind: "synced" });
    expect(await c.sync()).toMatchObject({ kind: "needs-choice" });
    expect(await c.merge()).toMatchObject({ kind: "synced" });
    expect(await times(c)).toEqual([2_100, 2_200]);
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(await times(a)).toEqual([2_100, 2_200]);
  });
});

describe("a schema change made in the same millisecond as another device's upload", () => {
  it("still asks this device to choose: it has not seen the uploaded collection, though the stamps are equal", async () => {
    const { a, b } = await pairedDevices();
    await b.addBasic("only on B");
    expect(await b.upload(true)).toMatchObject({ kind: "synced" });
    const relayScm = (await b.col.meta()).scm;
    // A's clock reads the very millisecond of B's upload when A changes its schema.
    a.clock.time = relayScm;
    expect(await addField(a.col, await a.noteTypeId(), "Extra", { confirmSchemaChange: true })).toMatchObject({
      ok: true,
    });
    expect((await a.col.meta()).scm).toBe(relayScm);
    expect(await a.sync()).toMatchObject({ kind: "needs-choice", start: { reason: "schema" } });
    expect(await a.merge()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await b.sync()).not.toMatchObject({ kind: "failed" });
    expect(await a.snapshot()).toEqual(await b.snapshot());
  });
});

describe("uploads of one collection", () => {
  it("two uploads in the same millisecond differ in schema stamp, so the first device is asked to choose", async () => {
    const { account, a, b } = await pairedDevices();
    const c = await Device.create("C", account.token, b.clock.time);
    await c.download();
    c.clock.time = b.clock.time;
    await c.addBasic("made on C");
    await b.addBasic("made on B");
    b.clock.time = c.clock.time;
    expect(await c.upload(true)).toMatchObject({ kind: "synced" });
    expect(await b.upload(true)).toMatchObject({ kind: "synced" });
    expect((await b.col.meta()).scm).not.toBe((await c.col.meta()).scm);
    expect(await c.sync()).toMatchObject({ kind: "needs-choice", start: { reason: "schema" } });
    expect(await a.sync()).toMatchObject({ kind: "needs-choice" });
  });
});

describe("uploads of one collection at the same time", () => {
  it("an upload refused because another came first in the same millisecond leaves this device asked to choose", async () => {
    const { account, b } = await pairedDevices();
    const c = await Device.create("C", account.token, b.clock.time);
    await c.download();
    await c.addBasic("made on C");
    await b.addBasic("made on B");
    c.clock.time = b.clock.time;
    // B's whole upload happens while C's commit is on its way: both read the relay's schema stamp before either
    // committed, and their clocks agree.
    c.network.before = async (url) => {
      if (url.endsWith("/commit")) {
        c.network.before = null;
        expect(await b.upload(true)).toMatchObject({ kind: "synced" });
      }
    };
    expect(await c.upload(true)).toMatchObject({ kind: "failed", code: "stale-upload" });
    expect(await c.sync()).toMatchObject({ kind: "needs-choice", start: { reason: "schema" } });
  });
});

describe("changes made while a sync runs", () => {
  it("a note added while a push is committed does not set off a full repair", async () => {
    const { a } = await pairedDevices();
    await a.addBasic("before the sync");
    a.network.before = async (url) => {
      if (url.endsWith("/commit")) {
        a.network.before = null;
        await a.addBasic("added while the commit was on its way");
      }
    };
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
  });

  it("an answer sent by a push cannot be undone while the push runs, so it never comes back after an undo", async () => {
    const { a, b } = await pairedDevices();
    const card = (await a.col.db.getAll("cards"))[0];
    if (!card) throw new Error("no card");
    const answered = await answerCard(a.col, card.id, 1, { timeTakenMs: 1_234 });
    if (!answered.ok) throw new Error(answered.error);
    let undo: Awaited<ReturnType<typeof undoAnswer>> | null = null;
    a.network.before = async (url) => {
      if (url.endsWith("/commit")) {
        a.network.before = null;
        undo = await undoAnswer(a.col, answered.value);
      }
    };
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(undo).toMatchObject({ ok: false });
    await b.sync();
    expect(await times(a)).toEqual([1_234]);
    expect(await times(b)).toEqual([1_234]);
  });
});

/** A pushed edit of the device's first note, newer each time: a commit that changes something. */
async function noteEdit(device: Device) {
  const [note] = await device.col.db.getAll("notes");
  if (!note) throw new Error("no note");
  device.clock.tick();
  const edited = { ...note, mtime: device.clock.time, fields: [`edited at ${device.clock.time}`, "back"] };
  await device.col.db.put("notes", edited);
  return toWire("note", edited);
}

describe("settling a commit whose answer was lost", () => {
  it("the relay says at which usn it was applied, or makes sure it never will be", async () => {
    const { account, device } = await accountWithDevice();
    await device.addBasic("x");
    await device.upload();
    const start = await call({ method: "GET", path: "/v1/sync/digest", token: account.token });
    const usn = Number(start.json?.usn);
    const applied = "settled-applied-0001";
    expect(
      (
        await call({
          method: "POST",
          path: `/v1/sync/pushes/${applied}/commit`,
          token: account.token,
          body: { baseUsn: usn, chunks: 0, objects: [await noteEdit(device)] },
        })
      ).status,
    ).toBe(200);
    const asked = await call({ method: "DELETE", path: `/v1/sync/pushes/${applied}`, token: account.token });
    expect(asked).toMatchObject({ status: 200, json: { usn: usn + 1 } });

    const never = "settled-never-00001";
    const staged = await call({
      method: "PUT",
      path: `/v1/sync/pushes/${never}/chunks/0`,
      token: account.token,
      body: { objects: [] },
    });
    expect(staged.status).toBe(200);
    expect(await call({ method: "DELETE", path: `/v1/sync/pushes/${never}`, token: account.token })).toMatchObject({
      status: 200,
      json: { usn: null },
    });
    const late = await call({
      method: "POST",
      path: `/v1/sync/pushes/${never}/commit`,
      token: account.token,
      body: { baseUsn: usn + 1, chunks: 1, objects: [] },
    });
    expect(late).toMatchObject({ status: 409, json: { code: "abandoned" } });
    expect(await call({ method: "DELETE", path: `/v1/sync/pushes/${never}`, token: account.token })).toMatchObject({
      json: { usn: null },
    });
  });

  it("a relay deployed before commits could be settled does not make every later sync fail", async () => {
    const { account, a } = await pairedDevices();
    const card = (await a.col.db.getAll("cards"))[0];
    if (!card) throw new Error("no card");
    await answerCard(a.col, card.id, 3, { timeTakenMs: 2_900 });
    a.network.after = (url) => {
      if (url.endsWith("/commit")) throw new TypeError("answer lost");
    };
    expect(await a.sync()).toMatchObject({ kind: "failed" });
    a.network.after = null;
    // The relay answers the settling request as one that knows no such endpoint.
    const network = a.network.fetch;
    a.client = new RelayClient(BASE, account.token, (input, init = {}) =>
      init.method === "DELETE" && String(input).includes("/v1/sync/pushes/")
        ? Promise.resolve(Response.json({ error: "there is no endpoint" }, { status: 404 }))
        : network(input, init),
    );
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await a.sync()).toMatchObject({ kind: "none" });
    expect(await times(a)).toEqual([2_900]);
  });

  it("a commit is still known as applied a month later, after the relay has cleared its old answers", async () => {
    const { account, device } = await accountWithDevice();
    await device.addBasic("x");
    await device.upload();
    const commit = async (session: string, baseUsn: number) =>
      call({
        method: "POST",
        path: `/v1/sync/pushes/${session}/commit`,
        token: account.token,
        body: { baseUsn, chunks: 0, objects: [await noteEdit(device)] },
      });
    const usn = Number((await call({ method: "GET", path: "/v1/sync/digest", token: account.token })).json?.usn);
    const old = "settled-long-ago-001";
    expect((await commit(old, usn)).status).toBe(200);
    // A month passes; the next commit clears what the relay keeps of old answers.
    await env.DB.prepare("UPDATE completed_requests SET created_at = created_at - ?1 WHERE request_id = ?2")
      .bind(30 * 24 * 60 * 60 * 1000, old)
      .run();
    expect((await commit("settled-later-0001", usn + 1)).status).toBe(200);
    const kept = await env.DB.prepare("SELECT response FROM completed_requests WHERE request_id = ?1")
      .bind(old)
      .first<{ response: string }>();
    expect(JSON.parse(kept?.response ?? "null")).toEqual({ usn: usn + 1 });
    expect(await call({ method: "DELETE", path: `/v1/sync/pushes/${old}`, token: account.token })).toMatchObject({
      status: 200,
      json: { usn: usn + 1 },
    });
  });
});
