// Anki counts review days from the collection's creation (`crt`); this project counts them from the Unix epoch in
// local time (shared/days.ts). These convert a card's due day between the two, keeping "due in N days" as it was.
import { dayNumber, dayStart } from "../../../shared/days";
import { dueKind } from "../../../shared/due";
import type { Card } from "../../../shared/model";
import { newCard } from "../collection/notes";

const ROLLOVER_HOUR = 4;

/** Today's day number here. */
export function localToday(now: number): number {
  return dayNumber(now, ROLLOVER_HOUR, -new Date(now).getTimezoneOffset());
}

/** Today in a collection created at `crt` (seconds), as Anki counts it. */
export function ankiToday(now: number, crt: number): number {
  return Math.floor((now / 1000 - crt) / 86_400);
}

/** The `crt` to write for an exported collection: the start of the day this collection was made. */
export function exportCrt(created: number): { crt: number; createdDay: number } {
  const createdDay = localToday(created);
  return {
    crt: Math.floor(dayStart(createdDay, ROLLOVER_HOUR, -new Date(created).getTimezoneOffset()) / 1000),
    createdDay,
  };
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

/** A card as if never studied: new, at a position, without review data (its flags stay). */
export function resetCard(card: Card, position: number): Card {
  const fresh = newCard(card.id, card.noteId, card.deckId, card.ord, position, card.mtime, card.usn);
  return { ...fresh, flags: card.flags };
}
