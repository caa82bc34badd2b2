// The whole system as a person uses it: two browser profiles (two devices) signed in to one account on a local
// relay. Notes with a picture and a reversed card are added on one device and studied in the popup on both; notes
// are edited; the same card is studied offline on both; a note type changes its fields while both devices change
// notes. After each story the two devices' collection databases are compared store by store, every row of every
// object store, not a sample.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { type ExtensionBrowser, launchWithExtension, screenshot, testFolder } from "./browser";
import {
  badgeLook,
  openManager,
  png,
  readCollectionDatabase,
  type StoreRows,
  setAutoSync,
  signInTo,
  untilSyncEnds,
} from "./two-devices";

let relay: RunningRelay;
let first: ExtensionBrowser;
let second: ExtensionBrowser;
let folder: string;

interface Revlog {
  id: number;
  cardId: number;
  ease: number;
  usn: number;
}
interface CardRecord {
  id: number;
  noteId: number;
  usn: number;
  [field: string]: unknown;
}
interface NoteRecord {
  id: number;
  noteTypeId: number;
  fields: string[];
  usn: number;
}

/** Every review made in this file, on either device, as it was written when the card was answered. */
const reviewsMade: Revlog[] = [];

beforeAll(async () => {
  folder = testFolder("whole-system");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  first = await launchWithExtension(path.join(folder, "device-a"));
  second = await launchWithExtension(path.join(folder, "device-b"));
  // Every sync in this file is one the test makes, in the order each story needs ("without syncing in between"
  // must hold); automatic sync on opening and closing the popup is covered by sync-ui.e2e.test.ts.
  await setAutoSync(first, false);
  await setAutoSync(second, false);
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await relay?.stop();
});

const manager = (browser: ExtensionBrowser, section: string) => openManager(browser, section);

/** Adds a note on the manager's Add page; with `picture`, the file is inserted into the first field by its picker. */
async function addNote(
  browser: ExtensionBrowser,
  fields: string[],
  { type = "Basic", picture }: { type?: string; picture?: string } = {},
): Promise<void> {
  const page = await manager(browser, "add");
  await page.locator("select[name=noteType]").selectOption({ label: type });
  await expect.poll(() => page.locator("select[name=noteType] option:checked").textContent()).toBe(type);
  for (const [index, text] of fields.entries()) await page.fill(`textarea[name=field-${index}]`, text);
  if (picture) {
    await page.setInputFiles("input[name=field-0-media]", picture);
    await expect
      .poll(() => page.inputValue("textarea[name=field-0]"))
      .toBe(`${fields[0]}<img src="${path.basename(picture)}">`);
  }
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect.poll(() => page.getByRole("status").textContent()).toBe("Added.");
  await page.close();
}

const questionText = (popup: Page) =>
  popup
    .frameLocator("[data-testid=card-frame]")
    .locator("#qa")
    .textContent()
    .catch(() => "");

async function revlogOf(page: Page): Promise<Revlog[]> {
  return ((await readCollectionDatabase(page)).revlog ?? []).map((row) => row.value as Revlog);
}

/**
 * Opens the popup, chooses the Default deck and answers the next cards with the keyboard (Space, then the grade).
 * Returns the review-log rows the answers wrote, in order, and the questions shown.
 */
async function studyInPopup(
  browser: ExtensionBrowser,
  grades: number[],
): Promise<{ rows: Revlog[]; questions: string[] }> {
  const popup = await browser.open("popup.html");
  await popup.setViewportSize({ width: 480, height: 592 });
  await popup.getByRole("button", { name: "Default", exact: true }).click();
  const before = new Set((await revlogOf(popup)).map((r) => r.id));
  const questions: string[] = [];
  let previous = "";
  for (const [index, grade] of grades.entries()) {
    // The next card's question (the frame shows the last answer until the next card arrives).
    await expect.poll(async () => ((await questionText(popup)) ?? "").trim()).toMatch(/\S/);
    await expect.poll(async () => ((await questionText(popup)) ?? "").trim()).not.toBe(previous);
    const question = ((await questionText(popup)) ?? "").trim();
    questions.push(question);
    await popup.keyboard.press("Space");
    await expect.poll(() => popup.locator(`[data-ease='${grade}'] .interval`).count()).toBe(1);
    await expect.poll(async () => ((await questionText(popup)) ?? "").trim()).not.toBe(question);
    // The answer side, which the next card's question replaces.
    previous = ((await questionText(popup)) ?? "").trim();
    await popup.keyboard.press(String(grade));
    await expect.poll(async () => (await revlogOf(popup)).filter((r) => !before.has(r.id)).length).toBe(index + 1);
  }
  const rows = (await revlogOf(popup)).filter((r) => !before.has(r.id)).sort((a, b) => a.id - b.id);
  expect(rows.map((r) => r.ease)).toEqual(grades);
  // Each waits for a sync: a negative usn, of the collection's pending generation (pending.ts).
  expect(rows.every((r) => r.usn < 0)).toBe(true);
  await popup.close();
  reviewsMade.push(...rows);
  return { rows, questions };
}

