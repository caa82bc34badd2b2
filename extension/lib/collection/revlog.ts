// The review log, kept in blocks: every answer given in one hour of time (by its id, the answer's time in ms) is
// one IndexedDB record. Chromium spends about 100 µs on each record written, whatever its size: 300,000 rows took
// 30.5 s written one by one, and 3.1 s as 300 blocks (`BENCH_ONLY=idb npm run bench`). A download, an upload, a
// backup and a Merge write or mark the whole log. A block knows which cards it holds (an index finds a card's history) and whether any of its rows
// waits to sync (an index finds what to send).
//
// Rows are read and written only through RevlogRows, which keeps each block it touched for the length of one
// transaction and writes it back once, on flush().
import type { IDBPObjectStore, StoreNames } from "idb";
import type { RevlogEntry } from "../../../shared/model";
import { generationOf } from "./pending";
import type { CollectionDb, CollectionSchema } from "./schema";

/** One hour of the review log. */
export interface RevlogBlock {
  /** floor(id / BLOCK_MS) of every row in it. */
  key: number;
  /** Sorted by id. */
  rows: RevlogEntry[];
  /** The cards the rows are of, each once (a multi-entry index). */
  cardIds: number[];
  /** How many rows: an index on it lets the log be counted without reading the rows. */
  n: number;
  /**
   * For the rows with a negative usn (see pending.ts): the newest generation among them, how many rows are of it,
   * and how many are of older generations. Absent when there are none, so that the index holds only blocks that had
   * such rows. A block has rows waiting to sync while that generation is above the collection's syncedGen.
   */
  pending?: [generation: number, rows: number, older: number];
}

export const BLOCK_MS = 3_600_000;

export const blockKey = (id: number): number => Math.floor(id / BLOCK_MS);

/** The blocks' store in a transaction (read-only will do for reading). */
export type BlockStore = IDBPObjectStore<
  CollectionSchema,
  ArrayLike<StoreNames<CollectionSchema>>,
  "revlogBlocks",
  IDBTransactionMode
>;

/** The blocks' index-relevant fields, recomputed from the rows. */
export function sealBlock(block: RevlogBlock): RevlogBlock {
  block.cardIds = [...new Set(block.rows.map((row) => row.cardId))];
  block.n = block.rows.length;
  let generation = 0;
  let negative = 0;
  let rows = 0;
  for (const row of block.rows) {
    const of = generationOf(row.usn);
    if (of === 0) continue;
    negative++;
    if (of > generation) [generation, rows] = [of, 0];
    if (of === generation) rows++;
  }
  if (generation > 0) block.pending = [generation, rows, negative - rows];
  else delete block.pending;
  return block;
}

/** Rows grouped into new blocks (none of them stored yet): for writing a whole log at once. */
export function toBlocks(rows: Iterable<RevlogEntry>): RevlogBlock[] {
  const blocks = new Map<number, RevlogBlock>();
  for (const row of rows) {
    const key = blockKey(row.id);
    let block = blocks.get(key);
    if (!block) {
      block = { key, rows: [], cardIds: [], n: 0 };
      blocks.set(key, block);
    }
    block.rows.push(row);
  }
  for (const block of blocks.values()) {
    block.rows.sort((a, b) => a.id - b.id);
    // A row given twice keeps its last version.
    block.rows = block.rows.filter((row, i, all) => all[i + 1]?.id !== row.id);
    sealBlock(block);
  }
  return [...blocks.values()];
}

/** Every row of the given blocks, in order of id. */
function rowsOf(blocks: readonly RevlogBlock[]): RevlogEntry[] {
  return blocks.flatMap((block) => block.rows);
}

interface WritableBlocks {
  put(block: RevlogBlock): Promise<unknown>;
  delete(key: number): Promise<unknown>;
}

interface Held {
  block: RevlogBlock;
  stored: boolean;
  dirty: boolean;
}

/** The index of the row with this id in sorted rows, or where it would go. */
function find(rows: readonly RevlogEntry[], id: number): { at: number; found: boolean } {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((rows[mid] as RevlogEntry).id < id) low = mid + 1;
    else high = mid;
  }
  return { at: low, found: rows[low]?.id === id };
}

