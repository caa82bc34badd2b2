// Studying in real Chromium on a large collection: popup open to the deck list, choosing a deck to its first card,
// and answering a card to the next one shown. Times come from marks the popup sets (see study-view.tsx).
import path from "node:path";
import type { Page } from "playwright-core";
import { launchWithExtension } from "../e2e/browser";
import { BENCH_EXTENSION_DIR } from "./collection.bench";
import { formatMs, percentiles } from "./stats";

const call = (page: Page, name: string, ...args: unknown[]) =>
  page.evaluate(
    ([n, a]) =>
      (globalThis as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[n as string]?.(
        ...(a as unknown[]),
      ),
    [name, args] as const,
  );

const markTime = (page: Page, name: string, index: number) =>
  page.evaluate(([n, i]) => performance.getEntriesByName(n as string)[i as number]?.startTime ?? null, [name, index]);

async function waitForMark(page: Page, name: string, count: number): Promise<number> {
  await page.waitForFunction(
    ([n, c]) => performance.getEntriesByName(n as string).length >= (c as number),
    [name, count],
  );
  return (await markTime(page, name, count - 1)) ?? Number.NaN;
}

export async function benchStudy(folder: string, noteCount: number, dueCount = 5000): Promise<void> {
  const browser = await launchWithExtension(path.join(folder, "chromium"), {
    extensionDir: BENCH_EXTENSION_DIR,
  });
  try {
    const harness = await browser.open("bench.html");
    await harness.waitForFunction(() => "bench" in globalThis);
    const made = (await call(harness, "generate", "study", noteCount)) as { notes: number; cards: number };
    const due = (await call(harness, "makeDue", "study", dueCount, Math.max(1, Math.floor(made.cards / dueCount)))) as {
      due: number;
    };
    await call(harness, "setActiveProfile", "study");
    console.log(`  collection: ${made.notes} notes / ${made.cards} cards, ${due.due} reviews due today, 20 decks`);

    const listed: number[] = [];
    const counted: number[] = [];
    const firstCard: number[] = [];
    const answerToNext: number[] = [];
    for (let run = 0; run < 7; run++) {
      const popup = await browser.context.newPage();
      await popup.setViewportSize({ width: 480, height: 592 });
      await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
      listed.push(await waitForMark(popup, "popup:decks-shown", 1));
      counted.push(await waitForMark(popup, "popup:decks-counted", 1));
      await popup.getByRole("button", { name: "Subject 0", exact: true }).click();
      // From the click's handling in the page (the driver's own click takes tens of ms more) to the card shown.
      const shown = await waitForMark(popup, "study:card-shown", 1);
      firstCard.push(shown - ((await markTime(popup, "popup:deck-chosen", 0)) ?? Number.NaN));
      // Ten answers per run: show the answer, then Good; the time is from the key to the next question shown.
      let sides = 1;
      for (let i = 0; i < 10; i++) {
        await popup.keyboard.press("Space");
        sides++;
        await waitForMark(popup, "study:card-shown", sides);
        await popup.keyboard.press("3");
        sides++;
        const next = await waitForMark(popup, "study:card-shown", sides);
        const pressed = (await markTime(popup, "study:answer", i)) ?? Number.NaN;
        answerToNext.push(next - pressed);
      }
      await popup.close();
    }
    const l = percentiles(listed);
    const f = percentiles(firstCard);
    const a = percentiles(answerToNext);
    const c = percentiles(counted);
    console.log(
      `  popup open to the deck list shown (the counts it showed last): median ${formatMs(l.median)}, ` +
        `p95 ${formatMs(l.p95)} (7 runs)`,
    );
    console.log(`  popup open to fresh counts shown: median ${formatMs(c.median)}, p95 ${formatMs(c.p95)}`);
    console.log(
      `  choosing a deck (the click handled) to its first card shown: median ${formatMs(f.median)}, ` +
        `p95 ${formatMs(f.p95)}`,
    );
    console.log(`  popup open to first card (the two together): median ${formatMs(l.median + f.median)}`);
    console.log(
      `  answer key to the next card shown: median ${formatMs(a.median)}, p95 ${formatMs(a.p95)} (${answerToNext.length} answers)`,
    );
  } finally {
    await browser.close();
  }
}
