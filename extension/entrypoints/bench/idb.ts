// What Chromium's IndexedDB spends on writes, which the review log's blocks are designed around: records of the
// size of a card or a review-log row, one IndexedDB record each, against the same rows kept an hour per record.
import { openDB } from "idb";
import type { RevlogEntry } from "../../../shared/model";
import { toBlocks } from "../../lib/collection/revlog";

function card(i: number) {
  return {
    id: 1_600_000_000_000 + i,
    noteId: 1_500_000_000_000 + (i >> 1),
    deckId: 1000 + (i % 20),
    ord: i & 1,
    mtime: 1_700_000_000_000,
    usn: 5,
    type: 2,
    queue: 2,
    due: 19_000 + (i % 300),
    ivl: 10,
    factor: 2500,
    reps: 5,
    lapses: 0,
    left: 0,
    odue: 0,
    odid: 0,
    flags: 0,
    data: "",
  };
}

function revlogRow(i: number): RevlogEntry {
  // About 1,000 answers an hour, as in the sync benchmark's history.
  return {
    id: 1_577_836_800_000 + i * 3600,
    cardId: 1_600_000_000_000 + (i % 100_000),
    usn: 5,
    ease: 3,
    ivl: 3,
    lastIvl: 1,
    factor: 2500,
    time: 6000,
    type: 1,
  };
}

/**
 * Writes `count` values into a fresh store in one transaction; returns the milliseconds it took. With `overFull`, the
 * store holds the same values first (written untimed), and the timed transaction clears it before writing, as a
 * download over a collection does.
 */
async function timedWrite(
  name: string,
  indexes: [string, string | string[], boolean?][],
  values: unknown[],
  keyPath: string,
  overFull = false,
): Promise<number> {
  const db = await openDB(`idb-bench-${name}-${Date.now()}`, 1, {
    upgrade(created) {
      const store = created.createObjectStore("s", { keyPath });
      for (const [index, path, multiEntry] of indexes)
        store.createIndex(index, path, { multiEntry: multiEntry ?? false });
    },
  });
  if (overFull) {
    const fill = db.transaction("s", "readwrite");
    for (const value of values) void fill.store.put(value);
    await fill.done;
  }
  const start = performance.now();
  const tx = db.transaction("s", "readwrite");
  if (overFull) void tx.store.clear();
  for (const value of values) void tx.store.put(value);
  await tx.done;
  const ms = performance.now() - start;
  db.close();
  return ms;
}

const CARD_INDEXES: [string, string | string[]][] = [
  ["usn", "usn"],
  ["noteId", "noteId"],
  ["deckId", "deckId"],
  ["deckQueueDue", ["deckId", "queue", "due"]],
];

async function idbWriteCost(cards: number, rows: number) {
  const revlog = Array.from({ length: rows }, (_, i) => revlogRow(i));
  const blocks = toBlocks(revlog);
  const cardValues = Array.from({ length: cards }, (_, i) => card(i));
  return {
    cards: await timedWrite("cards", CARD_INDEXES, cardValues, "id"),
    cardsOverFull: await timedWrite("cards-over", CARD_INDEXES, cardValues, "id", true),
    rows: await timedWrite(
      "rows",
      [
        ["usn", "usn"],
        ["cardId", "cardId"],
      ],
      revlog,
      "id",
    ),
    blocks: await timedWrite(
      "blocks",
      [
        ["cardIds", "cardIds", true],
        ["pending", "pending"],
        ["n", "n"],
      ],
      blocks,
      "key",
    ),
    blockCount: blocks.length,
  };
}

export const idbBench = { idbWriteCost };
