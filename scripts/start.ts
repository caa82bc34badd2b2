// `npm start`: the relay on http://127.0.0.1:8787 with local D1 and R2 state under .wrangler/state, and the
// extension built to point at it. Runs until Ctrl+C.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT, startRelay } from "./relay-process";

const PORT = 8787;
const url = `http://127.0.0.1:${PORT}`;
const dev = process.argv.includes("--dev");

console.log("Building the extension…");
const build = spawnSync(process.execPath, [path.join(ROOT, "node_modules/wxt/bin/wxt.mjs"), "build"], {
  cwd: ROOT,
  env: { ...process.env, WXT_DEFAULT_RELAY_URL: url },
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);

console.log("Starting the relay (applying D1 migrations first)…");
const relay = await startRelay({
  stateDir: path.join(ROOT, ".wrangler/state"),
  tmpDir: path.join(ROOT, ".wrangler/tmp"),
  port: PORT,
  verbose: dev,
}).catch((error: Error) => {
  console.error(`\nThe relay did not start: ${error.message}`);
  console.error(`Is something else listening on port ${PORT}? Stop it and run npm start again.`);
  process.exit(1);
});

console.log(`
  Relay:      ${relay.url}   (D1 and R2 state in .wrangler/state)
  Extension:  ${path.join(ROOT, ".output/chrome-mv3")}

  Load it in Chromium or Chrome: open chrome://extensions, switch on Developer mode,
  choose "Load unpacked" and pick the folder above. The relay address is filled in already.

  Press Ctrl+C to stop the relay.
`);

const stop = async () => {
  await relay.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
