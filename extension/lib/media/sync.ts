// The media sync: its own track after the collection's sync, with its own usn. It pulls the names that changed on
// the relay (downloading only contents this device lacks), then pushes this device's changes in batches (uploading
// only contents the relay lacks), so an interrupted sync resumes without sending finished files again. A name
// changed on both sides keeps the winner of shared/media.ts's rule, the same on every side. Failures are values.

import { type MediaVersion, mediaVersionWins, sameMediaContent } from "../../../shared/media";
import type { MediaChange, MediaChangesPage, MediaEntry } from "../../../shared/protocol/media";
import type { Collection } from "../collection/collection";
import { errorInWords } from "../collection/storage-full";
import type { RelayResult } from "../relay-client";
import type { MediaClient } from "./client";
import { mediaSyncState, sha1Hex } from "./store";
import type { MediaRecord, MediaSyncState } from "./types";

export interface MediaProgress {
  phase: "checking" | "downloading" | "uploading";
  /** Files done and to do in this phase (for "checking", names looked at). */
  done: number;
  total: number;
}

export interface MediaSyncOptions {
  onProgress?: (progress: MediaProgress) => void;
  /** Most names in one commit. */
  batchFiles?: number;
  /** Most bytes of files uploaded before a commit. */
  batchBytes?: number;
  /** Files downloaded or uploaded at the same time. */
  parallel?: number;
  /**
   * The relay account ("<relay URL> <username>"). When it differs from the one of the last media sync, this device's
   * media usn means nothing there: every file is compared again and those the relay lacks are sent.
   */
  account?: string;
}

export type MediaSyncOutcome =
  | {
      kind: "synced";
      usn: number;
      /** Files downloaded, and uploaded. */
      downloaded: number;
      uploaded: number;
      /** Files deleted here because they were deleted elsewhere; deletions of this device sent to the relay. */
      deletedHere: number;
      deletionsSent: number;
      /** Deletions made while this device was not fully in sync: their files came back. */
      restored: number;
    }
  | { kind: "failed"; error: string; status: number | null };

const BATCH_FILES = 200;
const BATCH_BYTES = 20 * 1024 * 1024;
const PARALLEL = 4;

class MediaFailure extends Error {
  constructor(readonly result: Extract<RelayResult<unknown>, { ok: false }>) {
    super(result.error);
  }
}

function must<T>(result: RelayResult<T>): T {
  if (!result.ok) throw new MediaFailure(result);
  return result.value;
}

interface Counts {
  downloaded: number;
  uploaded: number;
  deletedHere: number;
  deletionsSent: number;
  restored: number;
}

/** Syncs this collection's media with the relay. */
export async function syncMedia(
  col: Collection,
  client: MediaClient,
  options: MediaSyncOptions = {},
): Promise<MediaSyncOutcome> {
  const counts: Counts = { downloaded: 0, uploaded: 0, deletedHere: 0, deletionsSent: 0, restored: 0 };
  try {
    let state = await mediaSyncState(col);
    if (options.account !== undefined && state.account !== undefined && state.account !== options.account) {
      state = await startOver(col, state);
    }
    const account = options.account ?? state.account;
    // Not in sync until this sync finishes: deletions made meanwhile wait for a device that is.
    await saveState(col, { ...state, inSync: false, ...(account === undefined ? {} : { account }) });
    const usn = await pull(col, client, state.usn, counts, options);
    await restoreWithdrawn(col, client, counts);
    const finalUsn = await push(col, client, usn, counts, options);
    await saveState(col, {
      usn: finalUsn,
      inSync: true,
      lastSync: col.clock.now(),
      ...(account === undefined ? {} : { account }),
    });
    return { kind: "synced", usn: finalUsn, ...counts };
  } catch (error) {
    if (error instanceof MediaFailure) {
      return { kind: "failed", error: `Media: ${error.result.error}`, status: error.result.status };
    }
    return { kind: "failed", error: errorInWords(error, "The media sync stopped: "), status: null };
  }
}

/**
 * Forgets what this device knew of the relay's media: every file becomes a pending addition (so that the relay gets
 * those it lacks, and names on both sides are settled by the merge rule), and deletions not sent are dropped.
 */
