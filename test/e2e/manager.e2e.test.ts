import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXTENSION_DIR, type ExtensionBrowser, launchWithExtension, screenshot, testFolder } from "./browser";

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

  it("a field of 2,000,000 characters is refused at once with the limit in words, and the page stays responsive", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
    await page.getByLabel("Type").selectOption({ label: "Basic" });
    await page.fill("textarea[name=field-0]", "x".repeat(2_000_000));
    await page.fill("textarea[name=field-1]", "back");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/too large.*at most 900 kB/);
    await page.fill("textarea[name=field-0]", "small again");
    expect(await page.inputValue("textarea[name=field-0]")).toBe("small again");
  });

  it("the collection's storage has no quota and is never cleared to free disk space, and the Media page says so", async () => {
    const manifest = JSON.parse(readFileSync(path.join(EXTENSION_DIR, "manifest.json"), "utf8"));
    expect(manifest.permissions).toContain("unlimitedStorage");
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#media`);
    await expect
      .poll(() => page.getByTestId("storage-state").textContent())
      .toMatch(
        /^The browser holds [\d.]+ (bytes|[KMG]iB) for this extension\. Its storage is kept: it has no quota, and the browser does not clear it/,
      );
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

  it("a search that fails says so, and leaves no earlier results on screen", async () => {
    await searchFor("");
    await expect.poll(() => page.locator(".browse-table tbody tr").count()).toBeGreaterThan(0);
    await searchFor("flag:9");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/flag/);
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("The search failed.");
    expect(await page.locator(".browse-table tbody tr").count()).toBe(0);
  });

  it("selects rows with shift-click, suspends them and moves them to another deck, as the table then shows", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
    await page.getByLabel("Type").selectOption({ label: "Basic" });
    for (const [front, back] of [
      ["uno", "one"],
      ["dos", "two"],
      ["tres", "three"],
    ] as const) {
      await page.fill("textarea[name=field-0]", front);
      await page.fill("textarea[name=field-1]", back);
      await page.fill("input[name=tags]", "numbers");
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await expect.poll(() => page.inputValue("textarea[name=field-0]")).toBe("");
    }
    await searchFor("tag:numbers");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("1–3 of 3 cards");
    const rows = page.locator(".browse-table tbody tr");
    await rows.nth(0).click();
    await rows.nth(2).click({ modifiers: ["Shift"] });
    await expect.poll(() => page.getByTestId("selection-count").textContent()).toBe("3 cards selected (all matches)");
    expect(await page.locator(".browse-table tbody tr.selected").count()).toBe(3);

    await page.getByRole("button", { name: "Suspend", exact: true }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Suspended 3 cards.");
    await expect.poll(() => page.locator(".browse-table tbody tr.suspended").count()).toBe(3);

    await page.getByRole("button", { name: "Change deck…" }).click();
    await page.locator("select[name=targetDeck]").selectOption({ label: "Languages::Spanish" });
    await page.getByRole("button", { name: "Move", exact: true }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Moved 3 cards to Languages::Spanish.");
    const decks = () => page.locator(".browse-table tbody tr td:nth-child(3)").allTextContents();
    await expect.poll(decks).toEqual(["Languages::Spanish", "Languages::Spanish", "Languages::Spanish"]);
    // The selection stays; Ctrl+click takes one row out, and Ctrl+J unsuspends the other two.
    await rows.nth(1).click({ modifiers: ["Control"] });
    await expect.poll(() => page.getByTestId("selection-count").textContent()).toBe("2 cards selected");
    await screenshot(page, "manager-browse-selection");
    await page.keyboard.press("Control+j");
    await expect.poll(() => page.locator(".browse-table tbody tr.suspended").count()).toBe(1);
    expect(await rows.nth(1).getAttribute("class")).toMatch(/suspended/);
  });

  it("with nothing selected the table takes the page's width, and makes room for the editor when a row is chosen", async () => {
    await page.setViewportSize({ width: 1600, height: 900 });
    await searchFor("tag:numbers");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("1–3 of 3 cards");
    const wrap = page.locator(".table-wrap");
    const size = () => wrap.evaluate((el) => ({ width: el.clientWidth, scroll: el.scrollWidth }));
    const alone = await size();
    // The page is 1,600 pixels wide, less the 11rem navigation and the padding: the table has about 1,380.
    expect(alone.width).toBeGreaterThan(1300);
    expect(alone.scroll).toBeLessThanOrEqual(alone.width);
    await screenshot(page, "manager-browse-wide");
    await page.locator(".browse-table tbody tr").first().click();
    await expect.poll(() => page.locator("textarea[name=field-0]").count()).toBe(1);
    expect((await size()).width).toBeLessThan(alone.width * 0.7);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("changes the note type of every match, mapping fields by name, and the new card type's cards appear", async () => {
    await searchFor("tag:numbers");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("1–3 of 3 cards");
    await page.locator(".browse-table tbody tr").first().click();
    await page.keyboard.press("Control+a");
    await expect.poll(() => page.getByTestId("selection-count").textContent()).toBe("3 cards selected (all matches)");
    await page.getByRole("button", { name: "Change note type…" }).click();
    await page.locator("select[name=targetNoteType]").selectOption({ label: "Basic (and reversed card)" });
    expect(await page.inputValue("select[name=field-map-1]")).toBe("1");
    await screenshot(page, "manager-change-notetype");
    await page.getByRole("button", { name: "Change note type", exact: true }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toBe("Changed 3 notes to Basic (and reversed card): 0 cards moved, 3 added, 0 deleted.");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toBe("1–6 of 6 cards");
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
  it("a link to one note opens its editor even while the collection changes as the page starts", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
    await page.getByLabel("Type").selectOption({ label: "Basic" });
    await page.fill("textarea[name=field-0]", "el enlace");
    await page.fill("textarea[name=field-1]", "the link");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Added.");
    const note = await page.evaluate(async () => {
      const open = indexedDB.open("collection:default");
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const request = db.transaction("notes").objectStore("notes").getAll();
      const notes = await new Promise<{ id: number; fields: string[] }[]>((resolve) => {
        request.onsuccess = () => resolve(request.result);
      });
      db.close();
      return notes.find((n) => n.fields[0] === "el enlace");
    });
    expect(note).toBeDefined();
    // Another extension page says "the collection changed" every few milliseconds, as a sync finishing elsewhere
    // does, while the linked page starts.
    await page.evaluate(() => {
      const channel = new BroadcastChannel("collection-changes");
      const timer = setInterval(() => channel.postMessage("default"), 5);
      setTimeout(() => clearInterval(timer), 4000);
    });
    const linked = await browser.open(`options.html#browse?q=nid%3A${note?.id}`);
    await expect.poll(() => linked.inputValue("textarea[name=field-0]").catch(() => "")).toBe("el enlace");
    await linked.close();
  });

  it("on Add, Ctrl+Shift+C makes the next cloze, Ctrl+Enter adds, and an error goes when the note type changes", async () => {
    await page.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
    await page.getByLabel("Type").selectOption({ label: "Cloze" });
    const text = page.locator("textarea[name=field-0]");
    await text.fill("Paris is the capital of France");
    // Nothing marked yet: adding says what is missing.
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/Add a cloze deletion/);
    await page.getByLabel("Type").selectOption({ label: "Basic" });
    await expect.poll(() => page.getByRole("alert").count()).toBe(0);
    await page.getByLabel("Type").selectOption({ label: "Cloze" });
    await text.fill("Paris is the capital of France");
    await text.evaluate((area: HTMLTextAreaElement) => area.setSelectionRange(0, 5));
    await page.keyboard.press("Control+Shift+C");
    await expect.poll(() => text.inputValue()).toBe("{{c1::Paris}} is the capital of France");
    await text.evaluate((area: HTMLTextAreaElement) => area.setSelectionRange(32, 38));
    await page.keyboard.press("Control+Shift+C");
    await expect.poll(() => text.inputValue()).toBe("{{c1::Paris}} is the capital of {{c2::France}}");
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Added.");
    expect(await text.inputValue()).toBe("");
    // The page is shared: the Add page is left on Basic.
    await page.getByLabel("Type").selectOption({ label: "Basic" });
  });
});
