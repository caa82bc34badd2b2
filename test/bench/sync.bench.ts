// Sync against the local relay, driven in Chromium with the extension's real IndexedDB and sync code.
import path from "node:path";
import { launchWithExtension } from "../e2e/browser";
import { BENCH_EXTENSION_DIR } from "./collection.bench";

type Report = Record<
  string,
  {
    requests: number;
    sent: number;
    received: number;
    largestBody: number;
    relayMs: number;
    slowestMs: number;
    slowest: string;
    ms: number;
    peakMiB: number;
    beforeMiB: number;
  }
>;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function benchSync(folder: string, relayUrl: string, notes: number, reviews: number): Promise<void> {
  const browser = await launchWithExtension(path.join(folder, "chromium-sync"), {
    extensionDir: BENCH_EXTENSION_DIR,
    extraArgs: ["--enable-precise-memory-info"],
  });
  try {
    const page = await browser.open("bench.html");
    await page.waitForFunction(() => "bench" in globalThis);
    type Bench = Record<string, (...args: unknown[]) => Promise<unknown>>;
    const call = (name: string, ...args: unknown[]) =>
      page.evaluate(([n, a]) => (globalThis as unknown as { bench: Bench }).bench[n as string]?.(...(a as unknown[])), [
        name,
        args,
      ] as const);
    const generated = (await call("generate", "sync-a", notes)) as { notes: number; cards: number };
    await call("addHistory", "sync-a", reviews);
    const report = (await call("benchSync", relayUrl, "sync-a", "sync-b")) as Report;
    console.log(`  collection: ${generated.notes} notes, ${generated.cards} cards, ${reviews} review-log rows`);
    for (const [name, r] of Object.entries(report)) {
      console.log(
        `  ${name.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(7)} s (waiting on the relay ${(r.relayMs / 1000).toFixed(2)} s)  ` +
          `${String(r.requests).padStart(4)} requests  ` +
          `sent ${mib(r.sent).padStart(10)}  received ${mib(r.received).padStart(10)}  largest body ${mib(r.largestBody)}  ` +
          `JS heap ${r.beforeMiB.toFixed(0)} → peak ${r.peakMiB.toFixed(0)} MiB  ` +
          `slowest request ${(r.slowestMs / 1000).toFixed(2)} s (${r.slowest})`,
      );
    }
  } finally {
    await browser.close();
  }
}
