// Answering cards: the card's new state and its review-log row are written in one transaction, stamped for sync.
import type { Card, DeckConfig } from "../../../shared/model";
import { CardQueue, CardType } from "../../../shared/model";
import {
  answer,
  type DayContext,
  type Ease,
  type MemoryState,
  memoryFromHistory,
  memoryState,
  scheduledLabels,
} from "../../../shared/scheduling";
import { abortWrites, type Collection, done, type Outcome, refuse } from "./collection";
import { previewAnswer, previewIntervals, returnedHome } from "./filtered";
import { touchMeta } from "./notes";
import { isUnsent, pendingUsn, pendingUsnOf } from "./pending";
import { RevlogRows, revlogOfCard } from "./revlog";

export interface Answered {
  card: Card;
  revlogId: number;
  /** What undo needs: the card as it was, and its siblings as they were before this answer buried them. */
  before: Card;
  buried: Card[];
  /** The lapse made the card a leech: its note got the "leech" tag, and the card was suspended or only tagged. */
  leech: "suspended" | "tagged" | null;
  /** The note's tags before this answer tagged it a leech, for undo. */
  tagsBefore: string[] | null;
}

/** Anki's rule: a card is a leech at the threshold's lapses, and again every half of the threshold (rounded up) after. */
export function leechThresholdMet(lapses: number, threshold: number): boolean {
  if (threshold <= 0) return false;
  const half = Math.max(1, Math.ceil(threshold / 2));
  return lapses >= threshold && (lapses - threshold) % half === 0;
}

/** The day settings of the collection: the rollover hour (Anki's default 4 am) and the local time zone now. */
export function dayContext(now: number, rolloverHour = 4): DayContext {
  return { rolloverHour, utcOffsetMinutes: -new Date(now).getTimezoneOffset() };
}

/**
 * What answering a card now is computed from, for the answer and for its buttons' labels alike: its home deck's
 * preset, the card as it stands at home (a filtered deck borrows it), the memory state its review history gives when
 * it has none (a card studied with SM-2, or imported), and whether a filtered deck only previews it.
 */
interface SchedulingInputs {
  preset: DeckConfig;
  now: number;
  day: DayContext;
  history: MemoryState | null;
  scheduled: Card;
  preview: boolean;
}

async function schedulingOf(col: Collection, card: Card): Promise<Outcome<SchedulingInputs>> {
  // The deck it is in, and (borrowed by a filtered deck) its home deck, whose preset schedules it.
  const deck = await col.db.get("decks", card.deckId);
  const home = card.odid !== 0 ? await col.db.get("decks", card.odid) : deck;
  const preset = (home && (await col.db.get("deckconfigs", home.configId))) || (await col.db.get("deckconfigs", 1));
  if (!preset) return refuse("The collection has no deck options preset.");
  const now = col.clock.now();
  const preview = card.odid !== 0 && deck?.filter !== undefined && deck.filter !== null && !deck.filter.reschedule;
  // A card in a filtered deck is scheduled as it stands in its home deck.
  const scheduled = card.odid !== 0 ? returnedHome(card) : card;
  const history =
    scheduled.type !== CardType.New && !memoryState(scheduled)
      ? memoryFromHistory(await revlogOfCard(col.db.transaction("revlogBlocks").store, card.id), preset)
      : null;
  const day = dayContext(now, await col.rolloverHour());
  return done({ preset, now, day, history, scheduled, preview });
}

/**
 * The answer buttons' labels: for each answer, how long until the card comes back, from the very computation that
 * answering runs (without the random spread it adds to long intervals, as Anki's labels are).
 */
export async function answerLabels(col: Collection, card: Card): Promise<Record<Ease, string>> {
  const inputs = await schedulingOf(col, card);
  if (!inputs.ok) return { 1: "", 2: "", 3: "", 4: "" };
  const { preset, now, day, history, scheduled, preview } = inputs.value;
  if (preview) return previewIntervals();
  return scheduledLabels(scheduled, preset, now, day, history);
}

