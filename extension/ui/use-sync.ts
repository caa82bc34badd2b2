import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { loadAccount, type SignedInAccount } from "../lib/account-store";
import { type BadgeLook, type BadgeState, badgeFor, badgeState, pendingInWords, progressInWords } from "../lib/badge";
import {
  loadSyncStatus,
  type OneWayChoice,
  type PendingCounts,
  profilePending,
  requestSync,
  type SyncStatus,
  statusKey,
} from "../lib/sync-service";

/** The profile's sync status, kept current, and the action that asks the background to sync. */
export function useSync(profileId: string) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void loadSyncStatus(profileId).then(setStatus);
    const listener = (changes: Record<string, { newValue?: unknown }>) => {
      const change = changes[statusKey(profileId)];
      if (change) setStatus((change.newValue as SyncStatus | undefined) ?? null);
    };
    browser.storage.onChanged.addListener(listener);
    return () => browser.storage.onChanged.removeListener(listener);
  }, [profileId]);
  const run = async (choice?: OneWayChoice, allowEmpty = false) => {
    setBusy(true);
    try {
      setStatus(await requestSync({ profileId, choice, allowEmpty }));
    } finally {
      setBusy(false);
    }
  };
  return { status, busy, sync: run };
}

/**
 * What waits for a sync, in words, and whether the next sync is one-way; read again when the sync status or the
 * collection changes. Null while a sync runs or before the first read.
 */
export function usePending(profileId: string, status: SyncStatus | null): { text: string; oneWay: boolean } | null {
  const [pending, setPending] = useState<PendingCounts | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const load = () => void profilePending(profileId).then((p) => live && setPending(p));
    load();
    const channel = new BroadcastChannel("collection-changes");
    channel.onmessage = (event) => {
      if (event.data === profileId) load();
    };
    return () => {
      live = false;
      channel.close();
    };
  }, [profileId, status?.state, status?.lastSuccess]);
  if (pending === undefined || status?.state === "syncing") return null;
  return { text: pendingInWords(pending), oneWay: pending?.oneWay ?? false };
}

/**
 * The same state and look as the toolbar badge (blue: changes wait; red: a one-way sync is needed; syncing; error;
 * not signed in), for a sync button that matches it: `style={{ background: look.color }} title={look.title}`.
 */
export function useSyncLook(profileId: string): { state: BadgeState; look: BadgeLook } | null {
  const { status } = useSync(profileId);
  const [account, setAccount] = useState<SignedInAccount | null | undefined>(undefined);
  const [pending, setPending] = useState<PendingCounts | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => {
      void loadAccount(profileId).then((a) => live && setAccount(a));
      void profilePending(profileId).then((p) => live && setPending(p));
    };
    load();
    const channel = new BroadcastChannel("collection-changes");
    channel.onmessage = (event) => {
      if (event.data === profileId) load();
    };
    const onStorage = (changes: Record<string, unknown>) => {
      if (Object.keys(changes).some((k) => k === `profile:${profileId}:account` || k === statusKey(profileId))) load();
    };
    browser.storage.onChanged.addListener(onStorage);
    return () => {
      live = false;
      channel.close();
      browser.storage.onChanged.removeListener(onStorage);
    };
  }, [profileId]);
  if (account === undefined || !status) return null;
  return { state: badgeState(account, status, pending), look: badgeFor(account, status, pending) };
}

/** While a sync runs: what is being sent or received and how much, for a progress bar; null otherwise. */
export function describeProgress(
  status: SyncStatus | null,
): { text: string; done: number; total: number | null } | null {
  if (status?.state !== "syncing") return null;
  const progress = status.progress ?? null;
  return { text: progressInWords(progress), done: progress?.done ?? 0, total: progress?.total ?? null };
}

/** One line saying where the sync stands. */
export function describeStatus(status: SyncStatus | null): string {
  if (!status) return "";
  // With what is being sent or received and how much, once the background publishes it.
  if (status.state === "syncing") return progressInWords(status.progress ?? null);
  if (status.state === "needs-choice") return "A one-way sync is needed: choose what to keep.";
  if (status.state === "error") return `The last sync failed: ${status.error ?? "unknown error"}`;
  return status.lastSuccess ? `Synced ${new Date(status.lastSuccess).toLocaleString()}.` : "Not synced yet.";
}
