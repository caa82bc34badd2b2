// Every kind of card Anki allows, in every queue it can be in, through Browse (every column, every sort, every
// search operator) and study (the card, the deck's queue and the answer buttons), with no exception: a suspended
// learning card once made Browse show "Nothing matches." for the whole collection (its due, a time in seconds,
// was read as a day number).
import { beforeAll, describe, expect, it } from "vitest";
import { renderCard } from "../../extension/lib/collection/card-view";
import type { Collection } from "../../extension/lib/collection/collection";
import { addDeck } from "../../extension/lib/collection/decks";
import { addNote } from "../../extension/lib/collection/notes";
import { type SortColumn, search } from "../../extension/lib/collection/search";
import { answerLabels } from "../../extension/lib/collection/study";
import { nextCard } from "../../extension/lib/collection/study-queue";
import { dayNumber } from "../../shared/days";
import { type Card, CardQueue, CardType } from "../../shared/model";
import { type FakeClock, freshCollection, noteTypeByName } from "./factories";

interface State {
  name: string;
  type: number;
  queue: number;
  due: (now: { seconds: number; today: number }) => number;
  ivl: number;
}

/** The kinds of card, as they stand in their queue. */
const STATES: State[] = [
  { name: "new", type: CardType.New, queue: CardQueue.New, due: () => 7, ivl: 0 },
  { name: "learning", type: CardType.Learning, queue: CardQueue.Learning, due: (n) => n.seconds + 600, ivl: 0 },
  { name: "review", type: CardType.Review, queue: CardQueue.Review, due: (n) => n.today + 3, ivl: 12 },
  { name: "relearning", type: CardType.Relearning, queue: CardQueue.Learning, due: (n) => n.seconds + 60, ivl: 4 },
  { name: "day-learning", type: CardType.Learning, queue: CardQueue.DayLearning, due: (n) => n.today, ivl: 0 },
  { name: "day-relearning", type: CardType.Relearning, queue: CardQueue.DayLearning, due: (n) => n.today + 1, ivl: 2 },
  // Anki stores a learning card's interval as minus the seconds of its step.
  {
    name: "imported learning",
    type: CardType.Learning,
    queue: CardQueue.Learning,
    due: (n) => n.seconds - 30,
    ivl: -600,
  },
];
/** What may be laid over a state: nothing, suspended, and both kinds of buried. */
const OVERLAYS = [null, CardQueue.Suspended, CardQueue.UserBuried, CardQueue.SchedBuried] as const;

const SORTS: SortColumn[] = [
  "sortField",
  "created",
  "modified",
  "due",
  "deck",
  "noteType",
  "template",
  "interval",
  "ease",
  "reps",
  "lapses",
];

/** Every operator of the search syntax, alone and combined. */
const QUERIES = [
  "",
  "is:new",
  "is:learn",
  "is:review",
  "is:due",
  "is:suspended",
  "is:buried",
  "-is:suspended",
  "is:due OR is:new",
  "deck:Home",
  "deck:Filtered",
  "deck:*",
  "tag:state",
  "note:Basic",
  "card:1",
  "flag:0",
  "added:1",
  "rated:1",
  "front:card*",
  "card",
  "nid:1",
  "cid:1",
  "prop:ivl>5",
  "prop:due<3",
  "prop:due>-2 prop:due<2",
  "prop:pos<10",
  "prop:ease!=2.5",
  "prop:r<0.9",
  "prop:s>1 OR prop:d<0.5",
  "nc:card",
];

let col: Collection;
let clock: FakeClock;
const cards: Card[] = [];
let home = 0;
let filtered = 0;

