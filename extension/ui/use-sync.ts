import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { progressInWords } from "../lib/badge";
import { loadSyncStatus, type OneWayChoice, requestSync, type SyncStatus, statusKey } from "../lib/sync-service";

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
  if (status.state === "syncing") return "Syncing…";
  if (status.state === "needs-choice") return "A one-way sync is needed: choose what to keep.";
  if (status.state === "error") return `The last sync failed: ${status.error ?? "unknown error"}`;
  return status.lastSuccess ? `Synced ${new Date(status.lastSuccess).toLocaleString()}.` : "Not synced yet.";
}
