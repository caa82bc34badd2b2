// The sync itself: one request to learn what is needed, then pull, push and check for a normal sync, or a
// one-way upload, download or merge when the person chose one. Failures are values, never thrown.

import { utf8Length } from "../../../shared/media";
import {
  type ChangesPage,
  type CollectionPage,
  MAX_OBJECTS_PER_REQUEST,
  type RelayObject,
  type StartResponse,
  SYNC_KINDS,
  type SyncKind,
  type WireObject,
} from "../../../shared/sync/protocol";
import type { Collection } from "../collection/collection";
import { errorInWords } from "../collection/storage-full";
import type { RelayClient, RelayResult } from "../relay-client";
import { backupCollection, discardBackups, pruneBackups } from "./backup";
import type { FailureKind } from "./errors";
import {
  applyRelayObjects,
  beginPush,
  beginUpload,
  ChangedMeanwhile,
  cardsForLater,
  commitSent,
  commitSettled,
  countRecords,
  digestMismatches,
  endUpload,
  finishUpload,
  hasPending,
  localDigest,
  markSynced,
  markUnseenPending,
  newGeneration,
  type PushedRecord,
  passRelayScm,
  pendingBatches,
  pendingTotal,
  ReceivedCollection,
  readForUpload,
  recordSync,
  replaceCollection,
  SeenKeys,
  type UploadStart,
} from "./local";

export type SyncOutcome =
  | { kind: "none" }
  | { kind: "synced"; usn: number; pulled: number; pushed: number; repaired: SyncKind[] }
  | { kind: "needs-choice"; start: Exclude<StartResponse, { action: "none" } | { action: "normal" }> }
  | { kind: "failed"; error: string; status: number | null; code?: string; failure?: FailureKind };

/** What a long sync is doing: records received or sent so far, out of how many when that is known. */
export interface SyncProgress {
  phase: "receiving" | "sending";
  done: number;
  total: number | null;
  /** What is counted: the collection's records (the default) or media files, which sync after them. */
  unit?: "records" | "media files";
}

export type OnProgress = (progress: SyncProgress) => void;

export interface SyncOptions {
  forceOneWay?: boolean;
  /** Compare mtime sums as well as counts after this sync (done weekly anyway). */
  fullCheck?: boolean;
  onProgress?: OnProgress;
}

const quiet: OnProgress = () => {};

/** Most bytes of records in one request, well under the relay's 1 MiB limit. */
const CHUNK_BYTES = 700 * 1024;
const CHUNK_OBJECTS = Math.min(1000, MAX_OBJECTS_PER_REQUEST);
const STALE_RETRIES = 5;
const FULL_CHECK_INTERVAL_MS = 7 * 24 * 60 * 60 * 1000;

class SyncFailure extends Error {
  constructor(readonly result: Omit<Extract<RelayResult<unknown>, { ok: false }>, "kind"> & { kind?: FailureKind }) {
    super(result.error);
  }
}

function must<T>(result: RelayResult<T>): T {
  if (!result.ok) throw new SyncFailure(result);
  return result.value;
}

async function asOutcome(work: () => Promise<SyncOutcome>): Promise<SyncOutcome> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SyncFailure) {
      const { error: message, status, code, kind } = error.result;
      return { kind: "failed", error: message, status, ...(code ? { code } : {}), ...(kind ? { failure: kind } : {}) };
    }
    return { kind: "failed", error: errorInWords(error, "The sync stopped: "), status: null };
  }
}

