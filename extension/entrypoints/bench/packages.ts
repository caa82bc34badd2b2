// The package benchmark's side in the page: a generated package of many notes and some media, imported into a
// fresh profile, imported again (nothing changes), and the collection exported again, each timed with its peak
// JS heap. Used by test/bench/packages.bench.ts.

import { writePackageVersion } from "../../../shared/anki/protobuf";
import { stockNoteTypes } from "../../../shared/stock-notetypes";
import { Collection } from "../../lib/collection/collection";
import { type AnkiExport, writeAnkiCollection } from "../../lib/packages/anki-write";
import { writeZip } from "../../lib/packages/archive";
import { collectionMedia } from "../../lib/packages/collection-media";
import { exportPackage } from "../../lib/packages/export";
import { importPackage } from "../../lib/packages/import";
import { countRecords } from "../../lib/sync/local";

const WORDS = "apple river mountain cloud letter window garden silver orange candle forest bridge stone winter".split(
  " ",
);

let stored: Uint8Array | null = null;

function heap(): number {
  return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
}

/** Runs work while sampling the JS heap every 20 ms and at every progress report; wall time and peak heap. */
async function measured<T>(work: (sample: () => void) => Promise<T>) {
  (globalThis as unknown as { gc?: () => void }).gc?.();
  const before = heap();
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, heap());
  };
  const timer = setInterval(sample, 20);
  const start = performance.now();
  try {
    const value = await work(sample);
    sample();
    return { value, ms: performance.now() - start, peakMiB: peak / 2 ** 20, beforeMiB: before / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Writes a package of `notes` notes (half Basic and reversed, a quarter Cloze, a quarter Basic), a review-log row
 * for every other card, and `mediaFiles` files of `mediaBytes` bytes each, referenced from the notes. */
async function makePackage(notes: number, mediaFiles: number, mediaBytes: number) {
  const result = await measured(async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
    const phrase = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
    const base = Date.UTC(2024, 0, 1);
    const types = stockNoteTypes(base, base).filter((t) =>
      ["Basic", "Basic (and reversed card)", "Cloze"].includes(t.name),
    );
    const [basic, reversed, cloze] = [types[0], types[1], types[2]].map((t) => t ?? types[0]) as [
      (typeof types)[0],
      (typeof types)[0],
      (typeof types)[0],
    ];
    const decks = Array.from({ length: 20 }, (_, i) => ({
      id: base + 100 + i,
      name: `Bench ${i % 5}::Topic ${i}`,
      configId: 1,
      description: "",
      collapsed: false,
      mtime: base,
      usn: 0,
    }));
    const parents = Array.from({ length: 5 }, (_, i) => ({
      ...decks[0],
      id: base + 200 + i,
      name: `Bench ${i}`,
    })) as typeof decks;
    const data: AnkiExport = {
      crt: Math.floor(base / 1000),
      created: base,
      noteTypes: types,
      decks: [
        { id: 1, name: "Default", configId: 1, description: "", collapsed: false, mtime: base, usn: 0 },
        ...parents,
        ...decks,
      ],
      deckConfigs: [],
      notes: [],
      cards: [],
      revlog: [],
      tags: Array.from({ length: 50 }, (_, i) => `tag${i}`),
      config: [],
    };
    let id = base + 1_000_000;
    for (let i = 0; i < notes; i++) {
      const roll = random();
      const type = roll < 0.5 ? reversed : roll < 0.75 ? cloze : basic;
      const media = mediaFiles > 0 && i % Math.max(1, Math.floor(notes / mediaFiles)) === 0;
      const image = media
        ? ` <img src="bench-${(i / Math.max(1, Math.floor(notes / mediaFiles))) % mediaFiles}.png">`
        : "";
      const fields =
        type === cloze
          ? [`The {{c1::${pick(WORDS)}}} near the {{c2::${pick(WORDS)}}} ${i}${image}`, phrase(4)]
          : [`${phrase(3)} ${i}${image}`, phrase(6)];
      const noteId = ++id;
      data.notes.push({
        id: noteId,
        guid: `bench${i.toString(36)}`,
        noteTypeId: type.id,
        fields,
        tags: [`tag${i % 50}`],
        mtime: base + i,
        usn: 0,
      });
      const deckId = decks[i % decks.length]?.id ?? 1;
      const ords = type === reversed || type === cloze ? [0, 1] : [0];
      for (const ord of ords) {
        const cardId = ++id;
        const review = random() < 0.5;
        data.cards.push({
          id: cardId,
          noteId,
          deckId,
          ord,
          type: review ? 2 : 0,
          queue: review ? 2 : 0,
          due: review ? 700 + Math.floor(random() * 60) : i,
          ivl: review ? 1 + Math.floor(random() * 100) : 0,
          factor: review ? 2500 : 0,
          reps: review ? 3 : 0,
          lapses: 0,
          left: 0,
          odue: 0,
          odid: 0,
          flags: 0,
          data: "",
          mtime: base + i,
          usn: 0,
        });
        if (review) {
          data.revlog.push({
            id: base + 5_000_000 + data.revlog.length * 7,
            cardId,
            usn: 0,
            ease: 3,
            ivl: 3,
            lastIvl: 1,
            factor: 2500,
            time: 6000,
            type: 1,
          });
        }
      }
    }
    const entries: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {
      "collection.anki21": await writeAnkiCollection(data, () => {}),
      meta: writePackageVersion(2),
    };
    const map: Record<string, string> = {};
    for (let i = 0; i < mediaFiles; i++) {
      const bytes = new Uint8Array(mediaBytes);
      for (let j = 0; j < bytes.length; j += 4) bytes[j] = Math.floor(random() * 256);
      map[String(i)] = `bench-${i}.png`;
      entries[String(i)] = [bytes, { level: 0 }];
    }
    entries.media = new TextEncoder().encode(JSON.stringify(map));
    stored = writeZip(entries);
    return { notes: data.notes.length, cards: data.cards.length, revlog: data.revlog.length, bytes: stored.length };
  });
  return result;
}

async function importStored(profileId: string) {
  if (!stored) throw new Error("make the package first");
  const bytes = stored;
  const col = await Collection.open(profileId);
  try {
    const phases: [string, number][] = [];
    const result = await measured((sample) =>
      importPackage(col, bytes, "bench.apkg", {
        media: collectionMedia(col),
        onProgress: (_fraction, label) => {
          sample();
          phases.push([label, performance.now()]);
        },
      }),
    );
    const steps = phases
      .slice(1)
      .map(([, at], i) => `${phases[i]?.[0]}: ${Math.round(at - (phases[i]?.[1] ?? at))} ms`);
    if (!result.value.ok) throw new Error(result.value.error);
    const counts = {
      notes: await col.db.count("notes"),
      cards: await col.db.count("cards"),
      revlog: await countRecords(col, "revlog"),
      media: await col.db.count("media"),
    };
    return {
      ms: result.ms,
      peakMiB: result.peakMiB,
      beforeMiB: result.beforeMiB,
      lines: result.value.value.lines,
      counts,
      steps: steps.filter((step) => !step.startsWith("Storing media (")),
    };
  } finally {
    col.close();
  }
}

async function exportProfile(profileId: string) {
  const col = await Collection.open(profileId);
  try {
    const result = await measured((sample) =>
      exportPackage(col, {
        format: "apkg",
        withScheduling: true,
        withMedia: true,
        media: collectionMedia(col),
        onProgress: sample,
      }),
    );
    if (!result.value.ok) throw new Error(result.value.error);
    const { notes, cards, revlog, media, bytes } = result.value.value;
    return {
      ms: result.ms,
      peakMiB: result.peakMiB,
      beforeMiB: result.beforeMiB,
      notes,
      cards,
      revlog,
      media,
      bytes: bytes.length,
    };
  } finally {
    col.close();
  }
}

/** Bytes the browser reports for this extension's storage (IndexedDB included). */
async function storageUsage() {
  const estimate = await navigator.storage.estimate();
  return { usage: estimate.usage ?? 0 };
}

export const packagesBench = { makePackage, importStored, exportProfile, storageUsage };
