// Steps the e2e tests with two browsers on one relay take again and again: open the manager, sign in, add a
// note, sync now.
import { deflateSync } from "node:zlib";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { ExtensionBrowser } from "./browser";

export async function openManager(
  browser: ExtensionBrowser,
  section: string,
  viewport = { width: 1200, height: 760 },
): Promise<Page> {
  const page = await browser.open(`options.html#${section}`);
  await page.setViewportSize(viewport);
  return page;
}

/** Signs a browser in to the relay as `username` (password "a long password"), creating the account or not. */
export async function signInTo(
  browser: ExtensionBrowser,
  relayUrl: string,
  username: string,
  button: "Create account" | "Log in",
): Promise<void> {
  const page = await openManager(browser, "account");
  await page.fill("input[name=relayUrl]", relayUrl);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "a long password");
  await page.getByRole("button", { name: button }).click();
  await expect.poll(() => page.getByTestId("username").textContent()).toBe(username);
  await page.close();
}

/** Adds a note of the type and deck the Add page starts with (Basic, Default). */
export async function addBasicNote(browser: ExtensionBrowser, front: string, back: string): Promise<void> {
  const page = await openManager(browser, "add");
  await page.fill("textarea[name=field-0]", front);
  await page.fill("textarea[name=field-1]", back);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect.poll(() => page.getByRole("status").textContent()).toBe("Added.");
  await page.close();
}

/** Presses "Sync now" on the manager's Sync page and waits until it is done. */
export async function syncNowOn(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sync now" }).click();
  await expect.poll(() => page.getByTestId("sync-status").textContent()).not.toBe("Syncing…");
}

/**
 * Turns the profile's automatic sync on or off on the manager's Sync page, as a person does, and waits until the
 * preference is stored. Usable in hooks too (no expect.poll).
 */
export async function setAutoSync(browser: ExtensionBrowser, on: boolean): Promise<void> {
  const page = await openManager(browser, "sync");
  await page.locator("input[name=autoSync]").setChecked(on);
  const stored = () =>
    browser.worker.evaluate(async () => {
      type Storage = { get(key: string): Promise<Record<string, unknown>> };
      const api = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome.storage.local;
      return (await api.get("profile:default:autoSync"))["profile:default:autoSync"];
    });
  for (let tries = 0; (await stored()) !== on; tries++) {
    if (tries > 100) throw new Error(`automatic sync was not stored as ${on ? "on" : "off"}`);
    await page.waitForTimeout(50);
  }
  await page.close();
}

/** The sync status the background keeps for the default profile (see SyncStatus in extension/lib/sync-service.ts). */
export interface StoredSyncStatus {
  state: "idle" | "syncing" | "needs-choice" | "error";
  lastSuccess: number;
  error: string | null;
}

/**
 * Runs `start` (a click on Sync now, Upload, Download or Merge) and waits for the sync it starts to end, by the
 * stored status going to "syncing" and then to something else: unlike the page's text, this cannot be mistaken for
 * the previous sync's outcome. Returns the status the sync ended with.
 */
export async function untilSyncEnds(
  page: Page,
  start: () => Promise<void>,
  timeout = 60_000,
): Promise<StoredSyncStatus> {
  await page.evaluate(() => {
    type Change = Record<string, { newValue?: StoredSyncStatus }>;
    type Storage = { onChanged: { addListener(l: (changes: Change) => void): void } };
    const seen: StoredSyncStatus[] = [];
    Object.assign(window, { seenSyncStates: seen });
    (globalThis as unknown as { chrome: { storage: Storage } }).chrome.storage.onChanged.addListener((changes) => {
      const status = changes["profile:default:syncStatus"]?.newValue;
      if (status) seen.push(status);
    });
  });
  await start();
  const ended = () =>
    page.evaluate(() => {
      const seen = (window as unknown as { seenSyncStates: StoredSyncStatus[] }).seenSyncStates;
      const from = seen.findIndex((s) => s.state === "syncing");
      const last = seen.at(-1);
      return from >= 0 && last && last.state !== "syncing" ? last : null;
    });
  await expect.poll(ended, { timeout, interval: 100 }).not.toBeNull();
  return (await ended()) as StoredSyncStatus;
}

/** The toolbar badge with its colour, read from chrome.action in the background worker. */
export async function badgeLook(browser: ExtensionBrowser): Promise<{ text: string; title: string; color: string }> {
  return browser.worker.evaluate(async () => {
    type Action = {
      getBadgeText(details: object): Promise<string>;
      getTitle(details: object): Promise<string>;
      getBadgeBackgroundColor(details: object): Promise<number[]>;
    };
    const api = (globalThis as unknown as { chrome: { action: Action } }).chrome.action;
    const [r = 0, g = 0, b = 0] = await api.getBadgeBackgroundColor({});
    const hex = `#${[r, g, b].map((n) => n.toString(16).padStart(2, "0")).join("")}`;
    return { text: await api.getBadgeText({}), title: await api.getTitle({}), color: hex };
  });
}

/** One object store's rows, key and value, in key order. */
export type StoreRows = { key: unknown; value: unknown }[];

/**
 * Every object store of a profile's collection database (`collection:<profile id>`), read in one transaction from
 * an extension page, whatever stores the schema holds. ArrayBuffer values (the media bytes) come back as their size
 * and SHA-1, so that the bytes themselves are compared without crossing into the test as binary. The review log's
 * blocks come back as its rows, under `revlog`, keyed by id.
 */
export async function readCollectionDatabase(page: Page, profileId = "default"): Promise<Record<string, StoreRows>> {
  return page.evaluate(async (name) => {
    const open = indexedDB.open(name);
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const names = [...db.objectStoreNames];
    const tx = db.transaction(names);
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    // Every request is made before any is awaited, so the transaction sees one state of the database.
    const reads = names.map((store) =>
      Promise.all([request(tx.objectStore(store).getAllKeys()), request(tx.objectStore(store).getAll())]),
    );
    const results = await Promise.all(reads);
    db.close();
    const hex = (buffer: ArrayBuffer) =>
      [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const out: Record<string, { key: unknown; value: unknown }[]> = {};
    for (const [index, store] of names.entries()) {
      const [keys, values] = results[index] as [IDBValidKey[], unknown[]];
      out[store] = await Promise.all(
        keys.map(async (key, i) => {
          const value = values[i];
          if (value instanceof ArrayBuffer) {
            return { key, value: { size: value.byteLength, sha1: hex(await crypto.subtle.digest("SHA-1", value)) } };
          }
          return { key, value };
        }),
      );
    }
    // The review log is kept in blocks of an hour; what two devices must share is its rows, however grouped.
    const blocks = out.revlogBlocks;
    if (blocks) {
      delete out.revlogBlocks;
      out.revlog = blocks
        .flatMap(({ value }) => (value as { rows: { id: number }[] }).rows)
        .map((row) => ({ key: row.id, value: row }));
    }
    return out;
  }, `collection:${profileId}`);
}

/** A solid-colour PNG, made in the test so that it needs no fixture file. */
export function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = (table[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const row = Buffer.from([0, ...Array.from({ length: width }, () => rgb).flat()]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
