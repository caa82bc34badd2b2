// One collection in three browsers through one relay: two Firefox profiles and a Chromium, each adding a note and
// syncing, as the AnkiWeb syncing guide promises for every device of an account.
import path from "node:path";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { type ExtensionBrowser, launchWithExtension } from "../e2e/browser";
import { addBasicNote as addInChromium, openManager, signInTo, untilSyncEnds } from "../e2e/two-devices";
import {
  clickButton,
  type FirefoxExtensionBrowser,
  fill,
  launchFirefoxWithExtension,
  testFolder,
  textOf,
  textsOf,
} from "./browser";

let relay: RunningRelay;
let first: FirefoxExtensionBrowser;
let second: FirefoxExtensionBrowser;
let chromium: ExtensionBrowser;

beforeAll(async () => {
  const folder = testFolder("firefox-sync");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  first = await launchFirefoxWithExtension(path.join(folder, "first"));
  second = await launchFirefoxWithExtension(path.join(folder, "second"));
  chromium = await launchWithExtension(path.join(folder, "chromium"));
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await chromium?.close();
  await relay?.stop();
});

async function signIn(firefox: FirefoxExtensionBrowser, button: "Create account" | "Log in") {
  const page = await firefox.open("options.html#account");
  await fill(page, "input[name=relayUrl]", relay.url);
  await fill(page, "input[name=username]", "three-browsers");
  await fill(page, "input[name=password]", "a long password");
  await clickButton(page, button);
  await expect.poll(() => textOf(page, "[data-testid=username]")).toBe("three-browsers");
  await page.close();
}

async function addNote(firefox: FirefoxExtensionBrowser, front: string) {
  const page = await firefox.open("options.html#add");
  await fill(page, "textarea[name=field-0]", front);
  await fill(page, "textarea[name=field-1]", "back");
  await clickButton(page, "Add");
  await expect.poll(() => textOf(page, "[role=status]")).toBe("Added.");
  await page.close();
}

/** Syncs on the manager's Sync page; `choice` answers the one-way prompt when it comes. */
async function syncFirefox(firefox: FirefoxExtensionBrowser, choice?: "Upload" | "Download") {
  const page = await firefox.open("options.html#sync");
  const status = () => textOf(page, "[data-testid=sync-status]");
  await clickButton(page, "Sync now");
  if (choice) {
    await expect.poll(status, { timeout: 30_000 }).toBe("A one-way sync is needed: choose what to keep.");
    await clickButton(page, choice);
  }
  await expect.poll(status, { timeout: 30_000 }).toMatch(/^Synced /);
  await page.close();
}

async function notesIn(page: Page): Promise<string[]> {
  return (await textsOf(page, ".browse-table tbody tr td:first-child")).sort();
}

async function firefoxNotes(firefox: FirefoxExtensionBrowser): Promise<string[]> {
  const page = await firefox.open("options.html#browse");
  await expect.poll(() => page.$$eval(".browse-table tbody tr", (rows) => rows.length)).toBeGreaterThan(0);
  const notes = await notesIn(page);
  await page.close();
  return notes;
}

describe("two Firefox profiles and a Chromium on one account", () => {
  it("each adds a note and syncs, and all three end with the three notes", async () => {
    await signIn(first, "Create account");
    await addNote(first, "el gato");
    await syncFirefox(first, "Upload");

    await signInTo(chromium, relay.url, "three-browsers", "Log in");
    const chromiumSync = await openManager(chromium, "sync");
    await untilSyncEnds(chromiumSync, () => chromiumSync.getByRole("button", { name: "Sync now" }).click());
    await untilSyncEnds(chromiumSync, () => chromiumSync.getByRole("button", { name: "Download" }).click());
    await addInChromium(chromium, "el perro", "back");
    expect(
      (await untilSyncEnds(chromiumSync, () => chromiumSync.getByRole("button", { name: "Sync now" }).click())).state,
    ).toBe("idle");

    await signIn(second, "Log in");
    await syncFirefox(second, "Download");
    await addNote(second, "el pájaro");
    await syncFirefox(second);

    await syncFirefox(first);
    expect(
      (await untilSyncEnds(chromiumSync, () => chromiumSync.getByRole("button", { name: "Sync now" }).click())).state,
    ).toBe("idle");
    const all = ["el gato", "el perro", "el pájaro"];
    expect(await firefoxNotes(first)).toEqual(all);
    expect(await firefoxNotes(second)).toEqual(all);
    await chromiumSync.goto(`chrome-extension://${chromium.extensionId}/options.html#browse`);
    await expect.poll(() => chromiumSync.locator(".browse-table tbody tr").count()).toBe(3);
    expect((await chromiumSync.locator(".browse-table tbody tr td:first-child").allTextContents()).sort()).toEqual(all);
  });
});
