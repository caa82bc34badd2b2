// The collection's side of a sync: which local changes are pending, applying the relay's records with the merge
// rule, stamping what the relay accepted, and the digest to compare after a sync.

import { unwrap } from "idb";
import type { Card, CollectionMeta, Deck, Grave, RevlogEntry } from "../../../shared/model";
import { DEFAULT_DECK_ID, fitFields } from "../../../shared/model";
import { canonical, incomingWins, movedFrom, movedId, sameAnswer, sameIdentity } from "../../../shared/sync/merge";
import {
  type CollectionDigest,
  type RelayObject,
  SYNC_KINDS,
  type SyncKind,
  type WireObject,
} from "../../../shared/sync/protocol";
import { fromWire, graveGuid, graveToWire, toWire, wireId } from "../../../shared/sync/records";
import { abortWrites, type Collection } from "../collection/collection";
import { returnedHome } from "../collection/filtered";
import {
  generationOf,
  isPending,
  pendingGenOf,
  pendingUsnOf,
  pendingUsns,
  sentGenOf,
  syncedGen,
  syncedGenOf,
} from "../collection/pending";
import {
  allRevlog,
  countPendingRevlog,
  countRevlog,
  pendingBlocks,
  type RevlogBlock,
  RevlogRows,
  sealBlock,
  toBlocks,
} from "../collection/revlog";
import { SYNCED_STORES } from "../collection/schema";

export const STORE_OF = {
  notetype: "notetypes",
  deckconfig: "deckconfigs",
  deck: "decks",
  tag: "tags",
  config: "config",
  note: "notes",
  card: "cards",
  revlog: "revlogBlocks",
} as const satisfies Record<SyncKind, string>;

/** Every store a sync writes to. */
const SYNC_STORES = SYNCED_STORES;

/** The kind of record each synced store holds. */
const KIND_OF_STORE = Object.fromEntries(SYNC_KINDS.map((kind) => [STORE_OF[kind], kind])) as Record<
  (typeof STORE_OF)[SyncKind],
  SyncKind
>;

/** Every store whose records sync, and the graves: where pending changes are looked for. */
const PENDING_STORES = [...SYNC_KINDS.map((kind) => STORE_OF[kind]), "graves" as const];

/** Records read per transaction when gathering what to send, and marked per transaction once sent. */
const PENDING_BATCH = 2000;
const MARK_BATCH = 5000;

type AnyRecord = { usn: number; mtime?: number } & Record<string, unknown>;

/** The store key of a record from its wire id: numbers for most kinds, text for tags and config. */
function keyOf(kind: SyncKind, id: string): number | string {
  return kind === "tag" || kind === "config" ? id : Number(id);
}

/** The collection's syncedGen: what tells its pending records from the synced ones (see pending.ts). */
function syncedGenNow(col: Collection): Promise<number> {
  return syncedGen(col.db.transaction("meta").store);
}

/**
 * Every local change the relay has not seen (pending.ts), graves included, parents before children, in batches.
 * With `upTo`, only changes of that generation or older: a push reads what was written before it began (beginPush),
 * so that what is written while it runs surely stays behind, for the next sync.
 */
