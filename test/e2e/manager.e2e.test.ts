import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExtensionBrowser, launchWithExtension, screenshot, testFolder } from "./browser";

let browser: ExtensionBrowser;
let page: Page;

beforeAll(async () => {
  const folder = testFolder("manager");
  browser = await launchWithExtension(path.join(folder, "profile"));
  page = await browser.open("options.html#add");
  await page.setViewportSize({ width: 1280, height: 800 });
});

afterAll(async () => {
  await browser?.close();
});

async function searchFor(query: string) {
  await page.goto(`chrome-extension://${browser.extensionId}/options.html#browse`);
  await page.fill("input[name=search]", query);
  await page.getByRole("button", { name: "Search", exact: true }).click();
}

describe("the manager page", () => {
  it("adds a note, finds it with a search, edits it and deletes it", async () => {
    await page.getByLabel("Type").selectOption({ label: "Basic (and reversed card)" });
    await page.fill("textarea[name=field-0]", "la mariposa");
    await page.fill("textarea[name=field-1]", "the butterfly");
    await page.fill("input[name=tags]", "spanish animals");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Added.");
    // The fields are cleared for the next note.
    expect(await page.inputValue("textarea[name=field-0]")).toBe("");
    await screenshot(page, "manager-add", { docs: true });

    await searchFor("mariposa tag:spanish");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("1–2 of 2 cards");
    await page.locator(".browse-table tbody tr").first().click();
    await expect.poll(() => page.inputValue("textarea[name=field-1]")).toBe("the butterfly");
    await page.fill("textarea[name=field-1]", "the butterfly (insect)");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Saved.");
    await screenshot(page, "manager-browse", { docs: true });

    await searchFor('"butterfly (insect)"');
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("1–2 of 2 cards");
    await searchFor("butterfly -insect");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("Nothing matches.");

    await searchFor("mariposa");
    await page.locator(".browse-table tbody tr").first().click();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete note" }).click();
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("Nothing matches.");
  });

  it("says what is wrong with a note that would make no card, and adds nothing", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
    await page.getByLabel("Type").selectOption({ label: "Cloze" });
    await page.fill("textarea[name=field-0]", "no cloze deletion here");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/Add a cloze deletion/);
    await searchFor("");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("Nothing matches.");
  });

  it("the popup lists the decks with today's new cards", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
    await page.fill("textarea[name=field-0]", "el sol");
    await page.fill("textarea[name=field-1]", "the sun");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Added.");
    const popup = await browser.open("popup.html");
    await popup.setViewportSize({ width: 360, height: 260 });
    const row = popup.locator("tr[data-deck='Default'] td");
    await expect.poll(() => row.allTextContents()).toEqual(["Default", "1", "0", "0"]);
    await screenshot(popup, "popup-deck-list", { docs: true });
    await popup.close();
  });

  it("creates nested decks and shows them as a tree", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#decks`);
    await page.fill("input[name=newDeck]", "Languages::Spanish");
    await page.getByRole("button", { name: "Create deck" }).click();
    await expect.poll(() => page.locator("tr[data-deck='Languages::Spanish']").count()).toBe(1);
    expect(await page.locator("tr[data-deck='Languages']").count()).toBe(1);
    await screenshot(page, "manager-decks", { docs: true });
  });

  it("warns before a schema change once the collection has synced, and cancelling changes nothing", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#notetypes`);
    await page.getByRole("button", { name: /^Basic \(\d+ notes\)$/ }).click();
    await page.fill("input[name=newField]", "Example");
    let message = "";
    page.once("dialog", (dialog) => {
      message = dialog.message();
      void dialog.dismiss();
    });
    // Mark the collection as synced, so that the next schema change needs a one-way sync.
    await page.evaluate(async () => {
      const open = indexedDB.open("collection:default");
      const db: IDBDatabase = await new Promise((resolve) => {
        open.onsuccess = () => resolve(open.result);
      });
      const tx = db.transaction("meta", "readwrite");
      const store = tx.objectStore("meta");
      const get = store.get("collection");
      await new Promise((resolve) => {
        get.onsuccess = () => {
          store.put({ ...get.result, lastSync: Date.now() + 1000 }, "collection");
          tx.oncomplete = resolve;
        };
      });
      db.close();
    });
    await page.getByRole("button", { name: "Add field" }).click();
    await expect.poll(() => message).toMatch(/next sync will have to be one-way/);
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/Cancelled/);
    expect(await page.locator(".edit-list li").filter({ hasText: "Example" }).count()).toBe(0);
    await screenshot(page, "manager-notetypes");
  });
});
