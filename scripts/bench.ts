// `npm run bench`: starts a relay on a free port with fresh state and prints figures for each area.
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchAccounts } from "../test/bench/accounts.bench";
import { benchCollection, buildBenchExtension } from "../test/bench/collection.bench";
import { benchIdb } from "../test/bench/idb.bench";
import { benchMedia } from "../test/bench/media.bench";
import { benchPackages } from "../test/bench/packages.bench";
import { benchStudy } from "../test/bench/study.bench";
import { benchSync } from "../test/bench/sync.bench";
import { ROOT, startRelay } from "./relay-process";

const folder = path.join(ROOT, process.env.BENCH_DIR ?? ".tmp/bench");
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(
  `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log("Relay: wrangler dev (workerd) on 127.0.0.1 with local D1 and R2\n");

const notes = Number(process.env.BENCH_NOTES ?? 50_000);
const reviews = Number(process.env.BENCH_REVIEWS ?? notes * 6);
buildBenchExtension();
const relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
try {
  const only = process.env.BENCH_ONLY;
  if (!only || only === "accounts") {
    console.log("Accounts (PBKDF2-SHA256, 100,000 iterations), sequential requests:");
    await benchAccounts(relay.url, 100);
  }
  if (!only || only === "collection") {
    console.log(`\nCollection in Chromium (${notes} notes):`);
    await benchCollection(path.join(folder, "collection"), notes);
  }

  if (!only || only === "study") {
    console.log(`\nStudying in the popup in Chromium (${notes} notes):`);
    await benchStudy(path.join(folder, "study"), notes);
  }

  if (!only || only === "packages") {
    console.log(`\nAnki packages in Chromium (${notes} notes):`);
    await benchPackages(path.join(folder, "packages"), notes);
  }

  if (!only || only === "media") {
    const files = Number(process.env.BENCH_MEDIA_FILES ?? 500);
    console.log(`\nMedia sync in Chromium against the local relay (${files} files of 200 KB):`);
    await benchMedia(path.join(folder, "media"), relay.url, files, 200 * 1024);
  }

  if (!only || only === "idb") {
    console.log("\nIndexedDB in Chromium, one transaction of writes into a fresh store:");
    await benchIdb(path.join(folder, "idb"), 100_000, 300_000);
  }

  if (!only || only === "sync") {
    console.log(`\nSync in Chromium against the local relay (${notes} notes, ${reviews} review-log rows):`);
    await benchSync(path.join(folder, "sync"), relay.url, notes, reviews);
  }
} finally {
  await relay.stop();
}
