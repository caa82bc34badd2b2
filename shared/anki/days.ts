// Anki counts review days from the collection's creation (`crt`); this project counts them from the Unix epoch in
// local time (shared/days.ts). These convert a card's due day between the two, keeping "due in N days" as it was.
import { dayNumber } from "../days";
import { dueKind } from "../due";
import type { Card } from "../model";

/** Today in a collection created at `crt` (seconds), as Anki counts it. */
export function ankiToday(now: number, crt: number): number {
  return Math.floor((now / 1000 - crt) / 86_400);
}

/**
 * The day number (shared/days.ts) of the day a collection was created, as Anki's scheduler counts from it: the day
 * of `crt` (seconds) in the time zone of the collection's creation (`creationOffset`, minutes west of UTC, Anki's
 * config key), with days starting at the rollover hour. Anki's day N is this project's day (this + N).
 */
export function creationDay(crt: number, rolloverHour: number, creationOffsetWest: number): number {
  return dayNumber(crt * 1000, rolloverHour, -creationOffsetWest);
}

/** Whether a `due` of this card type and queue is a day number (rather than a position or a timestamp). */
export function dueIsDay(type: number, queue: number, due: number): boolean {
  return dueKind(type, queue, due) === "day";
}

/**
 * Whether a card's `due` is a day number. A card borrowed by a filtered deck is due at its place there (a number
 * below zero) while it is new or a review; only its day-learning due is a day.
 */
export function cardDueIsDay(card: Card): boolean {
  if (!dueIsDay(card.type, card.queue, card.due)) return false;
  return card.odid === 0 || card.queue === 3 || card.due >= 0;
}

/** Whether a borrowed card's own due (`odue`, kept while a filtered deck has it) is a day number. */
export function originalDueIsDay(card: Card): boolean {
  if (card.odid === 0 || card.odue === 0) return false;
  if (card.type === 2) return true;
  // A learning card's own due is a time in seconds, or a day when it was learning across days.
  return (card.type === 1 || card.type === 3) && card.odue < 1_000_000_000;
}

/** Moves a card's due day (and original due day) by `shift` days where they are day numbers. */
export function shiftDueDays(card: Card, shift: number): Card {
  if (shift === 0) return card;
  const out = { ...card };
  if (cardDueIsDay(card)) out.due = card.due + shift;
  if (originalDueIsDay(card)) out.odue = card.odue + shift;
  return out;
}
