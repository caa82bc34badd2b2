// Exposes the collection's real code to `npm run bench`, which drives this page in Chromium. Built only when
// WXT_BENCH=1 (see wxt.config.ts).
import { browser } from "wxt/browser";
import type { RevlogEntry } from "../../../shared/model";
import { Collection } from "../../lib/collection/collection";
import { addDeck } from "../../lib/collection/decks";
import { addNotes, type NoteInput } from "../../lib/collection/notes";
import { pendingUsnOf } from "../../lib/collection/pending";
import { RevlogRows, toBlocks } from "../../lib/collection/revlog";
import { type SearchOptions, search } from "../../lib/collection/search";
import { RelayClient } from "../../lib/relay-client";
import { backupCollection, discardBackups, listBackups, restoreBackup } from "../../lib/sync/backup";
import { fullDownload, fullMerge, fullUpload, type SyncOutcome, sync } from "../../lib/sync/engine";
import { idbBench } from "./idb";
import { mediaBench } from "./media";
import { packagesBench } from "./packages";
import { studyBench } from "./study";

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

/** A fetch that counts requests and bytes each way, and notes the largest request body. */
function countingFetch() {
  const stats = { requests: 0, sent: 0, received: 0, largestBody: 0, relayMs: 0, slowestMs: 0, slowest: "" };
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = typeof init?.body === "string" ? init.body.length : 0;
    stats.requests++;
    stats.sent += body;
    stats.largestBody = Math.max(stats.largestBody, body);
    const start = performance.now();
    const response = await fetch(input, init);
    const text = await response.text();
    const ms = performance.now() - start;
    stats.relayMs += ms;
    if (ms > stats.slowestMs) {
      stats.slowestMs = ms;
      stats.slowest = `${init?.method ?? "GET"} ${new URL(String(input)).pathname.replace(/\/[A-Za-z0-9_-]{20,}\//, "/…/")}`;
    }
    stats.received += text.length;
    return new Response(text, { status: response.status, headers: response.headers });
  };
  return { stats, impl: impl as typeof fetch };
}

/** Runs work while sampling the JS heap every 50 ms; returns its outcome, wall time and peak heap. */
async function measured<T>(work: () => Promise<T>) {
  const memory = () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
  const before = memory();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, memory());
  }, 50);
  const start = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - start, peakMiB: peak / 2 ** 20, beforeMiB: before / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Adds `count` review-log rows spread over the collection's cards, as years of study would leave. */
async function addHistory(profileId: string, count: number) {
  const col = await Collection.open(profileId);
  const cardIds = await col.db.getAllKeys("cards");
  let id = Date.UTC(2020, 0, 1);
  const rows: RevlogEntry[] = [];
  for (let i = 0; i < count; i++) {
    id += 1 + (i % 7) * 1000;
    rows.push({
      id,
      cardId: cardIds[i % cardIds.length] ?? 0,
      usn: -1,
      ease: 1 + (i % 4),
      ivl: i % 30,
      lastIvl: i % 20,
      factor: 2500,
      time: 4000 + (i % 9000),
      type: 1,
    });
  }
  const tx = col.db.transaction("revlogBlocks", "readwrite");
  for (const block of toBlocks(rows)) void tx.store.put(block);
  await tx.done;
  col.close();
}

async function benchSync(relayUrl: string, profileA: string, profileB: string) {
  const signUp = await new RelayClient(relayUrl).signUp(`bench${Date.now().toString(36)}`, "benchmark password");
  if (!signUp.ok) throw new Error(signUp.error);
  const token = signUp.value.token;
  const a = await Collection.open(profileA);
  const b = await Collection.open(profileB);
  const report: Record<string, unknown> = {};
  const run = async (name: string, work: (client: RelayClient) => Promise<SyncOutcome>) => {
    const counter = countingFetch();
    const client = new RelayClient(relayUrl, token, counter.impl);
    const result = await measured(() => work(client));
    if (result.value.kind === "failed") throw new Error(`${name}: ${result.value.error}`);
    report[name] = {
      ...counter.stats,
      ms: result.ms,
      peakMiB: result.peakMiB,
      beforeMiB: result.beforeMiB,
      outcome: result.value.kind,
    };
  };
  await run("full upload", (client) => fullUpload(a, client));
  await run("full download", (client) => fullDownload(b, client));
  await run("nothing to sync", (client) => sync(a, client));
  // A day of study: 1,000 answers and 100 note edits.
  const cards = await a.db.getAll("cards", null, 1000);
  const now = Date.now();
  // Changes of the collection's pending generation, which the full upload moved on.
  const usn = pendingUsnOf(await a.meta());
  const tx = a.db.transaction(["cards", "revlogBlocks"], "readwrite");
  const revlog = new RevlogRows(tx.objectStore("revlogBlocks"));
  cards.forEach((card, i) => {
    void tx.objectStore("cards").put({ ...card, type: 2, queue: 2, ivl: 3, reps: card.reps + 1, mtime: now + i, usn });
    void revlog.put({
      id: now + i,
      cardId: card.id,
      usn,
      ease: 3,
      ivl: 3,
      lastIvl: 0,
      factor: 2500,
      time: 6000,
      type: 0,
    });
  });
  await revlog.flush();
  await tx.done;
  const notes = await a.db.getAll("notes", null, 100);
  const ntx = a.db.transaction("notes", "readwrite");
  for (const note of notes)
    void ntx.store.put({ ...note, fields: note.fields.map((f) => `${f} (edited)`), mtime: now + 5000, usn });
  await ntx.done;
  await run("1,000 reviews and 100 note edits", (client) => sync(a, client));
  await run("the other device pulls them", (client) => sync(b, client));
  // Once more, now that the stores are no longer busy with the full download's writes.
  await run("nothing to sync, a day later", (client) => sync(a, client));
  // The one-way choice "Merge" over two full collections: every record pulled and compared, then all pushed.
  await run("Merge, both holding everything", (client) => fullMerge(b, client));
  // An upload as it usually happens, after a change that cannot be merged on a synced device: nothing is pending.
  // It costs what the first upload above did, where every record was pending: an upload writes no record.
  await run("full upload of a synced collection", (client) => fullUpload(b, client));
  // Download chosen on a device that holds a large collection already: it is backed up while the pages arrive, then
  // replaced.
  await run("full download over a collection", (client) => fullDownload(a, client));
  // Restore, from the manager, of the backup that download took: a backup of the current collection first, then the
  // whole collection written back in one transaction. No request.
  const [taken] = await listBackups(a.profileId);
  if (!taken) throw new Error("the download took no backup");
  await run("restore the backup it took", async () => {
    await restoreBackup(a, taken.id);
    return { kind: "none" };
  });
  // What a backup of the whole collection costs by itself (the two above take one each).
  let alone = "";
  await run("back up the collection alone", async () => {
    alone = await backupCollection(a, "download", { prune: false });
    return { kind: "none" };
  });
  await discardBackups([alone]);
  a.close();
  b.close();
  return report;
}

async function setActiveProfile(id: string) {
  await browser.storage.local.set({ profiles: { profiles: [{ id, name: id }], active: id } });
}

Object.assign(globalThis, {
  bench: {
    generate,
    timeSearch,
    setActiveProfile,
    addHistory,
    benchSync,
    ...packagesBench,
    ...mediaBench,
    ...idbBench,
    ...studyBench,
  },
});
