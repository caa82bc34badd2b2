// Searches over more cards than one batch, checked against the same search done by hand over every card and note:
// the pass over cards with their notes, the pass over cards alone (a search that looks at cards only), and the pass
// over notes with their cards (notes mode), in every order and with and without the count.
import { beforeAll, describe, expect, it } from "vitest";
import { setSuspended } from "../../extension/lib/collection/cards";
import type { Collection } from "../../extension/lib/collection/collection";
import { addDeck } from "../../extension/lib/collection/decks";
import { addNotes, type NoteInput } from "../../extension/lib/collection/notes";
import { search, searchIds } from "../../extension/lib/collection/search";
import type { Card, Note } from "../../shared/model";
import { freshCollection, noteTypeByName } from "./factories";

let col: Collection;
let cards: Card[];
let notes: Map<number, Note>;
const decks: Record<string, number> = {};

beforeAll(async () => {
  ({ col } = await freshCollection());
  const basic = await noteTypeByName(col, "Basic");
  const reversed = await noteTypeByName(col, "Basic (and reversed card)");
  for (const name of ["One", "Two", "Three"]) {
    const deck = await addDeck(col, name);
    if (!deck.ok) throw new Error(deck.error);
    decks[name] = deck.value.id;
  }
  const names = Object.keys(decks);
  const inputs: NoteInput[] = Array.from({ length: 300 }, (_, i) => ({
    noteTypeId: i % 3 === 0 ? reversed.id : basic.id,
    deckId: decks[names[Math.floor(i / 2) % names.length] ?? "One"] ?? 0,
    fields: [`front ${i}`, `back ${i}`],
    tags: `t${i % 7}`,
  }));
  const added = await addNotes(col, inputs);
  if (added.refused.length > 0) throw new Error(added.refused[0]?.error);
  cards = (await col.db.getAll("cards")).sort((a, b) => a.id - b.id);
  await setSuspended(
    col,
    cards.filter((_, i) => i % 10 === 0).map((c) => c.id),
    true,
  );
  cards = (await col.db.getAll("cards")).sort((a, b) => a.id - b.id);
  notes = new Map((await col.db.getAll("notes")).map((n) => [n.id, n]));
});

type Test = (card: Card, note: Note) => boolean;
const cases: [string, Test][] = [
  ["", () => true],
  ["deck:Two", (c) => c.deckId === decks.Two],
  ["is:suspended", (c) => c.queue === -1],
  ["card:2 -deck:One", (c) => c.ord === 1 && c.deckId !== decks.One],
  ["tag:t3", (_c, n) => n.tags.includes("t3")],
  ["deck:Three tag:t1", (c, n) => c.deckId === decks.Three && n.tags.includes("t1")],
  ["card:Card*2 or tag:t5", (c, n) => c.ord === 1 || n.tags.includes("t5")],
];

const matchingCards = (test: Test) => cards.filter((c) => test(c, notes.get(c.noteId) as Note));
const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

