// The Browse page's actions on a selection: each one transaction over a list of ids, stamped for the next sync,
// with graves for deletions; changing notes' note type is the one schema change among them.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cardIdsOfNotes, setCardsDeck, setFlag, setSuspended } from "../../extension/lib/collection/cards";
import type { Collection } from "../../extension/lib/collection/collection";
import { addDeck } from "../../extension/lib/collection/decks";
import {
  addNote,
  addTags,
  countNotesAndCards,
  deleteNotes,
  noteIdsOfCards,
  noteTypeIdsOf,
  removeTags,
} from "../../extension/lib/collection/notes";
import {
  changeNoteType,
  checkMapping,
  defaultMapping,
  type NoteTypeMapping,
} from "../../extension/lib/collection/notetypes";
import { SYNCED_STORES } from "../../extension/lib/collection/schema";
import { searchIds } from "../../extension/lib/collection/search";
import { type Card, CardQueue, CardType, PENDING } from "../../shared/model";
import { type FakeClock, freshCollection, noteTypeByName } from "./factories";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Counts the read-write transactions opened from now on. */
function countWrites(): () => number {
  const spy = vi.spyOn(IDBDatabase.prototype, "transaction");
  return () => spy.mock.calls.filter((call) => call[1] === "readwrite").length;
}

/** Everything that syncs, and the meta: to show that a refused change wrote nothing. */
async function snapshot(col: Collection): Promise<string> {
  const stores = await Promise.all(SYNCED_STORES.map((store) => col.db.getAll(store)));
  return JSON.stringify([await col.meta(), stores]);
}

async function cardsOf(col: Collection, noteId: number): Promise<Card[]> {
  return (await col.db.getAllFromIndex("cards", "noteId", noteId)).sort((a, b) => a.ord - b.ord);
}

/** A collection with `count` Basic notes (one card each) that has synced: every record has usn 5. */
async function syncedNotes(count: number, noteType = "Basic") {
  const { col, clock } = await freshCollection();
  const type = await noteTypeByName(col, noteType);
  const noteIds: number[] = [];
  for (let i = 0; i < count; i++) {
    const fields = type.fields.map((_, f) => (f === 0 ? `front ${i}` : f === 1 ? `back ${i}` : ""));
    const added = await addNote(col, { noteTypeId: type.id, deckId: 1, fields, tags: "old Parent::child" });
    if (!added.ok) throw new Error(added.error);
    noteIds.push(added.value.id);
  }
  await markSynced(col, clock);
  const cardIds = (await col.db.getAll("cards")).map((c) => c.id);
  return { col, clock, noteIds, cardIds };
}

async function markSynced(col: Collection, clock: FakeClock) {
  for (const store of ["notes", "cards", "notetypes", "decks", "tags", "config"] as const) {
    for (const record of await col.db.getAll(store)) await col.db.put(store, { ...record, usn: 5 } as never);
  }
  clock.advance(60_000);
  const meta = await col.meta();
  await col.db.put("meta", { ...meta, lastSync: clock.time, lastSyncUsn: 5 }, "collection");
  clock.advance(60_000);
}

