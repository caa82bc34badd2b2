// What to study next in a deck, as Anki's scheduler chooses it: learning cards when they are due, then reviews
// and new cards mixed, within each deck's daily limits (sub-decks included); learning cards a little ahead when
// nothing else is left; and when the deck is done, when its next card comes. Cards are read from the
// deck/queue/due index one at a time, never the whole deck.
import { dayNumber, dayStart } from "../../../shared/days";
import { isSelfOrDescendant } from "../../../shared/deck-names";
import { type Card, CardQueue, type CollectionMeta, type Deck } from "../../../shared/model";
import { naturalQueue } from "./cards";
import type { Collection } from "./collection";
import { pendingUsnOf } from "./pending";
import { type DeckCounts, deckCounts, LEARN_AHEAD_SECONDS } from "./queue";
import type { CollectionDb } from "./schema";

export type CardKind = "new" | "learning" | "review";

export interface StudyCounts {
  newCount: number;
  learnCount: number;
  reviewCount: number;
}

export type NextCard =
  | { card: Card; kind: CardKind; counts: StudyCounts }
  | {
      card: null;
      kind: null;
      counts: StudyCounts;
      /** When the deck's next card is due (ms): a learning card later today, or the next day with reviews. */
      nextDue: number | null;
    };

export interface QueueOptions {
  rolloverHour?: number;
  /** Cards answered in this session so far: new cards are spread evenly among the reviews by it. */
  position?: number;
}

/** The next card to study in a deck (with its sub-decks), or when the next one will be due. */
export async function nextCard(col: Collection, deckId: number, options: QueueOptions = {}): Promise<NextCard> {
  const rolloverHour = options.rolloverHour ?? (await col.rolloverHour());
  const now = col.clock.now();
  const utcOffset = -new Date(now).getTimezoneOffset();
  const today = dayNumber(now, rolloverHour, utcOffset);
  const nowSeconds = Math.floor(now / 1000);
  const decks = await col.db.getAll("decks");
  const root = decks.find((d) => d.id === deckId);
  if (!root) return { card: null, kind: null, counts: { newCount: 0, learnCount: 0, reviewCount: 0 }, nextDue: null };
  const tree = decks.filter((d) => isSelfOrDescendant(d.name, root.name));
  // The counts and each deck's first card of every queue, asked for at once.
  const [rows, firsts] = await Promise.all([
    deckCounts(col, rolloverHour, root.name),
    firstCards(col.db, tree, today, nowSeconds + LEARN_AHEAD_SECONDS),
  ]);
  const byId = new Map(rows.map((row) => [row.deck.id, row]));
  const top = byId.get(root.id);
  const counts = {
    newCount: top?.newCount ?? 0,
    learnCount: top?.learnCount ?? 0,
    reviewCount: top?.reviewCount ?? 0,
  };
  // A card of a sub-deck may be shown only while that deck and every deck above it up to the chosen one have
  // some of the day's limit left.
  const open = (key: "newCount" | "reviewCount") => (card: Card) => {
    const deck = tree.find((d) => d.id === card.deckId);
    return deck !== undefined && pathTo(deck, root, tree).every((d) => (byId.get(d.id)?.[key] ?? 0) > 0);
  };
  const pick = (queue: keyof DeckFirsts, allowed: (card: Card) => boolean = () => true) =>
    earliest(firsts.map((f) => f[queue]).filter((c): c is Card => c !== undefined && allowed(c)));

  const learning = pick("learning");
  if (learning && learning.due <= nowSeconds) return { card: learning, kind: "learning", counts };

  const dayLearning = pick("dayLearning");
  const review = dayLearning ?? pick("review", open("reviewCount"));
  const fresh = counts.newCount > 0 ? pick("fresh", open("newCount")) : null;
  if (review && fresh) {
    // New cards spread evenly among the reviews, as Anki's "mix with reviews" does.
    const pending = counts.reviewCount + (dayLearning ? 1 : 0);
    const every = Math.max(1, Math.floor((pending + counts.newCount) / counts.newCount));
    const showNew = (options.position ?? 0) % every === every - 1;
    return showNew ? { card: fresh, kind: "new", counts } : { card: review, kind: reviewKind(review), counts };
  }
  if (review) return { card: review, kind: reviewKind(review), counts };
  if (fresh) return { card: fresh, kind: "new", counts };
  // Nothing else today: a learning card due within the learn-ahead limit is shown rather than waiting.
  if (learning) return { card: learning, kind: "learning", counts };
  return { card: null, kind: null, counts, nextDue: await nextDueMoment(col.db, tree, today, rolloverHour, utcOffset) };
}

interface DeckFirsts {
  learning?: Card;
  dayLearning?: Card;
  review?: Card;
  fresh?: Card;
}

