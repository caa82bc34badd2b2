// The background's side of syncing: one sync at a time per browser, the outcome kept in storage for the badge and
// the pages, and one-way syncs only when the person chose one.
import { browser } from "wxt/browser";
import type { StartResponse } from "../../shared/sync/protocol";
import { loadAccount } from "./account-store";
import { Collection } from "./collection/collection";
import { syncMediaAfter } from "./media/after-sync";
import { RelayClient } from "./relay-client";
import { fullDownload, fullMerge, fullUpload, type SyncOutcome, type SyncProgress, sync } from "./sync/engine";
import type { FailureKind } from "./sync/errors";
import { hasPending, pendingCounts } from "./sync/local";
import { testConnection } from "./sync/test-connection";

export type OneWayChoice = "upload" | "download" | "merge";

export interface SyncStatus {
  state: "idle" | "syncing" | "needs-choice" | "error";
  /** When the last sync succeeded (ms), or 0. */
  lastSuccess: number;
  error: string | null;
  /** What the relay said when a one-way sync is needed, for the prompt. */
  choice: Exclude<StartResponse, { action: "none" } | { action: "normal" }> | null;
  /** What this device holds, for the prompt. */
  local: { notes: number; cards: number; mtime: number } | null;
  /** While syncing: what is being sent or received, and how much of it. */
  progress?: SyncProgress | null;
  /** What kind of failure the error is (signed-out, offline, …). */
  failure?: FailureKind | null;
  /** The collection's scm when it last synced: a different one now means a change that cannot be merged. */
  syncedScm?: number;
}

export const statusKey = (profileId: string) => `profile:${profileId}:syncStatus`;
export const forceKey = (profileId: string) => `profile:${profileId}:forceOneWay`;

/** The preference "On next sync, force changes in one direction", as in Anki. */
export async function loadForceOneWay(profileId: string): Promise<boolean> {
  return (await browser.storage.local.get(forceKey(profileId)))[forceKey(profileId)] === true;
}

export async function saveForceOneWay(profileId: string, force: boolean): Promise<void> {
  await browser.storage.local.set({ [forceKey(profileId)]: force });
}

export async function loadSyncStatus(profileId: string): Promise<SyncStatus> {
  const key = statusKey(profileId);
  const stored = (await browser.storage.local.get(key))[key] as SyncStatus | undefined;
  return stored ?? { state: "idle", lastSuccess: 0, error: null, choice: null, local: null };
}

let writes: Promise<unknown> = Promise.resolve();

/** Status writes read and write the whole record, so they go one after the other (progress arrives meanwhile). */
function saveSyncStatus(profileId: string, patch: Partial<SyncStatus>): Promise<SyncStatus> {
  const write = writes.then(async () => {
    const next = { ...(await loadSyncStatus(profileId)), ...patch };
    await browser.storage.local.set({ [statusKey(profileId)]: next });
    return next;
  });
  writes = write.catch(() => undefined);
  return write;
}

let queue: Promise<unknown> = Promise.resolve();
let waiting = 0;

/** Syncs a profile's collection; with `choice`, the one-way sync the person chose. Never two at once. */
export function syncProfile(profileId: string, choice?: OneWayChoice, allowEmpty = false): Promise<SyncStatus> {
  waiting += 1;
  const run = queue.then(() => runSync(profileId, choice, allowEmpty)).finally(() => (waiting -= 1));
  queue = run.catch(() => undefined);
  return run;
}

/** True while a sync runs or waits its turn: an automatic sync then has nothing to add. */
export function syncRunning(): boolean {
  return waiting > 0;
}

/**
 * A status left at "syncing" by a background that stopped mid-sync (the browser closed, the extension restarted)
 * would show a sync that never ends. Each step of a sync leaves the collection consistent, so it becomes an error
 * that says to sync again. Call when the background starts, before any sync.
 */
export async function recoverInterruptedSync(profileId: string): Promise<boolean> {
  if ((await loadSyncStatus(profileId)).state !== "syncing") return false;
  // Checked after the read: a sync that started meanwhile writes its own status after this one.
  if (syncRunning()) return false;
  await saveSyncStatus(profileId, {
    state: "error",
    error:
      "The last sync was interrupted (the browser or the extension stopped). Nothing was half-written: sync again.",
    failure: null,
    progress: null,
  });
  return true;
}

/** Publishes progress in the stored status, at most a few times a second. */
function progressWriter(profileId: string) {
  let last = 0;
  return (progress: SyncProgress) => {
    const now = Date.now();
    const finished = progress.total !== null && progress.done >= progress.total;
    if (now - last < 250 && !finished) return;
    last = now;
    void saveSyncStatus(profileId, { progress });
  };
}