describe("searches over several batches agree with the same search done by hand", () => {
  it.each(cases)("%j in cards mode, in creation order, both ways, with and without the count", async (query, test) => {
    const expected = matchingCards(test).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(0);
    for (const descending of [false, true]) {
      const order = descending ? [...expected].reverse() : expected;
      for (const offset of [0, 120]) {
        for (const countTotal of [true, false]) {
          const result = await search(col, query, { mode: "cards", descending, offset, limit: 50, countTotal });
          if (!result.ok) throw new Error(result.error);
          expect(result.value.rows.map((r) => r.cardId)).toEqual(order.slice(offset, offset + 50));
          expect(result.value.total).toBe(countTotal ? expected.length : null);
        }
      }
    }
  });

  it.each(cases)("%j in cards mode, by card type and by sort field", async (query, test) => {
    const matches = matchingCards(test);
    const byOrd = [...matches].sort((a, b) => a.ord - b.ord || a.id - b.id).map((c) => c.id);
    const ordered = await search(col, query, { mode: "cards", sort: "template", offset: 10, limit: 60 });
    if (!ordered.ok) throw new Error(ordered.error);
    expect(ordered.value.rows.map((r) => r.cardId)).toEqual(byOrd.slice(10, 70));
    expect(ordered.value.total).toBe(matches.length);
    const sortField = (c: Card) => notes.get(c.noteId)?.fields[0] ?? "";
    const byField = [...matches]
      .sort((a, b) => (sortField(a) < sortField(b) ? 1 : sortField(a) > sortField(b) ? -1 : a.id - b.id))
      .map((c) => c.id);
    const fields = await search(col, query, { mode: "cards", sort: "sortField", descending: true, limit: 40 });
    if (!fields.ok) throw new Error(fields.error);
    expect(fields.value.rows.map((r) => r.cardId)).toEqual(byField.slice(0, 40));
  });

  it.each(cases)("%j in notes mode: notes with a matching card, in creation order and by deck", async (query, test) => {
    const matches = matchingCards(test);
    const noteIds = [...new Set(matches.map((c) => c.noteId))].sort((a, b) => a - b);
    expect(noteIds.length).toBeGreaterThan(10);
    for (const descending of [false, true]) {
      const order = descending ? [...noteIds].reverse() : noteIds;
      for (const countTotal of [true, false]) {
        const result = await search(col, query, { mode: "notes", descending, offset: 10, limit: 25, countTotal });
        if (!result.ok) throw new Error(result.error);
        expect(result.value.rows.map((r) => r.noteId)).toEqual(order.slice(10, 35));
        expect(result.value.total).toBe(countTotal ? noteIds.length : null);
        for (const row of result.value.rows) {
          const own = cards.filter((c) => c.noteId === row.noteId).sort((a, b) => a.ord - b.ord);
          expect([row.cardId, row.cards]).toEqual([own[0]?.id, own.length]);
        }
      }
    }
    // By deck: a note sorts by its first matching card.
    const deckName = (id: number) =>
      Object.entries(decks)
        .find(([, d]) => d === id)?.[0]
        .toLowerCase() ?? "";
    const first = new Map<number, Card>();
    for (const card of matches) if (!first.has(card.noteId)) first.set(card.noteId, card);
    const byDeck = [...first.values()]
      .sort((a, b) => deckName(a.deckId).localeCompare(deckName(b.deckId)) || a.noteId - b.noteId)
      .map((c) => c.noteId);
    const sorted = await search(col, query, { mode: "notes", sort: "deck", limit: 1000 });
    if (!sorted.ok) throw new Error(sorted.error);
    expect(sorted.value.rows.map((r) => r.noteId)).toEqual(byDeck);
    // By sort field, descending: the note's own field.
    const field = (id: number) => notes.get(id)?.fields[0] ?? "";
    const byField = [...noteIds].sort((a, b) => (field(a) < field(b) ? 1 : field(a) > field(b) ? -1 : a - b));
    const fields = await search(col, query, {
      mode: "notes",
      sort: "sortField",
      descending: true,
      offset: 5,
      limit: 20,
    });
    if (!fields.ok) throw new Error(fields.error);
    expect(fields.value.rows.map((r) => r.noteId)).toEqual(byField.slice(5, 25));
    expect(fields.value.total).toBe(noteIds.length);
  });

  it.each(cases)("%j: every match's id, for select all", async (query, test) => {
    const matches = matchingCards(test);
    const asCards = await searchIds(col, query);
    const asNotes = await searchIds(col, query, { mode: "notes" });
    if (!asCards.ok || !asNotes.ok) throw new Error();
    expect(asCards.value.sort((a, b) => a - b)).toEqual(matches.sort(byId).map((c) => c.id));
    expect(asNotes.value.sort((a, b) => a - b)).toEqual(
      [...new Set(matches.map((c) => c.noteId))].sort((a, b) => a - b),
    );
  });

  it("searches among named notes and cards (nid:, cid:, alone or with more) in every order, counted at once", async () => {
    const some = cards.filter((_, i) => i % 37 === 5);
    const noteIdList = [...new Set(some.map((c) => c.noteId))];
    const named: [string, Test][] = [
      [`nid:${noteIdList.join(",")}`, (c) => noteIdList.includes(c.noteId)],
      [`cid:${some.map((c) => c.id).join(",")} -deck:Two`, (c) => some.includes(c) && c.deckId !== decks.Two],
      [`tag:t2 nid:${noteIdList.join(",")}`, (c, n) => noteIdList.includes(c.noteId) && n.tags.includes("t2")],
    ];
    for (const [query, test] of named) {
      const matches = matchingCards(test);
      expect(matches.length).toBeGreaterThan(2);
      const newest = await search(col, query, { descending: true, limit: 3, countTotal: false });
      if (!newest.ok) throw new Error(newest.error);
      expect(newest.value.rows.map((r) => r.cardId)).toEqual(
        matches
          .map((c) => c.id)
          .reverse()
          .slice(0, 3),
      );
      expect(newest.value.total).toBe(matches.length);
      const byOrd = await search(col, query, { sort: "template", offset: 1, limit: 2 });
      const expected = [...matches].sort((a, b) => a.ord - b.ord || a.id - b.id).map((c) => c.id);
      expect(byOrd.ok && byOrd.value.rows.map((r) => r.cardId)).toEqual(expected.slice(1, 3));
      const asNotes = await search(col, query, { mode: "notes", limit: 1000 });
      const noteIds = [...new Set(matches.map((c) => c.noteId))].sort((a, b) => a - b);
      expect(asNotes.ok && asNotes.value.rows.map((r) => r.noteId)).toEqual(noteIds);
      const ids = await searchIds(col, query, { mode: "notes" });
      expect(ids.ok && ids.value.sort((a, b) => a - b)).toEqual(noteIds);
    }
  });

  it("finds a note by id without reading notes, and its cards", async () => {
    const note = [...notes.values()].find((n) => cards.filter((c) => c.noteId === n.id).length === 2);
    if (!note) throw new Error();
    const result = await search(col, `nid:${note.id}`, { countTotal: false });
    expect(result.ok && result.value.rows.map((r) => r.noteId)).toEqual([note.id, note.id]);
  });
});