async function startOver(col: Collection, state: MediaSyncState): Promise<MediaSyncState> {
  const tx = col.db.transaction(["media", "mediaSync"], "readwrite");
  const media = tx.objectStore("media");
  for (const record of await media.getAll()) {
    if (record.pending === "delete") {
      void media.delete(record.name);
      continue;
    }
    const { syncedSha1: _synced, afterSync: _after, ...rest } = record;
    void media.put({ ...rest, usn: -1, pending: "add" });
  }
  const next: MediaSyncState = { ...state, usn: 0, inSync: false };
  void tx.objectStore("mediaSync").put(next, "state");
  await tx.done;
  return next;
}

async function saveState(col: Collection, state: MediaSyncState): Promise<void> {
  await col.db.put("mediaSync", state, "state");
}

/** The version a record stands for: its content, or null for a pending deletion. */
function localVersion(record: MediaRecord): MediaVersion {
  return { sha1: record.pending === "delete" ? null : record.sha1, mtime: record.mtime };
}

/** The record of a name in sync with the relay's entry (which is live). */
function syncedRecord(entry: MediaEntry & { sha1: string }, size: number): MediaRecord {
  return { name: entry.name, sha1: entry.sha1, size, mtime: entry.mtime, usn: entry.usn, syncedSha1: entry.sha1 };
}

