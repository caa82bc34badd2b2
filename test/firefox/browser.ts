// Launches Debian's Firefox ESR with the built extension installed as a temporary add-on, the way a person loads
// it from about:debugging, and drives it over WebDriver BiDi with puppeteer-core.
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import puppeteer, { type Browser, type ElementHandle, type Page } from "puppeteer-core";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
/** The extension this run of the Firefox tests built (see global-setup.ts), or the one `npm run build:firefox` made. */
export const EXTENSION_DIR = process.env.FIREFOX_EXTENSION_DIR ?? path.join(ROOT, ".output/firefox-mv2");
/** The add-on id global-setup.ts gives its build when the manifest names none. */
export const TEST_GECKO_ID = "flashcard-relay-tests@example.invalid";
export const SCREENSHOTS = path.join(ROOT, "test-results/screenshots-firefox");
export const DOCS_SCREENSHOTS = path.join(ROOT, "docs/screenshots");

/** A folder under .tmp/ for this test's browser profile, relay state and temporary files. */
export function testFolder(name: string): string {
  const base = path.join(ROOT, ".tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `${name}-`));
}

export interface FirefoxExtensionBrowser {
  browser: Browser;
  extensionId: string;
  /** moz-extension://<uuid of this profile>, without a trailing slash. */
  baseUrl: string;
  /** A new tab on one of the extension's pages ("options.html#add"), once the page has loaded. */
  open(page: string): Promise<Page>;
  /** The toolbar button's badge text and tooltip, as the background set them. */
  badge(): Promise<{ text: string; title: string }>;
  close(): Promise<void>;
}

export async function launchFirefoxWithExtension(
  profileDir: string,
  { extensionDir = EXTENSION_DIR } = {},
): Promise<FirefoxExtensionBrowser> {
  // Firefox serves an extension's pages from moz-extension://<uuid>/, a uuid it draws per profile at install and
  // keeps in the pref extensions.webextensions.uuids ({ add-on id: uuid }). When the pref already maps the add-on's
  // id, Firefox uses that uuid, so the address is known before the install. That needs the id before the install
  // too: the manifest's gecko id (global-setup.ts writes one into its build). Without one Firefox makes the id up
  // from a random number of the session, and the uuid could only be read back from prefs.js once Firefox saves it.
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, "manifest.json"), "utf8"));
  const geckoId: string | undefined = manifest.browser_specific_settings?.gecko?.id;
  if (!geckoId) {
    throw new Error(
      `${extensionDir}/manifest.json has no browser_specific_settings.gecko.id, so its moz-extension:// address ` +
        "cannot be fixed before the install; run the Firefox tests through test/firefox/vitest.config.ts, whose " +
        "global setup builds the extension and gives it one.",
    );
  }
  const uuid = randomUUID();
  mkdirSync(profileDir, { recursive: true });
  const tmpBase = path.join(ROOT, "test-results/firefox-tmp");
  mkdirSync(tmpBase, { recursive: true });
  const tmpDir = mkdtempSync(path.join(tmpBase, `${path.basename(path.dirname(profileDir))}-`));
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profileDir,
    protocol: "webDriverBiDi",
    // Without it, Firefox refuses a driver's navigation to moz-extension:// ("is not allowed in this context").
    args: ["--remote-allow-system-access"],
    env: { ...process.env, TMPDIR: tmpDir },
    extraPrefsFirefox: { "extensions.webextensions.uuids": JSON.stringify({ [geckoId]: uuid }) },
    timeout: 60_000,
  });
  const process_ = browser.process();
  const shutDown = async () => {
    // browser.close() waits for Firefox to exit; should it not, the process this launch started is killed by its id.
    const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 15_000).unref());
    const closed = browser.close().catch(() => undefined);
    if ((await Promise.race([closed, timeout])) === "timeout" && process_?.exitCode === null) process_.kill("SIGKILL");
    rmSync(tmpDir, { recursive: true, force: true });
  };
  let extensionId: string;
  try {
    extensionId = await browser.installExtension(extensionDir);
  } catch (error) {
    await shutDown();
    throw error;
  }
  const baseUrl = `moz-extension://${uuid}`;

  const open = async (file: string): Promise<Page> => {
    const page = await browser.newPage();
    const url = `${baseUrl}/${file}`;
    // Firefox never reports the load of a moz-extension:// page to WebDriver BiDi, so waiting for "load" (or any
    // lifecycle event) times out though the page is there: navigate without waiting, then poll for the loaded page.
    await page.goto(url, { waitUntil: [] });
    const loaded = () =>
      page.evaluate((url) => location.href === url && document.readyState === "complete", url).catch(() => false);
    const deadline = Date.now() + 30_000;
    while (!(await loaded())) {
      if (Date.now() > deadline) throw new Error(`${url} did not load within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return page;
  };

  // The background page is not a tab WebDriver BiDi can script, and the popup here is an ordinary tab, not the
  // toolbar's; any extension page can read the badge through the same API, so one tab is kept open for that. The
  // manager rather than the popup: opening and closing the popup starts syncs.
  let probe: Promise<Page> | null = null;
  const badge = async () => {
    probe ??= open("options.html#account");
    return (await probe).evaluate(async () => {
      type Action = { getBadgeText(details: object): Promise<string>; getTitle(details: object): Promise<string> };
      // Manifest V2 (the Firefox build) names the toolbar button's API browserAction; V3 names it action.
      const api = (globalThis as unknown as { browser: { browserAction?: Action; action?: Action } }).browser;
      const action = api.browserAction ?? api.action;
      if (!action) throw new Error("this page has neither browser.browserAction nor browser.action");
      return { text: await action.getBadgeText({}), title: await action.getTitle({}) };
    });
  };

  return { browser, extensionId, baseUrl, open, badge, close: shutDown };
}

/** The text of the first element matching `selector`, or null while there is none. */
export function textOf(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((selector) => document.querySelector(selector)?.textContent ?? null, selector);
}

/** The texts of every element matching `selector`, in document order. */
export function textsOf(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    (selector) => [...document.querySelectorAll(selector)].map((element) => element.textContent ?? ""),
    selector,
  );
}

/** Types `value` into a field, replacing what it held, as a person does. */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).fill(value);
}

/** Clicks the button whose text is exactly `name`, once there is one. */
export async function clickButton(page: Page, name: string): Promise<void> {
  const found = await page.waitForFunction(
    (name) => [...document.querySelectorAll("button")].find((button) => button.textContent?.trim() === name),
    { polling: 100, timeout: 30_000 },
    name,
  );
  const button = found.asElement() as ElementHandle<HTMLButtonElement> | null;
  if (!button) throw new Error(`no button "${name}"`);
  await button.click();
  await found.dispose();
}

/**
 * Saves a screenshot under test-results/screenshots-firefox; with `docs`, also under docs/screenshots with a
 * "firefox-" prefix, beside the Chromium screenshots of the same screens.
 */
export async function screenshot(page: Page, name: string, { docs = false } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file as `${string}.png`, fullPage: true });
  if (docs) {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    copyFileSync(file, path.join(DOCS_SCREENSHOTS, `firefox-${name}.png`));
  }
  return file;
}
