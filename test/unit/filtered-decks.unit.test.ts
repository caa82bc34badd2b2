// Filtered decks as an Anki user knows them: a search borrows cards from their home decks, they are studied
// there, and they go home when the deck is emptied, rebuilt or deleted, or when an answer that reschedules takes
// them out of learning. A deck that only previews changes no card's schedule.
import { describe, expect, it } from "vitest";
import { setCardsDeck, setSuspended } from "../../extension/lib/collection/cards";
import type { Collection } from "../../extension/lib/collection/collection";
import { addDeck, deleteDeck, renameDeck } from "../../extension/lib/collection/decks";
import {
  addFilteredDeck,
  emptyFilteredDeck,
  rebuildFilteredDeck,
  updateFilteredDeck,
} from "../../extension/lib/collection/filtered";
import { addNote, addNotes } from "../../extension/lib/collection/notes";
import { addTemplate } from "../../extension/lib/collection/notetypes";
import { updatePreset } from "../../extension/lib/collection/presets";
import { deckCounts } from "../../extension/lib/collection/queue";
import { readRevlog, readRevlogEntry, writeRevlog } from "../../extension/lib/collection/revlog";
import { searchIds } from "../../extension/lib/collection/search";
import { answerCard } from "../../extension/lib/collection/study";
import { nextCard } from "../../extension/lib/collection/study-queue";
import { dayNumber } from "../../shared/days";
import { type Card, CardQueue, CardType, PENDING } from "../../shared/model";
import { Deck } from "../../shared/schemas";
import { freshCollection, noteTypeByName } from "./factories";

/** A home deck "Spanish" with 6 new cards and 4 review cards (intervals 1 to 4 days), and a verb in "Other". */
async function world() {
  const { col, clock } = await freshCollection();
  const basic = await noteTypeByName(col, "Basic");
  const spanish = await addDeck(col, "Spanish");
  const other = await addDeck(col, "Other");
  if (!spanish.ok || !other.ok) throw new Error("decks");
  clock.advance();
  await addNotes(
    col,
    Array.from({ length: 10 }, (_, i) => ({
      noteTypeId: basic.id,
      deckId: spanish.value.id,
      fields: [`word ${i}`, `meaning ${i}`],
      tags: i % 2 === 0 ? "verb" : "noun",
    })),
  );
  await addNote(col, { noteTypeId: basic.id, deckId: other.value.id, fields: ["elsewhere", "x"], tags: "verb" });
  const today = dayNumber(clock.now(), 4, -new Date(clock.now()).getTimezoneOffset());
  const cards = (await col.db.getAllFromIndex("cards", "deckId", spanish.value.id)).sort((a, b) => a.id - b.id);
  // Reviews: the first is due in 5 days, the others 1 to 3 days ago.
  for (const [i, card] of cards.slice(6).entries()) {
    await col.db.put("cards", {
      ...card,
      type: CardType.Review,
      queue: CardQueue.Review,
      due: i === 0 ? today + 5 : today - i,
      ivl: i + 1,
      reps: 3,
      lapses: i,
    });
  }
  clock.advance();
  return { col, clock, spanish: spanish.value, other: other.value, today };
}

async function cardsIn(col: Collection, deckId: number): Promise<Card[]> {
  return col.db.getAllFromIndex("cards", "deckId", deckId);
}

async function filtered(col: Collection, name: string, search: string, limit = 100, order = 5, reschedule = true) {
  const made = await addFilteredDeck(col, { name, terms: [{ search, limit, order }], reschedule });
  if (!made.ok) throw new Error(made.error);
  return made.value;
}

