// The extension in Firefox (the Manifest V2 build), against a local relay: signing up in the manager, the toolbar
// badge, adding notes and the popup's deck list.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
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

let relay: RunningRelay;
let firefox: FirefoxExtensionBrowser;

beforeAll(async () => {
  const folder = testFolder("firefox-basics");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  firefox = await launchFirefoxWithExtension(path.join(folder, "profile"));
});

afterAll(async () => {
  await firefox?.close();
  await relay?.stop();
});

/** Adds a note of the type and deck the Add page starts with (Basic, Default), in a manager tab of its own. */
async function addBasicNote(front: string, back: string): Promise<void> {
  const page = await firefox.open("options.html#add");
  await fill(page, "textarea[name=field-0]", front);
  await fill(page, "textarea[name=field-1]", back);
  await clickButton(page, "Add");
  await expect.poll(() => textOf(page, "[role=status]")).toBe("Added.");
  await page.close();
}

describe("the extension in Firefox", () => {
  it("before signing in, the badge says so", async () => {
    await expect.poll(() => firefox.badge()).toEqual({ text: "off", title: expect.stringMatching(/not signed in/) });
  });

  it("signing up in the manager signs in: the page and the badge show the account", async () => {
    const options = await firefox.open("options.html#account");
    await fill(options, "input[name=relayUrl]", relay.url);
    await fill(options, "input[name=username]", "Student.One");
    await fill(options, "input[name=password]", "a long password");
    await clickButton(options, "Create account");
    await expect.poll(() => textOf(options, "[data-testid=username]")).toBe("Student.One");
    await screenshot(options, "options-signed-in");
    await options.close();

    await expect.poll(() => firefox.badge()).toEqual({ text: "", title: expect.stringContaining("Student.One") });
  });

  it("two notes added in the manager show in the popup as two new cards of the Default deck, and its first sync uploads them", async () => {
    await addBasicNote("uno", "one");
    await addBasicNote("dos", "two");
    const popup = await firefox.open("popup.html");
    await popup.setViewport({ width: 480, height: 592 });
    await expect.poll(() => textsOf(popup, "tr[data-deck='Default'] td")).toEqual(["Default", "2", "0", "0"]);
    expect(await textOf(popup, "[data-testid=who]")).toMatch(/Signed in as Student\.One/);

    // Opening the popup syncs; the relay holds no collection yet, so the first sync asks which side to keep.
    const status = () => textOf(popup, "[data-testid=sync-status]");
    await expect.poll(status, { timeout: 30_000 }).toBe("A one-way sync is needed: choose what to keep.");
    await clickButton(popup, "Upload");
    await expect.poll(status, { timeout: 30_000 }).toMatch(/^Synced /);
    await expect
      .poll(() => firefox.badge())
      .toEqual({ text: "", title: expect.stringMatching(/Everything is synced/) });
    expect(await textsOf(popup, "tr[data-deck='Default'] td")).toEqual(["Default", "2", "0", "0"]);
    await screenshot(popup, "popup-decks", { docs: true });
    await popup.close();
  });
});