/** A normal sync, or the answer that a one-way sync is needed. */
export function sync(col: Collection, client: RelayClient, options: SyncOptions = {}): Promise<SyncOutcome> {
  return asOutcome(async () => {
    // A full upload cut off with the browser: what it may have read is behind us.
    await endUpload(col);
    await settleCommits(col, client);
    for (let attempt = 0; ; attempt++) {
      const [meta, cards, notes, pending] = await Promise.all([
        col.meta(),
        col.db.count("cards"),
        col.db.count("notes"),
        hasPending(col),
      ]);
      const start = must(
        await client.startSync({
          collectionId: meta.id,
          scm: meta.scm,
          lastSyncUsn: meta.lastSyncUsn,
          lastSync: meta.lastSync,
          cards,
          notes,
          mtime: meta.mtime,
          pending,
          forceOneWay: options.forceOneWay ?? false,
        }),
      );
      if (start.action === "none") {
        await recordSync(col, { lastSync: col.clock.now() });
        return { kind: "none" };
      }
      if (start.action !== "normal") return { kind: "needs-choice", start };
      try {
        return await normalSync(
          col,
          client,
          meta.lastSyncUsn,
          start.usn,
          true,
          options.fullCheck ?? false,
          options.onProgress,
        );
      } catch (error) {
        // Another device replaced the relay's collection meanwhile: asking again gives the choice to make.
        if (error instanceof ReplacedMeanwhile && attempt === 0) continue;
        throw error;
      }
    }
  });
}

/** The relay's collection was replaced (a one-way sync from another device) while this sync ran. */
class ReplacedMeanwhile extends Error {
  constructor() {
    super("another device replaced the collection on the relay meanwhile; sync again to choose what to keep");
  }
}

/** The relay's usn, after making sure that its collection is still the one this sync began with. */
async function relayUsnNow(col: Collection, client: RelayClient) {
  const relay = must(await client.digest());
  const meta = await col.meta();
  if (relay.collectionId !== meta.id || relay.scm !== meta.scm) throw new ReplacedMeanwhile();
  return relay;
}

async function normalSync(
  col: Collection,
  client: RelayClient,
  since: number,
  upto: number,
  repair = true,
  fullCheck = false,
  onProgress: OnProgress = quiet,
): Promise<SyncOutcome> {
  let pulled = 0;
  let from = since;
  let target = upto;
  // Cards that came before their note (see cardsForLater), across the pulls of this sync.
  const later: RelayObject[] = [];
  for (let attempt = 0; attempt <= STALE_RETRIES; attempt++) {
    pulled += await pull(
      col,
      client,
      from,
      target,
      (done) => onProgress({ phase: "receiving", done: pulled + done, total: null }),
      later,
    );
    const waiting = await pendingTotal(col);
    if (waiting === 0) {
      const relay = await relayUsnNow(col, client);
      if (relay.usn !== target) {
        from = target;
        target = relay.usn;
        continue;
      }
      // Cards still waiting for a note that never came: the note here is the relay's, changed here.
      await applyRelayObjects(col, later.splice(0));
      await markSynced(col, [], target, col.clock.now());
      const repaired = await checkAndRepair(col, client, relay.digest, repair, fullCheck);
      return { kind: "synced", usn: target, pulled, pushed: 0, repaired };
    }
    // Only what marking needs is kept of each record sent; the records themselves are read and sent a batch at a
    // time, so a Merge, which sends the whole collection, needs no more memory than a day's sync.
    const pushed: PushedRecord[] = [];
    const upTo = await beginPush(col);
    const committed = await push(
      client,
      pendingBatches(col, { upTo }),
      waiting,
      (session, chunks, last) =>
        committing(col, "pushes", session, () =>
          client.commitPush(session, { baseUsn: target, chunks, objects: last }),
        ),
      onProgress,
      (sent) => {
        for (const o of sent) pushed.push({ kind: o.kind, id: o.id, mtime: o.mtime, deleted: o.deleted });
      },
    ).finally(() => endUpload(col));
    if (!committed.ok && committed.code === "stale") {
      from = target;
      target = (await relayUsnNow(col, client)).usn;
      continue;
    }
    const result = must(committed);
    // Records that lost on the relay take the relay's version; the rest are synced as they are.
    await applyRelayObjects(col, later.splice(0));
    await applyRelayObjects(col, result.lost ?? []);
    await markSynced(col, pushed, result.usn, col.clock.now());
    // A digest taken after another device's commit cannot be compared with this device's collection; with more
    // losing records than the answer could carry, a full merge is due whatever the digest says.
    const repaired =
      result.digestUsn === result.usn || result.lostTruncated
        ? await checkAndRepair(col, client, result.digest, repair, fullCheck || result.lostTruncated === true)
        : [];
    return { kind: "synced", usn: result.usn, pulled, pushed: pushed.length, repaired };
  }
  return { kind: "failed", error: "Other devices kept syncing at the same time; try again in a moment.", status: 409 };
}