describe("actions on many cards", () => {
  it("suspend, flag and change deck are each one transaction that stamps every card, and leave scm alone", async () => {
    const { col, clock, cardIds } = await syncedNotes(30);
    const deck = await addDeck(col, "Elsewhere");
    if (!deck.ok) throw new Error(deck.error);
    const { scm } = await col.meta();
    const chosen = cardIds.slice(0, 20);
    for (const [name, run, check] of [
      ["suspend", () => setSuspended(col, chosen, true), (c: Card) => c.queue === CardQueue.Suspended],
      ["flag", () => setFlag(col, chosen, 4), (c: Card) => (c.flags & 7) === 4],
      ["deck", () => setCardsDeck(col, chosen, deck.value.id), (c: Card) => c.deckId === deck.value.id],
    ] as const) {
      clock.advance();
      const writes = countWrites();
      expect(await run(), name).toEqual({ ok: true, value: 20 });
      expect(writes(), name).toBe(1);
      vi.restoreAllMocks();
      const cards = await col.db.getAll("cards");
      const changed = cards.filter((c) => chosen.includes(c.id));
      expect(changed.every(check), name).toBe(true);
      expect(
        changed.every((c) => c.usn === PENDING && c.mtime === clock.time),
        name,
      ).toBe(true);
      // The others are untouched.
      expect(cards.filter((c) => !chosen.includes(c.id)).every((c) => c.usn === 5 && !check(c))).toBe(true);
      const meta = await col.meta();
      expect(meta.mtime).toBe(clock.time);
      expect(meta.scm).toBe(scm);
    }
    // Unsuspending brings them back to their queue; a repeated id counts once.
    expect(await setSuspended(col, [...chosen, chosen[0] ?? 0], false)).toEqual({ ok: true, value: 20 });
    expect((await col.db.getAll("cards")).every((c) => c.queue === CardQueue.New)).toBe(true);
  });

  it("a missing deck or flag refuses and writes nothing", async () => {
    const { col, cardIds } = await syncedNotes(5);
    const before = await snapshot(col);
    expect(await setCardsDeck(col, cardIds, 987654)).toEqual({ ok: false, error: "There is no deck with id 987654." });
    expect(await setFlag(col, cardIds, 8)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/flags are 0 to 7/),
    });
    expect(await snapshot(col)).toBe(before);
  });

  it("skips cards that are gone, and cards already as asked", async () => {
    const { col, cardIds } = await syncedNotes(3);
    await setFlag(col, [cardIds[0] ?? 0], 2);
    expect(await setFlag(col, [...cardIds, 424242], 2)).toEqual({ ok: true, value: 2 });
  });
});

describe("tags on many notes", () => {
  it("adds tags in one transaction, registers the new ones, and leaves notes that have them alone", async () => {
    const { col, clock, noteIds } = await syncedNotes(4);
    const { scm } = await col.meta();
    const writes = countWrites();
    expect(await addTags(col, noteIds.slice(0, 3), "fresh OLD")).toEqual({ ok: true, value: 3 });
    expect(writes()).toBe(1);
    const notes = await col.db.getAll("notes");
    const changed = notes.filter((n) => noteIds.slice(0, 3).includes(n.id));
    expect(changed.map((n) => n.tags)).toEqual(Array(3).fill(["old", "Parent::child", "fresh"]));
    expect(changed.every((n) => n.usn === PENDING && n.mtime === clock.time)).toBe(true);
    expect(notes.find((n) => n.id === noteIds[3])).toMatchObject({ usn: 5, tags: ["old", "Parent::child"] });
    expect(await col.db.get("tags", "fresh")).toMatchObject({ usn: PENDING });
    expect((await col.meta()).scm).toBe(scm);
    // Adding them again changes nothing.
    expect(await addTags(col, noteIds.slice(0, 3), "fresh")).toEqual({ ok: true, value: 0 });
  });

  it("removes tags ignoring case, with their child tags, in one transaction", async () => {
    const { col, clock, noteIds } = await syncedNotes(3);
    const writes = countWrites();
    expect(await removeTags(col, noteIds, "parent")).toEqual({ ok: true, value: 3 });
    expect(writes()).toBe(1);
    const notes = await col.db.getAll("notes");
    expect(
      notes.every((n) => JSON.stringify(n.tags) === '["old"]' && n.usn === PENDING && n.mtime === clock.time),
    ).toBe(true);
  });

  it("refuses an empty list of tags and writes nothing", async () => {
    const { col, noteIds } = await syncedNotes(2);
    const before = await snapshot(col);
    expect(await addTags(col, noteIds, "  ")).toMatchObject({ ok: false });
    expect(await removeTags(col, noteIds, "")).toMatchObject({ ok: false });
    expect(await snapshot(col)).toBe(before);
  });
});

