import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { CHROMIUM } from "./browser";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Builds the extension once for every e2e file, into a folder of this run (so that another build, by `npm run
 * build` or another run, never changes it under a running browser), and refuses to run without Chromium.
 * Returns the teardown, which removes that folder.
 */
export default function setup(): () => void {
  if (!existsSync(CHROMIUM)) {
    const banner = "=".repeat(78);
    throw new Error(
      `\n${banner}\nThe e2e tests need Chromium at ${CHROMIUM}, and it is not there.\n` +
        `Install Debian's package:   sudo apt-get update && sudo apt-get install -y chromium\n` +
        `or point CHROMIUM_PATH at another Chromium binary.\n${banner}`,
    );
  }
  const outDir = path.join(ROOT, ".output-e2e", `run-${process.pid}`);
  const build = spawnSync(process.execPath, [path.join(ROOT, "node_modules/wxt/bin/wxt.mjs"), "build"], {
    cwd: ROOT,
    env: { ...process.env, WXT_DEFAULT_RELAY_URL: "", WXT_OUT_DIR: outDir },
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`building the extension failed:\n${build.stdout}\n${build.stderr}`);
  // The test files' processes start after this and inherit the variable; browser.ts reads it.
  process.env.E2E_EXTENSION_DIR = path.join(outDir, "chrome-mv3");
  return () => rmSync(outDir, { recursive: true, force: true });
}
