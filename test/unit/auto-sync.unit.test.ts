import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import {
  AUTO_SYNC_ALARM,
  type AutoSyncDeps,
  autoSync,
  connectPopupLifecycle,
  installAutoSync,
  loadAutoSync,
  PERIOD_MINUTES,
  saveAutoSync,
  schedulePeriodic,
} from "../../extension/lib/auto-sync";
import { type BadgeState, badgeFor, badgeState, pendingInWords, progressInWords } from "../../extension/lib/badge";
import type { SyncStatus } from "../../extension/lib/sync-service";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function idle(patch: Partial<SyncStatus> = {}): SyncStatus {
  return { state: "idle", lastSuccess: 0, error: null, choice: null, local: null, ...patch };
}

/** A stand-in for the sync service: counts the syncs it starts, and can be made to run for a while. */
function fakeDeps(patch: Partial<AutoSyncDeps> & { pendingNow?: boolean; signed?: boolean } = {}) {
  const started: string[] = [];
  let running = false;
  let finish: () => void = () => {};
  const deps: AutoSyncDeps = {
    sync: (profileId) => {
      started.push(profileId);
      running = true;
      return new Promise((resolve) => {
        finish = () => {
          running = false;
          resolve(idle());
        };
      });
    },
    running: () => running,
    pending: async () => patch.pendingNow ?? true,
    signedIn: async () => patch.signed ?? true,
    status: async () => idle(),
    activeProfile: async () => "main",
    ...patch,
  };
  return { deps, started, finish: () => finish() };
}

type Port = Parameters<Parameters<typeof fakeBrowser.runtime.onConnect.addListener>[0]>[0];

/** runtime.connect / onConnect for the fake browser, which has none: one pair of in-memory Ports. */
function fakePorts() {
  const listeners: ((port: Port) => void)[] = [];
  const onConnect = { addListener: (l: (port: Port) => void) => listeners.push(l) };
  const connect = ({ name }: { name: string }) => {
    const gone: (() => void)[] = [];
    const remote = { name, onDisconnect: { addListener: (l: () => void) => gone.push(l) } };
    for (const listener of listeners) listener(remote as unknown as Port);
    return {
      name,
      disconnect: () => {
        for (const l of gone) l();
      },
    };
  };
  Object.assign(fakeBrowser.runtime, { onConnect, connect });
}