describe("deleting many notes", () => {
  it("deletes the notes of selected cards with all their cards, with graves, in one transaction", async () => {
    const { col, clock } = await freshCollection();
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const noteIds: number[] = [];
    for (const front of ["a", "b", "c"]) {
      const added = await addNote(col, { noteTypeId: reversed.id, deckId: 1, fields: [front, "x"], tags: "" });
      if (!added.ok) throw new Error(added.error);
      noteIds.push(added.value.id);
    }
    await markSynced(col, clock);
    // One card of each of the first two notes is selected: both notes go, with both their cards.
    const selected = [
      (await cardsOf(col, noteIds[0] ?? 0))[1]?.id ?? 0,
      (await cardsOf(col, noteIds[1] ?? 0))[0]?.id ?? 0,
    ];
    const notes = await noteIdsOfCards(col, selected);
    expect(notes.sort()).toEqual(noteIds.slice(0, 2).sort());
    expect(await countNotesAndCards(col, notes)).toEqual({ notes: 2, cards: 4 });
    const doomed = await cardIdsOfNotes(col, notes);
    expect(doomed).toHaveLength(4);
    const { scm } = await col.meta();
    const writes = countWrites();
    expect(await deleteNotes(col, notes)).toEqual({ ok: true, value: { notes: 2, cards: 4 } });
    expect(writes()).toBe(1);
    expect(await col.db.count("notes")).toBe(1);
    expect(await col.db.count("cards")).toBe(2);
    const graves = await col.db.getAll("graves");
    expect(
      graves
        .filter((g) => g.kind === "note")
        .map((g) => Number(g.id))
        .sort(),
    ).toEqual(notes.sort());
    expect(
      graves
        .filter((g) => g.kind === "card")
        .map((g) => Number(g.id))
        .sort(),
    ).toEqual(doomed.sort());
    expect(graves.every((g) => g.usn === PENDING && g.mtime === clock.time)).toBe(true);
    expect((await col.meta()).scm).toBe(scm);
  });
});

describe("all matches of a search, as ids", () => {
  it("gives card ids, or note ids in notes mode, without building rows", async () => {
    const { col, noteIds, cardIds } = await syncedNotes(5, "Basic (and reversed card)");
    const cards = await searchIds(col, "front");
    expect(cards.ok && cards.value.sort()).toEqual([...cardIds].sort());
    const notes = await searchIds(col, "front", { mode: "notes" });
    expect(notes.ok && notes.value.sort()).toEqual([...noteIds].sort());
    const one = await searchIds(col, '"front 3" card:2');
    expect(one.ok && one.value).toHaveLength(1);
    expect(await searchIds(col, "(unclosed")).toMatchObject({ ok: false });
    expect(await noteTypeIdsOf(col, noteIds)).toEqual([(await noteTypeByName(col, "Basic (and reversed card)")).id]);
  });
});

