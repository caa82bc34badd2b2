// Steps the e2e tests with two browsers on one relay take again and again: open the manager, sign in, add a
// note, sync now.
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