/**
 * The review log's rows inside one read-write (or read-only) transaction. Every block read is kept, so that rows
 * written without waiting for one another (as a sync's page does) all land in the same block object; flush() then
 * writes each changed block once. Nothing changed reaches the store before flush(): call it before the transaction
 * ends.
 */
export class RevlogRows {
  private readonly held = new Map<number, Promise<Held>>();
  /** Changes under way: flush() waits for them, however many steps each takes. */
  private readonly busy = new Set<Promise<unknown>>();

  constructor(private readonly store: BlockStore) {}

  private track<T>(work: Promise<T>): Promise<T> {
    this.busy.add(work);
    const done = () => this.busy.delete(work);
    work.then(done, done);
    return work;
  }

  private block(key: number): Promise<Held> {
    let held = this.held.get(key);
    if (!held) {
      held = this.store.get(key).then((block) => ({
        block: block ?? { key, rows: [], cardIds: [], n: 0 },
        stored: block !== undefined,
        dirty: false,
      }));
      this.held.set(key, held);
    }
    return held;
  }

  async get(id: number): Promise<RevlogEntry | undefined> {
    const { block } = await this.block(blockKey(id));
    const { at, found } = find(block.rows, id);
    return found ? block.rows[at] : undefined;
  }

  /** Adds or replaces the row with this id. */
  put(row: RevlogEntry): Promise<void> {
    return this.track(
      this.block(blockKey(row.id)).then((held) => {
        const { at, found } = find(held.block.rows, row.id);
        held.block.rows.splice(at, found ? 1 : 0, row);
        held.dirty = true;
      }),
    );
  }

  /** Adds a row, unless one with its id is there already; true when added. */
  add(row: RevlogEntry): Promise<boolean> {
    return this.track(
      this.block(blockKey(row.id)).then((held) => {
        const { at, found } = find(held.block.rows, row.id);
        if (found) return false;
        held.block.rows.splice(at, 0, row);
        held.dirty = true;
        return true;
      }),
    );
  }

  /** The first free id at or after `id` (two answers in one millisecond take the next one). */
  async freeId(id: number): Promise<number> {
    let next = id;
    while (await this.get(next)) next++;
    return next;
  }

  delete(id: number): Promise<void> {
    return this.track(
      this.block(blockKey(id)).then((held) => {
        const { at, found } = find(held.block.rows, id);
        if (!found) return;
        held.block.rows.splice(at, 1);
        held.dirty = true;
      }),
    );
  }

  /** A card's answers, oldest first (as they stand in this transaction). */
  async ofCard(cardId: number): Promise<RevlogEntry[]> {
    const keys = (await this.store.index("cardIds").getAll(cardId)).map((block) => block.key);
    const out: RevlogEntry[] = [];
    // The blocks through this object, so that a change not yet flushed is seen.
    for (const key of keys) out.push(...(await this.block(key)).block.rows.filter((row) => row.cardId === cardId));
    for (const held of this.held.values()) {
      const { block } = await held;
      if (!keys.includes(block.key)) out.push(...block.rows.filter((row) => row.cardId === cardId));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** Writes back every changed block (an emptied one is removed). */
  async flush(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy]);
    const writes: Promise<unknown>[] = [];
    for (const promise of this.held.values()) {
      const held = await promise;
      if (!held.dirty) continue;
      held.dirty = false;
      const store = this.store as unknown as WritableBlocks;
      if (held.block.rows.length === 0) {
        if (held.stored) writes.push(store.delete(held.block.key));
        held.stored = false;
      } else {
        writes.push(store.put(sealBlock(held.block)));
        held.stored = true;
      }
    }
    await Promise.all(writes);
  }
}

/** Rows with an id at or after `since`, oldest first. */
export async function revlogSince(store: BlockStore, since: number): Promise<RevlogEntry[]> {
  const blocks = await store.getAll(IDBKeyRange.lowerBound(blockKey(since)));
  return rowsOf(blocks).filter((row) => row.id >= since);
}

