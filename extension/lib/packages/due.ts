// Anki counts review days from the collection's creation (`crt`); this project counts them from the Unix epoch in
// local time (shared/days.ts). These convert a card's due day between the two, keeping "due in N days" as it was.
import { dayNumber, dayStart } from "../../../shared/days";
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
  if (queue === 2 || queue === 3) return true;
  if (queue === 0 || queue === 1 || queue === 4) return false;
  // Suspended or buried: the card's type says what `due` holds.
  if (type === 2) return true;
  if (type === 1 || type === 3) return due < 1_000_000_000;
  return false;
}

/** Moves a card's due day (and original due day) by `shift` days where they are day numbers. */
export function shiftDueDays(card: Card, shift: number): Card {
  if (shift === 0) return card;
  const out = { ...card };
  if (dueIsDay(card.type, card.queue, card.due)) out.due = card.due + shift;
  if (card.odid !== 0 && card.odue !== 0 && dueIsDay(card.type, card.type === 2 ? 2 : card.queue, card.odue)) {
    out.odue = card.odue + shift;
  }
  return out;
}

/** A card as if never studied: new, at a position, without review data (its flags stay). */
export function resetCard(card: Card, position: number): Card {
  const fresh = newCard(card.id, card.noteId, card.deckId, card.ord, position, card.mtime);
  return { ...fresh, flags: card.flags, usn: card.usn };
}

/** A card in a filtered deck goes back to its home deck, with its original due (filtered decks are not imported). */
export function sendHome(card: Card): Card {
  if (card.odid === 0) return card;
  const queue = card.queue === 4 ? (card.type === 0 ? 0 : card.type === 2 ? 2 : 1) : card.queue;
  return { ...card, deckId: card.odid, due: card.odue || card.due, odid: 0, odue: 0, queue };
}
