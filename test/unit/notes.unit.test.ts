import { describe, expect, it } from "vitest";
import { addNote, deleteNotes, newCard, updateNote } from "../../extension/lib/collection/notes";
import { readRevlog, writeRevlog } from "../../extension/lib/collection/revlog";
import { DEFAULT_DECK_ID, type Note, PENDING } from "../../shared/model";
import { freshCollection, noteTypeByName } from "./factories";

describe("a new profile", () => {
  it("starts with Anki's stock note types, a Default deck and default options", async () => {
    const { col } = await freshCollection();
    const names = (await col.db.getAll("notetypes")).map((n) => n.name).sort();
    expect(names).toEqual([
      "Basic",
      "Basic (and reversed card)",
      "Basic (optional reversed card)",
      "Basic (type in the answer)",
      "Cloze",
    ]);
    expect((await col.db.get("decks", DEFAULT_DECK_ID))?.name).toBe("Default");
    const preset = await col.db.get("deckconfigs", 1);
    expect(preset).toMatchObject({ newPerDay: 20, reviewsPerDay: 200, learnSteps: [1, 10], desiredRetention: 0.9 });
    const meta = await col.meta();
    expect(meta.id).toMatch(/^[0-9a-f]{32}$/);
    expect(meta.lastSync).toBe(0);
  });

  it("opening it again keeps what is there instead of making a second set", async () => {
    const { col, clock } = await freshCollection();
    const before = await col.meta();
    col.close();
    const { Collection } = await import("../../extension/lib/collection/collection");
    const again = await Collection.open(col.profileId, clock);
    expect(await again.meta()).toEqual(before);
    expect(await again.db.count("notetypes")).toBe(5);
  });
});

describe("adding notes", () => {
  it("a Basic note makes one new card in the chosen deck, both pending sync", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const result = await addNote(col, {
      noteTypeId: basic.id,
      deckId: DEFAULT_DECK_ID,
      fields: ["front", "back"],
      tags: "a b",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const note = result.value;
    expect(note).toMatchObject({ usn: PENDING, mtime: clock.time, tags: ["a", "b"] });
    expect(note.guid.length).toBeGreaterThan(4);
    const cards = await col.db.getAllFromIndex("cards", "noteId", note.id);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({
      ord: 0,
      deckId: DEFAULT_DECK_ID,
      type: 0,
      queue: 0,
      usn: PENDING,
      mtime: clock.time,
    });
    expect((await col.db.getAll("tags")).map((t) => t.name).sort()).toEqual(["a", "b"]);
  });

  it("the reversed type makes two cards, the optional one only when Add Reverse is filled", async () => {
    const { col } = await freshCollection();
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const optional = await noteTypeByName(col, "Basic (optional reversed card)");
    const a = await addNote(col, { noteTypeId: reversed.id, deckId: 1, fields: ["f", "b"], tags: "" });
    const b = await addNote(col, { noteTypeId: optional.id, deckId: 1, fields: ["f", "b", ""], tags: "" });
    const c = await addNote(col, { noteTypeId: optional.id, deckId: 1, fields: ["f", "b", "y"], tags: "" });
    const ords = async (r: typeof a) =>
      r.ok ? (await col.db.getAllFromIndex("cards", "noteId", r.value.id)).map((x) => x.ord).sort() : null;
    expect(await ords(a)).toEqual([0, 1]);
    expect(await ords(b)).toEqual([0]);
    expect(await ords(c)).toEqual([0, 1]);
  });

  it("a cloze note makes one card per cloze number", async () => {
    const { col } = await freshCollection();
    const cloze = await noteTypeByName(col, "Cloze");
    const r = await addNote(col, {
      noteTypeId: cloze.id,
      deckId: 1,
      fields: ["{{c1::Paris}} is the capital of {{c3::France::country}}; {{c1::again}}", ""],
      tags: [],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const cards = await col.db.getAllFromIndex("cards", "noteId", r.value.id);
    expect(cards.map((c) => c.ord).sort()).toEqual([0, 2]);
  });

  it("refuses, in words, a note that would make no card", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const cloze = await noteTypeByName(col, "Cloze");
    const empty = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: [" <br> ", "back"], tags: "" });
    expect(empty).toEqual({
      ok: false,
      error: expect.stringMatching(/would make no cards: fill in the "Front" field/),
    });
    const noCloze = await addNote(col, { noteTypeId: cloze.id, deckId: 1, fields: ["no cloze here", ""], tags: "" });
    expect(noCloze).toEqual({ ok: false, error: expect.stringMatching(/Add a cloze deletion/) });
    const wrongCount = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["one"], tags: "" });
    expect(wrongCount.ok).toBe(false);
    const noDeck = await addNote(col, { noteTypeId: basic.id, deckId: 999, fields: ["a", "b"], tags: "" });
    expect(noDeck).toEqual({ ok: false, error: "There is no deck with id 999." });
    expect(await col.db.count("notes")).toBe(0);
    expect(await col.db.count("cards")).toBe(0);
  });

  it("many notes added in one millisecond still get distinct ids", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    for (let i = 0; i < 20; i++) {
      expect((await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: [`q${i}`, "a"], tags: "" })).ok).toBe(true);
    }
    expect(await col.db.count("notes")).toBe(20);
    expect(await col.db.count("cards")).toBe(20);
  });
});

