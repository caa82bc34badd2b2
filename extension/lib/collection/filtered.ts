// Filtered decks, as in Anki: a deck that borrows the cards a search finds from their home decks, for a
// cram session or a custom study. A borrowed card keeps its home deck in `odid` and its own due in `odue`; it goes
// home when the deck is emptied, rebuilt or deleted, and, when the deck reschedules, once an answer takes it out of
// learning. Without rescheduling the deck only previews: answers change nothing of the card's schedule.

import { returnedHome } from "../../../shared/card-queue";
import { dayNumber } from "../../../shared/days";
import { parseDeckName } from "../../../shared/deck-names";
import {
  type Card,
  CardQueue,
  DEFAULT_CONFIG_ID,
  type Deck,
  type DeckFilter,
  type FilterTerm,
  PENDING,
} from "../../../shared/model";
import type { Ease } from "../../../shared/scheduling";
import { parseSearch } from "../../../shared/search/parse";
import { type Collection, done, type Outcome, refuse, stamp } from "./collection";
import { findDeckByName } from "./decks";
import { touchMeta } from "./notes";
import { pendingUsn } from "./pending";
import { answersOfCards } from "./revlog";
import type { WriteStore } from "./schema";
import { searchIds } from "./search";

/** Anki's orders of a filtered deck's search, by their numbers. */
export const FILTER_ORDERS = [
  "Oldest seen first",
  "Random",
  "Increasing intervals",
  "Decreasing intervals",
  "Most lapses",
  "Order added",
  "Order due",
  "Latest added first",
  "Relative overdueness",
] as const;

/** Where borrowed cards are placed in their filtered deck's queues: before any real due, in the built order. */
const POSITION_BASE = -100_000;

/** Preview answers (a deck that does not reschedule): Again and Hard show the card again after these seconds. */
export const PREVIEW_AGAIN_SECONDS = 60;
export const PREVIEW_HARD_SECONDS = 600;

/** The card as it is in its home deck: what a deck's emptying gives back, and what answers are scheduled from. */
export { returnedHome };

function borrowed(card: Card, deckId: number, position: number, reschedule: boolean): Card {
  return {
    ...card,
    odid: card.deckId,
    odue: card.due,
    deckId,
    due: POSITION_BASE + position,
    // Without rescheduling every card is shown as a review: there is nothing to learn, only to look at.
    queue: reschedule ? card.queue : CardQueue.Review,
  };
}

export interface FilteredDeckInput {
  name: string;
  terms: FilterTerm[];
  reschedule: boolean;
}

/** Checks what a person typed for a filtered deck, and says in words what is wrong. */
function checkFilter(input: FilteredDeckInput): string | null {
  if (input.terms.length < 1 || input.terms.length > 2) return "A filtered deck has one or two searches.";
  for (const term of input.terms) {
    if (term.search.trim() === "") return "Type what the filtered deck should search for.";
    if (!Number.isInteger(term.limit) || term.limit < 1 || term.limit > 99_999) {
      return "The number of cards must be a whole number from 1 to 99,999.";
    }
    if (!Number.isInteger(term.order) || term.order < 0 || term.order >= FILTER_ORDERS.length) {
      return "Choose one of the listed orders.";
    }
  }
  return null;
}

/** Refuses a name under a filtered deck: a filtered deck cannot have sub-decks. */
export function filteredParentOf(name: string, decks: Deck[]): Deck | undefined {
  const lower = name.toLowerCase();
  return decks.find((d) => d.filter && lower.startsWith(`${d.name.toLowerCase()}::`));
}