/** Pulls the relay's changes in (since, upto] page by page and applies each page. */
async function pull(
  col: Collection,
  client: RelayClient,
  since: number,
  upto: number,
  onPage: (done: number) => void = () => {},
  later: RelayObject[] = [],
): Promise<number> {
  if (upto <= since) return 0;
  let count = 0;
  for await (const page of pages<ChangesPage>((previous) => client.changes(since, upto, previous?.next ?? null))) {
    // A card waiting from an earlier pull that this page holds again is of an older version: this one replaces it.
    const newer = new Set(page.objects.map((o) => `${o.kind}:${o.id}`));
    const waiting = later.splice(0).filter((o) => !newer.has(`${o.kind}:${o.id}`));
    later.push(...waiting);
    const split = await cardsForLater(col, page.objects);
    await applyRelayObjects(col, split.now);
    later.push(...split.later);
    count += page.objects.length;
    if (page.objects.length > 0) onPage(count);
  }
  // Cards whose note has come since; the others wait for the next pull of this sync (their note is newer than this
  // pull, so a commit now would be stale anyway).
  const ready = await cardsForLater(col, later.splice(0));
  await applyRelayObjects(col, ready.now);
  later.push(...ready.later);
  return count;
}

/** Asks for the pages of the whole collection, every one after the first at the first one's usn. */
function collectionPages(
  client: RelayClient,
): (previous: CollectionPage | null) => Promise<RelayResult<CollectionPage>> {
  let first: CollectionPage | null = null;
  return (previous) => {
    first ??= previous;
    return client.collectionPage(first ? first.usn : null, previous?.next ?? null);
  };
}

/**
 * The pages of a paged answer of the relay, in order. Each is asked for as soon as the one before it has arrived,
 * so that the relay prepares it while that one is applied here. `request` is given the page before (null first).
 */
async function* pages<T extends { next: string | null }>(
  request: (previous: T | null) => Promise<RelayResult<T>>,
): AsyncGenerator<T> {
  let coming = request(null);
  for (;;) {
    const page = must(await coming);
    if (page.next) coming = request(page);
    yield page;
    if (!page.next) return;
  }
}

/** Gathers records into chunks bounded in count and bytes, as they come. */
class ChunkBuilder {
  private current: WireObject[] = [];
  private bytes = 0;

  /** Adds a record; gives back the chunk it closed, when the record would have overfilled that one. */
  add(object: WireObject): WireObject[] | null {
    // UTF-8 bytes, as the relay counts its limit: a field of CJK text takes three per character.
    const size = utf8Length(JSON.stringify(object)) + 1;
    let full: WireObject[] | null = null;
    if (this.current.length > 0 && (this.current.length >= CHUNK_OBJECTS || this.bytes + size > CHUNK_BYTES)) {
      full = this.current;
      this.current = [];
      this.bytes = 0;
    }
    this.current.push(object);
    this.bytes += size;
    return full;
  }

  /** The last, partly filled chunk, if any. */
  rest(): WireObject[] | null {
    const last = this.current;
    this.current = [];
    this.bytes = 0;
    return last.length > 0 ? last : null;
  }
}

