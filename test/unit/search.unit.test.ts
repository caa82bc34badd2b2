import { beforeAll, describe, expect, it } from "vitest";
import { setFlag, setSuspended } from "../../extension/lib/collection/cards";
import type { Collection } from "../../extension/lib/collection/collection";
import { addDeck } from "../../extension/lib/collection/decks";
import { addNote } from "../../extension/lib/collection/notes";
import { writeRevlog } from "../../extension/lib/collection/revlog";
import { search } from "../../extension/lib/collection/search";
import { dayNumber } from "../../shared/days";
import { CardQueue, CardType } from "../../shared/model";
import { type FakeClock, freshCollection, noteTypeByName } from "./factories";

let col: Collection;
let clock: FakeClock;
const ids: Record<string, number> = {};

beforeAll(async () => {
  ({ col, clock } = await freshCollection());
  const basic = await noteTypeByName(col, "Basic");
  const reversed = await noteTypeByName(col, "Basic (and reversed card)");
  const cloze = await noteTypeByName(col, "Cloze");
  const spanish = await addDeck(col, "Languages::Spanish");
  const french = await addDeck(col, "Languages::French");
  if (!spanish.ok || !french.ok) throw new Error();
  const add = async (key: string, noteTypeId: number, deckId: number, fields: string[], tags: string) => {
    clock.advance(1000);
    const r = await addNote(col, { noteTypeId, deckId, fields, tags });
    if (!r.ok) throw new Error(r.error);
    ids[key] = r.value.id;
  };
  await add("perro", basic.id, spanish.value.id, ["el perro", "the <b>dog</b>"], "animal vocab::nouns");
  await add("gato", reversed.id, spanish.value.id, ["el gato", "the cat"], "animal");
  await add("chien", basic.id, french.value.id, ["le chien", "the dog"], "");
  await add("capital", cloze.id, 1, ["{{c1::Paris}} is in {{c2::France}}", ""], "geo");
  const chienCard = (await col.db.getAllFromIndex("cards", "noteId", ids.chien ?? 0))[0];
  if (!chienCard) throw new Error();
  await setSuspended(col, [chienCard.id], true);
  await setFlag(col, [chienCard.id], 2);
  // Make the perro card a review card due today, answered today.
  const perroCard = (await col.db.getAllFromIndex("cards", "noteId", ids.perro ?? 0))[0];
  if (!perroCard) throw new Error();
  const today = dayNumber(clock.time, 4, -new Date(clock.time).getTimezoneOffset());
  await col.db.put("cards", {
    ...perroCard,
    type: CardType.Review,
    queue: CardQueue.Review,
    due: today,
    ivl: 3,
    factor: 2500,
    reps: 2,
  });
  await writeRevlog(col.db, [
    {
      id: clock.time - 1000,
      cardId: perroCard.id,
      usn: -1,
      ease: 3,
      ivl: 3,
      lastIvl: 1,
      factor: 2500,
      time: 4000,
      type: 1,
    },
  ]);
});

async function noteIdsFor(query: string): Promise<string[]> {
  const result = await search(col, query, { mode: "notes", limit: 100 });
  if (!result.ok) throw new Error(result.error);
  const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
  return result.value.rows.map((r) => byId.get(r.noteId) ?? "?").sort();
}

describe("searching the collection", () => {
  it.each([
    ["", ["capital", "chien", "gato", "perro"]],
    ["dog", ["chien", "perro"]],
    ['"the cat"', ["gato"]],
    ["-dog", ["capital", "gato"]],
    ["dog or cat", ["chien", "gato", "perro"]],
    ["d*g", ["chien", "perro"]],
    ["deck:Languages", ["chien", "gato", "perro"]],
    ["deck:languages::spanish", ["gato", "perro"]],
    ["deck:Default", ["capital"]],
    ["deck:Lang*", ["chien", "gato", "perro"]],
    ["tag:animal", ["gato", "perro"]],
    ["tag:vocab", ["perro"]],
    ["tag:none", ["chien"]],
    ["note:Cloze", ["capital"]],
    ["note:basic*", ["chien", "gato", "perro"]],
    ["card:2", ["capital", "gato"]],
    ["card:Card*", ["chien", "gato", "perro"]],
    ["front:le*", ["chien"]],
    ["front:chien", []],
    ["is:suspended", ["chien"]],
    ["is:new -is:suspended", ["capital", "gato"]],
    ["is:review", ["perro"]],
    ["is:due", ["perro"]],
    ["flag:2", ["chien"]],
    ["added:1", ["capital", "chien", "gato", "perro"]],
    ["rated:1", ["perro"]],
    ["(deck:Default or tag:animal) -card:2", ["capital", "gato", "perro"]],
  ])("%j finds %j", async (query, expected) => {
    expect(await noteIdsFor(query)).toEqual(expected);
  });

  it("lists cards in card mode: one row per card", async () => {
    const result = await search(col, "", { mode: "cards" });
    expect(result.ok && result.value.total).toBe(6);
  });

  it("pages and sorts", async () => {
    const first = await search(col, "", { mode: "cards", sort: "sortField", limit: 2 });
    const second = await search(col, "", { mode: "cards", sort: "sortField", limit: 2, offset: 2 });
    if (!first.ok || !second.ok) throw new Error();
    expect(first.value.total).toBe(6);
    expect(first.value.rows.map((r) => r.sortField)).toEqual(["el gato", "el gato"]);
    expect(second.value.rows.map((r) => r.sortField)).toEqual(["el perro", "le chien"]);
    const newest = await search(col, "", { mode: "notes", sort: "created", descending: true, limit: 1 });
    expect(newest.ok && newest.value.rows[0]?.noteId).toBe(ids.capital);
  });

  it("in creation order the first page can come before the count, forwards and backwards", async () => {
    const all = await search(col, "", { mode: "cards" });
    const quick = await search(col, "dog", { mode: "cards", countTotal: false, limit: 1 });
    const counted = await search(col, "dog", { mode: "cards", limit: 1, offset: 1 });
    const backwards = await search(col, "", { mode: "cards", descending: true, limit: 2 });
    if (!all.ok || !quick.ok || !counted.ok || !backwards.ok) throw new Error();
    expect(quick.value.total).toBeNull();
    expect(quick.value.rows.map((r) => r.noteId)).toEqual([ids.perro]);
    expect(counted.value.total).toBe(2);
    expect(counted.value.rows.map((r) => r.noteId)).toEqual([ids.chien]);
    const newestFirst = all.value.rows
      .map((r) => r.cardId)
      .reverse()
      .slice(0, 2);
    expect(backwards.value.rows.map((r) => r.cardId)).toEqual(newestFirst);
  });

  it("a broken search is refused in words", async () => {
    expect(await search(col, "deck:(")).toMatchObject({ ok: false });
    expect(await search(col, "is:nothing")).toEqual({
      ok: false,
      error: expect.stringMatching(/is:nothing is not known/),
    });
  });
});