async function runSync(profileId: string, choice: OneWayChoice | undefined, allowEmpty: boolean): Promise<SyncStatus> {
  const account = await loadAccount(profileId);
  if (!account)
    return saveSyncStatus(profileId, { state: "error", error: "Sign in first: open the manager's Account page." });
  await saveSyncStatus(profileId, { state: "syncing", error: null, failure: null, progress: null });
  const col = await Collection.open(profileId);
  try {
    const client = new RelayClient(account.relayUrl, account.token);
    const onProgress = progressWriter(profileId);
    let outcome: SyncOutcome;
    if (choice === "upload") outcome = await fullUpload(col, client, { allowEmpty, onProgress });
    else if (choice === "download") outcome = await fullDownload(col, client, { onProgress });
    else if (choice === "merge") outcome = await fullMerge(col, client, { onProgress });
    else outcome = await sync(col, client, { forceOneWay: await loadForceOneWay(profileId), onProgress });
    // The forced one-way sync happened: the preference has done its work.
    if (choice && outcome.kind === "synced") await saveForceOneWay(profileId, false);
    // Media syncs on its own track once the collection's sync succeeded (one-way syncs leave media alone).
    outcome = await syncMediaAfter(col, account, outcome, {
      onProgress: ({ phase, done, total }) => {
        if (phase !== "checking") {
          onProgress({ phase: phase === "uploading" ? "sending" : "receiving", done, total, unit: "media files" });
        }
      },
    });
    if (outcome.kind === "failed" && outcome.failure === "unreachable") {
      // fetch says only "failed": the steps of Test connection tell a name, a refusal and a certificate apart.
      const failed = (await testConnection(account.relayUrl, account.token)).find((s) => s.state === "failed");
      if (failed && (failed.step === "tls" || failed.step === "online")) {
        outcome = { ...outcome, error: failed.detail, failure: failed.step === "tls" ? "certificate" : "offline" };
      }
    }
    if (outcome.kind === "synced" && outcome.pulled > 0) announceChanges(profileId);
    return await record(profileId, col, outcome);
  } finally {
    col.close();
  }
}

async function record(profileId: string, col: Collection, outcome: SyncOutcome): Promise<SyncStatus> {
  if (outcome.kind === "failed") {
    return saveSyncStatus(profileId, {
      state: "error",
      error: outcome.error,
      failure: outcome.failure ?? null,
      progress: null,
    });
  }
  if (outcome.kind === "needs-choice") {
    const meta = await col.meta();
    return saveSyncStatus(profileId, {
      state: "needs-choice",
      choice: outcome.start,
      local: { notes: await col.db.count("notes"), cards: await col.db.count("cards"), mtime: meta.mtime },
      error: null,
      failure: null,
      progress: null,
    });
  }
  return saveSyncStatus(profileId, {
    state: "idle",
    syncedScm: (await col.meta()).scm,
    lastSuccess: Date.now(),
    error: null,
    failure: null,
    choice: null,
    local: null,
    progress: null,
  });
}

/** Tells the extension's pages that a sync changed the collection, so they show the new state. */
function announceChanges(profileId: string): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel("collection-changes");
  channel.postMessage(profileId);
  channel.close();
}

/**
 * True when this profile's collection has changes the relay has not seen. An untouched new profile (never synced,
 * no notes) has nothing worth a sync, though its stock note types are unsent.
 */
export async function profileHasPending(profileId: string): Promise<boolean> {
  return (await profilePending(profileId)) !== null;
}

/**
 * What waits for a sync, counted by kind of change, and whether a change that cannot be merged (scm newer than the
 * last sync) makes the next sync one-way; null when nothing waits (see profileHasPending).
 */
export async function profilePending(profileId: string): Promise<PendingCounts | null> {
  const col = await Collection.open(profileId);
  try {
    const meta = await col.meta();
    if (meta.lastSync === 0 && (await col.db.count("notes")) === 0) return null;
    // Compared with the scm of the last sync when known: a downloaded scm may be ahead of this device's clock.
    const synced = (await loadSyncStatus(profileId)).syncedScm;
    const oneWay = meta.lastSync > 0 && (synced === undefined ? meta.scm > meta.lastSync : meta.scm !== synced);
    // A one-way sync waits even when no record does (a restored backup). Media waiting to sync counts too: a file
    // deleted with Check Media changes no note.
    if (!oneWay && !(await hasPending(col)) && (await col.db.countFromIndex("media", "pending")) === 0) return null;
    return { ...(await pendingCounts(col)), oneWay };
  } finally {
    col.close();
  }
}

export type PendingCounts = Awaited<ReturnType<typeof pendingCounts>> & { oneWay: boolean };

/** Messages the pages send to the background. */
export type SyncMessage = { type: "sync"; profileId: string; choice?: OneWayChoice; allowEmpty?: boolean };

/** Asks the background to sync and waits for the outcome. */
export async function requestSync(message: Omit<SyncMessage, "type">): Promise<SyncStatus> {
  return (await browser.runtime.sendMessage({ type: "sync", ...message } satisfies SyncMessage)) as SyncStatus;
}