/** Each deck's first card in each queue: learning up to the learn-ahead limit, day-learning and reviews due today. */
async function firstCards(db: CollectionDb, decks: Deck[], today: number, learnUpTo: number): Promise<DeckFirsts[]> {
  const index = db.transaction("cards").store.index("deckQueueDue");
  const first = (deck: Deck, queue: number, upTo: number) =>
    index.get(IDBKeyRange.bound([deck.id, queue, -Infinity], [deck.id, queue, upTo]));
  return Promise.all(
    decks.map(async (deck) => {
      const [learning, dayLearning, review, fresh] = await Promise.all([
        first(deck, CardQueue.Learning, learnUpTo),
        first(deck, CardQueue.DayLearning, today),
        first(deck, CardQueue.Review, today),
        first(deck, CardQueue.New, Infinity),
      ]);
      return { learning, dayLearning, review, fresh };
    }),
  );
}

/** The card due first (lowest due, then lowest id), or null. */
function earliest(cards: Card[]): Card | null {
  let best: Card | null = null;
  for (const card of cards) {
    if (!best || card.due < best.due || (card.due === best.due && card.id < best.id)) best = card;
  }
  return best;
}

function reviewKind(card: Card): CardKind {
  return card.queue === CardQueue.DayLearning ? "learning" : "review";
}

/** The decks from `root` down to `deck`, both included. */
function pathTo(deck: Deck, root: Deck, tree: Deck[]): Deck[] {
  return tree.filter((d) => isSelfOrDescendant(deck.name, d.name) && isSelfOrDescendant(d.name, root.name));
}

/** The card due first (lowest due, then lowest id) in a queue across decks, up to `upTo`, or null. */
async function firstDue(db: CollectionDb, decks: Deck[], queue: number, upTo: number): Promise<Card | null> {
  const index = db.transaction("cards").store.index("deckQueueDue");
  const firsts = await Promise.all(
    decks.map((deck) => index.get(IDBKeyRange.bound([deck.id, queue, -Infinity], [deck.id, queue, upTo]))),
  );
  return earliest(firsts.filter((c): c is Card => c !== undefined));
}

/** The moment the deck's next card is due after today's: the next learning step, or the next day with reviews. */
async function nextDueMoment(
  db: CollectionDb,
  tree: Deck[],
  today: number,
  rolloverHour: number,
  utcOffset: number,
): Promise<number | null> {
  const learning = await firstDue(db, tree, CardQueue.Learning, Infinity);
  if (learning) return learning.due * 1000;
  const index = db.transaction("cards").store.index("deckQueueDue");
  let day = Infinity;
  for (const queue of [CardQueue.Review, CardQueue.DayLearning]) {
    const firsts = await Promise.all(
      tree.map((deck) => index.get(IDBKeyRange.bound([deck.id, queue, today + 1], [deck.id, queue, Infinity]))),
    );
    for (const card of firsts) if (card) day = Math.min(day, card.due);
  }
  // A deck with new cards left but no limit left today has more tomorrow.
  const hasNew = await firstDue(db, tree, CardQueue.New, Infinity);
  if (hasNew) day = Math.min(day, today + 1);
  return Number.isFinite(day) ? dayStart(day, rolloverHour, utcOffset) : null;
}

/**
 * Buried cards come back when a new day begins, as in Anki. Runs once per day per collection (the day last done
 * is kept in the collection's meta, which does not sync: each device unburies its own way).
 */
export async function unburyOnNewDay(col: Collection, hour?: number): Promise<number> {
  const rolloverHour = hour ?? (await col.rolloverHour());
  const now = col.clock.now();
  const today = dayNumber(now, rolloverHour, -new Date(now).getTimezoneOffset());
  const meta = await col.meta();
  if ((meta.lastUnburied ?? -1) >= today) return 0;
  const decks = await col.db.getAll("decks");
  const tx = col.db.transaction(["cards", "meta"], "readwrite");
  const current = (await tx.objectStore("meta").get("collection")) as CollectionMeta;
  const usn = pendingUsnOf(current);
  const index = tx.objectStore("cards").index("deckQueueDue");
  let count = 0;
  for (const deck of decks) {
    const range = IDBKeyRange.bound(
      [deck.id, CardQueue.SchedBuried, -Infinity],
      [deck.id, CardQueue.UserBuried, Infinity],
    );
    for (const card of await index.getAll(range)) {
      await tx.objectStore("cards").put({ ...card, queue: naturalQueue(card), mtime: now, usn });
      count++;
    }
  }
  await tx.objectStore("meta").put({ ...current, lastUnburied: today }, "collection");
  await tx.done;
  return count;
}

export type { DeckCounts };