/** Answers a card: schedules it with FSRS under its deck's options and logs the review, in one transaction. */
export async function answerCard(
  col: Collection,
  cardId: number,
  ease: Ease,
  { timeTakenMs = 0, fuzz = true }: { timeTakenMs?: number; fuzz?: boolean } = {},
): Promise<Outcome<Answered>> {
  if (![1, 2, 3, 4].includes(ease)) return refuse(`Answer ${ease} does not exist; answers are 1 to 4.`);
  const before = await col.db.get("cards", cardId);
  if (!before) return refuse(`There is no card with id ${cardId}; it may have been deleted.`);
  const inputs = await schedulingOf(col, before);
  if (!inputs.ok) return inputs;
  const { preset, now, day, history, scheduled, preview } = inputs.value;
  const borrowed = before.odid !== 0;
  if (preview) return answerPreview(col, before, ease, now, timeTakenMs);
  const result = answer(scheduled, ease, preset, now, day, { timeTakenMs, fuzz, history });
  // It stays in the filtered deck while it is learning, and goes home once an answer takes it out of learning.
  const learning = result.card.queue === CardQueue.Learning || result.card.queue === CardQueue.DayLearning;
  const placed =
    borrowed && learning ? { ...result.card, deckId: before.deckId, odid: before.odid, odue: 0 } : result.card;
  const leeched = result.card.lapses > before.lapses && leechThresholdMet(result.card.lapses, preset.leechThreshold);
  const leech = leeched ? (preset.leechAction === "suspend" ? "suspended" : "tagged") : null;
  const tx = col.db.transaction(["cards", "revlogBlocks", "meta", "notes"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const card: Card = { ...placed, ...(leech === "suspended" ? { queue: CardQueue.Suspended } : {}), mtime: now, usn };
  // A leech's note gets the "leech" tag, in the same step as the answer.
  let tagsBefore: string[] | null = null;
  const note = leech ? await tx.objectStore("notes").get(before.noteId) : undefined;
  if (note && !note.tags.some((t) => t.toLowerCase() === "leech")) {
    tagsBefore = note.tags;
    await tx
      .objectStore("notes")
      .put({ ...note, tags: [...note.tags, "leech"], mtime: Math.max(now, note.mtime + 1), usn });
  }
  const revlog = new RevlogRows(tx.objectStore("revlogBlocks"));
  // Anki's "bury siblings": the note's other new or review cards wait for tomorrow, when the preset says so.
  const buried: Card[] = [];
  if (preset.buryNew || preset.buryReviews) {
    for (const sibling of await tx.objectStore("cards").index("noteId").getAll(before.noteId)) {
      const bury =
        sibling.id !== cardId &&
        ((preset.buryNew && sibling.queue === CardQueue.New) ||
          (preset.buryReviews && sibling.queue === CardQueue.Review));
      if (!bury) continue;
      const next = { ...sibling, queue: CardQueue.SchedBuried, mtime: now, usn };
      buried.push(sibling);
      await tx.objectStore("cards").put(next);
    }
  }
  // The review log is keyed by the time of the answer; two answers in one millisecond take the next free one.
  const revlogId = await revlog.freeId(now);
  await tx.objectStore("cards").put(card);
  const added = await revlog.add({ ...result.log, id: revlogId, usn });
  // freeId found this id free in this transaction: were it taken, the answer is undone whole, card and all.
  if (!added) return abandon(tx);
  await revlog.flush();
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ card, revlogId, before, buried, leech, tagsBefore });
}

/** Gives up an answer whose review-log row could not be added: nothing of it is kept. */
async function abandon(tx: { abort(): void; done: Promise<void> }): Promise<Outcome<never>> {
  await abortWrites(tx);
  return refuse("The answer could not be saved in the review log; please answer the card again.");
}

/** An answer in a filtered deck that only previews: logged as a filtered-deck answer, the schedule untouched. */
async function answerPreview(
  col: Collection,
  before: Card,
  ease: Ease,
  now: number,
  timeTakenMs: number,
): Promise<Outcome<Answered>> {
  const { card: next } = previewAnswer(before, ease, now);
  const tx = col.db.transaction(["cards", "revlogBlocks", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const card: Card = { ...next, mtime: now, usn };
  const revlog = new RevlogRows(tx.objectStore("revlogBlocks"));
  const revlogId = await revlog.freeId(now);
  await tx.objectStore("cards").put(card);
  const added = await revlog.add({
    id: revlogId,
    cardId: before.id,
    usn,
    ease,
    ivl: card.odid !== 0 ? -(card.due - Math.floor(now / 1000)) : card.ivl,
    lastIvl: before.ivl,
    factor: before.factor,
    time: Math.min(60_000, Math.max(0, Math.round(timeTakenMs))),
    type: 3,
  });
  if (!added) return abandon(tx);
  await revlog.flush();
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ card, revlogId, before, buried: [], leech: null, tagsBefore: null });
}

/**
 * Undoes an answer that has not synced yet: the card goes back to how it was (as a new change, so that it syncs)
 * and the review-log row is removed. A review that reached the relay stays, as the review log only grows.
 */
export async function undoAnswer(col: Collection, answered: Answered): Promise<Outcome<Card>> {
  const tx = col.db.transaction(["cards", "revlogBlocks", "meta", "notes"], "readwrite");
  const revlog = new RevlogRows(tx.objectStore("revlogBlocks"));
  const meta = await tx.objectStore("meta").get("collection");
  const log = await revlog.get(answered.revlogId);
  if (!log) return refuse("That answer is no longer in the review log.");
  if (!isUnsent(log.usn, meta)) {
    return refuse("That answer has already synced to your other devices, so it cannot be undone.");
  }
  // A card deleted since (its note deleted) is not brought back: its deletion stands.
  if (!(await tx.objectStore("cards").get(answered.card.id))) {
    return refuse("That card has been deleted since, so its answer cannot be undone.");
  }
  const now = col.clock.now();
  const usn = pendingUsnOf(meta);
  const restored: Card = { ...answered.before, mtime: Math.max(now, answered.card.mtime + 1), usn };
  await tx.objectStore("cards").put(restored);
  for (const sibling of answered.buried) {
    if (!(await tx.objectStore("cards").get(sibling.id))) continue;
    await tx.objectStore("cards").put({ ...sibling, mtime: Math.max(now, sibling.mtime + 1), usn });
  }
  // The leech tag this answer added goes too; the note keeps every other change made since, tags included.
  const note = answered.tagsBefore ? await tx.objectStore("notes").get(answered.card.noteId) : undefined;
  if (note?.tags.includes("leech")) {
    const tags = note.tags.filter((t) => t !== "leech");
    await tx.objectStore("notes").put({ ...note, tags, mtime: Math.max(now, note.mtime + 1), usn });
  }
  await revlog.delete(answered.revlogId);
  await revlog.flush();
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(restored);
}