/**
 * Stages all chunks but the last under a new session, then commits with the last one. Chunks are made as the
 * batches come, and one is held back until the next closes, so that the last one goes with the commit.
 */
async function push<T>(
  client: RelayClient,
  batches: AsyncIterable<WireObject[]>,
  total: number,
  commit: (session: string, staged: number, last: WireObject[]) => Promise<RelayResult<T>>,
  onProgress: OnProgress = quiet,
  onSent: (objects: WireObject[]) => void = () => {},
): Promise<RelayResult<T>> {
  const session = newSessionId();
  const builder = new ChunkBuilder();
  let held: WireObject[] | null = null;
  let staged = 0;
  let sent = 0;
  onProgress({ phase: "sending", done: 0, total });
  const stage = async (objects: WireObject[]) => {
    must(await client.putChunk("pushes", session, staged, objects));
    staged++;
    sent += objects.length;
    onSent(objects);
    onProgress({ phase: "sending", done: sent, total: Math.max(total, sent) });
  };
  for await (const batch of batches) {
    for (const object of batch) {
      const full = builder.add(object);
      if (!full) continue;
      if (held) await stage(held);
      held = full;
    }
  }
  const rest = builder.rest();
  let last = held ?? [];
  if (rest) {
    if (held) await stage(held);
    last = rest;
  }
  const result = await commit(session, staged, last);
  if (result.ok) {
    onSent(last);
    onProgress({ phase: "sending", done: sent + last.length, total: Math.max(total, sent + last.length) });
  }
  return result;
}

/**
 * Sends a commit, noting it first as in doubt: if no answer comes, the next sync asks the relay what became of it
 * (settleCommits). An answer in words from the relay (a 4xx) means it was not applied.
 */
async function committing<T extends { usn: number }>(
  col: Collection,
  kind: "pushes" | "uploads",
  session: string,
  send: () => Promise<RelayResult<T>>,
): Promise<RelayResult<T>> {
  await commitSent(col, kind, session);
  const result = await send();
  if (result.ok) await commitSettled(col, session, result.value.usn, { answered: true });
  else if (result.status !== null && result.status >= 400 && result.status < 500)
    await commitSettled(col, session, null, { answered: true });
  return result;
}

/**
 * Settles every commit whose answer was lost: the relay says at which usn it was applied, or makes sure it never
 * will be. Records that come back at such a usn are this device's own (see applyRelayObjects).
 */
async function settleCommits(col: Collection, client: RelayClient): Promise<void> {
  for (const { kind, session } of (await col.meta()).inDoubt ?? []) {
    const answer = await client.abandon(kind, session);
    // A relay deployed before commits could be settled: the commit may have been applied, at a usn it cannot say.
    const unknown = !answer.ok && answer.status === 404;
    await commitSettled(col, session, unknown ? null : must(answer).usn, { answered: false, unknown });
  }
}

function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/**
 * Compares this device's digest with the relay's. A mismatch is repaired by a full two-way merge, which keeps
 * the winning version of every record from both sides. Returns the kinds that needed it.
 */
async function checkAndRepair(
  col: Collection,
  client: RelayClient,
  relayDigest: Parameters<typeof digestMismatches>[1],
  repair: boolean,
  forceFull = false,
): Promise<SyncKind[]> {
  // A change made here while the sync ran is not on the relay yet: the next sync compares.
  if (await hasPending(col)) return [];
  // Counts every time; mtime sums too once a week, and whenever a repair must prove itself.
  const meta = await col.meta();
  const full = forceFull || !repair || col.clock.now() - (meta.lastFullCheck ?? 0) > FULL_CHECK_INTERVAL_MS;
  const mismatched = digestMismatches(await localDigest(col, { full }), relayDigest);
  if (full && mismatched.length === 0) await recordSync(col, { lastFullCheck: col.clock.now() });
  if (mismatched.length === 0) return mismatched;
  if (!repair) {
    // This check follows a full merge already: another one would not change the outcome.
    throw new SyncFailure({
      ok: false,
      status: null,
      error: `After a full merge this device and the relay still differ in: ${mismatched.join(", ")}. Nothing was deleted; please report this.`,
    });
  }
  const merged = await mergeAll(col, client);
  if (merged.kind === "failed") {
    throw new SyncFailure({ ok: false, status: merged.status, error: merged.error, kind: merged.failure });
  }
  return mismatched;
}

