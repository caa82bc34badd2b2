// Changes to cards that keep their notes: move to another deck, suspend, bury, flag.
import { type Card, CardQueue, CardType } from "../../../shared/model";
import { type Collection, done, type Outcome, refuse, stamp } from "./collection";
import { touchMeta } from "./notes";

/** Applies `change` to each card (skipping missing ones) in one transaction; returns how many changed. */
async function changeCards(col: Collection, cardIds: number[], change: (card: Card) => Card | null): Promise<number> {
  const now = col.clock.now();
  const tx = col.db.transaction(["cards", "meta"], "readwrite");
  const store = tx.objectStore("cards");
  let changed = 0;
  for (const id of cardIds) {
    const card = await store.get(id);
    const next = card ? change({ ...card }) : null;
    if (next) {
      await store.put(stamp(next, now));
      changed++;
    }
  }
  if (changed > 0) await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return changed;
}

/** The queue a card goes back to when it is unsuspended or unburied. */
export function naturalQueue(card: Card): number {
  switch (card.type) {
    case CardType.New:
      return CardQueue.New;
    case CardType.Review:
      return CardQueue.Review;
    default:
      // Learning cards due on a day number (not a timestamp) sit in the day-learning queue.
      return card.due < 1_000_000_000 ? CardQueue.DayLearning : CardQueue.Learning;
  }
}

export async function setCardsDeck(col: Collection, cardIds: number[], deckId: number): Promise<Outcome<number>> {
  if (!(await col.db.get("decks", deckId))) return refuse(`There is no deck with id ${deckId}.`);
  return done(await changeCards(col, cardIds, (c) => (c.deckId === deckId ? null : { ...c, deckId })));
}

export async function setSuspended(col: Collection, cardIds: number[], suspended: boolean): Promise<Outcome<number>> {
  return done(
    await changeCards(col, cardIds, (c) => {
      if (suspended) return c.queue === CardQueue.Suspended ? null : { ...c, queue: CardQueue.Suspended };
      return c.queue === CardQueue.Suspended ? { ...c, queue: naturalQueue(c) } : null;
    }),
  );
}

export async function setBuried(col: Collection, cardIds: number[], buried: boolean): Promise<Outcome<number>> {
  const isBuried = (c: Card) => c.queue === CardQueue.UserBuried || c.queue === CardQueue.SchedBuried;
  return done(
    await changeCards(col, cardIds, (c) => {
      if (buried) return isBuried(c) || c.queue === CardQueue.Suspended ? null : { ...c, queue: CardQueue.UserBuried };
      return isBuried(c) ? { ...c, queue: naturalQueue(c) } : null;
    }),
  );
}

/** Sets the flag (0 none, 1 red, 2 orange, 3 green, 4 blue, 5 pink, 6 turquoise, 7 purple). */
export async function setFlag(col: Collection, cardIds: number[], flag: number): Promise<Outcome<number>> {
  if (!Number.isInteger(flag) || flag < 0 || flag > 7) return refuse(`Flag ${flag} does not exist; flags are 0 to 7.`);
  return done(
    await changeCards(col, cardIds, (c) => ((c.flags & 7) === flag ? null : { ...c, flags: (c.flags & ~7) | flag })),
  );
}
