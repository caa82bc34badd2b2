import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FIREFOX, TEST_GECKO_ID } from "./browser";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Builds the Firefox extension once for every Firefox test file, into a folder of this run (so that another build,
 * by `npm run build:firefox` or another run, never changes it under a running browser), and refuses to run without
 * Firefox. Returns the teardown, which removes that folder.
 */
export default function setup(): () => void {
  if (!existsSync(FIREFOX)) {
    const banner = "=".repeat(78);
    throw new Error(
      `\n${banner}\nThe Firefox tests need Firefox at ${FIREFOX}, and it is not there.\n` +
        `Install Debian's package:   sudo apt-get update && sudo apt-get install -y firefox-esr\n` +
        `or point FIREFOX_PATH at another Firefox binary.\n${banner}`,
    );
  }
  // Under .output-e2e/, which git ignores, beside the Chromium runs' folders.
  const outDir = path.join(ROOT, ".output-e2e", `firefox-run-${process.pid}`);
  const build = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/wxt/bin/wxt.mjs"), "build", "-b", "firefox"],
    { cwd: ROOT, env: { ...process.env, WXT_DEFAULT_RELAY_URL: "", WXT_OUT_DIR: outDir }, encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`building the Firefox extension failed:\n${build.stdout}\n${build.stderr}`);
  const extensionDir = path.join(outDir, "firefox-mv2");
  giveGeckoId(extensionDir);
  // The test files' processes start after this and inherit the variable; browser.ts reads it.
  process.env.FIREFOX_EXTENSION_DIR = extensionDir;
  // The Chrome build too, for the test of a Firefox and a Chromium browser syncing with each other.
  const chrome = spawnSync(process.execPath, [path.join(ROOT, "node_modules/wxt/bin/wxt.mjs"), "build"], {
    cwd: ROOT,
    env: { ...process.env, WXT_DEFAULT_RELAY_URL: "", WXT_OUT_DIR: outDir },
    encoding: "utf8",
  });
  if (chrome.status !== 0) throw new Error(`building the Chrome extension failed:\n${chrome.stdout}\n${chrome.stderr}`);
  process.env.E2E_EXTENSION_DIR = path.join(outDir, "chrome-mv3");
  return () => rmSync(outDir, { recursive: true, force: true });
}

/**
 * A temporary add-on without browser_specific_settings.gecko.id gets an id Firefox makes up at install, from a
 * random number of the session, so its moz-extension:// address cannot be fixed in advance (see browser.ts). This
 * run's copy of the build is given a fixed id when the build has none; a build that names its own id keeps it.
 */
function giveGeckoId(extensionDir: string): void {
  const file = path.join(extensionDir, "manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  if (manifest.browser_specific_settings?.gecko?.id) return;
  manifest.browser_specific_settings = {
    ...manifest.browser_specific_settings,
    gecko: { ...manifest.browser_specific_settings?.gecko, id: TEST_GECKO_ID },
  };
  writeFileSync(file, JSON.stringify(manifest));
}
