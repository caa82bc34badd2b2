// What is due today, per deck: new, learning and review counts under each deck's daily limits, as Anki's deck
// list shows them. Counts come from index ranges; no card is loaded.
import { dayNumber, dayStart } from "../../../shared/days";
import { isSelfOrDescendant } from "../../../shared/deck-names";
import { CardQueue, type Deck } from "../../../shared/model";
import type { Collection } from "./collection";
import { answersOfCards, revlogSince } from "./revlog";

/** Learning cards due within this many seconds count as due now, as in Anki. */
export const LEARN_AHEAD_SECONDS = 20 * 60;

/** More than a filtered deck can hold (its searches take at most 99,999 cards each). */
const FILTERED_LIMIT = 200_000;

export interface DeckCounts {
  deck: Deck;
  depth: number;
  newCount: number;
  learnCount: number;
  reviewCount: number;
}

/**
 * Every deck in name order with its due counts; a parent's counts include its sub-decks', within its own limits.
 * With `under`, only that deck and its sub-decks.
 */
export async function deckCounts(col: Collection, hour?: number, under?: string): Promise<DeckCounts[]> {
  const rolloverHour = hour ?? (await col.rolloverHour());
  const now = col.clock.now();
  const utcOffset = -new Date(now).getTimezoneOffset();
  const today = dayNumber(now, rolloverHour, utcOffset);
  const nowSeconds = Math.floor(now / 1000);
  const [allDecks, presets] = await Promise.all([col.db.getAll("decks"), col.db.getAll("deckconfigs")]);
  const decks = under === undefined ? allDecks : allDecks.filter((d) => isSelfOrDescendant(d.name, under));
  const presetOf = new Map(presets.map((p) => [p.id, p]));
  // What was studied today and the cards due are read at the same time.
  const studied = studiedToday(col, dayStart(today, rolloverHour, utcOffset));
  let done = new Map<number, { newDone: number; reviewDone: number }>();

  /** What a deck may still show today: its preset's daily limits less what was studied in it (and below) today. */
  const limitsOf = (deck: Deck) => {
    // A filtered deck's size is its limit: the cards it holds were chosen for today.
    if (deck.filter) return { newLimit: FILTERED_LIMIT, reviewLimit: FILTERED_LIMIT };
    const preset = presetOf.get(deck.configId) ?? presetOf.get(1);
    const doneHere = done.get(deck.id) ?? { newDone: 0, reviewDone: 0 };
    return {
      newLimit: Math.max(0, (preset?.newPerDay ?? 20) - doneHere.newDone),
      reviewLimit: Math.max(0, (preset?.reviewsPerDay ?? 200) - doneHere.reviewDone),
    };
  };
  const tx = col.db.transaction("cards");
  const index = tx.store.index("deckQueueDue");
  const own = new Map<number, { newCount: number; learnCount: number; reviewCount: number }>();
  await Promise.all(
    decks.map(async (deck) => {
      const range = (queue: number, upTo: number) =>
        IDBKeyRange.bound([deck.id, queue, -Infinity], [deck.id, queue, upTo]);
      // New and review cards are counted only up to the deck's daily limits: counting a range costs as much as
      // walking it, and a deck of 50,000 new cards shows 20 of them.
      const { newLimit, reviewLimit } = limitsOf(deck);
      const upTo = async (r: IDBKeyRange, cap: number) => (cap > 0 ? (await index.getAllKeys(r, cap)).length : 0);
      const [newCount, learnNow, learnDays, reviewCount] = await Promise.all([
        upTo(range(CardQueue.New, Infinity), newLimit),
        index.count(range(CardQueue.Learning, nowSeconds + LEARN_AHEAD_SECONDS)),
        index.count(range(CardQueue.DayLearning, today)),
        upTo(range(CardQueue.Review, today), reviewLimit),
      ]);
      own.set(deck.id, { newCount, learnCount: learnNow + learnDays, reviewCount });
    }),
  );
  done = await studied;

  const sorted = [...decks].sort((a, b) => a.name.localeCompare(b.name));
  const result = new Map<number, DeckCounts>();
  // Deepest decks first, so that a parent adds up its children's limited counts and then applies its own limit.
  for (const deck of [...sorted].sort((a, b) => depthOf(b) - depthOf(a))) {
    const children = sorted.filter(
      (d) => d.id !== deck.id && isSelfOrDescendant(d.name, deck.name) && depthOf(d) === depthOf(deck) + 1,
    );
    const mine = own.get(deck.id) ?? { newCount: 0, learnCount: 0, reviewCount: 0 };
    const sum = (key: "newCount" | "learnCount" | "reviewCount") =>
      mine[key] + children.reduce((total, child) => total + (result.get(child.id)?.[key] ?? 0), 0);
    const { newLimit, reviewLimit } = limitsOf(deck);
    result.set(deck.id, {
      deck,
      depth: depthOf(deck),
      newCount: Math.min(newLimit, sum("newCount")),
      learnCount: sum("learnCount"),
      reviewCount: Math.min(reviewLimit, sum("reviewCount")),
    });
  }
  return sorted.map((deck) => result.get(deck.id) as DeckCounts);
}

function depthOf(deck: Deck): number {
  return deck.name.split("::").length - 1;
}

/**
 * New cards introduced and reviews done since the day began, per deck and counted into every ancestor too, so
 * that a parent's limit covers its sub-decks.
 */
async function studiedToday(
  col: Collection,
  since: number,
): Promise<Map<number, { newDone: number; reviewDone: number }>> {
  const entries = await revlogSince(col.db.transaction("revlogBlocks").store, since);
  const out = new Map<number, { newDone: number; reviewDone: number }>();
  if (entries.length === 0) return out;
  const decks = await col.db.getAll("decks");
  const byName = new Map(decks.map((d) => [d.name, d]));
  const deckById = new Map(decks.map((d) => [d.id, d]));
  // One transaction answers every lookup at once: each answered card, and its first answer ever.
  const cardIds = [...new Set(entries.map((e) => e.cardId))];
  const tx = col.db.transaction(["cards", "revlogBlocks"]);
  const [cards, firsts] = await Promise.all([
    Promise.all(cardIds.map((id) => tx.objectStore("cards").get(id))),
    answersOfCards(tx.objectStore("revlogBlocks"), cardIds, "first"),
  ]);
  const deckOf = new Map(cardIds.map((id, i) => [id, cards[i]?.deckId]));
  const introducedToday = new Set(cardIds.filter((id) => (firsts.get(id) ?? 0) >= since));
  const seen = new Set<number>();
  for (const entry of entries) {
    const deck = deckById.get(deckOf.get(entry.cardId) ?? -1);
    if (!deck) continue;
    // A card whose first answer ever was today was a new card introduced today; count it once.
    // A learning-type answer that was the card's first ever introduced a new card; a review card without any
    // earlier history (an imported one) was not new.
    const isNew = entry.type === 0 && introducedToday.has(entry.cardId) && !seen.has(entry.cardId);
    seen.add(entry.cardId);
    const parts = deck.name.split("::");
    for (let i = parts.length; i > 0; i--) {
      const ancestor = byName.get(parts.slice(0, i).join("::"));
      if (!ancestor) continue;
      const counts = out.get(ancestor.id) ?? { newDone: 0, reviewDone: 0 };
      if (isNew) counts.newDone++;
      if (entry.type === 1) counts.reviewDone++;
      out.set(ancestor.id, counts);
    }
  }
  return out;
}