/**
 * Syncs on the manager's Sync page. Without `prompt`, the sync must be a normal one that succeeds; with it, the sync
 * must stop at the one-way prompt saying that, and `choose` is then pressed. Returns the Sync page, showing "Synced".
 */
async function syncOn(
  browser: ExtensionBrowser,
  { prompt, choose }: { prompt?: RegExp; choose?: "Upload" | "Download" | "Merge" } = {},
): Promise<Page> {
  const page = await manager(browser, "sync");
  const region = page.getByRole("region", { name: "One-way sync" });
  const status = await untilSyncEnds(page, () => page.getByRole("button", { name: "Sync now" }).click());
  if (prompt) {
    expect(status.state).toBe("needs-choice");
    await expect.poll(() => region.textContent()).toMatch(prompt);
    if (choose) {
      const chosen = await untilSyncEnds(page, () => region.getByRole("button", { name: choose }).click());
      expect(chosen).toMatchObject({ state: "idle", error: null });
    }
  } else {
    expect(status).toMatchObject({ state: "idle", error: null });
    expect(await region.count()).toBe(0);
  }
  await expect.poll(() => page.getByTestId("sync-status").textContent()).toMatch(/^Synced/);
  return page;
}

/** Reads the whole collection database of a device from one of its extension pages. */
async function databaseOf(browser: ExtensionBrowser): Promise<Record<string, StoreRows>> {
  const page = await manager(browser, "sync");
  const stores = await readCollectionDatabase(page);
  await page.close();
  return stores;
}

/** The stores of synced records (the review log among them): after a finished sync, nothing in them waits. */
const SYNCED = ["notetypes", "deckconfigs", "decks", "tags", "config", "notes", "cards", "revlog", "graves"];

/**
 * A device's database with what is legitimately its own taken out, so that two devices that synced compare equal.
 * Every store is kept, with every row and field, except:
 * - `meta` (the one "collection" row) keeps `id`, `scm` and `lastSyncUsn`, which two devices that synced share;
 *   `lastSync` and `lastFullCheck` (when this device last synced, and last compared mtime sums), `created` (when
 *   this device's database was made), `lastUnburied` (the day this device last brought buried cards back; the meta
 *   does not sync) and `mtime` (when this device's collection last changed, a download or a pull included) are
 *   this device's own by definition.
 * - `mediaSync` loses `lastSync`, when this device's media sync last finished.
 * - synced records (SYNCED) lose `usn`, sync bookkeeping rather than content: it only tells a device whether the
 *   record waits for a sync (a usn below -syncedGen, which expectDevicesEqual checks is on no row of either device;
 *   meta's pendingGen and syncedGen are this device's own as well), and pulls go by the
 *   relay's usn, not the records'. The two devices' values can legitimately differ: after a Merge the merging device
 *   stamps every record it pushed with that commit's usn, while the relay (and so the other device) keeps the usn at
 *   which each record the push left unchanged last changed.
 * Media rows (name, SHA-1, size, mtime, media usn) are compared whole, and the bytes through `mediaBytes` (each
 * file's size and the SHA-1 of the stored bytes).
 */
function comparable(stores: Record<string, StoreRows>): Record<string, StoreRows> {
  const out: Record<string, StoreRows> = {};
  for (const [name, rows] of Object.entries(stores)) {
    if (SYNCED.includes(name)) {
      out[name] = rows.map(({ key, value }) => {
        const { usn: _usn, ...rest } = value as Record<string, unknown>;
        return { key, value: rest };
      });
    } else if (name === "meta") {
      out[name] = rows.map(({ key, value }) => {
        const { id, scm, lastSyncUsn } = value as { id: string; scm: number; lastSyncUsn: number };
        return { key, value: { id, scm, lastSyncUsn } };
      });
    } else if (name === "mediaSync") {
      out[name] = rows.map(({ key, value }) => {
        const { lastSync: _lastSync, ...rest } = value as Record<string, unknown>;
        return { key, value: rest };
      });
    } else {
      out[name] = rows;
    }
  }
  return out;
}