/** A card's answers, oldest first. */
export async function revlogOfCard(store: BlockStore, cardId: number): Promise<RevlogEntry[]> {
  return rowsOf(await store.index("cardIds").getAll(cardId))
    .filter((row) => row.cardId === cardId)
    .sort((a, b) => a.id - b.id);
}

/** How many rows the review log holds: the sum of the "n" index's keys, without reading any block. */
export async function countRevlog(store: BlockStore): Promise<number> {
  let sum = 0;
  let cursor = await store.index("n").openKeyCursor();
  while (cursor) {
    sum += Number(cursor.key);
    cursor = await cursor.continue();
  }
  return sum;
}

/** The range of the "pending" index that holds the blocks with rows waiting to sync. */
export const pendingBlocks = (syncedGen: number): IDBKeyRange => IDBKeyRange.lowerBound([syncedGen + 1]);

/**
 * How many rows of the review log wait to sync. A block whose rows with a negative usn are all of one generation
 * is counted from the "pending" index's key alone; one that also holds rows of older generations (answers given
 * since a full upload, in the same hour as answers it sent) is read.
 */
export async function countPendingRevlog(store: BlockStore, syncedGen: number): Promise<number> {
  let sum = 0;
  const mixed: number[] = [];
  let cursor = await store.index("pending").openKeyCursor(pendingBlocks(syncedGen));
  while (cursor) {
    const [, rows, older] = cursor.key as unknown as [number, number, number];
    if (older > 0) mixed.push(cursor.primaryKey as number);
    else sum += rows;
    cursor = await cursor.continue();
  }
  for (const block of await Promise.all(mixed.map((key) => store.get(key)))) {
    sum += (block?.rows ?? []).filter((row) => row.usn < -syncedGen).length;
  }
  return sum;
}

/**
 * For each card, the id of its first answer ever (or its latest): the index gives the first (or last) block holding
 * the card, and each block is read once, in one transaction. Cards never answered are left out.
 */
export async function answersOfCards(
  store: BlockStore,
  cardIds: readonly number[],
  which: "first" | "last",
): Promise<Map<number, number>> {
  const index = store.index("cardIds");
  const blocks = new Map<number, Promise<RevlogBlock | undefined>>();
  const blockAt = (key: number) => {
    let block = blocks.get(key);
    if (!block) {
      block = store.get(key);
      blocks.set(key, block);
    }
    return block;
  };
  const out = new Map<number, number>();
  await Promise.all(
    cardIds.map(async (cardId) => {
      const key =
        which === "first"
          ? await index.getKey(cardId)
          : (await index.openKeyCursor(IDBKeyRange.only(cardId), "prev"))?.primaryKey;
      if (key === undefined) return;
      const ids = ((await blockAt(Number(key)))?.rows ?? []).filter((row) => row.cardId === cardId).map((r) => r.id);
      const id = which === "first" ? ids[0] : ids[ids.length - 1];
      if (id !== undefined) out.set(cardId, id);
    }),
  );
  return out;
}

/** The whole review log, oldest first. */
export async function allRevlog(store: BlockStore): Promise<RevlogEntry[]> {
  return rowsOf(await store.getAll());
}

/** Every row of a collection's review log, oldest first. */
export function readRevlog(db: CollectionDb): Promise<RevlogEntry[]> {
  return allRevlog(db.transaction("revlogBlocks").store);
}

/** One row of the review log, by id. */
export function readRevlogEntry(db: CollectionDb, id: number): Promise<RevlogEntry | undefined> {
  return new RevlogRows(db.transaction("revlogBlocks").store).get(id);
}

/** Adds or replaces rows of the review log, in one transaction. */
export async function writeRevlog(db: CollectionDb, rows: readonly RevlogEntry[]): Promise<void> {
  const tx = db.transaction("revlogBlocks", "readwrite");
  const revlog = new RevlogRows(tx.store);
  for (const row of rows) void revlog.put(row);
  await revlog.flush();
  await tx.done;
}
