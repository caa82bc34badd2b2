// The background worker: the toolbar badge, the syncs the pages ask for (one at a time) and automatic sync.
import { browser } from "wxt/browser";
import { defineBackground } from "wxt/utils/define-background";
import { loadAccount } from "../lib/account-store";
import { installAutoSync, schedulePeriodic } from "../lib/auto-sync";
import { badgeFor, showBadge } from "../lib/badge";
import { activeProfile, loadProfiles, PROFILES_KEY } from "../lib/profiles";
import {
  loadSyncStatus,
  profilePending,
  recoverInterruptedSync,
  type SyncMessage,
  syncProfile,
} from "../lib/sync-service";

export default defineBackground(() => {
  const refresh = async () => {
    const { id } = await activeProfile();
    const account = await loadAccount(id);
    const status = await loadSyncStatus(id);
    // While syncing, only the progress changes: the pending count is read again once the sync is over.
    const pending = account && status.state !== "syncing" ? await profilePending(id) : null;
    await showBadge(badgeFor(account, status, pending));
    if (status.state !== "syncing") await schedulePeriodic(id);
  };
  installAutoSync();
  browser.runtime.onStartup.addListener(refresh);
  browser.runtime.onInstalled.addListener(refresh);
  browser.storage.onChanged.addListener((changes, area) => {
    const keys = Object.keys(changes);
    const relevant = keys.some(
      (k) => k === PROFILES_KEY || k.endsWith(":account") || k.endsWith(":syncStatus") || k.endsWith(":autoSync"),
    );
    if (area === "local" && relevant) void refresh();
  });
  // Pages announce collection changes here, so the badge turns blue when a change waits for a sync.
  new BroadcastChannel("collection-changes").onmessage = () => void refresh();
  browser.runtime.onMessage.addListener((message: SyncMessage, _sender, reply) => {
    if (message?.type !== "sync") return false;
    void syncProfile(message.profileId, message.choice, message.allowEmpty).then(reply, (error: Error) =>
      reply({ state: "error", error: error.message, lastSuccess: 0, choice: null, local: null }),
    );
    return true;
  });
  void loadProfiles()
    .then((list) => Promise.all(list.profiles.map((p) => recoverInterruptedSync(p.id))))
    .then(refresh);
});
