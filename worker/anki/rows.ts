// Notes, cards and review-log rows as Anki's sync carries them (positional JSON arrays, times in seconds, review
// days counted from the collection's crt), to and from the relay's records (times in ms, days from the epoch).
import { z } from "zod";
import { shiftDueDays } from "../../shared/anki/days";
import { ankiCardRow } from "../../shared/anki/write";
import type { Card, Note, RevlogEntry } from "../../shared/model";

/** An Anki time in seconds as the relay's ms: the end of that second, so that a change Anki made in the same
 * second as the relay's version counts as the later one, as Anki's apps take it (they keep their own then). */
export const fromAnkiSeconds = (seconds: number): number => Math.max(0, Math.trunc(seconds)) * 1000 + 999;
const toSeconds = (ms: number): number => Math.floor(ms / 1000);

const num = z.number().finite();
const int = num.transform((n) => Math.trunc(n));

/** [id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data] */
export const AnkiNoteRow = z.tuple([int, z.string(), int, int, int, z.string(), z.string()]).rest(z.unknown());
/** [id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data] */
export const AnkiCardRow = z
  .tuple([int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, z.string()])
  .rest(z.unknown());
/** [id, cid, usn, ease, ivl, lastIvl, factor, time, type] */
export const AnkiRevlogRow = z.tuple([int, int, int, int, int, int, int, int, int]).rest(z.unknown());

export function noteToAnki(note: Note, usn: number): unknown[] {
  const tags = note.tags.length > 0 ? ` ${note.tags.join(" ")} ` : "";
  // Anki's apps work out the sort field and checksum themselves, and read both as strings here.
  return [
    note.id,
    note.guid,
    note.noteTypeId,
    toSeconds(note.mtime),
    usn,
    tags,
    note.fields.join("\u001f"),
    "",
    "",
    0,
    "",
  ];
}

export function noteFromAnki(row: z.output<typeof AnkiNoteRow>): Note {
  const [id, guid, noteTypeId, mod, , tags, fields] = row;
  return {
    id,
    guid,
    noteTypeId,
    fields: fields.split("\u001f"),
    tags: [...new Set(tags.split(/[\s\u3000]+/).filter((t) => t !== ""))],
    mtime: fromAnkiSeconds(mod),
    usn: 0,
  };
}

/** A card for Anki's apps; `shift` turns the relay's day numbers into Anki's (minus the crt's day). */
export function cardToAnki(card: Card, usn: number, shift: number): unknown[] {
  return ankiCardRow(shiftDueDays(card, shift), usn);
}

export function cardFromAnki(row: z.output<typeof AnkiCardRow>, shift: number): Card {
  const [id, noteId, deckId, ord, mod, , type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data] =
    row;
  const card: Card = {
    id,
    noteId,
    deckId,
    ord,
    type,
    queue,
    due,
    ivl,
    factor,
    reps,
    lapses,
    left,
    odue,
    odid,
    flags,
    data,
    mtime: fromAnkiSeconds(mod),
    usn: 0,
  };
  return shiftDueDays(card, shift);
}

export function revlogToAnki(r: RevlogEntry, usn: number): unknown[] {
  return [r.id, r.cardId, usn, r.ease, r.ivl, r.lastIvl, r.factor, r.time, r.type];
}

export function revlogFromAnki(row: z.output<typeof AnkiRevlogRow>): RevlogEntry {
  const [id, cardId, , ease, ivl, lastIvl, factor, time, type] = row;
  return { id, cardId, ease, ivl, lastIvl, factor, time, type, usn: 0 };
}
