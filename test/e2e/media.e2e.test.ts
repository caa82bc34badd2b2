import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { type ExtensionBrowser, launchWithExtension, screenshot, testFolder } from "./browser";
import { openManager, png, signInTo, syncNowOn } from "./two-devices";

let relay: RunningRelay;
let first: ExtensionBrowser;
let second: ExtensionBrowser;
let folder: string;

beforeAll(async () => {
  folder = testFolder("media");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  first = await launchWithExtension(path.join(folder, "first"));
  second = await launchWithExtension(path.join(folder, "second"));
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await relay?.stop();
});

/** The natural width of the first picture shown under the note editor's fields, once it has loaded. */
function shownImageWidth(page: Page): Promise<number> {
  return page
    .locator(".field-media img")
    .first()
    .evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))
    .catch(() => 0);
}

const manager = (browser: ExtensionBrowser, section: string) => openManager(browser, section);
const signIn = (browser: ExtensionBrowser, button: "Create account" | "Log in") =>
  signInTo(browser, relay.url, "media-browsers", button);
const syncNow = syncNowOn;

describe("media between two browsers", () => {
  it("a picture added to a note in one browser shows in the other after both synced, in the editor and when studied", async () => {
    const picture = path.join(folder, "red square.png");
    writeFileSync(picture, png(64, 48, [220, 30, 30]));
    await signIn(first, "Create account");
    const add = await manager(first, "add");
    await add.fill("textarea[name=field-0]", "What colour is this? ");
    await add.setInputFiles("input[name=field-0-media]", picture);
    await expect
      .poll(() => add.inputValue("textarea[name=field-0]"))
      .toBe('What colour is this? <img src="red square.png">');
    await expect.poll(() => shownImageWidth(add)).toBe(64);
    await add.fill("textarea[name=field-1]", "red");
    await add.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => add.getByRole("status").textContent()).toBe("Added.");

    const a = await manager(first, "sync");
    await syncNow(a);
    await a.getByRole("button", { name: "Upload" }).click();
    await expect.poll(() => a.getByTestId("sync-status").textContent()).toMatch(/^Synced/);

    await signIn(second, "Log in");
    const b = await manager(second, "sync");
    await syncNow(b);
    await b.getByRole("button", { name: "Download" }).click();
    await expect.poll(() => b.getByTestId("sync-status").textContent()).toMatch(/^Synced/);

    await b.goto(`chrome-extension://${second.extensionId}/options.html#browse`);
    await b.locator(".browse-table tbody tr").first().click();
    await expect.poll(() => b.inputValue("textarea[name=field-0]")).toContain('<img src="red square.png">');
    await expect.poll(() => shownImageWidth(b)).toBe(64);
    await screenshot(b, "media-second-browser");

    // Studied in the second browser's popup: the card frame shows the picture from the media store.
    const popup = await second.open("popup.html");
    await popup.setViewportSize({ width: 480, height: 592 });
    await popup.getByRole("button", { name: "Default", exact: true }).click();
    const shown = popup.frameLocator("[data-testid=card-frame]").locator("img").first();
    await expect
      .poll(() => shown.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)).catch(() => 0))
      .toBe(64);
    await screenshot(popup, "media-studied-second-browser");
    await popup.close();

    await b.goto(`chrome-extension://${second.extensionId}/options.html#media`);
    await b.getByRole("button", { name: "Check Media" }).click();
    await expect.poll(() => b.getByText(/1 file\(s\) in use, 0 unused, 0 missing/).count()).toBe(1);
  });
});