/**
 * Reads both devices' databases and asserts they are equal, store by store, after `comparable`; and that nothing
 * waits for a sync on either. Returns the first device's database.
 */
async function expectDevicesEqual(): Promise<Record<string, StoreRows>> {
  const a = await databaseOf(first);
  const b = await databaseOf(second);
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  // Not two empty databases: the stores every collection fills hold rows.
  for (const store of ["meta", "notetypes", "deckconfigs", "decks", "config", "notes", "cards", "revlog", "media"]) {
    expect(a[store]?.length, `rows of ${store}`).toBeGreaterThan(0);
  }
  for (const store of SYNCED) {
    for (const side of [a, b]) {
      // Pending: a usn below -syncedGen (pending.ts).
      const synced = (side.meta?.[0]?.value as { syncedGen?: number } | undefined)?.syncedGen ?? 0;
      const waiting = (side[store] ?? []).filter((row) => (row.value as { usn: number }).usn < -synced);
      expect(waiting, `${store} rows waiting for a sync`).toEqual([]);
    }
  }
  expect(a.media?.every((row) => (row.value as { pending?: string }).pending === undefined)).toBe(true);
  expect(b.media?.every((row) => (row.value as { pending?: string }).pending === undefined)).toBe(true);
  const ca = comparable(a);
  const cb = comparable(b);
  for (const store of Object.keys(ca).sort()) expect(ca[store], `the ${store} store`).toEqual(cb[store]);
  return a;
}

const values = <T>(stores: Record<string, StoreRows>, store: string) =>
  (stores[store] ?? []).map((row) => row.value as T);

/** The review log holds exactly the reviews made in this file, as they were written (usn aside: it synced). */
function expectRevlogIsEveryReview(stores: Record<string, StoreRows>): void {
  const strip = ({ usn: _usn, ...rest }: Revlog) => rest;
  const held = values<Revlog>(stores, "revlog").map(strip);
  expect(held).toEqual([...reviewsMade].sort((x, y) => x.id - y.id).map(strip));
}

