// Importing an Anki package in the manager: the file goes in through the file picker, the summary says what came
// in, the cards are in browse, and the popup's deck list counts them. Exporting downloads a package.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExtensionBrowser, launchWithExtension, ROOT, screenshot, testFolder } from "./browser";

const FIXTURES = path.resolve(ROOT, "../shared/fixtures/anki");
const SPANISH = path.join(FIXTURES, "kedar-simple-spanish-w-audio.apkg");
const HAVE = existsSync(SPANISH);
if (!HAVE) console.warn(`Anki fixtures not found at ${FIXTURES}; the package e2e test is skipped.`);

let browser: ExtensionBrowser;
let page: Page;
let folder: string;

beforeAll(async () => {
  if (!HAVE) return;
  folder = testFolder("packages");
  browser = await launchWithExtension(path.join(folder, "profile"));
  page = await browser.open("options.html#packages");
  await page.setViewportSize({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!HAVE)("Anki packages in the manager", () => {
  it("imports a modern .apkg (zstd, schema 18, audio) and shows what came in", async () => {
    await page.locator("input[name=package]").setInputFiles(SPANISH);
    const summary = page.getByRole("list", { name: "Import summary" });
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toContain("5 notes added.");
    const text = (await summary.textContent()) ?? "";
    expect(text).toContain("7 cards added.");
    expect(text).toContain("7 media files added.");
    await screenshot(page, "packages-imported");
  });

  it("the imported cards are in browse", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#browse`);
    await page.fill("input[name=search]", '"deck:My Google Spanish Sentences"');
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("1–7 of 7 cards");
    await screenshot(page, "packages-browse");
  });

  it("the popup counts the imported deck's new cards, and one of them is studied", async () => {
    const popup = await browser.open("popup.html");
    const row = popup.locator('tr[data-deck="My Google Spanish Sentences"] td');
    await expect
      .poll(() => row.allTextContents(), { timeout: 15_000 })
      .toEqual(["My Google Spanish Sentences", "7", "0", "0"]);
    await screenshot(popup, "packages-popup");
    await popup.getByRole("button", { name: "My Google Spanish Sentences", exact: true }).click();
    const question = () => popup.frameLocator("[data-testid=card-frame]").locator("#qa").textContent();
    // A cloze card: the deletion is hidden on the front.
    await expect.poll(question, { timeout: 15_000 }).toContain("[...]");
    await screenshot(popup, "packages-study-question");
    await popup.keyboard.press("Space");
    await expect.poll(question).not.toContain("[...]");
    await popup.keyboard.press("3");
    await popup.keyboard.press("Escape");
    // The answered card is learning now; six are still new.
    await expect.poll(() => row.allTextContents()).toEqual(["My Google Spanish Sentences", "6", "1", "0"]);
    await popup.close();
  });

  it("exports the deck as an .apkg download that holds the collection and the media", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#packages`);
    await page.locator("select[name=exportDeck]").selectOption({ label: "My Google Spanish Sentences" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export", exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("My Google Spanish Sentences.apkg");
    const saved = path.join(folder, "export.apkg");
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toMatch(/Exported 5 notes, 7 cards, 1 review and 7 media files/);
    await screenshot(page, "packages-exported");
  });

  it("a file dropped on the import area is imported", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#packages`);
    const base64 = readFileSync(path.join(FIXTURES, "anki-pylib-update1.apkg")).toString("base64");
    const dataTransfer = await page.evaluateHandle((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "update1.apkg"));
      return transfer;
    }, base64);
    await page.dispatchEvent(".drop-zone", "dragover", { dataTransfer });
    await page.dispatchEvent(".drop-zone", "drop", { dataTransfer });
    const summary = page.getByRole("list", { name: "Import summary" });
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toContain('Imported "update1.apkg".');
    expect(await summary.textContent()).toContain("1 note added.");
  });

  it("a .colpkg replaces the collection after asking, and the summary says a backup was kept", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#packages`);
    let asked = "";
    page.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page
      .locator("input[name=package]")
      .setInputFiles(path.join(FIXTURES, "neoanki-25.9.4-current-stable.colpkg"));
    const summary = page.getByRole("list", { name: "Import summary" });
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toContain("The collection was replaced");
    expect(asked).toMatch(/replaces your whole collection/);
    expect(await summary.textContent()).toContain("4 notes, 7 cards, 1 review");
    // The deck chosen for export before is gone with the old collection: the choice falls back to everything.
    expect(await page.locator("select[name=exportDeck] option:checked").textContent()).toBe("The whole collection");
    await screenshot(page, "packages-colpkg");
  });
});