/** Creates a filtered deck and fills it. */
export async function addFilteredDeck(
  col: Collection,
  input: FilteredDeckInput,
): Promise<Outcome<{ deck: Deck; cards: number }>> {
  const parsed = parseDeckName(input.name);
  if (!parsed.ok) return refuse(parsed.error);
  const problem = checkFilter(input);
  if (problem) return refuse(problem);
  if (await findDeckByName(col, parsed.value)) return refuse(`A deck named "${parsed.value}" exists already.`);
  const decks = await col.db.getAll("decks");
  const blocked = filteredParentOf(parsed.value, decks);
  if (blocked) return refuse(`"${blocked.name}" is a filtered deck, which cannot have sub-decks.`);
  const parentName = parsed.value.split("::").slice(0, -1).join("::");
  if (parentName && !decks.some((d) => d.name.toLowerCase() === parentName.toLowerCase())) {
    return refuse(`There is no deck "${parentName}" to put it in; create that deck first.`);
  }
  const [id] = await col.freshIds("decks", 1);
  const now = col.clock.now();
  const deck: Deck = {
    id: id ?? now,
    name: parsed.value,
    configId: DEFAULT_CONFIG_ID,
    description: "",
    collapsed: false,
    filter: { terms: input.terms.map((t) => ({ ...t, search: t.search.trim() })), reschedule: input.reschedule },
    mtime: now,
    usn: PENDING,
  };
  const candidates = await candidatesFor(col, deck.filter as DeckFilter);
  if (!candidates.ok) return candidates;
  const tx = col.db.transaction(["decks", "cards", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const added = { ...deck, usn };
  await tx.objectStore("decks").add(added);
  const cards = await fill(tx.objectStore("cards"), added, candidates.value, now, usn);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ deck: added, cards });
}

/** Changes a filtered deck's searches or rescheduling, and rebuilds it. */
export async function updateFilteredDeck(
  col: Collection,
  deckId: number,
  filter: DeckFilter,
): Promise<Outcome<{ deck: Deck; cards: number }>> {
  const deck = await col.db.get("decks", deckId);
  if (!deck?.filter) return refuse("That deck is not a filtered deck.");
  const problem = checkFilter({ name: deck.name, ...filter });
  if (problem) return refuse(problem);
  return rebuild(col, {
    ...deck,
    filter: { terms: filter.terms.map((t) => ({ ...t, search: t.search.trim() })), reschedule: filter.reschedule },
  });
}

/** Returns a filtered deck's cards home and searches again, as Anki's Rebuild does. */
export async function rebuildFilteredDeck(
  col: Collection,
  deckId: number,
): Promise<Outcome<{ deck: Deck; cards: number }>> {
  const deck = await col.db.get("decks", deckId);
  if (!deck?.filter) return refuse("That deck is not a filtered deck.");
  return rebuild(col, deck);
}

async function rebuild(col: Collection, deck: Deck): Promise<Outcome<{ deck: Deck; cards: number }>> {
  const filter = deck.filter as DeckFilter;
  for (const term of filter.terms) {
    const parsed = parseSearch(term.search);
    if (!parsed.ok) return refuse(`The filtered deck's search "${term.search}" is not valid: ${parsed.error}`);
  }
  // As in Anki, the deck first gives its cards back, so that its searches see them as they are at home (a borrowed
  // card's due is its place in this deck). Were it stopped between the two steps, the cards would simply be home.
  const now = col.clock.now();
  const emptying = col.db.transaction(["decks", "cards", "meta"], "readwrite");
  const current = await emptying.objectStore("decks").get(deck.id);
  if (!current?.filter) return refuse("That deck is not a filtered deck.");
  const emptyingUsn = await pendingUsn(emptying.objectStore("meta"));
  const updated = stamp({ ...current, filter }, now, emptyingUsn);
  await emptying.objectStore("decks").put(updated);
  await emptyInto(emptying.objectStore("cards"), deck.id, now, emptyingUsn);
  await touchMeta(emptying.objectStore("meta"), now);
  await emptying.done;
  const candidates = await candidatesFor(col, filter);
  if (!candidates.ok) return candidates;
  const tx = col.db.transaction(["decks", "cards", "meta"], "readwrite");
  if (!(await tx.objectStore("decks").get(deck.id))?.filter) return refuse("That deck is not a filtered deck.");
  const cards = await fill(
    tx.objectStore("cards"),
    updated,
    candidates.value,
    now,
    await pendingUsn(tx.objectStore("meta")),
  );
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ deck: updated, cards });
}

/** Returns every card of a filtered deck home; the deck stays, empty. */
export async function emptyFilteredDeck(col: Collection, deckId: number): Promise<Outcome<number>> {
  const deck = await col.db.get("decks", deckId);
  if (!deck?.filter) return refuse("That deck is not a filtered deck.");
  const now = col.clock.now();
  const tx = col.db.transaction(["cards", "meta"], "readwrite");
  const count = await emptyInto(tx.objectStore("cards"), deckId, now, await pendingUsn(tx.objectStore("meta")));
  if (count > 0) await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(count);
}

