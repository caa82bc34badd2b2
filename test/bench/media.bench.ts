// Media sync against the local relay, driven in Chromium with the extension's real media store and media sync.
import path from "node:path";
import { launchWithExtension } from "../e2e/browser";
import { BENCH_EXTENSION_DIR } from "./collection.bench";

type Report = Record<
  string,
  {
    ms: number;
    requests: number;
    sent: number;
    received: number;
    uploads?: number;
    downloads?: number;
    beforeMiB?: number;
    peakMiB?: number;
  }
>;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function benchMedia(
  folder: string,
  relayUrl: string,
  files: number,
  size: number,
  extensionDir = BENCH_EXTENSION_DIR,
): Promise<void> {
  const browser = await launchWithExtension(path.join(folder, "chromium-media"), {
    extensionDir,
    extraArgs: ["--enable-precise-memory-info"],
  });
  try {
    const page = await browser.open("bench.html");
    await page.waitForFunction(() => "bench" in globalThis);
    type Bench = Record<string, (...args: unknown[]) => Promise<unknown>>;
    const report = (await page.evaluate(
      ([url, n, s]) => (globalThis as unknown as { bench: Bench }).bench.benchMedia?.(url, n, s),
      [relayUrl, files, size] as const,
    )) as Report;
    for (const [name, r] of Object.entries(report)) {
      const files = r.uploads !== undefined ? `  files up ${r.uploads}, down ${r.downloads}` : "";
      const heap =
        r.peakMiB !== undefined ? `  JS heap ${r.beforeMiB?.toFixed(0)} → peak ${r.peakMiB.toFixed(0)} MiB` : "";
      console.log(
        `  ${name.padEnd(36)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${String(r.requests).padStart(4)} requests  ` +
          `sent ${mib(r.sent).padStart(9)}  received ${mib(r.received).padStart(9)}${files}${heap}`,
      );
    }
  } finally {
    await browser.close();
  }
}
