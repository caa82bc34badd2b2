// Automatic sync, as in Anki: when the collection is opened (browser start, popup opened) and closed (popup
// closed), and every few minutes while changes wait. A per-profile preference turns it off. An automatic sync
// never waits behind another sync (it is simply not needed then) and never starts a one-way sync: it runs the
// normal sync, which records that a choice is needed so the badge turns red.
import { browser } from "wxt/browser";
import { loadAccount } from "./account-store";
import { activeProfile } from "./profiles";
import { loadSyncStatus, profileHasPending, type SyncStatus, syncProfile, syncRunning } from "./sync-service";

export type AutoReason = "startup" | "opened" | "closed" | "periodic";
export type AutoResult = "started" | "off" | "signed-out" | "busy" | "nothing-pending" | "needs-choice";

/** The alarm that syncs while changes wait, and how often it fires. */
export const AUTO_SYNC_ALARM = "auto-sync";
export const PERIOD_MINUTES = 5;
/** The name of the Port a popup holds open while it is shown: `popup:<profile id>`. */
export const POPUP_PORT_PREFIX = "popup:";

export const autoSyncKey = (profileId: string) => `profile:${profileId}:autoSync`;

/** Automatic sync is on unless the person turned it off for this profile. */
export async function loadAutoSync(profileId: string): Promise<boolean> {
  return (await browser.storage.local.get(autoSyncKey(profileId)))[autoSyncKey(profileId)] !== false;
}

export async function saveAutoSync(profileId: string, on: boolean): Promise<void> {
  await browser.storage.local.set({ [autoSyncKey(profileId)]: on });
  if (!on) await browser.alarms.clear(AUTO_SYNC_ALARM);
}

/** What automatic sync needs from the rest of the extension; tests pass their own. */
export interface AutoSyncDeps {
  sync(profileId: string): Promise<SyncStatus | unknown>;
  running(): boolean;
  pending(profileId: string): Promise<boolean>;
  signedIn(profileId: string): Promise<boolean>;
  status(profileId: string): Promise<SyncStatus>;
  activeProfile(): Promise<string>;
}

export const defaultDeps: AutoSyncDeps = {
  sync: (profileId) => syncProfile(profileId),
  running: syncRunning,
  pending: profileHasPending,
  signedIn: async (profileId) => (await loadAccount(profileId)) !== null,
  status: loadSyncStatus,
  activeProfile: async () => (await activeProfile()).id,
};

/** Starts an automatic sync of the profile unless it is off, signed out, already syncing, or not needed. */
export async function autoSync(
  profileId: string,
  reason: AutoReason,
  deps: AutoSyncDeps = defaultDeps,
): Promise<AutoResult> {
  if (!(await loadAutoSync(profileId))) return "off";
  if (!(await deps.signedIn(profileId))) return "signed-out";
  if (deps.running()) return "busy";
  if (reason === "periodic") {
    // Only the person's choice settles a needed one-way sync; asking the relay again every few minutes would not.
    if ((await deps.status(profileId)).state === "needs-choice") return "needs-choice";
    if (!(await deps.pending(profileId))) {
      await browser.alarms.clear(AUTO_SYNC_ALARM);
      return "nothing-pending";
    }
  }
  // Not awaited: the caller (an event listener) must not hold the event while the sync runs.
  void deps.sync(profileId);
  return "started";
}

/** Keeps the periodic alarm while changes wait (and automatic sync is on), and removes it otherwise. */
export async function schedulePeriodic(profileId: string, deps: AutoSyncDeps = defaultDeps): Promise<boolean> {
  const wanted = (await loadAutoSync(profileId)) && (await deps.signedIn(profileId)) && (await deps.pending(profileId));
  const existing = await browser.alarms.get(AUTO_SYNC_ALARM);
  if (wanted && !existing) {
    await browser.alarms.create(AUTO_SYNC_ALARM, { delayInMinutes: PERIOD_MINUTES, periodInMinutes: PERIOD_MINUTES });
  }
  if (!wanted && existing) await browser.alarms.clear(AUTO_SYNC_ALARM);
  return wanted;
}

interface PortLike {
  name: string;
  onDisconnect: { addListener(listener: () => void): void };
}

/** A popup's Port: the popup opened (sync now) and, when the Port goes, closed (sync again). */
export function watchPopupPort(port: PortLike, deps: AutoSyncDeps = defaultDeps): Promise<AutoResult> | null {
  if (!port.name.startsWith(POPUP_PORT_PREFIX)) return null;
  const profileId = port.name.slice(POPUP_PORT_PREFIX.length);
  port.onDisconnect.addListener(() => void autoSync(profileId, "closed", deps));
  return autoSync(profileId, "opened", deps);
}

/** Registers the background's listeners; call once, synchronously, when the background starts. */
export function installAutoSync(deps: AutoSyncDeps = defaultDeps): void {
  browser.runtime.onStartup.addListener(async () => {
    await autoSync(await deps.activeProfile(), "startup", deps);
  });
  browser.runtime.onConnect.addListener((port) => void watchPopupPort(port, deps));
  browser.alarms.onAlarm.addListener(async (alarm) => {
    if (alarm.name === AUTO_SYNC_ALARM) await autoSync(await deps.activeProfile(), "periodic", deps);
  });
}

/**
 * The popup's side: holds a Port open while the popup is shown, so that the background syncs when it opens and
 * again when it closes. Call once on mount; returns the function that lets go (a profile switch).
 */
export function connectPopupLifecycle(profileId: string): () => void {
  const port = browser.runtime.connect({ name: `${POPUP_PORT_PREFIX}${profileId}` });
  return () => port.disconnect();
}
