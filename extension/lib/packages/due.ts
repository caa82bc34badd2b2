// Day numbers for Anki's packages in this browser's time zone; the conversion itself is shared/anki/days.ts.
import { dayNumber, dayStart } from "../../../shared/days";
import type { Card } from "../../../shared/model";
import { newCard } from "../collection/notes";

export {
  ankiToday,
  cardDueIsDay,
  dueIsDay,
  originalDueIsDay,
  shiftDueDays,
} from "../../../shared/anki/days";

const ROLLOVER_HOUR = 4;

/** Today's day number here. */
export function localToday(now: number): number {
  return dayNumber(now, ROLLOVER_HOUR, -new Date(now).getTimezoneOffset());
}

/** The `crt` to write for an exported collection: the start of the day this collection was made. */
export function exportCrt(created: number): { crt: number; createdDay: number } {
  const createdDay = localToday(created);
  return {
    crt: Math.floor(dayStart(createdDay, ROLLOVER_HOUR, -new Date(created).getTimezoneOffset()) / 1000),
    createdDay,
  };
}

/** A card as if never studied: new, at a position, without review data (its flags stay). */
export function resetCard(card: Card, position: number): Card {
  const fresh = newCard(card.id, card.noteId, card.deckId, card.ord, position, card.mtime, card.usn);
  return { ...fresh, flags: card.flags };
}
