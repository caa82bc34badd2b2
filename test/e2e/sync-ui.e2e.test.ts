// What a person sees of the sync, in Chromium against a local relay, with two browser profiles as two devices:
// the toolbar badge through a review, a sync and a schema change; automatic sync when the popup opens and closes;
// the first-sync prompt; errors in words; and Test connection. Screenshots of each state go to docs/screenshots/.
import { cpSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { EXTENSION_DIR, type ExtensionBrowser, launchWithExtension, ROOT, testFolder } from "./browser";
import { addBasicNote, badgeLook as badge, openManager, signInTo, syncNowOn } from "./two-devices";

const SHOTS = path.join(ROOT, "docs/screenshots");

let relay: RunningRelay;
let first: ExtensionBrowser;
let second: ExtensionBrowser;

beforeAll(async () => {
  const folder = testFolder("sync-ui");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  // A private copy of the build: other test runs in this checkout rebuild .output while these browsers use it.
  const extensionDir = path.join(folder, "extension");
  const built = () =>
    ["manifest.json", "options.html", "popup.html"].every((f) => existsSync(path.join(EXTENSION_DIR, f)));
  for (let tries = 0; !built() && tries < 120; tries++) await new Promise((r) => setTimeout(r, 500));
  cpSync(EXTENSION_DIR, extensionDir, { recursive: true });
  first = await launchWithExtension(path.join(folder, "first"), { extensionDir });
  second = await launchWithExtension(path.join(folder, "second"), { extensionDir });
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await relay?.stop();
});

/** When the default profile last synced successfully, from the stored sync status. */
async function lastSuccess(browser: ExtensionBrowser): Promise<number> {
  return browser.worker.evaluate(async () => {
    type Storage = { get(key: string): Promise<Record<string, { lastSuccess: number }>> };
    const api = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome.storage.local;
    return (await api.get("profile:default:syncStatus"))["profile:default:syncStatus"]?.lastSuccess ?? 0;
  });
}

/**
 * A screenshot of the page with the toolbar badge drawn in its top corner (the toolbar itself is not part of a
 * page), labelled as such, so that each state's badge and tooltip can be seen beside what the page says.
 */
async function shot(page: Page, browser: ExtensionBrowser, name: string) {
  const look = await badge(browser);
  await page.evaluate((look) => {
    document.getElementById("badge-preview")?.remove();
    const box = document.createElement("div");
    box.id = "badge-preview";
    box.style.cssText =
      "position:fixed;top:8px;right:8px;z-index:99;max-width:330px;padding:8px 10px;border:1px dashed #888;" +
      "background:#fff;font:12px system-ui;color:#222;box-shadow:0 1px 4px #0002";
    const label = document.createElement("div");
    label.textContent = "Toolbar badge (from chrome.action):";
    label.style.cssText = "color:#666;margin-bottom:4px";
    const chip = document.createElement("span");
    chip.textContent = look.text || "(no text)";
    chip.style.cssText = `display:inline-block;min-width:18px;padding:1px 5px;border-radius:4px;color:#fff;background:${look.color};font-weight:600;margin-right:6px`;
    if (!look.text) chip.style.background = "#bbb";
    const title = document.createElement("div");
    title.textContent = look.title;
    title.style.cssText = "margin-top:4px";
    box.append(label, chip, title);
    document.body.append(box);
  }, look);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  await page.evaluate(() => document.getElementById("badge-preview")?.remove());
}

/** A review, written as answering a card writes it: the card and a review-log row, both waiting for a sync. */
async function review(page: Page) {
  await page.evaluate(async () => {
    const open = indexedDB.open("collection:default");
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction(["cards", "revlogBlocks", "meta"], "readwrite");
    const now = Date.now();
    const meta = tx.objectStore("meta").get("collection");
    meta.onsuccess = () => {
      tx.objectStore("meta").put({ ...meta.result, mtime: now }, "collection");
      // The usn of a change of the collection's pending generation (pending.ts).
      const generation: number = meta.result.pendingGen ?? 1;
      const cursor = tx.objectStore("cards").openCursor();
      cursor.onsuccess = () => {
        const card = cursor.result?.value;
        if (!card) return;
        tx.objectStore("cards").put({ ...card, reps: card.reps + 1, mtime: now, usn: -generation });
        // Into the review log's block of that hour, with any answer already there.
        const row = {
          id: now,
          cardId: card.id,
          usn: -generation,
          ease: 3,
          ivl: 0,
          lastIvl: 0,
          factor: 0,
          time: 4000,
          type: 0,
        };
        const key = Math.floor(now / 3_600_000);
        const block = tx.objectStore("revlogBlocks").get(key);
        block.onsuccess = () => {
          const rows = [...((block.result?.rows as (typeof row)[]) ?? []), row].sort((x, y) => x.id - y.id);
          // A block's fields as revlog.ts's sealBlock sets them.
          tx.objectStore("revlogBlocks").put({
            key,
            rows,
            cardIds: [...new Set(rows.map((r) => r.cardId))],
            n: rows.length,
            pending: [
              generation,
              rows.filter((r) => r.usn === -generation).length,
              rows.filter((r) => r.usn < 0 && r.usn > -generation).length,
            ],
          });
        };
      };
    };
    await new Promise((resolve) => {
      tx.oncomplete = resolve;
    });
    db.close();
    const channel = new BroadcastChannel("collection-changes");
    channel.postMessage("default");
    channel.close();
  });
}

/** Many reviews of one card waiting for a sync, written straight into the collection. */
async function manyReviews(page: Page, count: number) {
  await page.evaluate(async (count) => {
    const open = indexedDB.open("collection:default");
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction(["cards", "revlogBlocks", "meta"], "readwrite");
    const start = Date.now() - count * 1000;
    let generation = 1;
    const meta = tx.objectStore("meta").get("collection");
    meta.onsuccess = () => {
      generation = meta.result.pendingGen ?? 1;
    };
    // Requests are served in order: the meta is read before the cursor's first card.
    const cursor = tx.objectStore("cards").openCursor();
    cursor.onsuccess = () => {
      const card = cursor.result?.value;
      if (!card) return;
      // The review log's blocks (an hour of answers each), merged with any already there.
      const byBlock = new Map<number, { id: number; cardId: number; usn: number }[]>();
      for (let i = 0; i < count; i++) {
        const row = {
          id: start + i,
          cardId: card.id,
          usn: -generation,
          ease: 3,
          ivl: 0,
          lastIvl: 0,
          factor: 0,
          time: 4000,
          type: 0,
        };
        const key = Math.floor(row.id / 3_600_000);
        const rows = byBlock.get(key) ?? [];
        rows.push(row);
        byBlock.set(key, rows);
      }
      for (const [key, added] of byBlock) {
        const block = tx.objectStore("revlogBlocks").get(key);
        block.onsuccess = () => {
          const rows = [
            ...((block.result?.rows as { id: number; cardId: number; usn: number }[]) ?? []),
            ...added,
          ].sort((x, y) => x.id - y.id);
          // A block's fields as revlog.ts's sealBlock sets them.
          tx.objectStore("revlogBlocks").put({
            key,
            rows,
            cardIds: [...new Set(rows.map((r) => r.cardId))],
            n: rows.length,
            pending: [
              generation,
              rows.filter((r) => r.usn === -generation).length,
              rows.filter((r) => r.usn < 0 && r.usn > -generation).length,
            ],
          });
        };
      }
    };
    await new Promise((resolve) => {
      tx.oncomplete = resolve;
    });
    db.close();
    const channel = new BroadcastChannel("collection-changes");
    channel.postMessage("default");
    channel.close();
  }, count);
}

const manager = (browser: ExtensionBrowser, section: string) =>
  openManager(browser, section, { width: 1100, height: 700 });
const signIn = (browser: ExtensionBrowser, button: "Create account" | "Log in") =>
  signInTo(browser, relay.url, "badge-watcher", button);
const addNote = addBasicNote;
const syncNow = syncNowOn;

describe("the sync as a person sees it", () => {
  it("the badge turns blue after a review, back to normal after the popup's automatic sync, red after a schema change; the next sync prompts", async () => {
    await signIn(first, "Create account");
    await addNote(first, "el gato", "the cat");
    await expect.poll(() => badge(first)).toMatchObject({ text: "•", color: "#2563eb" });

    const page = await manager(first, "sync");
    await syncNow(page);
    await expect
      .poll(() => page.getByRole("region", { name: "One-way sync" }).textContent())
      .toMatch(/relay holds no collection/);
    await page.getByRole("button", { name: "Upload" }).click();
    await expect.poll(() => page.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await expect
      .poll(() => badge(first))
      .toMatchObject({ text: "", title: expect.stringMatching(/Everything is synced\. Last synced/) });
    await shot(page, first, "sync-badge-synced");

    await review(page);
    await expect
      .poll(() => badge(first))
      .toMatchObject({
        text: "•",
        color: "#2563eb",
        title: expect.stringMatching(/Changes wait for a sync: 1 review, 1 card\./),
      });
    await shot(page, first, "sync-badge-pending-after-review");

    // The popup holds a Port while it is open; the background syncs when it opens and again when it closes.
    const beforeOpen = await lastSuccess(first);
    await page.evaluate(() => {
      type Runtime = { connect(info: { name: string }): { disconnect(): void } };
      const api = (globalThis as unknown as { chrome: { runtime: Runtime } }).chrome.runtime;
      Object.assign(window, { popupPort: api.connect({ name: "popup:default" }) });
    });
    await expect.poll(() => lastSuccess(first), { timeout: 20_000 }).toBeGreaterThan(beforeOpen);
    await expect
      .poll(() => badge(first))
      .toMatchObject({ text: "", title: expect.stringMatching(/Everything is synced/) });
    await expect.poll(() => page.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    const beforeClose = await lastSuccess(first);
    await page.evaluate(() => (window as unknown as { popupPort: { disconnect(): void } }).popupPort.disconnect());
    await expect.poll(() => lastSuccess(first), { timeout: 20_000 }).toBeGreaterThan(beforeClose);

    // A change that cannot be merged: the badge turns red at once, and the next sync asks what to keep.
    await page.goto(`chrome-extension://${first.extensionId}/options.html#notetypes`);
    await page.getByRole("button", { name: /^Basic \(\d+ notes?\)$/ }).click();
    await page.fill("input[name=newField]", "Example");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Add field" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Field added.");
    await expect
      .poll(() => badge(first))
      .toMatchObject({ text: "⇅", color: "#dc2626", title: expect.stringMatching(/cannot be merged/) });
    await page.goto(`chrome-extension://${first.extensionId}/options.html#sync`);
    await shot(page, first, "sync-badge-red-after-schema-change");
    await syncNow(page);
    const prompt = page.getByRole("region", { name: "One-way sync" });
    await expect.poll(() => prompt.textContent()).toMatch(/A change that cannot be merged/);
    expect(await page.getByTestId("side-local").textContent()).toMatch(/^1 note, 1 card, last changed /);
    expect(await page.getByTestId("side-relay").textContent()).toMatch(/^1 note, 1 card, last changed /);
    await expect.poll(() => badge(first)).toMatchObject({ text: "⇅", title: expect.stringMatching(/choose/) });
    await shot(page, first, "sync-prompt-schema-change");
    // The popup, where the person pressed Sync, asks the same, and the choice can be made there.
    const popup = await first.open("popup.html");
    await popup.setViewportSize({ width: 480, height: 600 });
    const inPopup = popup.getByRole("region", { name: "One-way sync" });
    await expect.poll(() => inPopup.textContent()).toMatch(/A change that cannot be merged/);
    expect(await popup.getByTestId("side-local").textContent()).toMatch(/^1 note, 1 card, last changed /);
    expect(await popup.getByTestId("side-relay").textContent()).toMatch(/^1 note, 1 card, last changed /);
    await shot(popup, first, "sync-prompt-in-popup");
    await popup.getByRole("button", { name: "Upload" }).click();
    await expect.poll(() => popup.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    expect(await inPopup.count()).toBe(0);
    await expect.poll(() => page.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await expect.poll(() => badge(first)).toMatchObject({ text: "" });
    await popup.close();
    await page.close();
  });

  it("a profile that has cards gets the first-sync prompt with what each side holds; Cancel changes nothing", async () => {
    await addNote(second, "el perro", "the dog");
    await addNote(second, "el pájaro", "the bird");
    await signIn(second, "Log in");
    const page = await manager(second, "sync");
    await syncNow(page);
    const prompt = page.getByRole("region", { name: "One-way sync" });
    await expect.poll(() => prompt.textContent()).toMatch(/first sync, and both this browser and the relay hold cards/);
    expect(await page.getByTestId("side-local").textContent()).toMatch(/^2 notes, 2 cards, last changed /);
    expect(await page.getByTestId("side-relay").textContent()).toMatch(/^1 note, 1 card, last changed /);
    await expect.poll(() => badge(second)).toMatchObject({ text: "⇅", color: "#dc2626" });
    await shot(page, second, "sync-first-sync-prompt");

    await page.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.getByTestId("prompt-cancelled").textContent()).toMatch(/Nothing was changed/);
    expect(await prompt.count()).toBe(0);

    await syncNow(page);
    await page.getByRole("button", { name: "Merge" }).click();
    await expect.poll(() => page.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await expect.poll(() => badge(second)).toMatchObject({ text: "" });
    await page.goto(`chrome-extension://${second.extensionId}/options.html#browse`);
    await expect.poll(() => page.locator(".browse-table tbody tr").count()).toBe(3);

    // The empty side is never kept without a second confirmation: delete every note here, force a one-way sync.
    for (let left = 3; left > 0; left--) {
      await page.locator(".browse-table tbody tr").first().click();
      page.once("dialog", (dialog) => void dialog.accept());
      await page.getByRole("button", { name: "Delete note" }).click();
      await expect.poll(() => page.locator(".browse-table tbody tr").count()).toBe(left - 1);
    }
    await page.goto(`chrome-extension://${second.extensionId}/options.html#sync`);
    await page.getByLabel(/force changes in one direction/).check();
    await syncNow(page);
    await expect.poll(() => prompt.textContent()).toMatch(/You asked for a one-way sync/);
    expect(await page.getByTestId("side-local").textContent()).toMatch(/^0 notes, 0 cards/);
    // Asked in the popup too, with the same confirmation before the empty side replaces the other.
    const popup = await second.open("popup.html");
    await expect
      .poll(() => popup.getByRole("region", { name: "One-way sync" }).textContent())
      .toMatch(/You asked for a one-way sync/);
    let question = "";
    popup.once("dialog", (dialog) => {
      question = dialog.message();
      void dialog.dismiss();
    });
    await popup.getByRole("button", { name: "Upload" }).click();
    await expect.poll(() => question).toMatch(/The side you chose to keep has no cards/);
    expect(await popup.getByTestId("sync-status").textContent()).toMatch(/one-way sync is needed/);
    await popup.close();
    question = "";
    page.once("dialog", (dialog) => {
      question = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole("button", { name: "Upload" }).click();
    await expect.poll(() => question).toMatch(/The side you chose to keep has no cards/);
    expect(await page.getByTestId("sync-status").textContent()).toMatch(/one-way sync is needed/);
    await page.getByRole("button", { name: "Download" }).click();
    await expect.poll(() => page.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await page.goto(`chrome-extension://${second.extensionId}/options.html#browse`);
    await expect.poll(() => page.locator(".browse-table tbody tr").count()).toBe(3);
    await page.close();
  });

  it("a long sync shows what it sends and how much, in the page and the badge", async () => {
    const page = await manager(second, "sync");
    const reviews = 20_000;
    // The page listens for changes once it shows what waits; only then are the reviews written.
    await expect.poll(() => page.getByTestId("sync-pending").textContent()).toBe("Nothing waits for a sync.");
    await manyReviews(page, reviews);
    await expect.poll(() => page.getByTestId("sync-pending").textContent()).toMatch(/20,000 reviews/);
    // Every status the background publishes, as the page sees it.
    await page.evaluate(() => {
      type Change = Record<string, { newValue?: { progress?: unknown } }>;
      type Storage = { onChanged: { addListener(l: (changes: Change) => void): void } };
      const seen: unknown[] = [];
      Object.assign(window, { seenProgress: seen });
      (globalThis as unknown as { chrome: { storage: Storage } }).chrome.storage.onChanged.addListener((changes) => {
        const progress = changes["profile:default:syncStatus"]?.newValue?.progress;
        if (progress) seen.push(progress);
      });
    });
    const started = Date.now();
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByTestId("sync-progress").waitFor({ state: "visible", timeout: 20_000 });
    await expect
      .poll(() => page.getByTestId("sync-progress").textContent())
      .toMatch(/Syncing: sending [\d,]+ of 20,\d{3} records/);
    await expect.poll(() => badge(second)).toMatchObject({ text: expect.stringMatching(/^[1-9]\d*%$/) });
    await shot(page, second, "sync-progress");
    await expect.poll(() => page.getByTestId("sync-status").textContent(), { timeout: 60_000 }).toMatch(/^Synced/);
    const seconds = (Date.now() - started) / 1000;
    console.log(`sync of ${reviews} reviews: ${seconds.toFixed(1)} s`);
    const seen = (await page.evaluate(() => (window as unknown as { seenProgress: unknown[] }).seenProgress)) as {
      phase: string;
      done: number;
      total: number;
    }[];
    const sending = seen.filter((p) => p.phase === "sending");
    expect(sending.length).toBeGreaterThan(2);
    expect(sending.at(-1)).toEqual({ phase: "sending", done: sending.at(-1)?.total, total: expect.any(Number) });
    expect(sending.at(-1)?.total).toBeGreaterThanOrEqual(reviews);
    expect(sending.map((p) => p.done)).toEqual([...sending.map((p) => p.done)].sort((a, b) => a - b));
    await expect.poll(() => page.getByTestId("sync-progress").count()).toBe(0);
    await page.close();
  });

  it("several profiles on one account: the relay's other collection is said in words, and nothing changes until a choice", async () => {
    const page = await manager(second, "profiles");
    await page.fill("input[name=newProfile]", "Second");
    await page.getByRole("button", { name: "Add profile" }).click();
    await expect.poll(() => page.getByRole("list", { name: "Profiles" }).textContent()).toMatch(/Second \(open\)/);
    await signIn(second, "Log in");
    await addNote(second, "la casa", "the house");
    await page.goto(`chrome-extension://${second.extensionId}/options.html#sync`);
    await syncNow(page);
    await expect
      .poll(() => page.getByRole("region", { name: "One-way sync" }).textContent())
      .toMatch(/first sync, and both this browser and the relay hold cards/);
    await page.getByRole("button", { name: "Upload" }).click();
    await expect.poll(() => page.getByTestId("sync-status").textContent()).toMatch(/^Synced/);

    // Back in the first profile, whose collection the relay no longer holds.
    await page.goto(`chrome-extension://${second.extensionId}/options.html#profiles`);
    await page.getByRole("listitem").filter({ hasText: "Main" }).getByRole("button", { name: "Open" }).click();
    await expect.poll(() => page.getByRole("list", { name: "Profiles" }).textContent()).toMatch(/Main \(open\)/);
    await page.goto(`chrome-extension://${second.extensionId}/options.html#sync`);
    await syncNow(page);
    const prompt = page.getByRole("region", { name: "One-way sync" });
    await expect
      .poll(() => prompt.textContent())
      .toMatch(/This account holds another collection than the one this profile synced before/);
    expect(await page.getByTestId("side-relay").textContent()).toMatch(/^1 note, 1 card/);
    await expect.poll(() => badge(second)).toMatchObject({ text: "⇅" });
    await shot(page, second, "sync-other-collection-prompt");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.goto(`chrome-extension://${second.extensionId}/options.html#browse`);
    await expect.poll(() => page.locator(".browse-table tbody tr").count()).toBe(3);
    await page.close();
  });

  it("Test connection passes every step, then names the failing one: a revoked sign-in, a stopped relay", async () => {
    const page = await manager(first, "sync");
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect.poll(() => page.getByTestId("connection-verdict").textContent()).toBe("Every step works.");
    const states = () =>
      page
        .locator("[data-testid=connection-steps] li")
        .evaluateAll((items) => items.map((li) => `${li.getAttribute("data-step")}:${li.getAttribute("data-state")}`));
    expect(await states()).toEqual(["online:ok", "connect:ok", "tls:skipped", "relay:ok", "auth:ok"]);
    await shot(page, first, "sync-test-connection-ok");

    // Signed out from elsewhere: the token stops working.
    const token = await first.worker.evaluate(async () => {
      type Storage = { get(key: string): Promise<Record<string, { token: string }>> };
      const api = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome.storage.local;
      return (await api.get("profile:default:account"))["profile:default:account"]?.token ?? "";
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const out = await fetch(`${relay.url}/v1/sessions/current`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(204);
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect.poll(() => page.getByTestId("connection-verdict").textContent()).toBe("Failed at: Sign-in accepted.");
    await syncNow(page);
    const status = (await page.getByTestId("sync-status").textContent()) ?? "";
    expect(status).toMatch(/no longer accepts this browser's sign-in.*Sign in again/);
    expect(status).not.toContain(token);
    await expect.poll(() => badge(first)).toMatchObject({ text: "off", title: expect.stringMatching(/Sign in again/) });
    expect((await badge(first)).title).not.toContain(token);
    await shot(page, first, "sync-error-signed-out");
    await page.close();

    // The relay stops: the second browser's sync says it is unreachable, and Test connection stops at "connect".
    await relay.stop();
    const other = await manager(second, "sync");
    await syncNow(other);
    await expect
      .poll(() => other.getByTestId("sync-status").textContent())
      .toMatch(
        /Could not reach the relay at http:\/\/127\.0\.0\.1:\d+: the name does not resolve, the connection was refused/,
      );
    await expect.poll(() => badge(second)).toMatchObject({ text: "!", color: "#b45309" });
    await other.getByRole("button", { name: "Test connection" }).click();
    await expect
      .poll(() => other.getByTestId("connection-verdict").textContent())
      .toBe("Failed at: Find the server and connect (name resolution, connection).");
    expect(await other.locator("[data-step=connect]").textContent()).toMatch(/Nothing answered at 127\.0\.0\.1:\d+/);
    await shot(other, second, "sync-error-relay-unreachable");
    await other.close();
  });
});