/** Sends a filtered deck's cards home inside a caller's transaction; returns how many went. */
export async function emptyInto(cards: WriteStore<"cards">, deckId: number, now: number, usn: number): Promise<number> {
  const inDeck = await cards.index("deckId").getAll(deckId);
  for (const card of inDeck) await cards.put(stamp(returnedHome(card), now, usn));
  return inDeck.length;
}

/**
 * The cards a filter may take, best first, as ids: each search's matches that are not suspended, buried or in
 * another filtered deck, in the search's order, up to its limit; the second search takes what the first left.
 */
async function candidatesFor(col: Collection, filter: DeckFilter): Promise<Outcome<number[]>> {
  const out: number[] = [];
  const taken = new Set<number>();
  for (const term of filter.terms) {
    const found = await searchIds(col, term.search);
    if (!found.ok) return refuse(`The filtered deck's search "${term.search}" is not valid: ${found.error}`);
    const store = col.db.transaction("cards").store;
    const cards = (await Promise.all(found.value.map((id) => store.get(id)))).filter(
      (c): c is Card =>
        // A card borrowed by another filtered deck stays there.
        c !== undefined && c.queue >= 0 && c.odid === 0 && !taken.has(c.id),
    );
    const ordered = await inOrder(col, cards, term.order);
    for (const card of ordered.slice(0, term.limit)) {
      taken.add(card.id);
      out.push(card.id);
    }
  }
  return done(out);
}

async function inOrder(col: Collection, cards: Card[], order: number): Promise<Card[]> {
  const today = dayNumber(col.clock.now(), await col.rolloverHour(), -new Date(col.clock.now()).getTimezoneOffset());
  const by = (key: (c: Card) => number) => [...cards].sort((a, b) => key(a) - key(b) || a.id - b.id);
  switch (order) {
    case 0: {
      // Oldest seen first: by the time of the card's latest answer; never answered first.
      const last = await answersOfCards(
        col.db.transaction("revlogBlocks").store,
        cards.map((c) => c.id),
        "last",
      );
      return by((c) => last.get(c.id) ?? 0);
    }
    case 1: {
      const shuffled = [...cards];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j] as Card, shuffled[i] as Card];
      }
      return shuffled;
    }
    case 2:
      return by((c) => c.ivl);
    case 3:
      return by((c) => -c.ivl);
    case 4:
      return by((c) => -c.lapses);
    case 5:
      return by((c) => c.noteId * 1000 + c.ord);
    case 6:
      return by((c) => c.type * 1e12 + c.due);
    case 7:
      return by((c) => -(c.noteId * 1000) + c.ord);
    default: {
      // Relative overdueness: reviews by how overdue they are for their interval, then everything else by due.
      const overdue = (c: Card) =>
        c.queue === CardQueue.Review && c.due <= today ? -(today - c.due + 1) / Math.max(1, c.ivl) : 1e9 + c.due;
      return by(overdue);
    }
  }
}

async function fill(cards: WriteStore<"cards">, deck: Deck, ids: number[], now: number, usn: number): Promise<number> {
  const filter = deck.filter as DeckFilter;
  let position = 0;
  for (const id of ids) {
    const card = await cards.get(id);
    // Read again inside the transaction: a card suspended or borrowed meanwhile is left alone.
    if (!card || card.queue < 0 || card.odid !== 0) continue;
    await cards.put(stamp(borrowed(card, deck.id, position++, filter.reschedule), now, usn));
  }
  return position;
}

/** What an answer does to a card in a filtered deck that only previews: shown again later, or sent home as it was. */
export function previewAnswer(card: Card, ease: Ease, nowMs: number): { card: Card; finished: boolean } {
  if (ease === 1 || ease === 2) {
    const delay = ease === 1 ? PREVIEW_AGAIN_SECONDS : PREVIEW_HARD_SECONDS;
    return { card: { ...card, queue: CardQueue.Learning, due: Math.floor(nowMs / 1000) + delay }, finished: false };
  }
  return { card: returnedHome(card), finished: true };
}

/** The answer buttons' labels for a card in a filtered deck that only previews. */
export function previewIntervals(): Record<Ease, string> {
  return { 1: "1m", 2: "10m", 3: "(end)", 4: "(end)" };
}
