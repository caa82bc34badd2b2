import { describe, expect, it } from "vitest";
import { setCardsDeck } from "../../extension/lib/collection/cards";
import { addDeck, deleteDeck } from "../../extension/lib/collection/decks";
import { addFilteredDeck } from "../../extension/lib/collection/filtered";
import { deleteNotes, updateNote } from "../../extension/lib/collection/notes";
import { addField, addNoteType, deleteNoteType } from "../../extension/lib/collection/notetypes";
import { addPreset } from "../../extension/lib/collection/presets";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { answerCard } from "../../extension/lib/collection/study";
import { CardQueue } from "../../shared/model";
import { accountWithDevice, Device, pairedDevices } from "./devices";

describe("first syncs", () => {
  it("1. a new account and an untouched profile have nothing to sync; after adding a note only upload is offered", async () => {
    const { device } = await accountWithDevice();
    expect(await device.sync()).toEqual({ kind: "none" });
    await device.addBasic("hola", "hello");
    const outcome = await device.sync();
    expect(outcome).toMatchObject({ kind: "needs-choice", start: { action: "upload", relay: null } });
  });

  it("2. after that upload, a second empty profile is offered download only, and then holds the same collection", async () => {
    const { account, device: a } = await accountWithDevice();
    await a.addBasic("hola", "hello", "spanish");
    expect(await a.upload()).toMatchObject({ kind: "synced" });
    const b = await Device.create("B", account.token);
    const outcome = await b.sync();
    expect(outcome).toMatchObject({
      kind: "needs-choice",
      start: { action: "download", relay: { notes: 1, cards: 1 } },
    });
    expect(await b.download()).toMatchObject({ kind: "synced" });
    expect(await b.snapshot()).toEqual(await a.snapshot());
    expect((await b.col.meta()).id).toBe((await a.col.meta()).id);
    expect(await b.sync()).toEqual({ kind: "none" });
    expect(await a.sync()).toEqual({ kind: "none" });
  });
});

