// Chromium's IndexedDB write cost, per record: the figures behind keeping the review log in blocks of an hour.
import path from "node:path";
import { launchWithExtension } from "../e2e/browser";
import { BENCH_EXTENSION_DIR } from "./collection.bench";

export async function benchIdb(folder: string, cards: number, rows: number): Promise<void> {
  const browser = await launchWithExtension(path.join(folder, "chromium-idb"), { extensionDir: BENCH_EXTENSION_DIR });
  try {
    const page = await browser.open("bench.html");
    await page.waitForFunction(() => "bench" in globalThis);
    const result = (await page.evaluate(
      ([c, r]) =>
        (
          globalThis as unknown as { bench: { idbWriteCost(c: number, r: number): Promise<unknown> } }
        ).bench.idbWriteCost(c as number, r as number),
      [cards, rows],
    )) as { cards: number; cardsOverFull: number; rows: number; blocks: number; blockCount: number };
    const line = (what: string, ms: number, per: string, count: number) =>
      console.log(
        `  ${what.padEnd(62)} ${(ms / 1000).toFixed(2).padStart(6)} s, ${((ms * 1000) / count).toFixed(0)} µs a ${per}`,
      );
    line(`${cards} card-sized records (the cards store's 4 indexes)`, result.cards, "record", cards);
    line("the same, cleared and written over a store holding them", result.cardsOverFull, "record", cards);
    line(`${rows} review-log rows, a record each (2 indexes)`, result.rows, "record", rows);
    line(`the same rows as ${result.blockCount} blocks of an hour (3 indexes)`, result.blocks, "row", rows);
  } finally {
    await browser.close();
  }
}
