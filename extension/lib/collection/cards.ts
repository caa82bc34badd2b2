// Changes to cards that keep their notes: move to another deck, suspend, bury, flag. Each takes a list of card
// ids (one card or every match of a search) and changes them in one transaction.

import { naturalQueue, returnedHome } from "../../../shared/card-queue";
import { type Card, CardQueue } from "../../../shared/model";
import { type Collection, done, type Outcome, refuse } from "./collection";
import { changeEach, chunks, touchMeta } from "./notes";
import { pendingUsn } from "./pending";

/** Applies `change` to each card (skipping missing ones) in one transaction; returns how many changed. */
async function changeCards(
  col: Collection,
  cardIds: readonly number[],
  change: (card: Card) => Card | null,
): Promise<number> {
  const now = col.clock.now();
  const tx = col.db.transaction(["cards", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const changed = await changeEach(tx.objectStore("cards"), cardIds, change, now, usn);
  if (changed > 0) await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return changed;
}

/** The cards of these notes, as ids only (read from the cards' noteId index, a chunk of notes at a time). */
export async function cardIdsOfNotes(col: Collection, noteIds: readonly number[]): Promise<number[]> {
  const index = col.db.transaction("cards").store.index("noteId");
  const ids: number[] = [];
  for (const chunk of chunks(noteIds)) {
    for (const keys of await Promise.all(chunk.map((id) => index.getAllKeys(id)))) ids.push(...keys);
  }
  return ids;
}

export { naturalQueue };

export async function setCardsDeck(
  col: Collection,
  cardIds: readonly number[],
  deckId: number,
): Promise<Outcome<number>> {
  const deck = await col.db.get("decks", deckId);
  if (!deck) return refuse(`There is no deck with id ${deckId}.`);
  if (deck.filter) return refuse(`"${deck.name}" is a filtered deck: cards get into it by its search, with Rebuild.`);
  // A card borrowed by a filtered deck goes home first, then moves: its home deck is what changes.
  return done(
    await changeCards(col, cardIds, (c) => {
      const home = returnedHome(c);
      return home.deckId === deckId && c.odid === 0 ? null : { ...home, deckId };
    }),
  );
}

export async function setSuspended(
  col: Collection,
  cardIds: readonly number[],
  suspended: boolean,
): Promise<Outcome<number>> {
  return done(
    await changeCards(col, cardIds, (c) => {
      if (suspended) return c.queue === CardQueue.Suspended ? null : { ...c, queue: CardQueue.Suspended };
      return c.queue === CardQueue.Suspended ? { ...c, queue: naturalQueue(c) } : null;
    }),
  );
}

export async function setBuried(
  col: Collection,
  cardIds: readonly number[],
  buried: boolean,
): Promise<Outcome<number>> {
  const isBuried = (c: Card) => c.queue === CardQueue.UserBuried || c.queue === CardQueue.SchedBuried;
  return done(
    await changeCards(col, cardIds, (c) => {
      if (buried) return isBuried(c) || c.queue === CardQueue.Suspended ? null : { ...c, queue: CardQueue.UserBuried };
      return isBuried(c) ? { ...c, queue: naturalQueue(c) } : null;
    }),
  );
}

/** Sets the flag (0 none, 1 red, 2 orange, 3 green, 4 blue, 5 pink, 6 turquoise, 7 purple). */
export async function setFlag(col: Collection, cardIds: readonly number[], flag: number): Promise<Outcome<number>> {
  if (!Number.isInteger(flag) || flag < 0 || flag > 7) return refuse(`Flag ${flag} does not exist; flags are 0 to 7.`);
  return done(
    await changeCards(col, cardIds, (c) => ((c.flags & 7) === flag ? null : { ...c, flags: (c.flags & ~7) | flag })),
  );
}
