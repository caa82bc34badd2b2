// Anki packages in real Chromium: a generated .apkg of many notes with media imported into a fresh profile
// (several runs), imported again (nothing changes), and the collection exported again; notes per second and peak
// JS heap, medians over the runs.
import path from "node:path";
import type { Page } from "playwright-core";
import { launchWithExtension } from "../e2e/browser";
import { BENCH_EXTENSION_DIR } from "./collection.bench";
import { percentiles } from "./stats";

interface Timed {
  ms: number;
  peakMiB: number;
  beforeMiB: number;
}
type Bench = {
  makePackage(
    notes: number,
    mediaFiles: number,
    mediaBytes: number,
  ): Promise<Timed & { value: { notes: number; cards: number; revlog: number; bytes: number } }>;
  importStored(profile: string): Promise<
    Timed & {
      lines: string[];
      steps: string[];
      counts: { notes: number; cards: number; revlog: number; media: number };
    }
  >;
  exportProfile(profile: string): Promise<Timed & { notes: number; cards: number; media: number; bytes: number }>;
  storageUsage(): Promise<{ usage: number }>;
};
const call = <K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>) =>
  page.evaluate(
    ([n, a]) => (globalThis as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[n]?.(...a),
    [name, args] as const,
  ) as ReturnType<Bench[K]>;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function benchPackages(folder: string, noteCount: number, runs = 3): Promise<void> {
  const browser = await launchWithExtension(path.join(folder, "chromium"), {
    extensionDir: BENCH_EXTENSION_DIR,
    extraArgs: ["--js-flags=--expose-gc"],
  });
  try {
    const page = await browser.open("bench.html");
    await page.waitForFunction(() => "bench" in globalThis);
    const mediaFiles = 200;
    const mediaBytes = 50_000;
    const made = await call(page, "makePackage", noteCount, mediaFiles, mediaBytes);
    const p = made.value;
    console.log(
      `  generated package: ${p.notes} notes, ${p.cards} cards, ${p.revlog} review-log rows, ${mediaFiles} media files ` +
        `of ${mediaBytes / 1000} kB; ${mib(p.bytes)} (written in ${(made.ms / 1000).toFixed(1)} s)`,
    );

    const imports: Timed[] = [];
    for (let run = 0; run < runs; run++) {
      const result = await call(page, "importStored", `packages-${run}`);
      if (result.counts.notes !== p.notes || result.counts.cards !== p.cards) {
        throw new Error(`import ${run}: ${JSON.stringify(result.counts)}`);
      }
      imports.push(result);
      if (run === 0) console.log(`  first import, by step: ${result.steps.join("; ")}`);
    }
    const again: Timed[] = [];
    for (let run = 0; run < runs; run++) {
      const result = await call(page, "importStored", "packages-0");
      if (!result.lines[0]?.startsWith("Nothing changed"))
        throw new Error(`re-import changed something: ${result.lines}`);
      again.push(result);
      if (run === 0) console.log(`  first re-import, by step: ${result.steps.join("; ")}`);
    }
    const exports: (Timed & { bytes: number })[] = [];
    for (let run = 0; run < runs; run++) exports.push(await call(page, "exportProfile", "packages-0"));
    const usage = await call(page, "storageUsage");

    const report = (label: string, list: Timed[]) => {
      const ms = percentiles(list.map((r) => r.ms)).median;
      const peak = percentiles(list.map((r) => r.peakMiB)).median;
      const before = percentiles(list.map((r) => r.beforeMiB)).median;
      console.log(
        `  ${label.padEnd(44)} median ${(ms / 1000).toFixed(1)} s, ${Math.round(p.notes / (ms / 1000))} notes/s; ` +
          `peak JS heap ${peak.toFixed(0)} MiB (${before.toFixed(0)} MiB before); runs ` +
          list.map((r) => `${(r.ms / 1000).toFixed(1)} s`).join(", "),
      );
    };
    report(`import into an empty profile (${runs} runs)`, imports);
    report(`import the same file again (${runs} runs)`, again);
    report(`export the collection with media (${runs} runs)`, exports);
    console.log(
      `  collection after import: ${p.notes} notes, ${p.cards} cards, ${p.revlog} review-log rows, ${mediaFiles} media; ` +
        `exported .apkg ${mib(exports[0]?.bytes ?? 0)}; extension storage for ${runs} profiles ${mib(usage.usage)}`,
    );
  } finally {
    await browser.close();
  }
}