describe("filtered decks", () => {
  it("ordered oldest seen first, take never-answered cards, then by each card's latest answer", async () => {
    const { col, clock, spanish } = await world();
    const [r0, r1, r2, r3] = (await cardsIn(col, spanish.id)).sort((a, b) => a.id - b.id).slice(6);
    const now = clock.now();
    const answered = (cardId: number, ago: number) => ({
      id: now - ago,
      cardId,
      usn: 3,
      ease: 3,
      ivl: 1,
      lastIvl: 0,
      factor: 2500,
      time: 3000,
      type: 1,
    });
    const hour = 3_600_000;
    // r0 was first seen before r1, but seen again since: by its latest answer it is the most recently seen.
    await writeRevlog(col.db, [
      answered(r0?.id ?? 0, 3 * hour),
      answered(r0?.id ?? 0, 10 * 60_000),
      answered(r1?.id ?? 0, 2 * hour),
      answered(r2?.id ?? 0, 5 * hour),
    ]);
    const { deck } = await filtered(col, "Oldest", `deck:Spanish is:review`, 3, 0);
    expect(new Set((await cardsIn(col, deck.id)).map((c) => c.id))).toEqual(new Set([r3?.id, r2?.id, r1?.id]));
  });

  it("borrow the cards their search finds, keeping each card's home deck and due, stamped for sync", async () => {
    const { col, clock, spanish, other } = await world();
    const before = new Map((await col.db.getAll("cards")).map((c) => [c.id, c]));
    const { deck, cards } = await filtered(col, "Cram", "tag:verb");
    // Five verbs in Spanish and one in Other.
    expect(cards).toBe(6);
    expect(Deck.parse(deck).filter).toEqual({
      terms: [{ search: "tag:verb", limit: 100, order: 5 }],
      reschedule: true,
    });
    const inDeck = await cardsIn(col, deck.id);
    expect(inDeck).toHaveLength(6);
    for (const card of inDeck) {
      const was = before.get(card.id) as Card;
      expect([spanish.id, other.id]).toContain(card.odid);
      expect(card.odid).toBe(was.deckId);
      expect(card.odue).toBe(was.due);
      expect(card.queue).toBe(was.queue);
      expect(card.usn).toBe(PENDING);
      expect(card.mtime).toBe(clock.now());
    }
    // In the order added, ahead of any real due.
    const byPosition = [...inDeck].sort((a, b) => a.due - b.due).map((c) => c.id);
    expect(byPosition).toEqual([...inDeck].sort((a, b) => a.noteId - b.noteId).map((c) => c.id));
    // deck:Spanish still finds its borrowed cards, and deck:filtered finds every borrowed one.
    const home = await searchIds(col, "deck:Spanish tag:verb");
    expect(home.ok && home.value.length).toBe(5);
    const borrowed = await searchIds(col, "deck:filtered");
    expect(borrowed.ok && [...borrowed.value].sort()).toEqual(inDeck.map((c) => c.id).sort());
  });

  it("leave suspended and buried cards, and cards another filtered deck holds, where they are", async () => {
    const { col, spanish } = await world();
    const ids = (await cardsIn(col, spanish.id)).map((c) => c.id).sort((a, b) => a - b);
    await setSuspended(col, ids.slice(0, 2), true);
    const first = await filtered(col, "First", "deck:Spanish", 3);
    expect(first.cards).toBe(3);
    const second = await filtered(col, "Second", "deck:Spanish");
    // 10 cards, 2 suspended, 3 in the first deck.
    expect(second.cards).toBe(5);
    const taken = new Set(
      [...(await cardsIn(col, first.deck.id)), ...(await cardsIn(col, second.deck.id))].map((c) => c.id),
    );
    expect(taken.has(ids[0] as number)).toBe(false);
    expect(taken.has(ids[1] as number)).toBe(false);
  });

  it("take cards in the chosen order and up to the limit", async () => {
    const { col, spanish } = await world();
    const reviews = (await cardsIn(col, spanish.id)).filter((c) => c.type === CardType.Review);
    const { deck } = await filtered(col, "Lapses", "is:review", 2, 4);
    const taken = (await cardsIn(col, deck.id)).sort((a, b) => a.due - b.due);
    const mostLapses = [...reviews].sort((a, b) => b.lapses - a.lapses).slice(0, 2);
    expect(taken.map((c) => c.id)).toEqual(mostLapses.map((c) => c.id));
    const ascending = await filtered(col, "Short", "is:review -deck:filtered", 10, 2);
    const order = (await cardsIn(col, ascending.deck.id)).sort((a, b) => a.due - b.due).map((c) => c.ivl);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("are studied with counts of their own, whatever the home deck's daily limits", async () => {
    const { col } = await world();
    // The home deck's preset allows one new card and one review a day; the filtered deck shows all it holds.
    expect(await updatePreset(col, 1, { newPerDay: 1, reviewsPerDay: 1 })).toMatchObject({ ok: true });
    const { deck } = await filtered(col, "Cram", "tag:noun");
    const counts = (await deckCounts(col)).find((row) => row.deck.id === deck.id);
    // Nouns: 3 new (1, 3, 5) and 2 reviews (7, 9).
    expect(counts).toMatchObject({ newCount: 3, reviewCount: 2 });
    const next = await nextCard(col, deck.id);
    expect(next.card?.deckId).toBe(deck.id);
  });

  it("rescheduling: an answer schedules the card as it stands at home; out of learning it goes home", async () => {
    const { col, clock, spanish } = await world();
    // The same collection, where the card is answered at home at the same moment: the results must be equal.
    const twin = await world();
    twin.clock.time = clock.time;
    const { deck } = await filtered(col, "Cram", "is:review");
    const card = (await cardsIn(col, deck.id)).find((c) => c.ivl === 4) as Card;
    const answered = await answerCard(col, card.id, 3, { fuzz: false });
    const atHome = await answerCard(twin.col, card.id, 3, { fuzz: false });
    if (!answered.ok || !atHome.ok) throw new Error("answer refused");
    expect(answered.value.card).toMatchObject({ deckId: spanish.id, odid: 0, odue: 0, queue: CardQueue.Review });
    // Scheduled from its real due (three days overdue), not from its place in the filtered deck.
    const { mtime: _m, ...scheduled } = answered.value.card;
    const { mtime: _t, ...expected } = atHome.value.card;
    expect(scheduled).toEqual(expected);
    const log = await readRevlogEntry(col.db, answered.value.revlogId);
    expect(log).toMatchObject({ type: 1, ease: 3, lastIvl: 4 });
    expect({ ...log, id: 0 }).toEqual({ ...(await readRevlogEntry(twin.col.db, atHome.value.revlogId)), id: 0 });
    clock.advance();

    // A new card answered Again stays in the filtered deck while it learns; emptying then keeps its learning due.
    const fresh = await filtered(col, "New ones", "is:new deck:Spanish", 1);
    const newCard = (await cardsIn(col, fresh.deck.id))[0] as Card;
    const again = await answerCard(col, newCard.id, 1, { fuzz: false });
    if (!again.ok) throw new Error(again.error);
    expect(again.value.card).toMatchObject({ deckId: fresh.deck.id, odid: spanish.id, queue: CardQueue.Learning });
    await emptyFilteredDeck(col, fresh.deck.id);
    const home = await col.db.get("cards", newCard.id);
    expect(home).toMatchObject({
      deckId: spanish.id,
      odid: 0,
      odue: 0,
      queue: CardQueue.Learning,
      due: again.value.card.due,
    });
  });

  it("preview only: Again shows the card a minute later, Good sends it home with its schedule untouched", async () => {
    const { col, clock, spanish } = await world();
    const { deck } = await filtered(col, "Preview", "deck:Spanish", 10, 2, false);
    const cards = await cardsIn(col, deck.id);
    // Every card waits in the review queue, new or not.
    expect(cards.filter((c) => c.type === CardType.New)).toHaveLength(6);
    expect(new Set(cards.map((c) => c.queue))).toEqual(new Set([CardQueue.Review]));
    const card = cards.find((c) => c.type === CardType.Review) as Card;
    const original = { due: card.odue, ivl: card.ivl, type: card.type, reps: card.reps, data: card.data };
    clock.advance();
    const again = await answerCard(col, card.id, 1);
    if (!again.ok) throw new Error(again.error);
    expect(again.value.card).toMatchObject({
      deckId: deck.id,
      queue: CardQueue.Learning,
      due: Math.floor(clock.now() / 1000) + 60,
    });
    clock.advance(61_000);
    const good = await answerCard(col, card.id, 3);
    if (!good.ok) throw new Error(good.error);
    expect(good.value.card).toMatchObject({ deckId: spanish.id, odid: 0, queue: CardQueue.Review, ...original });
    const logs = (await readRevlog(col.db)).filter((r) => r.cardId === card.id);
    expect(logs.map((l) => [l.ease, l.type])).toEqual([
      [1, 3],
      [3, 3],
    ]);
  });

  it("empty, rebuild and delete give the cards back as they were, and changing the search rebuilds", async () => {
    const { col, spanish } = await world();
    const before = new Map((await cardsIn(col, spanish.id)).map((c) => [c.id, c]));
    const { deck } = await filtered(col, "Cram", "deck:Spanish");
    expect(await emptyFilteredDeck(col, deck.id)).toEqual({ ok: true, value: 10 });
    for (const card of await cardsIn(col, spanish.id)) {
      const was = before.get(card.id) as Card;
      expect({ ...card, mtime: 0, usn: 0 }).toEqual({ ...was, mtime: 0, usn: 0 });
    }
    expect(await rebuildFilteredDeck(col, deck.id)).toMatchObject({ ok: true, value: { cards: 10 } });
    const narrowed = await updateFilteredDeck(col, deck.id, {
      terms: [{ search: "deck:Spanish is:new", limit: 2, order: 5 }],
      reschedule: true,
    });
    expect(narrowed).toMatchObject({ ok: true, value: { cards: 2 } });
    expect((await col.db.get("decks", deck.id))?.filter?.terms[0]?.search).toBe("deck:Spanish is:new");
    expect(await cardsIn(col, spanish.id)).toHaveLength(8);
    const removed = await deleteDeck(col, deck.id, { cards: "delete" });
    expect(removed).toMatchObject({ ok: true, value: { decks: 1, cards: 0, notes: 0 } });
    expect(await cardsIn(col, spanish.id)).toHaveLength(10);
    expect(await col.db.count("cards")).toBe(11);
  });

  it("deleting a home deck takes its borrowed cards with it", async () => {
    const { col, spanish } = await world();
    const { deck } = await filtered(col, "Cram", "tag:verb");
    const removed = await deleteDeck(col, spanish.id, { cards: "delete" });
    expect(removed).toMatchObject({ ok: true, value: { cards: 10, notes: 10 } });
    // The verb from Other stays borrowed.
    expect((await cardsIn(col, deck.id)).map((c) => c.odid)).toHaveLength(1);
  });

  it("refuse what Anki refuses, in words, and write nothing", async () => {
    const { col, spanish } = await world();
    const { deck } = await filtered(col, "Cram", "tag:verb");
    const basic = await noteTypeByName(col, "Basic");
    const count = await col.db.count("cards");
    const cases = [
      addFilteredDeck(col, { name: "Bad", terms: [{ search: "deck:(", limit: 5, order: 0 }], reschedule: true }),
      addFilteredDeck(col, { name: "Bad", terms: [{ search: " ", limit: 5, order: 0 }], reschedule: true }),
      addFilteredDeck(col, { name: "Bad", terms: [{ search: "x", limit: 0, order: 0 }], reschedule: true }),
      addFilteredDeck(col, { name: "Bad", terms: [{ search: "x", limit: 5, order: 9 }], reschedule: true }),
      addFilteredDeck(col, { name: "Cram", terms: [{ search: "x", limit: 5, order: 0 }], reschedule: true }),
      addFilteredDeck(col, { name: "Cram::Sub", terms: [{ search: "x", limit: 5, order: 0 }], reschedule: true }),
      addDeck(col, "Cram::Sub"),
      renameDeck(col, spanish.id, "Cram::Spanish"),
      setCardsDeck(col, [(await cardsIn(col, spanish.id))[0]?.id as number], deck.id),
      deleteDeck(col, spanish.id, { cards: "move", toDeckId: deck.id }),
      addNote(col, { noteTypeId: basic.id, deckId: deck.id, fields: ["a", "b"], tags: "" }),
    ];
    for (const outcome of await Promise.all(cases)) {
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error).toMatch(/^[A-Z"].*[a-z.]$/);
    }
    expect(await col.db.count("cards")).toBe(count);
    expect((await col.db.getAll("decks")).map((d) => d.name).sort()).toEqual(["Cram", "Default", "Other", "Spanish"]);
  });

  it("a card moved to another deck while borrowed leaves the filtered deck for its new home", async () => {
    const { col, other } = await world();
    const { deck } = await filtered(col, "Cram", "deck:Spanish");
    const card = (await cardsIn(col, deck.id))[0] as Card;
    expect(await setCardsDeck(col, [card.id], other.id)).toEqual({ ok: true, value: 1 });
    expect(await col.db.get("cards", card.id)).toMatchObject({ deckId: other.id, odid: 0, odue: 0, due: card.odue });
  });
  it("rebuilding searches the cards as they are at home: is:due leaves out a borrowed review not due yet", async () => {
    const { col } = await world();
    const { deck } = await filtered(col, "Cram", "deck:Spanish is:review");
    expect(await cardsIn(col, deck.id)).toHaveLength(4);
    // Borrowed, every card is "due" by its place in the deck; at home one of them is due in 5 days.
    const narrowed = await updateFilteredDeck(col, deck.id, {
      terms: [{ search: "deck:Spanish is:review is:due", limit: 100, order: 5 }],
      reschedule: true,
    });
    expect(narrowed).toMatchObject({ ok: true, value: { cards: 3 } });
    // An invalid search changes nothing: the deck keeps its cards.
    const refused = await updateFilteredDeck(col, deck.id, {
      terms: [{ search: "deck:(", limit: 100, order: 5 }],
      reschedule: true,
    });
    expect(refused.ok).toBe(false);
    expect(await cardsIn(col, deck.id)).toHaveLength(3);
  });

  it("cards a note gains while a sibling is borrowed go to the sibling's home deck, not the filtered deck", async () => {
    const { col, spanish } = await world();
    const basic = await noteTypeByName(col, "Basic");
    const { deck } = await filtered(col, "Cram", "deck:Spanish");
    // A second card type for Basic: every Basic note gets a new card.
    const added = await addTemplate(col, basic.id, "Reverse", { confirmSchemaChange: true });
    expect(added.ok).toBe(true);
    expect(await cardsIn(col, deck.id)).toHaveLength(10);
    const reverse = (await col.db.getAll("cards")).filter((c) => c.ord === 1);
    expect(reverse).toHaveLength(11);
    for (const card of reverse) expect(card.odid).toBe(0);
    expect(reverse.filter((c) => c.deckId === spanish.id)).toHaveLength(10);
    // Deleting the filtered deck then loses nothing.
    await deleteDeck(col, deck.id, { cards: "delete" });
    expect(await col.db.count("cards")).toBe(22);
    expect(await cardsIn(col, spanish.id)).toHaveLength(20);
  });

  it("a card type whose deck is a filtered deck puts its new cards in the note's deck instead", async () => {
    const { col, spanish } = await world();
    const { deck } = await filtered(col, "Cram", "tag:verb");
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const withOverride = {
      ...reversed,
      templates: reversed.templates.map((t, i) => (i === 1 ? { ...t, deckOverride: deck.id } : t)),
    };
    await col.db.put("notetypes", withOverride);
    const added = await addNote(col, {
      noteTypeId: reversed.id,
      deckId: spanish.id,
      fields: ["ir", "to go"],
      tags: "",
    });
    if (!added.ok) throw new Error(added.error);
    const cards = await col.db.getAllFromIndex("cards", "noteId", added.value.id);
    expect(cards.map((c) => [c.deckId, c.odid])).toEqual([
      [spanish.id, 0],
      [spanish.id, 0],
    ]);
  });
});
