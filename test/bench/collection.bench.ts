// The collection in real Chromium: inserting notes, opening the manager, and searches over a large collection.
import { spawnSync } from "node:child_process";
import path from "node:path";
import type { Page } from "playwright-core";
import { launchWithExtension, ROOT } from "../e2e/browser";
import { formatMs, percentiles } from "./stats";

type Bench = {
  generate(profile: string, notes: number): Promise<{ ms: number; notes: number; cards: number }>;
  timeSearch(
    profile: string,
    query: string,
    options: Record<string, unknown>,
    runs: number,
  ): Promise<{ times: number[]; total: number | null }>;
  setActiveProfile(id: string): Promise<void>;
};
const call = <K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>) =>
  page.evaluate(
    ([n, a]) => (globalThis as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[n]?.(...a),
    [name, args] as const,
  ) as ReturnType<Bench[K]>;

/** Where the benchmark build goes: .output-bench, or WXT_OUT_DIR when set (two benchmark runs at once). */
export const BENCH_EXTENSION_DIR = path.join(ROOT, process.env.WXT_OUT_DIR ?? ".output-bench", "chrome-mv3");

/** Builds the extension with the benchmark harness page (into BENCH_EXTENSION_DIR). */
export function buildBenchExtension(): void {
  const build = spawnSync(process.execPath, [path.join(ROOT, "node_modules/wxt/bin/wxt.mjs"), "build"], {
    cwd: ROOT,
    env: { ...process.env, WXT_BENCH: "1" },
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`bench build failed: ${build.stderr}`);
}

/** Opens of the manager per collection size: enough for a median that one slow open does not move. */
const OPENS = 15;

export async function benchCollection(folder: string, noteCount: number): Promise<void> {
  const browser = await launchWithExtension(path.join(folder, "chromium"), {
    extensionDir: BENCH_EXTENSION_DIR,
    extraArgs: ["--js-flags=--expose-gc"],
  });
  try {
    const page = await browser.open("bench.html");
    await page.waitForFunction(() => "bench" in globalThis);

    const small = await call(page, "generate", "small", 1000);
    const large = await call(page, "generate", "default", noteCount);
    console.log(
      `  insert ${large.notes} notes / ${large.cards} cards (batches of 1,000): ${(large.ms / 1000).toFixed(1)} s, ` +
        `${Math.round(large.notes / (large.ms / 1000))} notes/s`,
    );

    for (const [profile, label] of [
      ["small", `${small.notes} notes`],
      ["default", `${large.notes} notes`],
    ] as const) {
      await call(page, "setActiveProfile", profile);
      const times: number[] = [];
      let heap = 0;
      for (let run = 0; run < OPENS; run++) {
        const manager = await browser.context.newPage();
        const start = Date.now();
        await manager.goto(`chrome-extension://${browser.extensionId}/options.html#browse`);
        await manager.waitForSelector(".browse-table tbody tr");
        const mark = await manager.evaluate(() => performance.getEntriesByName("manager:first-page")[0]?.startTime);
        times.push(mark ?? Date.now() - start);
        if (run === OPENS - 1) {
          await manager.waitForFunction(
            () => !document.querySelector("[data-testid=match-count]")?.textContent?.includes("…"),
          );
          await manager.evaluate(() => (globalThis as unknown as { gc?: () => void }).gc?.());
          const session = await browser.context.newCDPSession(manager);
          await session.send("Performance.enable");
          const { metrics } = await session.send("Performance.getMetrics");
          heap = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
        }
        await manager.close();
      }
      const { median, p95 } = percentiles(times);
      console.log(
        `  open the manager, navigation start to the first page of rows in the document (${label}, ${OPENS} opens): median ${formatMs(median)}, p95 ${formatMs(p95)}; ` +
          `JS heap after open ${(heap / 2 ** 20).toFixed(1)} MiB`,
      );
    }

    console.log(`  searches over ${large.notes} notes / ${large.cards} cards, first page of 50 (7 runs each):`);
    const queries: [string, Record<string, unknown>][] = [
      ["", {}],
      ['"deck:Subject 3"', {}],
      ['"deck:Subject*::Topic 7"', {}],
      ["tag:tag7", {}],
      ["river", {}],
      ["is:new -tag:tag1", {}],
      ['"apple river"', {}],
      ["front:apple*", {}],
      ["", { sort: "sortField" }],
      ["tag:tag7", { mode: "notes" }],
    ];
    for (const [query, extra] of queries) {
      const first = await call(page, "timeSearch", "default", query, { ...extra, countTotal: false, limit: 50 }, 7);
      const counted = await call(page, "timeSearch", "default", query, { ...extra, limit: 50 }, 3);
      const label = `${query || "(everything)"}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ""}`;
      console.log(
        `    ${label.padEnd(40)} first page median ${formatMs(percentiles(first.times).median).padStart(9)}` +
          `   with total median ${formatMs(percentiles(counted.times).median).padStart(9)}   (${counted.total} matches)`,
      );
    }
  } finally {
    await browser.close();
  }
}