describe("changing notes' note type", () => {
  it("maps fields and card types by name, then the rest in order, as Anki does", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const optional = await noteTypeByName(col, "Basic (optional reversed card)");
    const cloze = await noteTypeByName(col, "Cloze");
    expect(defaultMapping(basic, reversed)).toEqual({ fields: [0, 1], templates: [0, null] });
    expect(defaultMapping(reversed, basic)).toEqual({ fields: [0, 1], templates: [0] });
    expect(defaultMapping(basic, optional)).toEqual({ fields: [0, 1, null], templates: [0, null] });
    // No names in common: fields in order; cloze cards cannot be mapped.
    expect(defaultMapping(basic, cloze)).toEqual({ fields: [0, 1], templates: null });
    expect(checkMapping(basic, reversed, { fields: [0, 5], templates: [0, null] })).toMatch(/Give each/);
    expect(checkMapping(basic, reversed, { fields: [0, 1], templates: [0, 0] })).toMatch(/only one new card type/);
    expect(checkMapping(basic, cloze, { fields: [0, 1], templates: [0] })).toMatch(/cloze/);
  });

  it("Basic to reversed: one transaction, fields remapped, the card kept, the new card added, scm bumped", async () => {
    const { col, clock, noteIds, cardIds } = await syncedNotes(3);
    const basic = await noteTypeByName(col, "Basic");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const { scm } = await col.meta();
    const writes = countWrites();
    const result = await changeNoteType(
      col,
      { noteIds, fromId: basic.id, toId: reversed.id, mapping: { fields: [1, 0], templates: [0, null] } },
      { confirmSchemaChange: true },
    );
    expect(result).toEqual({ ok: true, value: { notes: 3, movedCards: 0, deletedCards: 0, addedCards: 3 } });
    expect(writes()).toBe(1);
    for (const [i, noteId] of noteIds.entries()) {
      const note = await col.db.get("notes", noteId);
      expect(note).toMatchObject({
        noteTypeId: reversed.id,
        fields: [`back ${i}`, `front ${i}`],
        usn: PENDING,
        mtime: clock.time,
      });
      const cards = await cardsOf(col, noteId);
      expect(cards.map((c) => c.ord)).toEqual([0, 1]);
      // The old card keeps its id and, as it did not move, its sync stamp; the new one is pending.
      expect(cards[0]?.id).toBe(cardIds[i]);
      expect(cards[0]?.usn).toBe(5);
      expect(cards[1]).toMatchObject({ usn: PENDING, type: CardType.New, deckId: 1 });
    }
    const meta = await col.meta();
    expect(meta.scm).toBeGreaterThan(scm);
    expect(await col.db.count("graves")).toBe(0);
  });

  it("moves cards to the mapped card type and deletes unmapped ones with graves", async () => {
    const { col, clock, noteIds } = await syncedNotes(2, "Basic (and reversed card)");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const basic = await noteTypeByName(col, "Basic");
    const before = await Promise.all(noteIds.map((id) => cardsOf(col, id)));
    // Basic's only card type takes the reversed type's second card type; the first one's cards go.
    const mapping: NoteTypeMapping = { fields: [0, 1], templates: [1] };
    const result = await changeNoteType(
      col,
      { noteIds, fromId: reversed.id, toId: basic.id, mapping },
      { confirmSchemaChange: true },
    );
    expect(result).toEqual({ ok: true, value: { notes: 2, movedCards: 2, deletedCards: 2, addedCards: 0 } });
    for (const [i, noteId] of noteIds.entries()) {
      const cards = await cardsOf(col, noteId);
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({ id: before[i]?.[1]?.id, ord: 0, usn: PENDING, mtime: clock.time });
    }
    const graves = await col.db.getAll("graves");
    expect(graves.map((g) => [g.kind, Number(g.id)]).sort()).toEqual(
      before.map((cards) => ["card", cards[0]?.id]).sort(),
    );
  });

  it("asks before deleting reviewed cards, and writes nothing until confirmed", async () => {
    const { col, noteIds } = await syncedNotes(2, "Basic (and reversed card)");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const basic = await noteTypeByName(col, "Basic");
    const [card] = await cardsOf(col, noteIds[1] ?? 0);
    if (!card) throw new Error("no card");
    await col.db.put("cards", { ...card, reps: 3, type: CardType.Review, queue: CardQueue.Review });
    const change = { noteIds, fromId: reversed.id, toId: basic.id, mapping: { fields: [0, 1], templates: [1] } };
    const before = await snapshot(col);
    const asked = await changeNoteType(col, change, { confirmSchemaChange: true });
    expect(asked).toMatchObject({
      ok: false,
      confirm: "delete-reviewed-cards",
      error: expect.stringMatching(/2 cards, 1 of them with reviews/),
    });
    expect(await snapshot(col)).toBe(before);
    const done = await changeNoteType(col, change, { confirmSchemaChange: true, confirmDeleteReviewed: true });
    expect(done.ok).toBe(true);
  });

  it("warns that the next sync is one-way once synced, and changes nothing unless confirmed", async () => {
    const { col, noteIds } = await syncedNotes(2);
    const basic = await noteTypeByName(col, "Basic");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const change = { noteIds, fromId: basic.id, toId: reversed.id, mapping: defaultMapping(basic, reversed) };
    const before = await snapshot(col);
    expect(await changeNoteType(col, change)).toMatchObject({ ok: false, confirm: "schema-change" });
    expect(await snapshot(col)).toBe(before);
  });

  it("a note of another note type rolls the whole change back, even after other notes were written", async () => {
    const { col, noteIds } = await syncedNotes(3);
    const basic = await noteTypeByName(col, "Basic");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const other = await addNote(col, { noteTypeId: reversed.id, deckId: 1, fields: ["x", "y"], tags: "" });
    if (!other.ok) throw new Error(other.error);
    const before = await snapshot(col);
    const result = await changeNoteType(
      col,
      {
        noteIds: [...noteIds, other.value.id],
        fromId: basic.id,
        toId: reversed.id,
        mapping: defaultMapping(basic, reversed),
      },
      { confirmSchemaChange: true },
    );
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Not every note is of the note type "Basic"/),
    });
    expect(await snapshot(col)).toBe(before);
  });

  it("refuses a mapping that leaves a note without cards, or a field out of range, and writes nothing", async () => {
    const { col, noteIds } = await syncedNotes(2);
    const basic = await noteTypeByName(col, "Basic");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const before = await snapshot(col);
    const empty = await changeNoteType(
      col,
      { noteIds, fromId: basic.id, toId: reversed.id, mapping: { fields: [null, null], templates: [null, null] } },
      { confirmSchemaChange: true },
    );
    expect(empty).toMatchObject({ ok: false, error: expect.stringMatching(/left without cards/) });
    const outOfRange = await changeNoteType(
      col,
      { noteIds, fromId: basic.id, toId: reversed.id, mapping: { fields: [0, 7], templates: [0, null] } },
      { confirmSchemaChange: true },
    );
    expect(outOfRange).toMatchObject({ ok: false, error: expect.stringMatching(/Give each of the 2 fields/) });
    expect(await snapshot(col)).toBe(before);
  });

  it("standard to cloze keeps cards by number and adds the clozes the text makes", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const cloze = await noteTypeByName(col, "Cloze");
    const note = await addNote(col, {
      noteTypeId: basic.id,
      deckId: 1,
      fields: ["{{c1::Paris}} is in {{c2::France}}", "extra"],
      tags: "",
    });
    if (!note.ok) throw new Error(note.error);
    const [card] = await cardsOf(col, note.value.id);
    const result = await changeNoteType(col, {
      noteIds: [note.value.id],
      fromId: basic.id,
      toId: cloze.id,
      mapping: defaultMapping(basic, cloze),
    });
    expect(result).toEqual({ ok: true, value: { notes: 1, movedCards: 0, deletedCards: 0, addedCards: 1 } });
    const cards = await cardsOf(col, note.value.id);
    expect(cards.map((c) => [c.id === card?.id, c.ord])).toEqual([
      [true, 0],
      [false, 1],
    ]);
  });

  it("cloze to standard keeps the cards that have a card type and deletes the others with graves", async () => {
    const { col } = await freshCollection();
    const cloze = await noteTypeByName(col, "Cloze");
    const basic = await noteTypeByName(col, "Basic");
    const note = await addNote(col, {
      noteTypeId: cloze.id,
      deckId: 1,
      fields: ["{{c1::a}} {{c2::b}} {{c3::c}}", ""],
      tags: "",
    });
    if (!note.ok) throw new Error(note.error);
    const before = await cardsOf(col, note.value.id);
    const { scm } = await col.meta();
    const result = await changeNoteType(col, {
      noteIds: [note.value.id],
      fromId: cloze.id,
      toId: basic.id,
      mapping: defaultMapping(cloze, basic),
    });
    expect(result).toEqual({ ok: true, value: { notes: 1, movedCards: 0, deletedCards: 2, addedCards: 0 } });
    const after = await cardsOf(col, note.value.id);
    expect(after.map((c) => c.id)).toEqual([before[0]?.id]);
    const graves = (await col.db.getAll("graves")).map((g) => Number(g.id)).sort();
    expect(graves).toEqual([before[1]?.id, before[2]?.id].sort());
    expect((await col.db.get("notes", note.value.id))?.noteTypeId).toBe(basic.id);
    expect((await col.meta()).scm).toBeGreaterThan(scm);
  });
});