describe("the whole system, two devices on one account", () => {
  it("two devices: notes with a picture and a reversed card, studied on both, edited on one; both end equal", async () => {
    const picture = path.join(folder, "blue square.png");
    writeFileSync(picture, png(40, 30, [30, 60, 220]));
    await signInTo(first, relay.url, "whole-system", "Create account");
    await addNote(first, ["What colour is this? ", "blue"], { picture });
    await addNote(first, ["hablar", "to speak"], { type: "Basic (and reversed card)" });
    await addNote(first, ["el río", "the river"]);
    await addNote(first, ["la montaña", "the mountain"]);
    await addNote(first, ["el gato", "the cat"]);
    await addNote(first, ["el perro", "the dog"]);
    await addNote(first, ["la casa", "the house"]);
    // Good keeps a new card learning for ten minutes, Easy makes it a review card: neither comes back in this file.
    const onA = await studyInPopup(first, [3, 4]);

    const a = await syncOn(first, { prompt: /relay holds no collection/, choose: "Upload" });
    await a.close();
    await signInTo(second, relay.url, "whole-system", "Log in");
    const b = await syncOn(second, { prompt: /7 notes, 8 cards,/, choose: "Download" });
    await b.close();

    // The second device sees the notes, the picture and the first device's reviews.
    const downloaded = await databaseOf(second);
    expect(values<NoteRecord>(downloaded, "notes")).toHaveLength(7);
    expect(values<CardRecord>(downloaded, "cards")).toHaveLength(8);
    expect(values<Revlog>(downloaded, "revlog").map((r) => r.id)).toEqual(onA.rows.map((r) => r.id));
    const pictureNote = values<NoteRecord>(downloaded, "notes").find((n) => n.fields[0]?.includes("<img"));
    expect(pictureNote?.fields[0]).toBe('What colour is this? <img src="blue square.png">');
    const browse = await manager(second, "browse");
    await expect.poll(() => browse.locator(".browse-table tbody tr").count()).toBe(8);
    await browse.goto(`chrome-extension://${second.extensionId}/options.html#browse?q=nid%3A${pictureNote?.id}`);
    await expect
      .poll(() =>
        browse
          .locator(".field-media img")
          .first()
          .evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))
          .catch(() => 0),
      )
      .toBe(40);
    await screenshot(browse, "whole-system-picture-on-second-device");

    // Other cards on the second device: new ones the first device did not study.
    const onB = await studyInPopup(second, [4, 3]);
    const studiedOnA = new Set(onA.rows.map((r) => r.cardId));
    expect(onB.rows.filter((r) => studiedOnA.has(r.cardId))).toEqual([]);
    expect(new Set([...onA.questions, ...onB.questions]).size).toBe(4);

    // An edit on the second device.
    const river = values<NoteRecord>(downloaded, "notes").find((n) => n.fields[0] === "el río");
    await browse.goto(`chrome-extension://${second.extensionId}/options.html#browse?q=nid%3A${river?.id}`);
    await expect.poll(() => browse.inputValue("textarea[name=field-1]").catch(() => "")).toBe("the river");
    await browse.fill("textarea[name=field-1]", "the river (edited on the second device)");
    await browse.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => browse.getByRole("status").textContent()).toBe("Saved.");
    await browse.close();

    await (await syncOn(second)).close();
    await (await syncOn(first)).close();

    const end = await expectDevicesEqual();
    expectRevlogIsEveryReview(end);
    expect(values<Revlog>(end, "revlog")).toHaveLength(4);
    expect(values<NoteRecord>(end, "notes").find((n) => n.id === river?.id)?.fields[1]).toBe(
      "the river (edited on the second device)",
    );
    expect(values<{ name: string; size: number }>(end, "media")).toEqual([
      expect.objectContaining({ name: "blue square.png", size: png(40, 30, [30, 60, 220]).length }),
    ]);
    expect(end.mediaBytes).toHaveLength(1);
  });

  it("offline on both: the same card studied on each device without a sync between; the later answer wins, both reviews stay", async () => {
    // Both orders of syncing afterwards: the device that answered first syncs first, then the one that answered later.
    for (const order of [
      [first, second, first],
      [second, first, second],
    ]) {
      // Neither device syncs until both have answered: automatic sync is off on both (see beforeAll), so each holds
      // only its own answer, as two devices offline would.
      const earlier = await studyInPopup(first, [1]);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const later = await studyInPopup(second, [4]);
      // The same card: both devices held the same collection, so both chose the same next card.
      expect(later.questions).toEqual(earlier.questions);
      const [rowA] = earlier.rows;
      const [rowB] = later.rows;
      expect(rowB?.cardId).toBe(rowA?.cardId);
      expect((rowB?.id ?? 0) - (rowA?.id ?? 0)).toBeGreaterThanOrEqual(1000);

      const cardOn = async (browser: ExtensionBrowser) =>
        values<CardRecord>(await databaseOf(browser), "cards").find((c) => c.id === rowA?.cardId);
      const againOnA = await cardOn(first);
      const easyOnB = await cardOn(second);
      // Again leaves the card learning; Easy makes it a review card due in days.
      expect(againOnA).toMatchObject({ type: 1, queue: 1, reps: 1 });
      expect(easyOnB).toMatchObject({ type: 2, queue: 2, reps: 1, lapses: 0 });
      expect(easyOnB?.data).toMatch(/"s":/);

      for (const device of order) await (await syncOn(device)).close();

      const end = await expectDevicesEqual();
      expectRevlogIsEveryReview(end);
      expect(
        values<Revlog>(end, "revlog")
          .filter((r) => r.cardId === rowA?.cardId)
          .map((r) => r.ease),
      ).toEqual([1, 4]);
      // Every field of the card is the later answer's (due, interval, type and queue, reps, lapses, the memory state
      // in `data`, mtime): only the usn moved on, as the card synced.
      const { usn: _usn, ...expected } = easyOnB as CardRecord;
      const { usn: _endUsn, ...merged } = values<CardRecord>(end, "cards").find(
        (c) => c.id === rowA?.cardId,
      ) as CardRecord;
      expect(merged).toEqual(expected);
    }
  });

  let afterSchemaChange: Record<string, StoreRows> | null = null;

  it("schema change: a field added on one device while both add notes; the red badge, Merge, and nothing lost", async () => {
    const scmBefore = values<{ scm: number }>(await databaseOf(second), "meta")[0]?.scm;
    const page = await manager(first, "notetypes");
    await page.getByRole("button", { name: /^Basic \(\d+ notes?\)$/ }).click();
    await page.fill("input[name=newField]", "Example");
    let warning = "";
    page.once("dialog", (dialog) => {
      warning = dialog.message();
      void dialog.accept();
    });
    await page.getByRole("button", { name: "Add field" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Field added.");
    expect(warning).toMatch(/cannot be merged/);
    await expect
      .poll(() => badgeLook(first))
      .toMatchObject({ text: "⇅", color: "#dc2626", title: expect.stringMatching(/cannot be merged/) });
    await page.close();
    expect(values<{ scm: number }>(await databaseOf(first), "meta")[0]?.scm).toBeGreaterThan(scmBefore ?? Infinity);

    // Ordinary changes on both: a note on each (the first device's with the new field filled in), and a review.
    await addNote(first, ["el libro", "the book", "Leo un libro."]);
    await addNote(second, ["la mesa", "the table"]);
    await studyInPopup(second, [3]);
    // The other device knows nothing of the change: its badge is the blue "changes wait".
    await expect.poll(() => badgeLook(second)).toMatchObject({ text: "•", color: "#2563eb" });

    const a = await syncOn(first, { prompt: /A change that cannot be merged/, choose: "Merge" });
    await screenshot(a, "whole-system-after-merge");
    await a.close();
    await expect.poll(() => badgeLook(first)).toMatchObject({ text: "" });
    // What the product does: the merge takes the relay's schema stamp, so the relay's never changed and the other
    // device's next sync is a normal one, with no prompt (syncOn fails on a prompt it was not told of).
    await (await syncOn(second)).close();
    await (await syncOn(first)).close();
    await expect.poll(() => badgeLook(second)).toMatchObject({ text: "" });

    const end = await expectDevicesEqual();
    expect(values<{ scm: number }>(end, "meta")[0]?.scm).toBe(scmBefore);
    expectRevlogIsEveryReview(end);
    expect(values<Revlog>(end, "revlog")).toHaveLength(9);
    const notes = values<NoteRecord>(end, "notes");
    expect(notes).toHaveLength(9);
    expect(notes.find((n) => n.fields[0] === "el libro")?.fields).toEqual(["el libro", "the book", "Leo un libro."]);
    expect(notes.find((n) => n.fields[0] === "la mesa")?.fields.slice(0, 2)).toEqual(["la mesa", "the table"]);
    // The note type with the added field is the one both devices hold, and the first device's older notes got it.
    const basic = values<{ id: number; name: string; fields: { name: string }[] }>(end, "notetypes").find(
      (t) => t.name === "Basic",
    );
    expect(basic?.fields.map((f) => f.name)).toEqual(["Front", "Back", "Example"]);
    expect(notes.find((n) => n.fields[0] === "el gato")?.fields).toEqual(["el gato", "the cat", ""]);
    // The second device's note opens in the manager with the note type's three fields.
    const table = notes.find((n) => n.fields[0] === "la mesa");
    const editor = await manager(second, `browse?q=nid%3A${table?.id}`);
    await expect.poll(() => editor.inputValue("textarea[name=field-0]").catch(() => "")).toBe("la mesa");
    expect(await editor.locator("textarea[name^=field-]").count()).toBe(3);
    await editor.close();
    afterSchemaChange = end;
  });

  // The note added on the second device before it saw the new field arrives with two fields; the sync fits it to
  // its note type's three, so that it can still be edited.
  it("schema change: after the Merge, every note has as many fields as its note type, and can be edited", async () => {
    expect(afterSchemaChange).not.toBeNull();
    const stores = afterSchemaChange as Record<string, StoreRows>;
    const noteTypes = new Map(
      values<{ id: number; fields: unknown[] }>(stores, "notetypes").map((t) => [t.id, t.fields.length]),
    );
    const table = values<NoteRecord>(stores, "notes").find((n) => n.fields[0] === "la mesa");
    const page = await manager(second, `browse?q=nid%3A${table?.id}`);
    await expect.poll(() => page.inputValue("textarea[name=field-0]").catch(() => "")).toBe("la mesa");
    await page.fill("textarea[name=field-0]", "la mesa grande");
    await page.getByRole("button", { name: "Save" }).click();
    const outcome = page.locator("[role=status], [role=alert]");
    await expect.poll(() => outcome.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await outcome.allTextContents()).toEqual(["Saved."]);
    await page.close();
    for (const note of values<NoteRecord>(stores, "notes")) {
      expect(note.fields.length, `fields of the note "${note.fields[0]}"`).toBe(noteTypes.get(note.noteTypeId));
    }
  });
});
