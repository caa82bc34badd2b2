// The background's side of syncing: one sync at a time per browser, the outcome kept in storage for the badge and
// the pages, and one-way syncs only when the person chose one.
import { browser } from "wxt/browser";
import type { StartResponse } from "../../shared/sync/protocol";
import { loadAccount } from "./account-store";
import { Collection } from "./collection/collection";
import { RelayClient } from "./relay-client";
import { fullDownload, fullMerge, fullUpload, type SyncOutcome, sync } from "./sync/engine";
import { hasPending } from "./sync/local";

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

async function saveSyncStatus(profileId: string, patch: Partial<SyncStatus>): Promise<SyncStatus> {
  const next = { ...(await loadSyncStatus(profileId)), ...patch };
  await browser.storage.local.set({ [statusKey(profileId)]: next });
  return next;
}

let queue: Promise<unknown> = Promise.resolve();

/** Syncs a profile's collection; with `choice`, the one-way sync the person chose. Never two at once. */
export function syncProfile(profileId: string, choice?: OneWayChoice, allowEmpty = false): Promise<SyncStatus> {
  const run = queue.then(() => runSync(profileId, choice, allowEmpty));
  queue = run.catch(() => undefined);
  return run;
}

async function runSync(profileId: string, choice: OneWayChoice | undefined, allowEmpty: boolean): Promise<SyncStatus> {
  const account = await loadAccount(profileId);
  if (!account)
    return saveSyncStatus(profileId, { state: "error", error: "Sign in first: open the manager's Account page." });
  await saveSyncStatus(profileId, { state: "syncing", error: null });
  const col = await Collection.open(profileId);
  try {
    const client = new RelayClient(account.relayUrl, account.token);
    let outcome: SyncOutcome;
    if (choice === "upload") outcome = await fullUpload(col, client, { allowEmpty });
    else if (choice === "download") outcome = await fullDownload(col, client);
    else if (choice === "merge") outcome = await fullMerge(col, client);
    else outcome = await sync(col, client, { forceOneWay: await loadForceOneWay(profileId) });
    // The forced one-way sync happened: the preference has done its work.
    if (choice && outcome.kind === "synced") await saveForceOneWay(profileId, false);
    return await record(profileId, col, outcome);
  } finally {
    col.close();
  }
}

async function record(profileId: string, col: Collection, outcome: SyncOutcome): Promise<SyncStatus> {
  if (outcome.kind === "failed") {
    return saveSyncStatus(profileId, { state: "error", error: outcome.error });
  }
  if (outcome.kind === "needs-choice") {
    const meta = await col.meta();
    return saveSyncStatus(profileId, {
      state: "needs-choice",
      choice: outcome.start,
      local: { notes: await col.db.count("notes"), cards: await col.db.count("cards"), mtime: meta.mtime },
      error: null,
    });
  }
  return saveSyncStatus(profileId, { state: "idle", lastSuccess: Date.now(), error: null, choice: null, local: null });
}

/**
 * True when this profile's collection has changes the relay has not seen. An untouched new profile (never synced,
 * no notes) has nothing worth a sync, though its stock note types are unsent.
 */
export async function profileHasPending(profileId: string): Promise<boolean> {
  const col = await Collection.open(profileId);
  try {
    const meta = await col.meta();
    if (meta.lastSync === 0 && (await col.db.count("notes")) === 0) return false;
    return await hasPending(col);
  } finally {
    col.close();
  }
}

/** Messages the pages send to the background. */
export type SyncMessage = { type: "sync"; profileId: string; choice?: OneWayChoice; allowEmpty?: boolean };

/** Asks the background to sync and waits for the outcome. */
export async function requestSync(message: Omit<SyncMessage, "type">): Promise<SyncStatus> {
  return (await browser.runtime.sendMessage({ type: "sync", ...message } satisfies SyncMessage)) as SyncStatus;
}