/**
 * Upload: the relay's collection is replaced by this one. The collection is read a batch at a time, and each chunk
 * is sent while the next batch is read, so neither the whole collection nor its wire form is ever held at once.
 */
export function fullUpload(
  col: Collection,
  client: RelayClient,
  { allowEmpty = false, onProgress = quiet }: { allowEmpty?: boolean; onProgress?: OnProgress } = {},
): Promise<SyncOutcome> {
  return asOutcome(async () => {
    // The schema stamp and the pending generation move on (see beginUpload). Until the relay holds this upload,
    // only another one-way sync can follow here; once it does, what the upload covers is synced at once.
    let start = await beginUpload(col);
    try {
      const relay = must(await client.digest());
      if (relay.collectionId === start.meta.id && relay.scm !== null) start = await passRelayScm(col, start, relay.scm);
      return await sendUpload(col, client, start, allowEmpty, onProgress);
    } catch (error) {
      // Another device's upload came first with this one's schema stamp (two uploads in one millisecond): this
      // collection's stamp moves past it, so that the next sync here asks what to keep rather than merging with it.
      if (error instanceof SyncFailure && error.result.code === "stale-upload") {
        const relay = await client.digest();
        if (relay.ok && relay.value.scm !== null) await passRelayScm(col, start, relay.value.scm);
      }
      throw error;
    } finally {
      await endUpload(col);
    }
  });
}

/** The body of fullUpload: every record in chunks, then the commit. */
async function sendUpload(
  col: Collection,
  client: RelayClient,
  start: UploadStart,
  allowEmpty: boolean,
  onProgress: OnProgress,
): Promise<SyncOutcome> {
  const meta = start.meta;
  let total = 0;
  for (const kind of SYNC_KINDS) total += await countRecords(col, kind);
  const session = newSessionId();
  const counts = Object.fromEntries(SYNC_KINDS.map((kind) => [kind, 0])) as Record<SyncKind, number>;
  const builder = new ChunkBuilder();
  let chunks = 0;
  let sent = 0;
  let inFlight: { request: Promise<RelayResult<unknown>>; size: number } | null = null;
  const settle = async () => {
    if (!inFlight) return;
    must(await inFlight.request);
    sent += inFlight.size;
    inFlight = null;
    onProgress({ phase: "sending", done: sent, total: Math.max(total, sent) });
  };
  // One request at a time, sent while the next batch is read.
  const send = async (objects: WireObject[]) => {
    await settle();
    inFlight = { request: client.putChunk("uploads", session, chunks++, objects), size: objects.length };
  };
  onProgress({ phase: "sending", done: 0, total });
  for await (const objects of readForUpload(col, start.generation)) {
    for (const object of objects) {
      if (!object.deleted) counts[object.kind] += 1;
      const full = builder.add(object);
      if (full) await send(full);
    }
  }
  const rest = builder.rest();
  if (rest) await send(rest);
  await settle();
  const result = must(
    await committing(col, "uploads", session, () =>
      client.commitUpload(session, { collectionId: meta.id, scm: meta.scm, chunks, counts, allowEmpty }),
    ),
  );
  await finishUpload(col, start, result.usn);
  return { kind: "synced", usn: result.usn, pulled: 0, pushed: sent, repaired: [] };
}

