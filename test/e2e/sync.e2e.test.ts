import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { type ExtensionBrowser, launchWithExtension, screenshot, testFolder } from "./browser";
import { addBasicNote, openManager, signInTo, syncNowOn } from "./two-devices";

let relay: RunningRelay;
let first: ExtensionBrowser;
let second: ExtensionBrowser;

beforeAll(async () => {
  const folder = testFolder("sync");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  first = await launchWithExtension(path.join(folder, "first"));
  second = await launchWithExtension(path.join(folder, "second"));
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await relay?.stop();
});

const manager = (browser: ExtensionBrowser, section: string) => openManager(browser, section);
const signIn = (browser: ExtensionBrowser, button: "Create account" | "Log in") =>
  signInTo(browser, relay.url, "two-browsers", button);
const addNote = addBasicNote;
const syncNow = syncNowOn;

describe("two browsers, one account", () => {
  it("the first browser uploads after saying so, the second downloads, and an edit travels back", async () => {
    await signIn(first, "Create account");
    await addNote(first, "el río", "the river");
    await expect.poll(() => first.badge()).toMatchObject({ text: "•", title: expect.stringMatching(/Changes wait/) });

    const a = await manager(first, "sync");
    await syncNow(a);
    await expect
      .poll(() => a.getByRole("region", { name: "One-way sync" }).textContent())
      .toMatch(/relay holds no collection/);
    await expect.poll(() => first.badge()).toMatchObject({ text: "⇅" });
    await screenshot(a, "sync-first-upload-prompt");
    await a.getByRole("button", { name: "Upload" }).click();
    await expect.poll(() => a.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await expect.poll(() => first.badge()).toMatchObject({ text: "" });

    // In the popup, "y" syncs, as in Anki.
    await addNote(first, "la montaña", "the mountain");
    await expect.poll(() => first.badge()).toMatchObject({ text: "•" });
    const popup = await first.open("popup.html");
    await expect.poll(() => popup.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await popup.keyboard.press("y");
    await expect.poll(() => first.badge()).toMatchObject({ text: "" });
    await popup.close();

    await signIn(second, "Log in");
    const b = await manager(second, "sync");
    await syncNow(b);
    await expect.poll(() => b.getByRole("region", { name: "One-way sync" }).textContent()).toMatch(/2 notes, 2 cards,/);
    await b.getByRole("button", { name: "Download" }).click();
    await expect.poll(() => b.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    // The collection it replaced was backed up first, and can be restored.
    await b.reload();
    await expect
      .poll(() => b.getByRole("region", { name: "Backups" }).getByRole("button", { name: "Restore" }).count())
      .toBe(1);

    await b.goto(`chrome-extension://${second.extensionId}/options.html#browse`);
    await b.locator(".browse-table tbody tr").first().click();
    await expect.poll(() => b.inputValue("textarea[name=field-1]")).toBe("the river");
    await b.fill("textarea[name=field-1]", "the river (edited in the second browser)");
    await b.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => b.getByRole("status").textContent()).toBe("Saved.");
    await b.goto(`chrome-extension://${second.extensionId}/options.html#sync`);
    await syncNow(b);
    expect(await b.getByTestId("sync-status").textContent()).toMatch(/^Synced/);

    await a.reload();
    await syncNow(a);
    expect(await a.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await a.goto(`chrome-extension://${first.extensionId}/options.html#browse`);
    await a.locator(".browse-table tbody tr").first().click();
    await expect.poll(() => a.inputValue("textarea[name=field-1]")).toBe("the river (edited in the second browser)");

    // "On next sync, force changes in one direction": the next sync asks, and Merge keeps everything.
    await a.goto(`chrome-extension://${first.extensionId}/options.html#sync`);
    await a.getByLabel(/force changes in one direction/).check();
    await syncNow(a);
    await expect
      .poll(() => a.getByRole("region", { name: "One-way sync" }).textContent())
      .toMatch(/You asked for a one-way sync/);
    await screenshot(a, "sync-forced-prompt");
    await a.getByRole("button", { name: "Merge" }).click();
    await expect.poll(() => a.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
    await a.reload();
    await expect.poll(() => a.getByLabel(/force changes in one direction/).isChecked()).toBe(false);
  });

  it("the backup taken before the download is restored from the manager, and the state it replaced is kept too", async () => {
    const b = await manager(second, "sync");
    const backups = b.getByRole("region", { name: "Backups" });
    const restore = backups.getByRole("button", { name: "Restore" });
    await expect.poll(() => restore.count()).toBe(1);
    expect(await backups.locator("li").textContent()).toMatch(/before a download/);
    b.once("dialog", (dialog) => void dialog.accept());
    await restore.first().click();
    await expect.poll(() => backups.textContent()).toMatch(/Restored the backup of .*The next sync will ask/);
    // The badge says at once that the next sync is one-way.
    await expect.poll(() => second.badge()).toMatchObject({ text: "⇅" });
    // Before the download this browser held no notes.
    await b.goto(`chrome-extension://${second.extensionId}/options.html#browse`);
    await expect.poll(() => b.getByTestId("match-count").textContent()).toBe("Nothing matches.");

    // The collection the restore replaced is the newest backup now, and it comes back whole.
    await b.goto(`chrome-extension://${second.extensionId}/options.html#sync`);
    await expect.poll(() => restore.count()).toBe(2);
    expect(await backups.locator("li").first().textContent()).toMatch(/before a restore/);
    await screenshot(b, "sync-backups");
    b.once("dialog", (dialog) => void dialog.accept());
    await restore.first().click();
    await expect.poll(() => backups.textContent()).toMatch(/Restored the backup of/);
    await b.goto(`chrome-extension://${second.extensionId}/options.html#browse`);
    await expect.poll(() => b.getByTestId("match-count").textContent()).toMatch(/^1–2 of 2 /);
    await b.locator(".browse-table tbody tr").first().click();
    await expect.poll(() => b.inputValue("textarea[name=field-1]")).toBe("the river (edited in the second browser)");
  });

  it("a stopped relay gives an error in words, not a stack trace", async () => {
    const a = await manager(first, "sync");
    await relay.stop();
    await syncNow(a);
    await expect
      .poll(() => a.getByTestId("sync-status").textContent())
      .toMatch(/Could not reach the relay at http:\/\/127\.0\.0\.1:\d+/);
    await expect.poll(() => first.badge()).toMatchObject({ text: "!" });
    await screenshot(a, "sync-relay-unreachable");
  });
});
