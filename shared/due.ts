// What a card's `due` holds depends on its type and queue, as in Anki: a position for a new card, a time in seconds
// for a card in learning (or in preview), a day number for a review or a card learning across days. A suspended or
// buried card keeps the due of what it was, which its type tells, and a learning card buried or suspended may hold
// either a time or a day. Every place that reads `due` asks here, so that none reads a time as a day.
import { CardQueue, CardType } from "./model";

export type DueKind = "position" | "time" | "day";

/** Seconds since the epoch are above this; day numbers and positions are far below it. */
const TIME_FLOOR = 1_000_000_000;

export function dueKind(type: number, queue: number, due: number): DueKind {
  if (queue === CardQueue.Learning || queue === CardQueue.Preview) return "time";
  if (queue === CardQueue.Review || queue === CardQueue.DayLearning) return "day";
  if (queue === CardQueue.New || type === CardType.New) return "position";
  if (type === CardType.Review) return "day";
  return due < TIME_FLOOR ? "day" : "time";
}

/**
 * The due that says when a card comes up, and what it holds: a card borrowed by a filtered deck is due at its place
 * there (a number below zero) while it is new or a review, so its home deck's due (`odue`) is the one to show.
 */
export function cardDue(card: { type: number; queue: number; due: number; odid: number; odue: number }): {
  due: number;
  kind: DueKind;
} {
  const borrowed = card.odid !== 0 && card.odue !== 0 && card.queue !== CardQueue.Learning;
  const due = borrowed ? card.odue : card.due;
  return { due, kind: dueKind(card.type, card.queue, due) };
}
