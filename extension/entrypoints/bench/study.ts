// Benchmark helpers for studying: turns generated cards into reviews due today, as a collection in daily use has.
import { dayNumber } from "../../../shared/days";
import { CardQueue, CardType } from "../../../shared/model";
import { Collection } from "../../lib/collection/collection";

/** Makes every `every`-th card a review card due today (or overdue), up to `count` cards; returns how many. */
async function makeDue(profileId: string, count: number, every: number) {
  const col = await Collection.open(profileId);
  const now = Date.now();
  const today = dayNumber(now, 4, -new Date(now).getTimezoneOffset());
  const tx = col.db.transaction("cards", "readwrite");
  let cursor = await tx.store.openCursor();
  let seen = 0;
  let made = 0;
  while (cursor && made < count) {
    if (seen++ % every === 0) {
      const ivl = 1 + (made % 60);
      await cursor.update({
        ...cursor.value,
        type: CardType.Review,
        queue: CardQueue.Review,
        due: today - (made % 5),
        ivl,
        factor: 2500,
        reps: 4,
        data: JSON.stringify({ s: ivl, d: 5, dr: 0.9, lrt: Math.floor(now / 1000) - ivl * 86_400 }),
      });
      made++;
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  const due = made;
  col.close();
  return { due };
}

export const studyBench = { makeDue };
