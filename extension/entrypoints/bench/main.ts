// Exposes the collection's real code to `npm run bench`, which drives this page in Chromium. Built only when
// WXT_BENCH=1 (see wxt.config.ts).
import { browser } from "wxt/browser";
import { Collection } from "../../lib/collection/collection";
import { addDeck } from "../../lib/collection/decks";
import { addNotes, type NoteInput } from "../../lib/collection/notes";
import { type SearchOptions, search } from "../../lib/collection/search";

const WORDS =
  "apple river mountain cloud letter window garden silver orange candle forest bridge stone winter summer ocean pencil mirror castle engine planet rocket violin island desert thunder shadow lantern meadow harbor".split(
    " ",
  );

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function generate(profileId: string, count: number, batch = 1000) {
  const col = await Collection.open(profileId);
  const random = seeded(42);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
  const phrase = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  const types = await col.db.getAll("notetypes");
  const byName = (name: string) => types.find((t) => t.name === name)?.id ?? 0;
  const deckIds: number[] = [];
  for (let i = 0; i < 20; i++) {
    const deck = await addDeck(col, `Subject ${i % 5}::Topic ${i}`);
    if (deck.ok) deckIds.push(deck.value.id);
  }
  const tags = Array.from({ length: 50 }, (_, i) => `tag${i}`);
  const start = performance.now();
  let cards = 0;
  for (let done = 0; done < count; done += batch) {
    const inputs: NoteInput[] = [];
    for (let i = done; i < Math.min(count, done + batch); i++) {
      const roll = random();
      const deckId = pick(deckIds);
      const tagText = `${pick(tags)} ${pick(tags)}`;
      if (roll < 0.5) {
        inputs.push({
          noteTypeId: byName("Basic (and reversed card)"),
          deckId,
          fields: [`${phrase(3)} ${i}`, phrase(6)],
          tags: tagText,
        });
      } else if (roll < 0.75) {
        const text = `The {{c1::${pick(WORDS)}}} near the {{c2::${pick(WORDS)}}} and {{c3::${pick(WORDS)}}} ${i}`;
        inputs.push({ noteTypeId: byName("Cloze"), deckId, fields: [text, phrase(4)], tags: tagText });
      } else {
        inputs.push({
          noteTypeId: byName("Basic"),
          deckId,
          fields: [`${phrase(4)} ${i}`, `<b>${phrase(5)}</b>`],
          tags: tagText,
        });
      }
    }
    const result = await addNotes(col, inputs);
    if (result.refused.length) throw new Error(result.refused[0]?.error);
    cards += result.added.length;
  }
  const ms = performance.now() - start;
  const counts = { notes: await col.db.count("notes"), cards: await col.db.count("cards") };
  col.close();
  return { ms, ...counts, added: cards };
}

async function timeSearch(profileId: string, query: string, options: SearchOptions, runs: number) {
  const col = await Collection.open(profileId);
  const times: number[] = [];
  let total: number | null = null;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = await search(col, query, options);
    times.push(performance.now() - start);
    if (!result.ok) throw new Error(result.error);
    total = result.value.total;
  }
  col.close();
  return { times, total };
}

async function setActiveProfile(id: string) {
  await browser.storage.local.set({ profiles: { profiles: [{ id, name: id }], active: id } });
}

Object.assign(globalThis, { bench: { generate, timeSearch, setActiveProfile } });