beforeEach(() => {
  fakeBrowser.reset();
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe("automatic sync", () => {
  it("syncs when the browser starts, when the popup opens and when it closes", async () => {
    fakePorts();
    const { deps, started, finish } = fakeDeps();
    installAutoSync(deps);
    await fakeBrowser.runtime.onStartup.trigger();
    expect(started).toEqual(["main"]);
    finish();
    await vi.runAllTimersAsync();

    const letGo = connectPopupLifecycle("work");
    await vi.runAllTimersAsync();
    expect(started).toEqual(["main", "work"]);
    finish();
    await vi.runAllTimersAsync();
    letGo();
    await vi.runAllTimersAsync();
    expect(started).toEqual(["main", "work", "work"]);
  });

  it("never starts a second sync while one runs, nor queues one", async () => {
    fakePorts();
    const { deps, started } = fakeDeps();
    installAutoSync(deps);
    const letGo = connectPopupLifecycle("main");
    await vi.runAllTimersAsync();
    letGo(); // closed before the opening sync finished
    await vi.runAllTimersAsync();
    expect(started).toEqual(["main"]);
    expect(await autoSync("main", "periodic", deps)).toBe("busy");
    expect(started).toHaveLength(1);
  });

  it("is off when the person turned it off for the profile, and only for that profile", async () => {
    const { deps, started } = fakeDeps();
    expect(await loadAutoSync("main")).toBe(true);
    await saveAutoSync("main", false);
    expect(await autoSync("main", "opened", deps)).toBe("off");
    expect(await autoSync("main", "closed", deps)).toBe("off");
    expect(started).toEqual([]);
    expect(await autoSync("other", "opened", deps)).toBe("started");
  });

  it("does nothing for a profile that is not signed in", async () => {
    const { deps, started } = fakeDeps({ signed: false });
    expect(await autoSync("main", "startup", deps)).toBe("signed-out");
    expect(started).toEqual([]);
  });

  it("runs every few minutes while changes wait, and stops once nothing does", async () => {
    let pendingNow = true;
    const { deps, started, finish } = fakeDeps({ pending: async () => pendingNow });
    installAutoSync(deps);
    expect(await schedulePeriodic("main", deps)).toBe(true);
    const alarm = await fakeBrowser.alarms.get(AUTO_SYNC_ALARM);
    expect(alarm).toMatchObject({ periodInMinutes: PERIOD_MINUTES, scheduledTime: NOW + PERIOD_MINUTES * 60_000 });

    await fakeBrowser.alarms.onAlarm.trigger({ name: AUTO_SYNC_ALARM, scheduledTime: NOW, periodInMinutes: 5 });
    expect(started).toEqual(["main"]);
    finish();
    await vi.runAllTimersAsync();

    pendingNow = false;
    await fakeBrowser.alarms.onAlarm.trigger({ name: AUTO_SYNC_ALARM, scheduledTime: NOW, periodInMinutes: 5 });
    expect(started).toEqual(["main"]);
    expect(await fakeBrowser.alarms.get(AUTO_SYNC_ALARM)).toBeUndefined();
  });

  it("keeps no alarm when automatic sync is off, even with changes waiting", async () => {
    const { deps } = fakeDeps();
    await schedulePeriodic("main", deps);
    expect(await fakeBrowser.alarms.get(AUTO_SYNC_ALARM)).toBeDefined();
    await saveAutoSync("main", false);
    expect(await fakeBrowser.alarms.get(AUTO_SYNC_ALARM)).toBeUndefined();
    expect(await schedulePeriodic("main", deps)).toBe(false);
    expect(await fakeBrowser.alarms.get(AUTO_SYNC_ALARM)).toBeUndefined();
  });

  it("leaves a needed one-way sync to the person: the periodic sync does not ask again", async () => {
    const needsChoice = idle({ state: "needs-choice" });
    const { deps, started } = fakeDeps({ status: async () => needsChoice });
    expect(await autoSync("main", "periodic", deps)).toBe("needs-choice");
    expect(started).toEqual([]);
  });

  it("only ever asks the sync service for a normal sync (no one-way choice)", async () => {
    const calls: unknown[][] = [];
    const { deps } = fakeDeps({
      sync: async (...args: unknown[]) => {
        calls.push(args);
        return idle();
      },
    });
    await autoSync("main", "opened", deps);
    expect(calls).toEqual([["main"]]);
  });
});

describe("the badge's states", () => {
  const account = { relayUrl: "https://relay.example.com", username: "alice", token: "t".repeat(43) };
  const cases: [string, Parameters<typeof badgeState>, BadgeState, string, string][] = [
    ["nobody signed in", [null, idle(), true], "signed-out", "off", "#6b7280"],
    ["synced", [account, idle({ lastSuccess: NOW }), false], "synced", "", "#2563eb"],
    ["changes waiting", [account, idle({ lastSuccess: NOW }), true], "pending", "•", "#2563eb"],
    ["syncing, even with changes waiting", [account, idle({ state: "syncing" }), true], "syncing", "…", "#7c3aed"],
    ["a one-way sync needed", [account, idle({ state: "needs-choice" }), true], "needs-choice", "⇅", "#dc2626"],
    ["an error", [account, idle({ state: "error", error: "Offline." }), false], "error", "!", "#b45309"],
    [
      "a revoked sign-in",
      [account, idle({ state: "error", error: "Sign in again.", failure: "signed-out" }), false],
      "signed-out",
      "off",
      "#6b7280",
    ],
  ];
  for (const [what, args, state, text, color] of cases) {
    it(`${what} → ${state}`, () => {
      expect(badgeState(...args)).toBe(state);
      expect(badgeFor(...args)).toMatchObject({ text, color });
      expect(badgeFor(...args).title).not.toContain(account.token);
    });
  }

  it("turns red as soon as a change that cannot be merged waits, before any sync asks", () => {
    const pending = { total: 1, reviews: 0, cards: 0, notes: 0, other: 1, deletions: 0, media: 0, oneWay: true };
    expect(badgeState(account, idle({ lastSuccess: NOW }), pending)).toBe("needs-choice");
    expect(badgeFor(account, idle({ lastSuccess: NOW }), pending)).toMatchObject({
      text: "⇅",
      color: "#dc2626",
      title: expect.stringMatching(/cannot be merged .* the next sync is one-way/),
    });
  });

  it("shows how far a long sync is, in the badge and the tooltip", () => {
    const sending = idle({ state: "syncing", progress: { phase: "sending", done: 1400, total: 3000 } });
    expect(badgeFor(account, sending)).toMatchObject({
      text: "46%",
      title: expect.stringMatching(/sending 1,400 of 3,000 records/),
    });
    const receiving = idle({ state: "syncing", progress: { phase: "receiving", done: 4000, total: null } });
    expect(badgeFor(account, receiving)).toMatchObject({
      text: "…",
      title: expect.stringMatching(/receiving records, 4,000 so far/),
    });
  });

  it("says in the tooltip when the last sync succeeded and what waits", () => {
    const pending = { total: 15, reviews: 12, cards: 12, notes: 2, other: 0, deletions: 1, media: 0, oneWay: false };
    const look = badgeFor(account, idle({ lastSuccess: NOW }), pending);
    expect(look.title).toContain(`Last synced ${new Date(NOW).toLocaleString()}`);
    expect(look.title).toContain("Changes wait for a sync: 12 reviews, 2 notes, 12 cards, 1 deletion.");
    expect(badgeFor(account, idle(), false).title).toMatch(/Not synced yet/);
    expect(pendingInWords(false)).toBe("Nothing waits for a sync.");
  });
});

describe("progress in words", () => {
  it("says what is sent or received and how much, records first and media files after them", () => {
    expect(progressInWords(null)).toBe("Syncing…");
    expect(progressInWords({ phase: "sending", done: 1400, total: 3000 })).toBe(
      "Syncing: sending 1,400 of 3,000 records…",
    );
    expect(progressInWords({ phase: "receiving", done: 4000, total: null })).toBe(
      "Syncing: receiving records, 4,000 so far…",
    );
    expect(progressInWords({ phase: "receiving", done: 12, total: 500, unit: "media files" })).toBe(
      "Syncing: receiving 12 of 500 media files…",
    );
  });
});