/** Runs `work` over items, `parallel` at a time, in order of start. */
async function eachParallel<T>(items: T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

/** Pulls every change since `since` and applies it; returns the usn this device is now at. */
async function pull(
  col: Collection,
  client: MediaClient,
  since: number,
  counts: Counts,
  options: MediaSyncOptions,
): Promise<number> {
  const entries: MediaEntry[] = [];
  let upto: number | null = null;
  let after: string | null = null;
  do {
    const page: MediaChangesPage = must(await client.changes(since, upto, after));
    if (page.usn < since) {
      // The relay is behind this device: its media was reset, or this is another account. Compare everything.
      await startOver(col, await mediaSyncState(col));
      return pull(col, client, 0, counts, options);
    }
    upto ??= page.usn;
    entries.push(...page.entries);
    after = page.next;
  } while (after);
  const target = upto ?? since;
  if (entries.length === 0) return target;
  options.onProgress?.({ phase: "checking", done: 0, total: entries.length });
  const downloads = await applyWithoutBytes(col, entries, counts);
  options.onProgress?.({ phase: "checking", done: entries.length, total: entries.length });
  // Names that share a content follow one another, so that the content is downloaded once and copied.
  const groups = new Map<string, MediaEntry[]>();
  for (const entry of downloads) groups.set(entry.sha1 ?? "", [...(groups.get(entry.sha1 ?? "") ?? []), entry]);
  let done = 0;
  await eachParallel([...groups.values()], options.parallel ?? PARALLEL, async (group) => {
    for (const entry of group) {
      await takeRelayVersion(col, client, entry, null);
      counts.downloaded++;
      options.onProgress?.({ phase: "downloading", done: ++done, total: downloads.length });
    }
  });
  // Every change up to the target is applied, so this device is at the target even if it pushes nothing.
  await saveState(col, { ...(await mediaSyncState(col)), usn: target, inSync: false });
  return target;
}

/**
 * Applies in one transaction every entry that needs no download (deletions, contents this device has, names it
 * changed itself and that win), and returns the entries whose files must be downloaded.
 */
async function applyWithoutBytes(col: Collection, entries: MediaEntry[], counts: Counts): Promise<MediaEntry[]> {
  const tx = col.db.transaction(["media", "mediaBytes"], "readwrite");
  const media = tx.objectStore("media");
  const bytes = tx.objectStore("mediaBytes");
  const locals = await Promise.all(entries.map((e) => media.get(e.name)));
  const downloads: MediaEntry[] = [];
  for (const [index, entry] of entries.entries()) {
    const local = locals[index];
    const relay: MediaVersion = { sha1: entry.sha1, mtime: entry.mtime };
    if (
      local?.pending &&
      !sameMediaContent(relay, localVersion(local)) &&
      !mediaVersionWins(relay, localVersion(local))
    ) {
      // This device's change wins: it stays pending, now replacing the relay's version.
      void media.put(overRelayVersion(local, entry));
      continue;
    }
    if (entry.sha1 === null) {
      if (local) {
        void media.delete(entry.name);
        void bytes.delete(entry.name);
        if (local.pending !== "delete") counts.deletedHere++;
      }
      continue;
    }
    if (local && local.pending !== "delete" && local.sha1 === entry.sha1) {
      void media.put(syncedRecord({ ...entry, sha1: entry.sha1 }, local.size));
      continue;
    }
    downloads.push(entry);
  }
  await tx.done;
  return downloads;
}

/**
 * Stores the relay's version of a name: the file by hash (copied from another name here when this device holds the
 * same content, else downloaded and checked), or its deletion. When `expected` is given, only if the name still
 * holds that version here (the person may have changed it meanwhile; their change then stays pending).
 */
async function takeRelayVersion(
  col: Collection,
  client: MediaClient,
  entry: MediaEntry,
  expected: MediaRecord | null,
): Promise<void> {
  let data: ArrayBuffer | null = null;
  if (entry.sha1) {
    data = await localCopy(col, entry.sha1);
    if (!data) {
      data = must(await client.download(entry.sha1));
      if ((await sha1Hex(data)) !== entry.sha1) {
        throw new Error(`the file "${entry.name}" arrived damaged (its SHA-1 does not match); try again`);
      }
    }
  }
  const tx = col.db.transaction(["media", "mediaBytes"], "readwrite");
  const current = await tx.objectStore("media").get(entry.name);
  const changedMeanwhile = expected
    ? !sameRecord(current, expected)
    : current?.pending !== undefined && mediaVersionWins(localVersion(current), entry);
  if (changedMeanwhile) {
    if (current) void tx.objectStore("media").put(overRelayVersion(current, entry));
  } else if (entry.sha1 && data) {
    void tx.objectStore("media").put(syncedRecord({ ...entry, sha1: entry.sha1 }, data.byteLength));
    void tx.objectStore("mediaBytes").put(data, entry.name);
  } else {
    void tx.objectStore("media").delete(entry.name);
    void tx.objectStore("mediaBytes").delete(entry.name);
  }
  await tx.done;
}

/** A pending change of this device, now known to replace the relay's version `entry`. */
function overRelayVersion(record: MediaRecord, entry: MediaEntry): MediaRecord {
  const kept: MediaRecord = { ...record, usn: entry.usn };
  if (entry.sha1) kept.syncedSha1 = entry.sha1;
  else delete kept.syncedSha1;
  return kept;
}

function sameRecord(a: MediaRecord | undefined, b: MediaRecord): boolean {
  return !!a && a.sha1 === b.sha1 && a.mtime === b.mtime && a.pending === b.pending;
}

/** The bytes of any name here that holds this content. */
async function localCopy(col: Collection, sha1: string): Promise<ArrayBuffer | null> {
  const tx = col.db.transaction(["media", "mediaBytes"]);
  for (const record of await tx.objectStore("media").index("sha1").getAll(sha1)) {
    if (record.pending === "delete") continue;
    const data = await tx.objectStore("mediaBytes").get(record.name);
    if (data) return data;
  }
  return null;
}

/**
 * Deletions made while this device's media was not fully in sync do not reach the relay: the relay's file comes
 * back instead, and the person can delete it again now that the device is in sync.
 */
async function restoreWithdrawn(col: Collection, client: MediaClient, counts: Counts): Promise<void> {
  const withdrawn = (await col.db.getAllFromIndex("media", "pending", "delete")).filter((r) => !r.afterSync);
  for (const record of withdrawn) {
    if (record.syncedSha1 && record.usn >= 0) {
      const entry: MediaEntry = {
        name: record.name,
        sha1: record.syncedSha1,
        size: 0,
        mtime: record.mtime,
        usn: record.usn,
      };
      try {
        await takeRelayVersion(col, client, entry, record);
        counts.restored++;
        continue;
      } catch (error) {
        if (!(error instanceof MediaFailure && error.result.status === 404)) throw error;
      }
    }
    // The relay holds nothing to bring back: the deletion is simply done here.
    const tx = col.db.transaction("media", "readwrite");
    const current = await tx.store.get(record.name);
    if (sameRecord(current, record)) await tx.store.delete(record.name);
    await tx.done;
  }
}

interface Planned {
  record: MediaRecord;
  change: MediaChange;
}

/** Pushes pending changes in batches; returns the usn this device is at afterwards. */
async function push(
  col: Collection,
  client: MediaClient,
  usn: number,
  counts: Counts,
  options: MediaSyncOptions,
): Promise<number> {
  const pending = (await col.db.getAllFromIndex("media", "pending")).filter(
    (r) => r.pending === "add" || r.afterSync === true,
  );
  if (pending.length === 0) return usn;
  const maxFiles = Math.max(1, Math.min(options.batchFiles ?? BATCH_FILES, 500));
  const maxBytes = options.batchBytes ?? BATCH_BYTES;
  const batches: MediaRecord[][] = [];
  let current: MediaRecord[] = [];
  let bytes = 0;
  for (const record of pending) {
    const size = record.pending === "add" ? record.size : 0;
    if (current.length > 0 && (current.length >= maxFiles || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);

  const totalFiles = pending.filter((r) => r.pending === "add").length;
  const progress = { done: 0 };
  let at = usn;
  for (const batch of batches) {
    const planned = batch.map((record) => ({
      record,
      change: { name: record.name, sha1: record.pending === "delete" ? null : record.sha1, mtime: record.mtime },
    }));
    const live = await uploadMissing(col, client, planned, counts, options, progress, totalFiles);
    const requestId = newRequestId();
    let committed = await client.commit(
      requestId,
      live.map((p) => p.change),
    );
    if (!committed.ok && committed.code === "missing-files") {
      // A file the relay cleared meanwhile (unused for a day): send it again, once.
      await uploadMissing(col, client, live, counts, options, progress, totalFiles);
      committed = await client.commit(
        requestId,
        live.map((p) => p.change),
      );
    }
    const answer = must(committed);
    await applyCommit(col, client, live, answer.entries, counts);
    if (answer.previousUsn === at) at = answer.usn;
    await saveState(col, { ...(await mediaSyncState(col)), usn: at, inSync: false });
  }
  return at;
}

/**
 * Uploads the batch's files that the relay does not hold. Returns the changes to commit: a name whose file changed
 * here since the batch was planned is left for the next sync.
 */
async function uploadMissing(
  col: Collection,
  client: MediaClient,
  planned: Planned[],
  counts: Counts,
  options: MediaSyncOptions,
  progress: { done: number },
  total: number,
): Promise<Planned[]> {
  const wanted = [...new Set(planned.flatMap((p) => (p.change.sha1 ? [p.change.sha1] : [])))];
  const missing = new Set(wanted.length > 0 ? must(await client.missing(wanted)).missing : []);
  const skipped = new Set<string>();
  const toSend = planned.filter((p) => p.change.sha1 && missing.has(p.change.sha1));
  const sent = new Set<string>();
  progress.done = Math.min(
    total,
    progress.done + planned.filter((p) => p.change.sha1 && !missing.has(p.change.sha1)).length,
  );
  if (total > 0) options.onProgress?.({ phase: "uploading", done: progress.done, total });
  await eachParallel(toSend, options.parallel ?? PARALLEL, async ({ record, change }) => {
    const sha1 = change.sha1 as string;
    if (!sent.has(sha1)) {
      sent.add(sha1);
      const tx = col.db.transaction(["media", "mediaBytes"]);
      const [current, data] = await Promise.all([
        tx.objectStore("media").get(record.name),
        tx.objectStore("mediaBytes").get(record.name),
      ]);
      if (!sameRecord(current, record) || !data) {
        skipped.add(record.name);
        sent.delete(sha1);
      } else {
        must(await client.upload(sha1, data));
        counts.uploaded++;
      }
    }
    progress.done = Math.min(total, progress.done + 1);
    options.onProgress?.({ phase: "uploading", done: progress.done, total });
  });
  // A content another name of the batch was to send, but which could not be read, is not committed either.
  return planned.filter(
    (p) => !skipped.has(p.record.name) && !(p.change.sha1 && missing.has(p.change.sha1) && !sent.has(p.change.sha1)),
  );
}

/** Marks what the relay took as synced, and takes the relay's version where it won. */
async function applyCommit(
  col: Collection,
  client: MediaClient,
  planned: Planned[],
  entries: MediaEntry[],
  counts: Counts,
): Promise<void> {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const lost: { entry: MediaEntry; record: MediaRecord }[] = [];
  const tx = col.db.transaction(["media", "mediaBytes"], "readwrite");
  const media = tx.objectStore("media");
  for (const { record, change } of planned) {
    const entry = byName.get(record.name);
    const current = await media.get(record.name);
    if (!entry) continue;
    if (!sameRecord(current, record)) {
      // Changed here during the sync: still pending, now over the relay's version.
      if (current) void media.put(overRelayVersion(current, entry));
      continue;
    }
    if (entry.sha1 === change.sha1) {
      if (change.sha1 === null) {
        void media.delete(record.name);
        counts.deletionsSent++;
      } else void media.put(syncedRecord({ ...entry, sha1: change.sha1 }, record.size));
      continue;
    }
    lost.push({ entry, record });
  }
  await tx.done;
  for (const { entry, record } of lost) {
    await takeRelayVersion(col, client, entry, record);
    if (entry.sha1) counts.downloaded++;
  }
}

function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}
