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
  it("says when nobody is signed in, and who is otherwise", () => {
    const out = badgeFor(null);
    expect(out.text).not.toBe("");
    expect(out.title).toMatch(/not signed in/);
    const signedIn = badgeFor(account);
    expect(signedIn.text).toBe("");
    expect(signedIn.title).toContain("alice");
  });
});