export async function* pendingBatches(
  col: Collection,
  { size = PENDING_BATCH, upTo = Number.POSITIVE_INFINITY }: { size?: number; upTo?: number } = {},
): AsyncGenerator<WireObject[]> {
  const synced = await syncedGenNow(col);
  const sendable = (usn: number) => isPending(usn, synced) && generationOf(usn) <= upTo;
  for (const store of PENDING_STORES) {
    if (store === "revlogBlocks") {
      // Blocks with a pending row, a few at a time.
      const keys = (await col.db.getAllKeysFromIndex("revlogBlocks", "pending", pendingBlocks(synced))) as number[];
      let out: WireObject[] = [];
      for (const key of keys) {
        const block = await col.db.get("revlogBlocks", key);
        for (const row of block?.rows ?? []) if (sendable(row.usn)) out.push(toWire("revlog", row));
        if (out.length >= size) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
      continue;
    }
    // The keys first (small), then the records a batch at a time: a Merge makes every record pending, and the
    // whole collection's wire form would not fit in memory on a large collection.
    const keys = await col.db.getAllKeysFromIndex(store, "usn", pendingUsns(synced));
    for (let i = 0; i < keys.length; i += size) {
      const tx = col.db.transaction(store);
      const records = await Promise.all(keys.slice(i, i + size).map((key) => tx.store.get(key as never)));
      const out: WireObject[] = [];
      for (const record of records as unknown as AnyRecord[]) {
        // Sent meanwhile by another sync, or deleted: nothing to send for it.
        if (!record || !sendable(record.usn)) continue;
        if (store === "graves") {
          out.push(graveToWire(record as unknown as Grave));
        } else {
          out.push(toWire(KIND_OF_STORE[store], record));
        }
      }
      if (out.length > 0) yield out;
    }
  }
}

/** How many records wait to be sent (every kind, and graves). */
export async function pendingTotal(col: Collection): Promise<number> {
  const synced = await syncedGenNow(col);
  const counts = await Promise.all(PENDING_STORES.map((store) => countPending(col, store, synced)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/** How many records of a store wait to be sent. */
async function countPending(col: Collection, store: (typeof PENDING_STORES)[number], synced: number): Promise<number> {
  if (store !== "revlogBlocks") return col.db.countFromIndex(store, "usn", pendingUsns(synced));
  return countPendingRevlog(col.db.transaction("revlogBlocks").store, synced);
}

/** How many live records of a kind the collection holds. */
export async function countRecords(col: Collection, kind: SyncKind): Promise<number> {
  if (kind !== "revlog") return col.db.count(STORE_OF[kind]);
  return countRevlog(col.db.transaction("revlogBlocks").store);
}

/** What markSynced needs of a pushed record: which one, and the version that was sent. */
export interface PushedRecord {
  kind: SyncKind;
  id: string;
  mtime: number;
  deleted: boolean;
}

/** True when anything is waiting to be sent. */
export async function hasPending(col: Collection): Promise<boolean> {
  // The first pending key of each store, not a count: a freshly imported collection is pending throughout.
  const synced = await syncedGenNow(col);
  const first = await Promise.all(
    PENDING_STORES.map((store) =>
      store === "revlogBlocks"
        ? col.db.getKeyFromIndex("revlogBlocks", "pending", pendingBlocks(synced))
        : col.db.getKeyFromIndex(store, "usn", pendingUsns(synced)),
    ),
  );
  return first.some((key) => key !== undefined);
}

/** How many changes wait for a sync, by what a person would call them. */
export async function pendingCounts(col: Collection): Promise<{
  total: number;
  reviews: number;
  cards: number;
  notes: number;
  other: number;
  deletions: number;
  /** Media files added, edited or deleted here and not yet synced. */
  media: number;
}> {
  const synced = await syncedGenNow(col);
  const count = (kind: SyncKind) => countPending(col, STORE_OF[kind], synced);
  const counts = Object.fromEntries(await Promise.all(SYNC_KINDS.map(async (k) => [k, await count(k)]))) as Record<
    SyncKind,
    number
  >;
  const deletions = await countPending(col, "graves", synced);
  const other = counts.notetype + counts.deckconfig + counts.deck + counts.tag + counts.config;
  const media = await col.db.countFromIndex("media", "pending");
  const total = other + counts.note + counts.card + counts.revlog + deletions + media;
  return { total, reviews: counts.revlog, cards: counts.card, notes: counts.note, other, deletions, media };
}

/**
 * What a full merge has received from the relay, by store and key: once every page is in, the local records and
 * graves that are not among them are the ones the relay lacks (see markUnseenPending).
 */
export class SeenKeys {
  private readonly keys = new Map<string, Set<number | string>>();

  add(store: string, key: number | string): void {
    let set = this.keys.get(store);
    if (!set) {
      set = new Set();
      this.keys.set(store, set);
    }
    set.add(key);
  }

  has(store: string, key: number | string): boolean {
    return this.keys.get(store)?.has(key) ?? false;
  }
}

/** The key a grave is remembered under in SeenKeys. */
const graveKey = (kind: string, id: string) => `${kind}\u0000${id}`;

/**
 * Applies records from the relay in one transaction. A record the device has not changed since its last sync is
 * replaced; one it changed too keeps whichever version the merge rule picks; a deletion always wins.
 * With `seen` (a full merge), every record received is noted there, and a local record equal to the relay's is
 * left as it is: only what differs is written.
 */
export async function applyRelayObjects(
  col: Collection,
  objects: RelayObject[],
  { seen }: { seen?: SeenKeys } = {},
): Promise<void> {
  if (objects.length === 0) return;
  const db = col.db;
  const now = col.clock.now();
  const tx = withRevlogRows(db.transaction([...SYNC_STORES, "meta"] as const, "readwrite"));
  // What is pending, and the usn that a change made here is stamped with, as of this transaction (pending.ts).
  const meta = await (tx.objectStore("meta") as unknown as MetaStore).get("collection");
  const gen: Generation = { usn: pendingUsnOf(meta), synced: syncedGenOf(meta) };
  const own: Own = {
    usns: new Set(meta?.ownUsns ?? []),
    merged: new Set(meta?.mergedGens ?? []),
    left: meta?.leftGen ?? 0,
  };
  const graves = tx.objectStore("graves");
  // The usn of a generation of its own, counted among the merged ones, for reviews that move but came from a relay.
  let notFresh: number | null = null;
  const notFreshUsn = async (): Promise<number> => {
    if (notFresh !== null) return notFresh;
    const metaStore = tx.objectStore("meta") as unknown as MetaStore & {
      put(value: unknown, key: string): Promise<unknown>;
    };
    const now = await metaStore.get("collection");
    if (!now) return gen.usn;
    const generation = pendingGenOf(now) + 1;
    own.merged.add(generation);
    await metaStore.put(
      { ...now, pendingGen: generation + 1, mergedGens: [...(now.mergedGens ?? []), generation] },
      "collection",
    );
    notFresh = -generation;
    return notFresh;
  };
  const moving = { gen: gen.synced, merging: seen !== undefined, reviewUsn: notFreshUsn };
  // Parents first, so that a clash of ids is resolved for a note before its cards arrive.
  const ordered = [...objects].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const storeOf = (kind: SyncKind) =>
    tx.objectStore(STORE_OF[kind]) as unknown as {
      get(key: number | string): Promise<AnyRecord | undefined>;
      put(value: unknown): Promise<unknown>;
      delete(key: number | string): Promise<void>;
    };
  // Every read of the page is issued at once (one transaction serves them in order), instead of one round trip
  // per record. A cascade or a re-key changes what later reads would see; after one, reads are made afresh.
  const localReads = ordered.map((o) => (o.deleted ? null : storeOf(o.kind).get(keyOf(o.kind, o.id))));
  const graveReads = ordered.map((o) => (o.deleted || o.kind === "revlog" ? null : graves.get([o.kind, o.id])));
  let fresh = true;
  const fields = fieldFitter(tx as unknown as ApplyTx, gen.usn);
  // The decks deleted here: a card arriving in one of them (answered on a device that still had it) goes home.
  const goneDecks = new Set(
    (await graves.getAllKeys(IDBKeyRange.bound(["deck", ""], ["deck", "\uffff"]))).map((key) =>
      Number((key as string[])[1]),
    ),
  );
  const write = (promise: Promise<unknown>) => {
    // Failures abort the transaction, which tx.done reports.
    promise.catch(() => {});
  };
  for (const [index, object] of ordered.entries()) {
    const store = storeOf(object.kind);
    const key = keyOf(object.kind, object.id);
    const usn = object.usn;
    if (seen) {
      if (object.deleted) seen.add("graves", graveKey(object.kind, object.id));
      else seen.add(STORE_OF[object.kind], key);
    }
    if (object.deleted) {
      const guid = graveGuid(object);
      if (guid !== undefined && object.kind !== "revlog") {
        // A deletion that names its note leaves a record of another note alone: one made here that took the id.
        const mine = await store.get(key);
        const myGuid = mine ? await noteGuidOf(tx as unknown as ApplyTx, object.kind, mine) : undefined;
        if (mine && myGuid !== undefined && myGuid !== guid && isPending(mine.usn, gen.synced)) {
          await rekey(tx as unknown as RekeyTx, object.kind, key as number, gen.usn, moving);
          fresh = false;
        }
      }
      write(store.delete(key));
      if (object.kind !== "revlog") {
        write(
          graves.put({
            kind: object.kind as never,
            id: object.id,
            mtime: object.mtime,
            usn,
            ...(guid === undefined ? {} : { guid }),
          }),
        );
      }
      if (object.kind === "deck") goneDecks.add(key as number);
      if (object.kind === "notetype" || object.kind === "note" || object.kind === "deck") {
        await cascadeDeletion(tx as unknown as RekeyTx, object.kind, key as number, object.mtime, gen.usn, guid);
        fresh = false;
      }
      continue;
    }
    const grave =
      object.kind === "revlog"
        ? undefined
        : fresh
          ? await graveReads[index]
          : await graves.get([object.kind, object.id]);
    if (grave) {
      if (await deletes(tx as unknown as ApplyTx, grave as Grave, object)) continue;
      // This device deleted another record that had the same id (made here, never on the relay): the relay's
      // record is not the one deleted, and the deletion has nothing to tell the relay.
      await forgetDeletion(tx as unknown as ApplyTx, grave as Grave);
      fresh = false;
    }
    let local = fresh ? await localReads[index] : await store.get(key);
    const incoming = fromWire({ ...object, usn }) as AnyRecord;
    if (local && clashes(object, toWire(object.kind, local).body ?? {}, local.usn, gen.synced, own, seen)) {
      // A different record of this device holds the same id: it moves to a new id, and both are kept. A review that
      // is not an answer made here and never sent keeps that standing where it goes (see sameRecord).
      const answeredHere = object.kind === "revlog" && isFreshAnswer(local.usn, gen.synced, own);
      const stamp = object.kind !== "revlog" || answeredHere ? gen.usn : await notFreshUsn();
      await rekey(tx as unknown as RekeyTx, object.kind, key as number, stamp, moving);
      local = undefined;
      fresh = false;
    }
    let record: AnyRecord | null = null;
    if (!local && object.kind === "card") {
      // A card this device made for the same note and template meanwhile (an edit of a note whose card had not come
      // yet) is this one: its reviews go over to it, and the newer version of the two is kept.
      const twin = await cardOfTemplate(tx as unknown as RekeyTx, incoming, gen.synced);
      if (twin) {
        await foldCard(tx as unknown as RekeyTx, twin, key as number, gen.usn, now);
        fresh = false;
        const mine = toWire("card", { ...twin, id: key });
        record = incomingWins(mine, object) ? incoming : { ...twin, id: key, usn: gen.usn };
      }
    }
    if (record) {
      // Chosen above.
    } else if (!local) {
      record = incoming;
    } else {
      const mine = toWire(object.kind, local);
      const same = canonical(mine.body) === canonical(object.body);
      // A merge leaves a record that is the relay's already as it is (its usn may be of another relay: it is synced).
      const pending = isPending(local.usn, gen.synced);
      if (seen && same && !pending) continue;
      if (!pending || incomingWins(mine, object)) record = incoming;
      // The relay holds exactly this version already (a push whose answer was lost): it is synced.
      else if (same) record = { ...local, usn: object.usn };
    }
    if (!record) continue;
    if (object.kind === "note") record = await fields.fit(record);
    if (object.kind === "card") record = placedCard(record, goneDecks, gen.usn);
    if (object.kind === "deck") await putRecord(tx, object.kind, record, now, gen.usn);
    else write(store.put(record));
    if (object.kind === "notetype" && (await fields.noteTypeChanged(record, local ?? undefined))) fresh = false;
  }
  await tx.revlog.flush();
  await tx.done;
}

/**
 * True when this device's record under the id of the relay's is another record, which must move for both to be
 * kept. A pending record is compared as sameRecord says. A synced one is the relay's own in a normal sync, but not
 * always in a full merge: the relay may hold another collection (a profile merged into an account, or after another
 * device's upload), whose records can have taken the same ids. A synced review of another card is the same answer
 * when all else is equal (sameAnswer).
 */
function clashes(
  incoming: RelayObject,
  mine: Record<string, unknown>,
  myUsn: number,
  synced: number,
  own: Own,
  seen: SeenKeys | undefined,
): boolean {
  if (isPending(myUsn, synced)) return !sameRecord(incoming.kind, mine, myUsn, incoming, own);
  if (seen === undefined) return false;
  const body = incoming.body ?? {};
  // A review that came from a relay, the same answer but of a card that moved here (see foldDuplicateNotes): the
  // relay's copy replaces it.
  return !sameIdentity(incoming.kind, mine, body) && !(incoming.kind === "revlog" && sameAnswer(mine, body));
}

/**
 * True when the relay's record is this device's pending record of the same id, not another record that shares
 * the id. Two answers can be equal in every field, the id (the time of the answer) included: the same card answered
 * alike in the same millisecond on two devices. An equal review is the same one when it arrives at the usn of one of
 * this device's commits (a push whose answer was lost, or not yet marked), when this device's copy may have gone to
 * the relay with a commit it applied (its generation is at most meta.leftGen), or when this copy came from a relay
 * before (a full merge marked it pending again: its generation is one of meta.mergedGens); otherwise it is an answer
 * made here and another device's equal one, and both are kept.
 */
function sameRecord(
  kind: SyncKind,
  mine: Record<string, unknown>,
  myUsn: number,
  incoming: RelayObject,
  own: Own,
): boolean {
  if (!sameIdentity(kind, mine, incoming.body ?? {})) return false;
  if (kind !== "revlog" || own.usns.has(incoming.usn)) return true;
  // Sent by a commit that the relay applied, it may come back through another device (which merged it back after
  // an upload); marked pending by a full merge, it came from a relay before.
  return !isFreshAnswer(myUsn, -1, own);
}

/**
 * True when a review with this usn is an answer made here that no commit the relay applied may have carried, and
 * that did not come from a relay (see sameRecord). With `synced` -1, the caller knows the review is pending.
 */
function isFreshAnswer(usn: number, synced: number, own: Own): boolean {
  if (synced >= 0 && !isPending(usn, synced)) return false;
  const generation = generationOf(usn);
  return generation > own.left && !own.merged.has(generation);
}

/** What tells this device's own records from another device's equal ones (see sameRecord). */
interface Own {
  /** Usns of this device's applied commits whose records it may not have marked yet. */
  usns: Set<number>;
  /** Generations a full merge marked records pending in. */
  merged: Set<number>;
  /** The newest generation a commit that the relay applied may have carried. */
  left: number;
}

/**
 * True when a deletion this device holds is one of the relay's record: one made before graves named their note, or
 * one whose note is the record's (by guid; for a card whose note is not here, it is assumed to be, so that a
 * deletion still beats a concurrent edit).
 */
async function deletes(tx: ApplyTx, grave: Grave, incoming: RelayObject): Promise<boolean> {
  // The relay holds no deletion where it sends a live record: a deletion made here that it did not keep (of a
  // record it never had), or one a full upload replaced.
  if (grave.guid === undefined) return true;
  if (incoming.kind === "note") return incoming.body?.guid === grave.guid;
  if (incoming.kind !== "card") return true;
  const notes = tx.objectStore("notes") as { get(id: number): Promise<AnyRecord | undefined> };
  const note = await notes.get(Number(incoming.body?.noteId));
  return !note || note.guid === grave.guid;
}

/** The guid of a note, or of a card's note (looked up here), for telling records of one id apart. */
async function noteGuidOf(tx: ApplyTx, kind: SyncKind, record: AnyRecord): Promise<string | undefined> {
  if (kind === "note") return String(record.guid);
  if (kind !== "card") return undefined;
  const notes = tx.objectStore("notes") as { get(id: number): Promise<AnyRecord | undefined> };
  const note = await notes.get(Number(record.noteId));
  return note ? String(note.guid) : undefined;
}

/** Drops a deletion of a note made here, and those of its cards: they were of records the relay never had. */
async function forgetDeletion(tx: ApplyTx, grave: Grave): Promise<void> {
  const graves = tx.objectStore("graves") as {
    delete(key: [string, string]): Promise<void>;
    getAll(range: IDBKeyRange): Promise<Grave[]>;
  };
  await graves.delete([grave.kind, grave.id]);
  if (grave.kind !== "note") return;
  const cards = (await graves.getAll(IDBKeyRange.bound(["card", ""], ["card", "\uffff"]))).filter(
    (other) => other.guid === grave.guid,
  );
  for (const other of cards) await graves.delete([other.kind, other.id]);
}

/**
 * Splits records from the relay into those to apply now and cards to apply after the rest of the pull: a card whose
 * note is not among them, while this device holds a note of that id that may be another note (pending, or any note
 * in a full merge, where the relay may hold another collection), or a deletion of the card's id that names a note. Pages come in usn order, so such a card can come
 * before its note (edited later); compared with the local card first, it would be taken for the card of the local
 * note that holds the id, which then moved away with it.
 */
export async function cardsForLater(
  col: Collection,
  objects: RelayObject[],
  { merging = false }: { merging?: boolean } = {},
): Promise<{ now: RelayObject[]; later: RelayObject[] }> {
  const notes = new Set(objects.filter((o) => o.kind === "note").map((o) => Number(o.id)));
  const cards = objects.filter((o) => o.kind === "card" && !o.deleted && !notes.has(Number(o.body?.noteId)));
  if (cards.length === 0) return { now: objects, later: [] };
  const tx = col.db.transaction(["notes", "graves", "meta"]);
  const synced = syncedGenOf(await tx.objectStore("meta").get("collection"));
  const locals = await Promise.all(cards.map((o) => tx.objectStore("notes").get(Number(o.body?.noteId))));
  // A deletion of this id held here that names a note: whether it is of this card's note is known once the note is.
  const graves = await Promise.all(
    cards.map((o, i) => (locals[i] === undefined ? tx.objectStore("graves").get(["card", o.id]) : undefined)),
  );
  const later = new Set(
    cards.filter((_, i) => {
      const note = locals[i];
      if (note === undefined) return graves[i]?.guid !== undefined;
      return merging || isPending(note.usn, synced);
    }),
  );
  if (later.size === 0) return { now: objects, later: [] };
  return { now: objects.filter((o) => !later.has(o)), later: [...later] };
}

/**
 * A transaction whose "revlogBlocks" store is seen as the review log's rows (a RevlogRows), so that the code that
 * handles every kind alike reads and writes rows of it as of any other store. Its rows must be flushed before the
 * transaction ends. Of the transaction, only objectStore() and done are offered.
 */
function withRevlogRows<T extends { objectStore(name: never): unknown; done: Promise<void> }>(
  tx: T,
): T & { revlog: RevlogRows } {
  const revlog = new RevlogRows((tx.objectStore as (name: string) => unknown)("revlogBlocks") as never);
  const rows = {
    get: (id: number) => revlog.get(id),
    put: (row: RevlogEntry) => revlog.put(row),
    delete: (id: number) => revlog.delete(id),
    index: (_name: "cardId") => ({ getAll: (cardId: number) => revlog.ofCard(cardId) }),
  };
  const objectStore = (name: string) =>
    name === "revlogBlocks" ? rows : (tx.objectStore as (name: string) => unknown).call(tx, name);
  // Only objectStore() and done are used of it.
  return { objectStore, revlog, done: tx.done } as unknown as T & { revlog: RevlogRows };
}

/**
 * A card whose deck was deleted on this device goes to its home deck (a filtered deck's card), or to Default; a
 * card borrowed from a deleted home deck will go home to Default. A moved card is changed (pending, mtime one later),
 * so that the move syncs. Only deletions move cards: a deck that has not arrived yet (a later page) has no grave.
 */
function placedCard(record: AnyRecord, goneDecks: Set<number>, usn: number): AnyRecord {
  const card = record as unknown as Card;
  let next = card;
  if (goneDecks.has(card.deckId)) {
    next = returnedHome(card);
    if (goneDecks.has(next.deckId)) next = { ...next, deckId: DEFAULT_DECK_ID };
  } else if (card.odid !== 0 && goneDecks.has(card.odid)) {
    next = { ...card, odid: DEFAULT_DECK_ID };
  }
  if (next === card) return record;
  return { ...next, mtime: card.mtime + 1, usn } as unknown as AnyRecord;
}

/**
 * Keeps every note's fields as many as its note type's, as records arrive. A note made on one device while a field
 * was added or removed on another would otherwise keep the old count, and could not be edited. A note that had to
 * be fitted is changed (pending, mtime one later), so the fitted version syncs; two devices fitting the same note
 * make the same record, and a later edit from elsewhere still wins over it.
 */
function fieldFitter(tx: ApplyTx, usn: number) {
  const counts = new Map<number, number>();
  const noteTypes = tx.objectStore("notetypes") as { get(id: number): Promise<AnyRecord | undefined> };
  const notes = tx.objectStore("notes") as RekeyStore;
  const fitted = (note: AnyRecord, count: number): AnyRecord | null => {
    const fields = note.fields as string[];
    if (!Array.isArray(fields) || fields.length === count) return null;
    return { ...note, fields: fitFields(fields, count), mtime: Number(note.mtime) + 1, usn };
  };
  return {
    async fit(note: AnyRecord): Promise<AnyRecord> {
      const id = Number(note.noteTypeId);
      if (!counts.has(id)) {
        const noteType = await noteTypes.get(id);
        counts.set(id, noteType ? (noteType.fields as unknown[]).length : -1);
      }
      const count = counts.get(id) ?? -1;
      return (count > 0 && fitted(note, count)) || note;
    },
    /** After a note type was put: fits the notes of it this device holds. True when any changed. */
    async noteTypeChanged(noteType: AnyRecord, before: AnyRecord | undefined): Promise<boolean> {
      const id = Number(noteType.id);
      const count = (noteType.fields as unknown[]).length;
      counts.set(id, count);
      if (!before || (before.fields as unknown[]).length === count) return false;
      let changed = false;
      for (const note of await notes.index("noteTypeId").getAll(id)) {
        const next = fitted(note, count);
        if (next) {
          await notes.put(next);
          changed = true;
        }
      }
      return changed;
    },
  };
}

type ApplyTx = { objectStore(name: string): unknown };
type MetaStore = { get(key: "collection"): Promise<CollectionMeta | undefined> };

/** The usn a change made in a transaction is stamped with, and the collection's syncedGen (see pending.ts). */
interface Generation {
  usn: number;
  synced: number;
}

const KIND_ORDER = Object.fromEntries(SYNC_KINDS.map((kind, index) => [kind, index])) as Record<SyncKind, number>;

interface RekeyStore {
  get(key: number): Promise<AnyRecord | undefined>;
  put(value: unknown): Promise<unknown>;
  delete(key: number): Promise<void>;
  index(name: string): { getAll(key: number): Promise<AnyRecord[]> };
}
type RekeyTx = { objectStore(name: string): RekeyStore };

/**
 * What a deletion from the relay takes with it here: a note type's notes, a note's cards (a card this device made
 * for it meanwhile included: a deletion beats a concurrent edit), and a deck's cards go to the Default deck.
 */
async function cascadeDeletion(
  tx: RekeyTx,
  kind: SyncKind,
  id: number,
  mtime: number,
  usn: number,
  guid?: string,
): Promise<void> {
  const graves = tx.objectStore("graves");
  // Each deletion names its note, as one made here does (see deletes).
  const remove = async (childKind: "note" | "card", childId: number, noteGuid: string | undefined) => {
    await tx.objectStore(STORE_OF[childKind]).delete(childId);
    await graves.put({ kind: childKind, id: String(childId), mtime, usn, ...(noteGuid ? { guid: noteGuid } : {}) });
    await cascadeDeletion(tx, childKind, childId, mtime, usn, noteGuid);
  };
  if (kind === "notetype") {
    for (const note of await tx.objectStore("notes").index("noteTypeId").getAll(id))
      await remove("note", Number(note.id), String(note.guid));
  } else if (kind === "note") {
    for (const card of await tx.objectStore("cards").index("noteId").getAll(id))
      await remove("card", Number(card.id), guid);
  } else if (kind === "deck") {
    const cards = tx.objectStore("cards");
    const decks = (await (tx.objectStore("decks") as unknown as { getAll(): Promise<Deck[]> }).getAll()).filter(
      (d) => d.id !== id,
    );
    const exists = new Set(decks.map((d) => d.id));
    const moved = (card: Card) => ({ ...card, mtime: Math.max(Number(card.mtime) + 1, mtime), usn });
    // Cards of a deleted filtered deck go home; other cards of a deleted deck go to Default, as does a card whose
    // home deck is gone too.
    for (const record of await cards.index("deckId").getAll(id)) {
      const home = returnedHome(record as unknown as Card);
      await cards.put(moved(exists.has(home.deckId) ? home : { ...home, deckId: 1 }));
    }
    // Cards that a filtered deck borrowed from the deleted deck will go home to Default.
    for (const filtered of decks.filter((d) => d.filter)) {
      for (const record of await cards.index("deckId").getAll(filtered.id)) {
        if (record.odid === id) await cards.put(moved({ ...(record as unknown as Card), odid: 1 }));
      }
    }
  }
}

/**
 * Moves a pending note, card or review to a free id, carrying its children along (all left pending). The new id is
 * the one every device picks for this record (movedId), so that a record moved on two devices stays one record.
 */
async function rekey(
  tx: RekeyTx,
  kind: SyncKind,
  oldId: number,
  usn: number,
  synced: { gen: number; merging: boolean; reviewUsn: () => Promise<number> },
): Promise<void> {
  const store = tx.objectStore(STORE_OF[kind]);
  const record = await store.get(oldId);
  if (!record) return;
  const graves = tx.objectStore("graves") as unknown as { get(key: [string, string]): Promise<unknown> };
  // Neither a record's id nor a deletion's: the record would lose to that deletion on the relay.
  const taken = async (id: number) =>
    (await store.get(id)) !== undefined || (kind !== "revlog" && (await graves.get([kind, String(id)])) !== undefined);
  let attempt = 0;
  let newId = movedId(kind, oldId, record);
  while (await taken(newId)) newId = movedId(kind, oldId, record, ++attempt);
  await store.delete(oldId);
  await store.put({ ...record, id: newId, usn });
  const child =
    kind === "note" ? (["cards", "noteId"] as const) : kind === "card" ? (["revlogBlocks", "cardId"] as const) : null;
  if (!child) return;
  const children = tx.objectStore(child[0]);
  for (const row of await children.index(child[1]).getAll(oldId)) {
    if (kind !== "card") {
      await children.put({ ...row, [child[1]]: newId, usn });
      continue;
    }
    // A review keeps what it was: pending as it was (an answer made here stays one). One that came from this relay
    // is of the relay's card of that id, not of the card moving away, and stays; in a full merge (the relay may hold
    // another collection) it may be of either, and goes along, pending in a generation that says it came from a
    // relay (see sameRecord), not taken for a new answer.
    if (isPending(row.usn, synced.gen)) await children.put({ ...row, [child[1]]: newId });
    else if (synced.merging) await children.put({ ...row, [child[1]]: newId, usn: await synced.reviewUsn() });
  }
}

/** A pending card of this device of the same note and template as `card`, under another id. */
async function cardOfTemplate(tx: RekeyTx, card: AnyRecord, synced: number): Promise<AnyRecord | undefined> {
  const held = await tx.objectStore("cards").index("noteId").getAll(Number(card.noteId));
  return held.find((other) => other.ord === card.ord && other.id !== card.id && isPending(other.usn, synced));
}

/**
 * Folds a card of this device into the relay's card of the same note and template: its reviews point at the relay's
 * card, and it is deleted (with a deletion to send, in case a commit whose answer was lost took it to the relay).
 */
async function foldCard(tx: RekeyTx, card: AnyRecord, into: number, usn: number, now: number): Promise<void> {
  const reviews = tx.objectStore("revlogBlocks");
  for (const row of await reviews.index("cardId").getAll(Number(card.id))) await reviews.put({ ...row, cardId: into });
  await tx.objectStore("cards").delete(Number(card.id));
  const guid = (await tx.objectStore("notes").get(Number(card.noteId)))?.guid;
  await tx.objectStore("graves").put({ kind: "card", id: String(card.id), mtime: now, usn, guid });
}

/**
 * Puts a record. Two decks with one name (made on two devices) are both kept: the one with the greater id is
 * renamed "Name (2)" (or the next free number), on every device alike, and the rename syncs.
 */
async function putRecord(tx: ApplyTx, kind: SyncKind, record: AnyRecord, now: number, usn: number): Promise<void> {
  const store = tx.objectStore(STORE_OF[kind]) as { put(value: unknown): Promise<unknown> };
  if (kind !== "deck") {
    await store.put(record);
    return;
  }
  const decks = tx.objectStore("decks") as {
    index(name: "name"): { get(name: string): Promise<AnyRecord | undefined> };
  };
  const byName = decks.index("name");
  const holder = await byName.get(String(record.name));
  if (!holder || holder.id === record.id) {
    await store.put(record);
    return;
  }
  const [loser, winner] = Number(record.id) > Number(holder.id) ? [record, null] : [holder, record];
  let n = 2;
  while (await byName.get(`${String(loser.name)} (${n})`)) n++;
  const renamed = `${String(loser.name)} (${n})`;
  await store.put({ ...loser, name: renamed, mtime: Math.max(Number(loser.mtime) + 1, now), usn });
  if (winner) await store.put(winner);
}

/**
 * Marks pushed records as synced at `usn`, unless they changed again while the sync ran (their mtime moved on),
 * and records the sync in the collection's meta.
 */
export async function markSynced(
  col: Collection,
  pushed: readonly PushedRecord[],
  usn: number,
  now: number,
): Promise<void> {
  // A batch per transaction, so that memory stays bounded whatever was pushed; the meta last. Cut off half-way,
  // the records not yet marked are simply sent again by the next sync, to the same effect.
  for (let start = 0; start < pushed.length; start += MARK_BATCH) {
    const batch = pushed.slice(start, start + MARK_BATCH);
    const tx = withRevlogRows(col.db.transaction([...SYNC_STORES, "meta"] as const, "readwrite"));
    const synced = syncedGenOf(await (tx.objectStore("meta") as unknown as MetaStore).get("collection"));
    const storeOf = (name: string) =>
      tx.objectStore(name as never) as unknown as {
        get(key: unknown): Promise<AnyRecord | undefined>;
        put(value: unknown): Promise<unknown>;
      };
    // Reads issued together, then writes.
    const reads = batch.map((o) =>
      o.deleted ? storeOf("graves").get([o.kind, o.id]) : storeOf(STORE_OF[o.kind]).get(keyOf(o.kind, o.id)),
    );
    for (const [index, object] of batch.entries()) {
      const local = await reads[index];
      if (!local || !isPending(local.usn, synced)) continue;
      const mtime = !object.deleted && object.kind === "revlog" ? Number(local.id) : Number(local.mtime);
      // Changed again since it was sent: it waits for the next sync.
      if (mtime !== object.mtime) continue;
      void storeOf(object.deleted ? "graves" : STORE_OF[object.kind])
        .put({ ...local, usn })
        .catch(() => {});
    }
    await tx.revlog.flush();
    await tx.done;
  }
  const tx = col.db.transaction("meta", "readwrite");
  const meta = await tx.store.get("collection");
  if (meta) await tx.store.put({ ...meta, lastSyncUsn: usn, lastSync: now, ...ownUsnsAfter(meta, usn) }, "collection");
  await tx.done;
}

/** Once every record up to `usn` is applied here, no own commit at or below it needs telling apart any more. */
function ownUsnsAfter(meta: CollectionMeta, usn: number): Pick<CollectionMeta, "ownUsns"> {
  return { ownUsns: (meta.ownUsns ?? []).filter((own) => own > usn) };
}

/** Records a commit about to be sent: until its answer arrives, it may or may not be applied on the relay. */
export async function commitSent(col: Collection, kind: "pushes" | "uploads", session: string): Promise<void> {
  // What it may carry: changes up to the generation beginPush or beginUpload set as sent.
  await recordSync(col, (meta) => ({
    inDoubt: [...(meta.inDoubt ?? []), { kind, session, generation: sentGenOf(meta) }],
  }));
}

/**
 * Records what became of a commit: applied at `usn` (its records on the relay are this device's own), or never
 * applied (null). With its answer, the device marks exactly what it sent; a commit settled after its answer was lost
 * may have carried any change up to the generation it was sent at, which leftGen keeps.
 */
export async function commitSettled(
  col: Collection,
  session: string,
  usn: number | null,
  { answered, unknown = false }: { answered: boolean; unknown?: boolean },
): Promise<void> {
  await recordSync(col, (meta) => {
    const sent = (meta.inDoubt ?? []).find((c) => c.session === session);
    // Applied (or, when the relay cannot say, perhaps applied) after its answer was lost: what it may have carried.
    const left = (usn !== null || unknown) && !answered;
    return {
      inDoubt: (meta.inDoubt ?? []).filter((c) => c.session !== session),
      ...(usn === null ? {} : { ownUsns: [...new Set([...(meta.ownUsns ?? []), usn])] }),
      ...(left ? { leftGen: Math.max(meta.leftGen ?? 0, sent?.generation ?? 0) } : {}),
    };
  });
}

/**
 * After a full merge's pull: marks as unsent every local record and grave the relay did not send, so that the
 * normal sync that follows pushes exactly what the relay lacks. Keys are read a batch at a time.
 */
export async function markUnseenPending(col: Collection, seen: SeenKeys): Promise<void> {
  // They are marked in a generation of their own, which tells them from answers made here (see sameRecord).
  const generation = await newGeneration(col);
  await recordSync(col, (meta) => ({ mergedGens: [...(meta.mergedGens ?? []), generation] }));
  try {
    await foldDuplicateNotes(col, seen);
    await markUnseen(col, seen);
  } finally {
    await newGeneration(col);
  }
}

/**
 * After a full merge's pull: a note this device holds at one id and the relay at another (the same guid) becomes
 * one note, at the relay's id. This happens when a note moved to a new id on one device (its id was another note's)
 * and another device, which still held it at the old id, replaced the relay's collection with its own. The local
 * copy's cards become the relay's cards of the same template, their reviews going along; a card or note changed
 * later here than on the relay keeps this side's version. Local copies the relay never had leave no deletion behind.
 */
async function foldDuplicateNotes(col: Collection, seen: SeenKeys): Promise<void> {
  const folds: { from: number; into: number }[] = [];
  let group: { guid: unknown; ids: number[] } = { guid: undefined, ids: [] };
  const close = () => {
    if (group.ids.length < 2) return;
    const relay = group.ids.filter((id) => seen.has("notes", id));
    const into = Math.min(...relay);
    if (relay.length > 0) for (const id of group.ids) if (!seen.has("notes", id)) folds.push({ from: id, into });
  };
  let cursor = await col.db.transaction("notes").store.index("guid").openKeyCursor();
  while (cursor) {
    if (cursor.key !== group.guid) {
      close();
      group = { guid: cursor.key, ids: [] };
    }
    group.ids.push(Number(cursor.primaryKey));
    cursor = await cursor.continue();
  }
  close();
  for (const { from, into } of folds) {
    const tx = withRevlogRows(col.db.transaction(["notes", "cards", "revlogBlocks", "meta"], "readwrite"));
    const usn = pendingUsnOf(await tx.objectStore("meta").get("collection"));
    const notes = tx.objectStore("notes");
    const cards = tx.objectStore("cards");
    const [folded, kept] = await Promise.all([notes.get(from), notes.get(into)]);
    if (folded && kept) {
      const keptCards = new Map((await cards.index("noteId").getAll(into)).map((card) => [card.ord, card]));
      for (const card of await cards.index("noteId").getAll(from)) {
        const target = keptCards.get(card.ord);
        if (!target) {
          await cards.put({ ...card, noteId: into, usn });
          continue;
        }
        for (const row of await tx.revlog.ofCard(card.id)) await tx.revlog.put({ ...row, cardId: target.id, usn });
        await cards.delete(card.id);
        if (card.mtime > target.mtime) await cards.put({ ...card, id: target.id, noteId: into, usn });
      }
      await notes.delete(from);
      if (folded.mtime > kept.mtime) await notes.put({ ...folded, id: into, usn });
    }
    await tx.revlog.flush();
    await tx.done;
  }
}

async function markUnseen(col: Collection, seen: SeenKeys): Promise<void> {
  for (const store of PENDING_STORES) {
    if (store === "revlogBlocks") {
      await markUnseenRevlogPending(col, seen);
      continue;
    }
    let after: IDBValidKey | null = null;
    for (;;) {
      const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
      const keys: IDBValidKey[] = await col.db.getAllKeys(store as never, range, MARK_BATCH);
      const unseen = keys.filter((key) => {
        const name = store === "graves" ? graveKey(...(key as unknown as [string, string])) : (key as number | string);
        return !seen.has(store, name);
      });
      if (unseen.length > 0) {
        const tx = col.db.transaction([store, "meta"] as never, "readwrite");
        const meta = await (tx.objectStore("meta" as never) as unknown as MetaStore).get("collection");
        const target = tx.objectStore(store as never) as unknown as {
          get(key: IDBValidKey): Promise<AnyRecord | undefined>;
          put(value: AnyRecord): Promise<unknown>;
        };
        const records = await Promise.all(unseen.map((key) => target.get(key)));
        for (const record of records) {
          if (record && !isPending(record.usn, syncedGenOf(meta)))
            void target.put({ ...record, usn: pendingUsnOf(meta) });
        }
        await tx.done;
      }
      if (keys.length < MARK_BATCH) break;
      after = keys[keys.length - 1] ?? null;
    }
  }
}

/**
 * markUnseenPending for the review log: a block at a time. A review the relay did not send that is a moved copy of
 * one it did send (equal in all but the id, at the place movedId gives it) is that review: it moved aside here
 * while another review held its id, and an upload by a device that never saw the move brought it back at its id.
 * It goes, unless it is an answer made here (then it is another device's equal answer, and both stay).
 */
async function markUnseenRevlogPending(col: Collection, seen: SeenKeys): Promise<void> {
  const keys = (await col.db.getAllKeys("revlogBlocks")) as number[];
  const MOVE_ATTEMPTS = 4;
  for (const key of keys) {
    const tx = col.db.transaction(["revlogBlocks", "meta"], "readwrite");
    const meta = await tx.objectStore("meta").get("collection");
    const blocks = tx.objectStore("revlogBlocks");
    const rows = new RevlogRows(blocks);
    const block = await blocks.get(key);
    const own: Own = { usns: new Set(), merged: new Set(meta?.mergedGens ?? []), left: meta?.leftGen ?? 0 };
    const unseen = (row: { id: number }) => !seen.has("revlogBlocks", row.id);
    if (block?.rows.some(unseen)) {
      const copies = new Set<number>();
      for (const row of block.rows.filter(unseen)) {
        if (isFreshAnswer(row.usn, syncedGenOf(meta), own)) continue;
        const body = toWire("revlog", row).body ?? {};
        for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt++) {
          const from = movedFrom("revlog", row.id, body, attempt);
          if (!seen.has("revlogBlocks", from)) continue;
          const original = await rows.get(from);
          if (original && sameAnswer({ ...toWire("revlog", original).body, id: 0 }, { ...body, id: 0 })) {
            copies.add(row.id);
            break;
          }
        }
      }
      const unsent = (row: { id: number; usn: number }) => !isPending(row.usn, syncedGenOf(meta)) && unseen(row);
      block.rows = block.rows
        .filter((row) => !copies.has(row.id))
        .map((row) => (unsent(row) ? { ...row, usn: pendingUsnOf(meta) } : row));
      if (block.rows.length > 0) await blocks.put(sealBlock(block));
      else await blocks.delete(key);
    }
    await tx.done;
  }
}

/** A whole collection as received from the relay: each kind's records as they are stored, and the graves. */
export class ReceivedCollection {
  readonly records = new Map<SyncKind, AnyRecord[]>(SYNC_KINDS.map((kind) => [kind, []]));
  readonly graves: { kind: SyncKind; id: string; mtime: number; usn: number; guid?: string }[] = [];
  size = 0;

  add(objects: RelayObject[]): void {
    for (const object of objects) {
      if (!object.deleted) this.records.get(object.kind)?.push(fromWire(object) as AnyRecord);
      else if (object.kind !== "revlog") {
        const guid = graveGuid(object);
        this.graves.push({
          kind: object.kind,
          id: object.id,
          mtime: object.mtime,
          usn: object.usn,
          ...(guid ? { guid } : {}),
        });
      }
    }
    this.size += objects.length;
  }
}

/**
 * Moves the pending generation on, so that every change written from now on is of `generation` or newer: what
 * changedSince looks for.
 */
export async function newGeneration(col: Collection): Promise<number> {
  const tx = col.db.transaction("meta", "readwrite");
  const meta = await tx.store.get("collection");
  if (!meta) throw new Error(`the collection of profile ${col.profileId} has no meta record`);
  const generation = pendingGenOf(meta) + 1;
  await tx.store.put({ ...meta, pendingGen: generation }, "collection");
  await tx.done;
  return generation;
}

/** The collection changed after `since` (from newGeneration): some record or deletion is of that generation or newer. */
export class ChangedMeanwhile extends Error {
  constructor() {
    super("The collection changed while it was being backed up.");
  }
}

type ProbeTx = { objectStore(name: string): { index(name: string): { getKey(range: IDBKeyRange): Promise<unknown> } } };

/** True when a record or grave of generation `since` or newer is in the collection (read in the caller's transaction). */
async function changedSince(tx: ProbeTx, since: number): Promise<boolean> {
  const found = await Promise.all(
    PENDING_STORES.map((name) =>
      name === "revlogBlocks"
        ? tx
            .objectStore(name)
            .index("pending")
            .getKey(IDBKeyRange.lowerBound([since]))
        : tx.objectStore(name).index("usn").getKey(IDBKeyRange.upperBound(-since)),
    ),
  );
  return found.some((key) => key !== undefined);
}

/**
 * Replaces the whole collection with the relay's records and identity, in one transaction: a download that is cut
 * off leaves the collection as it was. Parents go in before children. With `unchangedSince` (a generation from
 * newGeneration, taken before a backup), it throws ChangedMeanwhile instead, writing nothing, if anything was changed
 * after it: the backup would lack that change.
 */
export async function replaceCollection(
  col: Collection,
  received: ReceivedCollection,
  identity: Pick<CollectionMeta, "id" | "scm" | "lastSyncUsn">,
  unchangedSince: number | null = null,
): Promise<void> {
  const now = col.clock.now();
  const tx = col.db.transaction([...SYNC_STORES, "meta"] as const, "readwrite");
  try {
    if (unchangedSince !== null && (await changedSince(tx as unknown as ProbeTx, unchangedSince))) {
      throw new ChangedMeanwhile();
    }
    const meta = await tx.objectStore("meta").get("collection");
    for (const name of SYNC_STORES) void tx.objectStore(name).clear();
    // The stores themselves, without a promise for each of hundreds of thousands of writes; a failed write aborts
    // the transaction, which tx.done reports.
    const raw = (name: string) => unwrap(tx.objectStore(name as never) as never) as unknown as IDBObjectStore;
    for (const grave of received.graves) raw("graves").put(grave);
    for (const [kind, records] of received.records) {
      if (kind === "deck") {
        for (const record of records) await putRecord(tx, "deck", record, now, pendingUsnOf(meta));
        continue;
      }
      if (kind === "revlog") {
        for (const block of toBlocks(records as unknown as RevlogEntry[])) raw("revlogBlocks").put(block);
        continue;
      }
      const store = raw(STORE_OF[kind]);
      for (const record of records) store.put(record);
    }
    if (meta) {
      // An exact copy of the relay's collection: the weekly full check can wait.
      const replacements = (meta.replacements ?? 0) + 1;
      await tx
        .objectStore("meta")
        .put({ ...meta, ...identity, lastSync: now, mtime: now, lastFullCheck: now, replacements }, "collection");
    }
    await tx.done;
  } catch (thrown) {
    // A record IndexedDB refuses at once (an id that is no key) throws here rather than failing its request.
    await abortWrites(tx);
    throw thrown;
  }
}

/** Changes the collection's meta in one transaction: a patch, or one made from the meta as it is. */
export async function recordSync(
  col: Collection,
  patch: Partial<CollectionMeta> | ((meta: CollectionMeta) => Partial<CollectionMeta>),
): Promise<void> {
  const tx = col.db.transaction("meta", "readwrite");
  const meta = await tx.store.get("collection");
  if (meta) await tx.store.put({ ...meta, ...(typeof patch === "function" ? patch(meta) : patch) }, "collection");
  await tx.done;
}

// mtimes are summed modulo a prime, so that the sum stays exact in a double however large the collection.
const MTIME_MODULUS = 1_000_003;

/**
 * Live records per kind, and with `full` the sum of their mtimes: what the relay's digest must match. Counts come
 * from the stores' own counts; the sums read every record, so they are taken only now and then.
 */
export async function localDigest(col: Collection, { full = false } = {}): Promise<CollectionDigest> {
  const out: CollectionDigest = {};
  for (const kind of SYNC_KINDS) {
    let live = 0;
    let mtimeSum = 0;
    if (full) {
      const records = (kind === "revlog"
        ? await allRevlog(col.db.transaction("revlogBlocks").store)
        : await col.db.getAll(STORE_OF[kind])) as unknown as AnyRecord[];
      live = records.length;
      for (const r of records) mtimeSum += (kind === "revlog" ? Number(r.id) : Number(r.mtime)) % MTIME_MODULUS;
    } else {
      live = await countRecords(col, kind);
    }
    out[kind] = { live, deleted: 0, mtimeSum: full ? mtimeSum : -1 };
  }
  return out;
}

/** The kinds whose live count, or mtime sum where both sides have one, differ between two digests. */
export function digestMismatches(local: CollectionDigest, relay: CollectionDigest): SyncKind[] {
  return SYNC_KINDS.filter((kind) => {
    const a = local[kind] ?? { live: 0, mtimeSum: 0 };
    const b = relay[kind] ?? { live: 0, mtimeSum: 0 };
    return a.live !== b.live || (a.mtimeSum >= 0 && b.mtimeSum >= 0 && a.mtimeSum !== b.mtimeSum);
  });
}

const UPLOAD_BATCH = 2000;
/** Blocks of the review log (an hour of answers each) read per transaction in a full upload. */
const UPLOAD_BLOCKS = 4;

/** What a full upload sends as the collection's identity, and the generation of changes it covers. */
export interface UploadStart {
  meta: CollectionMeta;
  generation: number;
}

/**
 * Starts a full upload, in one transaction: the schema stamp moves on (a full upload is a schema change for every
 * other device: they must choose too, not merge half of it), and so does the pending generation. Every change
 * written before this moment is of `generation` or older and is read by the upload (readForUpload); every change
 * written after it is of a newer generation, and stays pending once the relay holds the upload. The upload may read
 * those too, whichever version of a record it finds, except answers: an answer made while it runs is surely left for
 * the next sync (see readRevlog), so only answers up to `generation` count as sent for undo (sentGen).
 */
export async function beginUpload(col: Collection): Promise<UploadStart> {
  const tx = col.db.transaction("meta", "readwrite");
  const meta = await tx.store.get("collection");
  if (!meta) throw new Error(`the collection of profile ${col.profileId} has no meta record`);
  const generation = pendingGenOf(meta);
  const next = {
    ...meta,
    scm: Math.max(col.clock.now(), meta.scm + 1),
    pendingGen: generation + 1,
    sentGen: Math.max(sentGenOf(meta), generation),
  };
  await tx.store.put(next, "collection");
  await tx.done;
  return { meta: next, generation };
}

/**
 * Moves an upload's schema stamp past the relay's: two uploads of one collection in the same millisecond (by their
 * devices' clocks) must differ in scm, or a device holding the first would take the second for its own and sync
 * normally with it. Returns the upload's start as it now is.
 */
export async function passRelayScm(col: Collection, start: UploadStart, relayScm: number): Promise<UploadStart> {
  if (start.meta.scm > relayScm) return start;
  const scm = relayScm + 1;
  await recordSync(col, (meta) => ({ scm: Math.max(meta.scm, scm) }));
  return { ...start, meta: { ...start.meta, scm } };
}

/**
 * Records that the relay holds a full upload: every change up to its generation is synced, without writing any of
 * them again. Nothing is recorded if the collection was replaced meanwhile (a restore, a package or a download):
 * what the relay holds is then not what this device holds.
 */
export async function finishUpload(col: Collection, start: UploadStart, usn: number): Promise<void> {
  const now = col.clock.now();
  const tx = col.db.transaction("meta", "readwrite");
  const meta = await tx.store.get("collection");
  if (meta && (meta.replacements ?? 0) === (start.meta.replacements ?? 0)) {
    // The relay checked the upload's counts per kind before committing it: the weekly full check can wait.
    const syncedGen = Math.max(syncedGenOf(meta), start.generation);
    await tx.store.put(
      { ...meta, syncedGen, lastSyncUsn: usn, lastSync: now, lastFullCheck: now, ...ownUsnsAfter(meta, usn) },
      "collection",
    );
  }
  await tx.done;
}

/**
 * Before a push reads what it sends: every change written so far may reach the relay with it (and its answer may be
 * lost), so none of them may be taken back without trace (undo). The pending generation moves on, so that what is
 * written while the push runs is told apart: the push leaves it for the next sync (pendingBatches' `upTo`), and it
 * is surely not on the relay if the push's answer is lost. Returns the newest generation the push may read.
 */
export async function beginPush(col: Collection): Promise<number> {
  let upTo = 0;
  await recordSync(col, (meta) => {
    upTo = pendingGenOf(meta);
    return { pendingGen: upTo + 1, sentGen: Math.max(sentGenOf(meta), upTo) };
  });
  return upTo;
}

/**
 * Ends what a full upload or a push that finished, failed or was cut off (the browser closed) may have read: changes
 * made from now on are of a generation nothing sent has read. Called after every full upload and push and before
 * every sync.
 */
export async function endUpload(col: Collection): Promise<void> {
  const tx = col.db.transaction("meta", "readwrite");
  const meta = await tx.store.get("collection");
  if (meta && pendingGenOf(meta) <= sentGenOf(meta)) {
    await tx.store.put({ ...meta, pendingGen: sentGenOf(meta) + 1 }, "collection");
  }
  await tx.done;
}

/**
 * The whole collection on the wire, for a full upload begun with beginUpload, a store and a batch at a time: first
 * the deletions this device knows of, so that the relay keeps them (a device still holding a deleted note must not
 * bring it back), then every live record, parents before children (a live record replaces a deletion of the same
 * id). Nothing is written: a record changed while the upload runs is of the next generation, and the next sync
 * pushes it, whichever version of it the upload read.
 */
export async function* readForUpload(col: Collection, upTo = Number.POSITIVE_INFINITY): AsyncGenerator<WireObject[]> {
  yield* readAll(
    col,
    "graves",
    (grave) => [String(grave.kind), String(grave.id)],
    (grave) => graveToWire(grave as unknown as Grave),
  );
  for (const kind of SYNC_KINDS) {
    if (kind === "revlog") {
      yield* readRevlog(col, upTo);
      continue;
    }
    yield* readAll(
      col,
      STORE_OF[kind],
      (record) => keyOf(kind, wireId(kind, record)),
      (record) => toWire(kind, record),
    );
  }
}

async function* readAll(
  col: Collection,
  name: string,
  keyOfRecord: (record: AnyRecord) => IDBValidKey,
  wire: (record: AnyRecord) => WireObject,
): AsyncGenerator<WireObject[]> {
  let after: IDBValidKey | null = null;
  for (;;) {
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const records = (await col.db.getAll(name as never, range as never, UPLOAD_BATCH)) as unknown as AnyRecord[];
    if (records.length > 0) yield records.map(wire);
    const last = records[records.length - 1];
    if (records.length < UPLOAD_BATCH || !last) return;
    after = keyOfRecord(last);
  }
}

/**
 * readAll for the review log: a few blocks at a time, without the answers made while the upload runs (of a
 * generation above `upTo`): they surely stay behind for the next sync, so that after a lost answer an answer made
 * meanwhile is not taken for one the upload carried. (An answer has no children, so leaving it out leaves the upload
 * whole.)
 */
async function* readRevlog(col: Collection, upTo: number): AsyncGenerator<WireObject[]> {
  let after: number | null = null;
  for (;;) {
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const blocks: RevlogBlock[] = await col.db.getAll("revlogBlocks", range, UPLOAD_BLOCKS);
    const out: WireObject[] = [];
    for (const block of blocks) {
      for (const row of block.rows) {
        if (generationOf(row.usn) <= upTo) out.push(toWire("revlog", row as unknown as AnyRecord));
      }
    }
    if (out.length > 0) yield out;
    const last = blocks[blocks.length - 1];
    if (blocks.length < UPLOAD_BLOCKS || !last) return;
    after = last.key;
  }
}