/** Download: this collection is backed up, then replaced by the relay's. */
export function fullDownload(
  col: Collection,
  client: RelayClient,
  { onProgress = quiet, expected = null }: { onProgress?: OnProgress; expected?: number | null } = {},
): Promise<SyncOutcome> {
  return asOutcome(async () => {
    // The backup is taken while the pages arrive (the relay's work and the browser's overlap). A change made after
    // it began is of a newer generation: the replacement then finds it, and the backup is taken again first.
    let since = await newGeneration(col);
    const backups: string[] = [];
    const backup = backupCollection(col, "download", { prune: false }).then(
      (id) => void backups.push(id),
      (error: unknown) => ({ error }),
    );
    try {
      // Pages are kept as the stores' records, grouped by kind, and their wire form dropped as they come.
      const received = new ReceivedCollection();
      let usn = -1;
      let identity: { collectionId: string; scm: number } | null = null;
      for await (const page of pages(collectionPages(client))) {
        if (usn < 0) usn = page.usn;
        identity = { collectionId: page.collectionId, scm: page.scm };
        received.add(page.objects);
        onProgress({ phase: "receiving", done: received.size, total: expected });
      }
      if (!identity) throw new Error("the relay sent no collection");
      const backedUp = await backup;
      if (backedUp) throw backedUp.error;
      const relay = { id: identity.collectionId, scm: identity.scm, lastSyncUsn: usn };
      for (let attempt = 1; ; attempt++) {
        try {
          await replaceCollection(col, received, relay, since);
          break;
        } catch (thrown) {
          if (!(thrown instanceof ChangedMeanwhile) || attempt === 3) throw thrown;
          since = await newGeneration(col);
          backups.push(await backupCollection(col, "download", { prune: false }));
        }
      }
      // Only the last backup is needed: it holds every change the others do.
      await discardBackups(backups.slice(0, -1));
      backups.length = 0;
      await pruneBackups(col.profileId);
      return { kind: "synced", usn, pulled: received.size, pushed: 0, repaired: [] };
    } finally {
      // A download that did not replace the collection leaves no backup of it: the collection is still here, and
      // the backups kept from before must not make way for copies of it.
      await backup;
      await discardBackups(backups);
    }
  });
}

/** Merge: both collections are merged record by record with the normal rules; afterwards both sides are equal. */
export function fullMerge(
  col: Collection,
  client: RelayClient,
  { onProgress = quiet }: { onProgress?: OnProgress } = {},
): Promise<SyncOutcome> {
  return asOutcome(() => mergeAll(col, client, onProgress));
}

async function mergeAll(col: Collection, client: RelayClient, onProgress: OnProgress = quiet): Promise<SyncOutcome> {
  await settleCommits(col, client);
  let pulled = 0;
  let identity: { collectionId: string; scm: number; usn: number } | null = null;
  const seen = new SeenKeys();
  const later: RelayObject[] = [];
  for await (const page of pages(collectionPages(client))) {
    identity ??= { collectionId: page.collectionId, scm: page.scm, usn: page.usn };
    const split = await cardsForLater(col, page.objects, { merging: true });
    await applyRelayObjects(col, split.now, { seen });
    later.push(...split.later);
    pulled += page.objects.length;
    onProgress({ phase: "receiving", done: pulled, total: null });
  }
  for (let i = 0; i < later.length; i += MAX_OBJECTS_PER_REQUEST) {
    await applyRelayObjects(col, later.slice(i, i + MAX_OBJECTS_PER_REQUEST), { seen });
  }
  if (!identity) throw new Error("the relay sent no collection");
  // What the relay lacks is pushed by the normal sync below: records and graves it did not send, and this side's
  // versions that won over the relay's (left pending by the pull).
  await markUnseenPending(col, seen);
  await recordSync(col, { id: identity.collectionId, scm: identity.scm });
  return normalSync(col, client, identity.usn, identity.usn, false, false, onProgress).then((outcome) =>
    outcome.kind === "synced" ? { ...outcome, pulled: outcome.pulled + pulled } : outcome,
  );
}
