// Launches Debian's Chromium with the built extension loaded, the way a person would load it unpacked.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { type BrowserContext, chromium, type Page, type Worker } from "playwright-core";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The extension this run of the e2e tests built (see global-setup.ts), or the one `npm run build` made. */
export const EXTENSION_DIR = process.env.E2E_EXTENSION_DIR ?? path.join(ROOT, ".output/chrome-mv3");
export const SCREENSHOTS = path.join(ROOT, "test-results/screenshots");
export const DOCS_SCREENSHOTS = path.join(ROOT, "docs/screenshots");

/** A folder under .tmp/ for this test's browser profile, relay state and temporary files. */
export function testFolder(name: string): string {
  const base = path.join(ROOT, ".tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `${name}-`));
}

export interface ExtensionBrowser {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  open(page: string): Promise<Page>;
  badge(): Promise<{ text: string; title: string }>;
  close(): Promise<void>;
}

export async function launchWithExtension(
  profileDir: string,
  { extensionDir = EXTENSION_DIR, extraArgs = [] as string[] } = {},
): Promise<ExtensionBrowser> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...extraArgs,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    async open(file) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${file}`);
      return page;
    },
    badge: () =>
      worker.evaluate(async () => {
        type Action = { getBadgeText(details: object): Promise<string>; getTitle(details: object): Promise<string> };
        const api = (globalThis as unknown as { chrome: { action: Action } }).chrome;
        return { text: await api.action.getBadgeText({}), title: await api.action.getTitle({}) };
      }),
    close: () => context.close(),
  };
}

/**
 * Saves a screenshot under test-results/screenshots; with `docs`, also under docs/screenshots, the set of the main
 * screens the documentation keeps current.
 */
export async function screenshot(page: Page, name: string, { docs = false } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (docs) {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    copyFileSync(file, path.join(DOCS_SCREENSHOTS, `${name}.png`));
  }
  return file;
}