beforeAll(async () => {
  ({ col, clock } = await freshCollection());
  const basic = await noteTypeByName(col, "Basic");
  const homeDeck = await addDeck(col, "Home");
  if (!homeDeck.ok) throw new Error(homeDeck.error);
  home = homeDeck.value.id;
  const now = {
    seconds: Math.floor(clock.time / 1000),
    today: dayNumber(clock.time, 4, -new Date(clock.time).getTimezoneOffset()),
  };
  let n = 0;
  for (const state of STATES) {
    for (const overlay of OVERLAYS) {
      for (const borrowed of [false, true]) {
        n += 1;
        clock.advance(1000);
        const added = await addNote(col, {
          noteTypeId: basic.id,
          deckId: home,
          fields: [`card ${state.name} ${overlay ?? "as is"}${borrowed ? " borrowed" : ""}`, "back"],
          tags: "state",
        });
        if (!added.ok) throw new Error(added.error);
        const [card] = await col.db.getAllFromIndex("cards", "noteId", added.value.id);
        if (!card) throw new Error("no card");
        const due = state.due(now);
        // A filtered deck holds a new or review card at a place of its own (below zero), a learning one at its time.
        const keepsDue = state.queue === CardQueue.Learning;
        const updated: Card = {
          ...card,
          type: state.type,
          queue: overlay ?? state.queue,
          due: borrowed && !keepsDue ? -100_000 + n : due,
          odue: borrowed && !keepsDue ? due : 0,
          odid: borrowed ? home : 0,
          ivl: state.ivl,
          factor: state.type === CardType.New ? 0 : 2500,
          reps: state.type === CardType.New ? 0 : 3,
          lapses: state.type === CardType.Relearning ? 1 : 0,
          left: state.type === CardType.Learning || state.type === CardType.Relearning ? 1 : 0,
        };
        cards.push(updated);
      }
    }
  }
  clock.advance(1000);
  const filteredDeck = await addDeck(col, "Filtered");
  if (!filteredDeck.ok) throw new Error(filteredDeck.error);
  filtered = filteredDeck.value.id;
  await col.db.put("decks", {
    ...filteredDeck.value,
    filter: { terms: [{ search: "tag:state", limit: 100, order: 0 }], reschedule: true },
  });
  for (const card of cards) await col.db.put("cards", card.odid ? { ...card, deckId: filtered } : card);
});

describe("every kind of card in every queue", () => {
  it("is listed by Browse in both modes, sorted by every column both ways, with a due that reads", async () => {
    for (const mode of ["cards", "notes"] as const) {
      for (const sort of SORTS) {
        for (const descending of [false, true]) {
          const result = await search(col, "", { mode, sort, descending, limit: 1_000 });
          if (!result.ok) throw new Error(`${mode} by ${sort}: ${result.error}`);
          expect(result.value.rows).toHaveLength(cards.length);
          for (const row of result.value.rows) {
            expect(row.due, `${mode} by ${sort}`).not.toMatch(/Invalid|NaN|undefined/);
            expect(Number.isFinite(row.created) && Number.isFinite(row.modified)).toBe(true);
          }
        }
      }
    }
  });

  it("shows its due as Anki does: a position, a time or a day, in parentheses while suspended or buried", async () => {
    const result = await search(col, "", { sort: "due", limit: 1_000 });
    if (!result.ok) throw new Error(result.error);
    for (const row of result.value.rows) {
      const card = cards.find((c) => c.id === row.cardId) as Card;
      const shape =
        card.type === CardType.New
          ? /^New #\d+$/
          : card.queue === CardQueue.Learning ||
              (card.queue < 0 && card.due > 1e9) ||
              (card.odue === 0 && card.due > 1e9)
            ? /\d/
            : /^\d{4}-\d{2}-\d{2}$/;
      const text = card.queue < 0 ? row.due.replace(/^\((.*)\)$/, "$1") : row.due;
      if (card.queue < 0) expect(row.due).toMatch(/^\(.*\)$/);
      expect(text, JSON.stringify(card)).toMatch(shape);
    }
  });

  it("answers every search operator, alone and combined, or says in words what it cannot do", async () => {
    for (const query of QUERIES) {
      for (const mode of ["cards", "notes"] as const) {
        const result = await search(col, query, { mode, sort: "due", limit: 1_000 });
        if (!result.ok) expect(result.error, query).toMatch(/\w+ \w+/);
        else for (const row of result.value.rows) expect(row.due, query).not.toMatch(/Invalid|NaN/);
      }
    }
    const suspended = await search(col, "is:suspended", { limit: 1_000 });
    if (!suspended.ok) throw new Error(suspended.error);
    expect(suspended.value.rows.every((row) => row.queue === CardQueue.Suspended)).toBe(true);
    expect(suspended.value.rows).toHaveLength(cards.filter((c) => c.queue === CardQueue.Suspended).length);
  });

  it("is shown in study: the card renders, the decks' queues build, and the answer buttons have labels", async () => {
    for (const deckId of [home, filtered]) {
      const next = await nextCard(col, deckId);
      expect(next.counts.newCount + next.counts.learnCount + next.counts.reviewCount).toBeGreaterThan(0);
    }
    for (const card of cards) {
      const view = await renderCard(col, card);
      expect("error" in view ? view.error : "").toBe("");
      const labels = await answerLabels(col, card);
      for (const ease of [1, 2, 3, 4] as const)
        expect(labels[ease], JSON.stringify(card)).toMatch(/^\d+(\.\d)?(s|m|h|d|mo|y)$/);
    }
  });
});
