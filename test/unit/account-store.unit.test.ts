import { beforeEach, describe, expect, it } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { clearAccount, loadAccount, loadRelayUrl, saveAccount, saveRelayUrl } from "../../extension/lib/account-store";
import { badgeFor } from "../../extension/lib/badge";

const account = { relayUrl: "https://relay.example.com", username: "alice", token: "t".repeat(43) };

beforeEach(() => fakeBrowser.reset());

describe("the stored sign-in", () => {
  it("survives a reload and is gone after clearing", async () => {
    expect(await loadAccount()).toBeNull();
    await saveAccount(account);
    expect(await loadAccount()).toEqual(account);
    await clearAccount();
    expect(await loadAccount()).toBeNull();
  });

  it("belongs to one profile: another profile is not signed in by it", async () => {
    await saveAccount(account, "work");
    expect(await loadAccount("work")).toEqual(account);
    expect(await loadAccount("home")).toBeNull();
  });

  it("ignores a stored value of the wrong shape instead of trusting it", async () => {
    await fakeBrowser.storage.local.set({ "profile:default:account": { username: "alice" } });
    expect(await loadAccount()).toBeNull();
  });

  it("remembers the relay address", async () => {
    await saveRelayUrl("https://relay.example.com");
    expect(await loadRelayUrl()).toBe("https://relay.example.com");
  });
});

describe("the toolbar badge", () => {
  const status = (state: "idle" | "syncing" | "needs-choice" | "error", lastSuccess = 0) => ({
    state,
    lastSuccess,
    error: state === "error" ? "Could not reach the relay." : null,
    choice: null,
    local: null,
  });

  it("is blue with a dot while changes wait, clear once synced, and says when the last sync was", () => {
    const waiting = badgeFor(account, status("idle", Date.UTC(2026, 0, 1)), true);
    expect(waiting).toMatchObject({
      text: "•",
      color: "#2563eb",
      title: expect.stringMatching(/Changes wait for a sync/),
    });
    const synced = badgeFor(account, status("idle", Date.UTC(2026, 0, 1)), false);
    expect(synced.text).toBe("");
    expect(synced.title).toMatch(/Last synced/);
  });

  it("is red when a one-way sync must be chosen, and shows syncing and errors distinctly", () => {
    expect(badgeFor(account, status("needs-choice"), true)).toMatchObject({ text: "⇅", color: "#dc2626" });
    expect(badgeFor(account, status("syncing"), true).title).toMatch(/Syncing/);
    const failed = badgeFor(account, status("error"), false);
    expect(failed.text).toBe("!");
    expect(failed.title).toMatch(/Could not reach the relay/);
    expect(failed.title).not.toContain(account.token);
  });

  it("says when nobody is signed in, and who is otherwise", () => {
    const out = badgeFor(null);
    expect(out.text).not.toBe("");
    expect(out.title).toMatch(/not signed in/);
    const signedIn = badgeFor(account);
    expect(signedIn.text).toBe("");
    expect(signedIn.title).toContain("alice");
  });
});