describe("editing notes", () => {
  it("stamps the note and makes cards a template newly shows, without deleting any", async () => {
    const { col, clock } = await freshCollection();
    const optional = await noteTypeByName(col, "Basic (optional reversed card)");
    const added = await addNote(col, { noteTypeId: optional.id, deckId: 1, fields: ["f", "b", ""], tags: "" });
    if (!added.ok) throw new Error(added.error);
    const note = added.value;
    // Pretend the note was synced.
    await col.db.put("notes", { ...note, usn: 5 });
    clock.advance(60_000);
    const edited = await updateNote(col, note.id, { fields: ["f", "b", "yes"], tags: "new-tag" });
    expect(edited).toMatchObject({ ok: true, value: { addedCards: 1, emptyCards: 0 } });
    expect(await col.db.get("notes", note.id)).toMatchObject({ usn: PENDING, mtime: clock.time, tags: ["new-tag"] });
    const back = await updateNote(col, note.id, { fields: ["f", "b", ""] });
    expect(back).toMatchObject({ ok: true, value: { addedCards: 0, emptyCards: 1 } });
    expect(await col.db.countFromIndex("cards", "noteId", note.id)).toBe(2);
  });

  it("an edit that changes nothing leaves the note's stamps alone", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const added = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["f", "b"], tags: "t" });
    if (!added.ok) throw new Error(added.error);
    await col.db.put("notes", { ...added.value, usn: 7 });
    clock.advance();
    await updateNote(col, added.value.id, { fields: ["f", "b"], tags: "t" });
    expect((await col.db.get("notes", added.value.id))?.usn).toBe(7);
  });
});

describe("deleting notes", () => {
  it("removes the note and its cards, writes graves for each, and keeps the review history", async () => {
    const { col } = await freshCollection();
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const added = await addNote(col, { noteTypeId: reversed.id, deckId: 1, fields: ["f", "b"], tags: "" });
    if (!added.ok) throw new Error(added.error);
    const cardIds = await col.db.getAllKeysFromIndex("cards", "noteId", added.value.id);
    await writeRevlog(col.db, [
      {
        id: 1,
        cardId: cardIds[0] ?? 0,
        usn: PENDING,
        ease: 3,
        ivl: 1,
        lastIvl: 0,
        factor: 2500,
        time: 3000,
        type: 0,
      },
    ]);
    const result = await deleteNotes(col, [added.value.id]);
    expect(result).toEqual({ ok: true, value: { notes: 1, cards: 2 } });
    expect(await col.db.count("notes")).toBe(0);
    expect(await col.db.count("cards")).toBe(0);
    const graves = await col.db.getAll("graves");
    expect(graves.map((g) => `${g.kind}:${g.id}`).sort()).toEqual(
      [`note:${added.value.id}`, ...cardIds.map((id) => `card:${id}`)].sort(),
    );
    expect(graves.every((g) => g.usn === PENDING)).toBe(true);
    expect((await readRevlog(col.db)).length).toBe(1);
  });
});

describe("ids taken while a note is added", () => {
  it("a note whose chosen ids a sync took meanwhile is added under the next free ones, and the synced records stay", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const chosen = col.freshIds.bind(col);
    const taken: { note: Note | null } = { note: null };
    // Between choosing the ids and adding, a sync stores another device's note and card under the same ids.
    col.freshIds = async (store, count) => {
      const ids = await chosen(store, count);
      const synced: Note = {
        id: ids[0] ?? 0,
        guid: "other-device",
        noteTypeId: basic.id,
        fields: ["theirs", "x"],
        tags: [],
        mtime: 1,
        usn: 3,
      };
      await col.db.put("notes", synced);
      await col.db.put("cards", { ...newCard(ids[1] ?? 0, synced.id, 1, 0, 1, 1, 3) });
      taken.note = synced;
      return ids;
    };
    const added = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["mine", "y"], tags: "" });
    expect(added.ok).toBe(true);
    expect(taken.note).not.toBeNull();
    expect(await col.db.get("notes", taken.note?.id ?? 0)).toEqual(taken.note);
    const notes = await col.db.getAll("notes");
    expect(notes.map((n) => n.fields[0]).sort()).toEqual(["mine", "theirs"]);
    expect((await col.db.getAll("cards")).length).toBe(2);
    col.close();
  });
});