describe("normal syncs", () => {
  it("3. a deck, preset, note type, tagged note, review and config key made on A appear on B, and B's edits come back", async () => {
    const { a, b } = await pairedDevices();
    const deck = await addDeck(a.col, "Languages::Spanish");
    const preset = await addPreset(a.col, "Fast");
    const noteType = await addNoteType(a.col, "Vocabulary", await a.noteTypeId());
    const noteId = await a.addBasic("perro", "dog", "animals");
    await a.review((await a.cardOf(noteId)).id, 3, 4);
    await a.col.db.put("config", { key: "rollover", value: 5, mtime: a.clock.tick(), usn: await a.pendingUsn() });
    expect(deck.ok && preset.ok && noteType.ok).toBe(true);
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await b.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await b.snapshot()).toEqual(await a.snapshot());

    b.clock.time = a.clock.time + 60_000;
    const edited = await updateNote(b.col, noteId, { fields: ["perro", "dog (animal)"] });
    expect(edited.ok).toBe(true);
    await b.review((await b.cardOf(noteId)).id, 4, 10);
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect((await a.col.db.get("notes", noteId))?.fields).toEqual(["perro", "dog (animal)"]);
    expect(await readRevlog(a.col.db)).toHaveLength(2);
    expect(await a.snapshot()).toEqual(await b.snapshot());
  });

  it("4. card, note and deck deletions on A are applied on B", async () => {
    const { a, b } = await pairedDevices();
    const deck = await addDeck(a.col, "Temporary");
    const keep = await a.addBasic("keep");
    const gone = await a.addBasic("gone");
    await a.sync();
    await b.sync();
    expect(await b.col.db.get("notes", gone)).toBeDefined();
    await deleteNotes(a.col, [gone]);
    if (deck.ok) await deleteDeck(a.col, deck.value.id, { cards: "delete" });
    await a.sync();
    await b.sync();
    expect(await b.col.db.get("notes", gone)).toBeUndefined();
    expect(await b.col.db.get("notes", keep)).toBeDefined();
    expect((await b.col.db.getAll("decks")).map((d) => d.name)).not.toContain("Temporary");
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it.each(["A first", "B first"])(
    "5. the same card reviewed on both devices keeps both reviews, and the later answer's state (%s)",
    async (order) => {
      const { a, b } = await pairedDevices();
      const noteId = await a.addBasic("gato", "cat");
      await a.sync();
      await b.sync();
      const cardId = (await a.cardOf(noteId)).id;
      const aTime = await a.review(cardId, 3, 3);
      b.clock.time = aTime + 30_000;
      const bTime = await b.review(cardId, 2, 7);
      const [first, second] = order === "A first" ? [a, b] : [b, a];
      await first.sync();
      await second.sync();
      await first.sync();
      for (const device of [a, b]) {
        const log = (await readRevlog(device.col.db)).filter((r) => r.cardId === cardId);
        expect(log.map((r) => r.id).sort()).toEqual([aTime, bTime]);
        expect((await device.col.db.get("cards", cardId))?.ivl).toBe(7);
      }
      expect(await a.snapshot()).toEqual(await b.snapshot());
    },
  );

  it("a filtered deck built on A reaches B with its borrowed cards; deleted on B, the cards go home on A too", async () => {
    const { a, b } = await pairedDevices();
    const home = await addDeck(a.col, "Verbs");
    if (!home.ok) throw new Error(home.error);
    const ids = [await a.addBasic("comer", "to eat", "verb"), await a.addBasic("beber", "to drink", "verb")];
    for (const noteId of ids) await setCardsDeck(a.col, [(await a.cardOf(noteId)).id], home.value.id);
    a.clock.tick();
    const built = await addFilteredDeck(a.col, {
      name: "Cram",
      terms: [{ search: "tag:verb", limit: 10, order: 5 }],
      reschedule: true,
    });
    if (!built.ok) throw new Error(built.error);
    expect(built.value.cards).toBe(2);
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await b.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect((await b.col.db.get("decks", built.value.deck.id))?.filter).toEqual(built.value.deck.filter);
    const borrowed = await b.col.db.getAllFromIndex("cards", "deckId", built.value.deck.id);
    expect(borrowed.map((c) => c.odid)).toEqual([home.value.id, home.value.id]);
    expect(await b.snapshot()).toEqual(await a.snapshot());

    b.clock.time = a.clock.time + 60_000;
    expect(await deleteDeck(b.col, built.value.deck.id, { cards: "delete" })).toMatchObject({ ok: true });
    expect(await b.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    const homeCards = await a.col.db.getAllFromIndex("cards", "deckId", home.value.id);
    expect(homeCards.map((c) => [c.odid, c.odue])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(await a.col.db.get("decks", built.value.deck.id)).toBeUndefined();
    expect(await a.snapshot()).toEqual(await b.snapshot());
  });

  it.each(["B first", "A first"])(
    "a filtered deck deleted on A while B studies in it: B's later answer is kept, at home, on both (%s)",
    async (order) => {
      const { a, b } = await pairedDevices();
      const noteId = await a.addBasic("dormir", "to sleep", "verb");
      const built = await addFilteredDeck(a.col, {
        name: "Cram",
        terms: [{ search: "tag:verb", limit: 10, order: 5 }],
        reschedule: true,
      });
      if (!built.ok) throw new Error(built.error);
      await a.sync();
      await b.sync();
      const cardId = (await b.cardOf(noteId)).id;
      a.clock.time += 10_000;
      await deleteDeck(a.col, built.value.deck.id, { cards: "delete" });
      // Later, on B, which still has the deck: Again keeps the new card learning, in the filtered deck.
      b.clock.time = a.clock.time + 10_000;
      const answered = await answerCard(b.col, cardId, 1, { fuzz: false });
      if (!answered.ok) throw new Error(answered.error);
      expect(answered.value.card).toMatchObject({ deckId: built.value.deck.id, odid: 1, queue: CardQueue.Learning });
      const [first, second] = order === "B first" ? [b, a] : [a, b];
      await first.sync();
      await second.sync();
      await first.sync();
      for (const device of [a, b]) {
        const card = await device.col.db.get("cards", cardId);
        // Home in Default, still learning, due when B's answer said.
        expect(card).toMatchObject({
          deckId: 1,
          odid: 0,
          odue: 0,
          queue: CardQueue.Learning,
          due: answered.value.card.due,
        });
        expect((await readRevlog(device.col.db)).filter((r) => r.cardId === cardId)).toHaveLength(1);
        expect(await device.col.db.get("decks", built.value.deck.id)).toBeUndefined();
      }
      expect(await a.snapshot()).toEqual(await b.snapshot());
    },
  );

  it("6. the same note edited on both: the later edit wins everywhere, and equal mtimes still converge", async () => {
    const { a, b } = await pairedDevices();
    const noteId = await a.addBasic("casa", "house");
    await a.sync();
    await b.sync();
    b.clock.time = a.clock.time + 10_000;
    await updateNote(a.col, noteId, { fields: ["casa", "home (earlier)"] });
    await updateNote(b.col, noteId, { fields: ["casa", "house (later)"] });
    await a.sync();
    await b.sync();
    await a.sync();
    expect((await a.col.db.get("notes", noteId))?.fields[1]).toBe("house (later)");
    expect((await b.col.db.get("notes", noteId))?.fields[1]).toBe("house (later)");

    b.clock.time = a.clock.time;
    await updateNote(a.col, noteId, { fields: ["casa", "tie one"] });
    await updateNote(b.col, noteId, { fields: ["casa", "tie two"] });
    expect((await a.col.db.get("notes", noteId))?.mtime).toBe((await b.col.db.get("notes", noteId))?.mtime);
    await a.sync();
    await b.sync();
    await a.sync();
    expect((await a.col.db.get("notes", noteId))?.fields).toEqual((await b.col.db.get("notes", noteId))?.fields);
    expect(await a.snapshot()).toEqual(await b.snapshot());
  });

  it("7. tags added on both sides end as the union; decks made on both are all kept, a name clash renamed", async () => {
    const { a, b } = await pairedDevices();
    await a.addBasic("uno", "one", "numbers spanish");
    await b.addBasic("eins", "one", "numbers german");
    await addDeck(a.col, "Shared name");
    b.clock.tick(5000);
    await addDeck(b.col, "Shared name");
    await a.sync();
    await b.sync();
    await a.sync();
    for (const device of [a, b]) {
      const tags = (await device.col.db.getAllKeys("tags")).sort();
      expect(tags).toEqual(["german", "numbers", "spanish"]);
      const names = (await device.col.db.getAll("decks")).map((d) => d.name).sort();
      expect(names).toEqual(["Default", "Shared name", "Shared name (2)"]);
    }
    expect(await a.snapshot()).toEqual(await b.snapshot());
  });

  it("8. with three devices, a note created earlier but synced later still reaches everyone", async () => {
    const { account, a, b } = await pairedDevices();
    const c = await Device.create("C", account.token, a.clock.time + 1000);
    await c.download();
    const early = await c.addBasic("early", "made first, synced last");
    a.clock.time = c.clock.time + 60_000;
    await a.addBasic("late", "made later, synced first");
    await a.sync();
    await b.sync();
    await c.sync();
    await a.sync();
    await b.sync();
    for (const device of [a, b, c]) expect(await device.col.db.get("notes", early)).toBeDefined();
    expect(await a.snapshot()).toEqual(await c.snapshot());
    expect(await b.snapshot()).toEqual(await c.snapshot());
  });
});

describe("one-way syncs", () => {
  it("9. removing a note type on A makes A sync one-way; after A uploads, B must download and is told so", async () => {
    const { a, b } = await pairedDevices();
    const vocab = await addNoteType(a.col, "Vocabulary", await a.noteTypeId());
    await a.sync();
    await b.sync();
    if (!vocab.ok) throw new Error();
    const removed = await deleteNoteType(a.col, vocab.value.id, { confirmSchemaChange: true });
    expect(removed.ok).toBe(true);
    expect(await a.sync()).toMatchObject({ kind: "needs-choice", start: { action: "choose", reason: "schema" } });
    expect(await a.upload()).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "needs-choice", start: { action: "choose", reason: "schema" } });
    expect(await b.download()).toMatchObject({ kind: "synced" });
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("a field added on A while B adds and edits notes, then Merge: every note ends with its note type's fields", async () => {
    const { a, b } = await pairedDevices();
    const basic = await a.noteTypeId();
    const oldOnA = await a.addBasic("made on A before the change");
    await a.sync();
    await b.sync();
    expect((await addField(a.col, basic, "Example", { confirmSchemaChange: true })).ok).toBe(true);
    // Made on B under the note type's old two fields, and one of A's notes edited there too.
    const fromB = await b.addBasic("made on B", "under two fields");
    b.clock.tick();
    expect((await updateNote(b.col, oldOnA, { fields: ["edited on B", "back"] })).ok).toBe(true);
    expect(await a.sync()).toMatchObject({ kind: "needs-choice", start: { reason: "schema" } });
    expect(await a.merge()).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    await a.sync();
    await b.sync();
    for (const device of [a, b]) {
      const noteType = await device.col.db.get("notetypes", basic);
      expect(noteType?.fields.map((f) => f.name)).toEqual(["Front", "Back", "Example"]);
      for (const note of await device.col.db.getAll("notes")) expect(note.fields).toHaveLength(3);
      expect((await device.col.db.get("notes", fromB))?.fields).toEqual(["made on B", "under two fields", ""]);
      // B's later edit of a note A had fitted is kept, fitted too.
      expect((await device.col.db.get("notes", oldOnA))?.fields).toEqual(["edited on B", "back", ""]);
    }
    expect(await b.snapshot()).toEqual(await a.snapshot());
    // And the note made on B can be edited afterwards, on either device.
    expect((await updateNote(a.col, fromB, { fields: ["made on B", "edited on A", "example"] })).ok).toBe(true);
  });

  it("a Merge sends only what the relay lacks: the records both sides share stay as they are", async () => {
    const { a, b } = await pairedDevices();
    for (const front of ["uno", "dos", "tres"]) await a.addBasic(front);
    await a.review((await a.cardOf(await a.addBasic("cuatro"))).id, 3, 4);
    await a.sync();
    await b.sync();
    // A deletion on the relay's side, and a note only on A's, then a Merge that A asked for.
    const shared = (await b.col.db.getAll("notes")).find((n) => n.fields[0] === "dos")?.id as number;
    await deleteNotes(b.col, [shared]);
    await b.sync();
    const onlyOnA = await a.addBasic("cinco");
    const before = await a.col.db.getAll("cards");
    expect(await a.sync({ forceOneWay: true })).toMatchObject({ kind: "needs-choice" });
    // The new note, its card and the new-card position counter go up; the relay's deletion comes down; nothing else
    // is written or sent.
    expect(await a.merge()).toMatchObject({ kind: "synced", pushed: 3 });
    expect(await a.col.db.get("notes", shared)).toBeUndefined();
    const untouched = before.filter((c) => c.noteId !== shared && c.noteId !== onlyOnA);
    for (const card of untouched) expect(await a.col.db.get("cards", card.id)).toEqual(card);
    expect(await b.sync()).toMatchObject({ kind: "synced", pulled: 3 });
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("an upload keeps the deletions: a device that still holds a deleted note and merges does not bring it back", async () => {
    const { a, b } = await pairedDevices();
    const doomed = await a.addBasic("deleted on A");
    await a.sync();
    await b.sync();
    expect(await b.col.db.get("notes", doomed)).toBeDefined();
    await deleteNotes(a.col, [doomed]);
    await a.sync();
    // A schema change on A, then an upload: the relay's collection is replaced by A's, deletions included.
    expect((await addField(a.col, await a.noteTypeId(), "Extra", { confirmSchemaChange: true })).ok).toBe(true);
    expect(await a.upload()).toMatchObject({ kind: "synced" });
    // B never heard of the deletion, and merges.
    expect(await b.sync()).toMatchObject({ kind: "needs-choice" });
    expect(await b.merge()).toMatchObject({ kind: "synced", pushed: 0 });
    expect(await b.col.db.get("notes", doomed)).toBeUndefined();
    // B held nothing the relay lacked, so its merge sent nothing, and A has nothing to do.
    expect(await a.sync()).toMatchObject({ kind: "none" });
    expect(await a.col.db.get("notes", doomed)).toBeUndefined();
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("a normal sync that meets another device's upload half-way ends asking for a choice, not merging unasked", async () => {
    const { a, b } = await pairedDevices();
    const fromB = await b.addBasic("waiting on B");
    expect((await addField(a.col, await a.noteTypeId(), "Extra", { confirmSchemaChange: true })).ok).toBe(true);
    let uploaded = false;
    b.network.before = async (url) => {
      if (!uploaded && url.includes("/commit")) {
        uploaded = true;
        expect(await a.upload()).toMatchObject({ kind: "synced" });
      }
    };
    const outcome = await b.sync();
    b.network.before = null;
    expect(uploaded).toBe(true);
    expect(outcome).toMatchObject({ kind: "needs-choice", start: { action: "choose", reason: "schema" } });
    // B's note is still there and still waiting; merging then keeps both sides.
    expect(await b.pendingIn("notes")).toHaveLength(1);
    expect(await b.merge()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await a.col.db.get("notes", fromB)).toBeDefined();
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("13. a second profile with a different collection signing in to the same account is told, and chooses", async () => {
    const { account, a } = await pairedDevices();
    const other = await Device.create("Other", account.token);
    await other.addBasic("a different collection");
    const outcome = await other.sync();
    expect(outcome).toMatchObject({
      kind: "needs-choice",
      start: { action: "choose", reason: "first-sync", relay: { notes: 1 } },
    });
    expect(await other.merge()).toMatchObject({ kind: "synced" });
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    const fronts = (await a.col.db.getAll("notes")).map((n) => n.fields[0]).sort();
    expect(fronts).toEqual(["a different collection", "seed"]);
    expect(await a.snapshot()).toEqual(await other.snapshot());
  });
});
