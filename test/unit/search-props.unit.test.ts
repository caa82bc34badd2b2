// Anki's prop: and nc: searches, and a sentence for Anki's searches this extension does not support (they used to
// match nothing, so that "prop:ivl>5" said "Nothing matches." in a collection full of such cards).
import { beforeAll, describe, expect, it } from "vitest";
import type { Collection } from "../../extension/lib/collection/collection";
import { addNote } from "../../extension/lib/collection/notes";
import { search } from "../../extension/lib/collection/search";
import { dayNumber } from "../../shared/days";
import { CardQueue, CardType } from "../../shared/model";
import { type FakeClock, freshCollection, noteTypeByName } from "./factories";

let col: Collection;
let clock: FakeClock;

async function fronts(query: string): Promise<string[]> {
  const result = await search(col, query, { limit: 100 });
  if (!result.ok) throw new Error(result.error);
  return result.value.rows.map((row) => row.sortField).sort();
}

beforeAll(async () => {
  ({ col, clock } = await freshCollection());
  const basic = await noteTypeByName(col, "Basic");
  const today = dayNumber(clock.time, 4, -new Date(clock.time).getTimezoneOffset());
  const seconds = Math.floor(clock.time / 1000);
  const cards = {
    steady: {
      type: CardType.Review,
      queue: CardQueue.Review,
      due: today + 2,
      ivl: 12,
      factor: 2500,
      reps: 6,
      data: JSON.stringify({ s: 20, d: 4, lrt: seconds - 10 * 86_400 }),
    },
    shaky: { type: CardType.Review, queue: CardQueue.Review, due: today - 1, ivl: 3, factor: 1300, reps: 9, lapses: 3 },
    fresh: { type: CardType.New, queue: CardQueue.New, due: 1, ivl: 0, factor: 0, reps: 0 },
    learning: { type: CardType.Learning, queue: CardQueue.Learning, due: seconds + 600, ivl: 0, factor: 2500, reps: 1 },
  };
  for (const [front, state] of Object.entries(cards)) {
    clock.advance(1000);
    const added = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: [front, ""], tags: "" });
    if (!added.ok) throw new Error(added.error);
    const [card] = await col.db.getAllFromIndex("cards", "noteId", added.value.id);
    if (!card) throw new Error("no card");
    await col.db.put("cards", { ...card, ...state });
  }
  clock.advance(1000);
  const accented = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["Über café", ""], tags: "" });
  if (!accented.ok) throw new Error(accented.error);
});

describe("prop:", () => {
  it("compares intervals, due days, reviews, lapses, ease and new positions as Anki does", async () => {
    expect(await fronts("prop:ivl>=10")).toEqual(["steady"]);
    expect(await fronts("prop:ivl<10")).toEqual(["learning", "shaky"]);
    expect(await fronts("prop:due=2")).toEqual(["steady"]);
    expect(await fronts("prop:due=-1")).toEqual(["shaky"]);
    expect(await fronts("prop:due>-1 prop:due<1")).toEqual(["learning"]);
    expect(await fronts("prop:reps>5")).toEqual(["shaky", "steady"]);
    expect(await fronts("prop:lapses>=3")).toEqual(["shaky"]);
    expect(await fronts("prop:ease!=2.5")).toEqual(["shaky"]);
    expect(await fronts("prop:ease=1.3")).toEqual(["shaky"]);
    expect(await fronts("prop:pos<=1")).toEqual(["fresh"]);
  });

  it("compares FSRS's stability, difficulty and retrievability of cards that have a memory state", async () => {
    expect(await fronts("prop:s>10")).toEqual(["steady"]);
    expect(await fronts("prop:d>0.3")).toEqual(["steady"]);
    expect(await fronts("prop:d<0.3")).toEqual([]);
    // Ten days after a review with a stability of 20 days, recall is likely but not certain.
    expect(await fronts("prop:r<0.99 prop:r>0.8")).toEqual(["steady"]);
  });

  it("says in words what is wrong with a property it does not know or a value that is not a number", async () => {
    for (const query of ["prop:foo>1", "prop:ivl>x", "prop:ivl", "prop:ivl=>3"]) {
      const result = await search(col, query);
      expect(result.ok, query).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/prop:.*not understood.*prop:ivl>=10/);
    }
  });
});

describe("nc: and searches Anki has that this extension does not", () => {
  it("nc: matches text whatever its accents", async () => {
    expect(await fronts("nc:uber")).toEqual(["Über café"]);
    expect(await fronts("nc:cafe")).toEqual(["Über café"]);
    expect(await fronts("uber")).toEqual([]);
  });

  it("a search key of Anki's that is not supported says so, rather than matching nothing", async () => {
    for (const query of ["dupe:1,abc", "re:(a|b)", "preset:Default", "introduced:3"]) {
      const result = await search(col, query);
      expect(result.ok, query).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/is not supported here yet/);
    }
  });
});
