// Merges a package's collection into a profile's collection as Anki's importer does: note types by id and shape,
// decks by name, notes by guid (updated only when the file's copy is newer and of the same note type), cards by
// note and template, review-log rows by id. Everything is planned first and written in one IndexedDB
// transaction; imported records are pending changes (see pending.ts) that keep the file's mtimes, so that importing a
// newer copy later updates them and importing the same file twice changes nothing.

import type { AnkiCollection } from "../../../shared/anki/read";
import type { Card, Note, RevlogEntry } from "../../../shared/model";
import { abortWrites, type Collection } from "../collection/collection";
import { returnedHome } from "../collection/filtered";
import { registerTags, touchMeta } from "../collection/notes";
import { pendingUsn } from "../collection/pending";
import { allRevlog, RevlogRows } from "../collection/revlog";
import type { WriteStore } from "../collection/schema";
import { ankiToday, localToday, resetCard, shiftDueDays } from "./due";
import { fail } from "./errors";
import type { PlannedMedia } from "./import-media";
import { planDecks, planNoteTypes, planPresets, type RenamedDeck } from "./merge-plan";

export interface MergeCounts {
  notesAdded: number;
  notesUpdated: number;
  notesUnchanged: number;
  notesSkippedNoteType: number;
  cardsAdded: number;
  revlogAdded: number;
  decksAdded: number;
  noteTypesAdded: number;
  noteTypesUpdated: number;
  presetsAdded: number;
  /** Filtered decks added as filtered decks, with the cards they borrow. */
  filteredDecksAdded: number;
  /** Filtered decks of the collection whose searches the file's newer copy changed. */
  filteredDecksUpdated: number;
  /** The file's filtered decks that came in as normal decks, and why they were not kept. */
  filteredDecksConverted: number;
  filteredDecksReason: FilteredReason | null;
  /** Decks added under a new name, as the collection's deck of their name is of the other kind or filtered. */
  decksRenamed: RenamedDeck[];
}

/** Why a package's filtered decks come in as normal decks. */
export type FilteredReason = "without-scheduling" | "no-scheduling" | "missing-home-decks";

/**
 * Whether the package's filtered decks can be kept, as Anki decides: only from a file with scheduling (a review
 * log or deck options) whose borrowed cards all have their home deck in the file (or Default); otherwise, and when
 * importing without learning progress, they come in as normal decks holding their cards.
 */
export function filteredDecksKept(data: AnkiCollection, withScheduling: boolean): FilteredReason | null {
  if (!withScheduling) return "without-scheduling";
  if (data.revlog.length === 0 && data.deckConfigs.length === 0) return "no-scheduling";
  const deckIds = new Set(data.decks.map((d) => d.id));
  const homes = data.cards.every((c) => c.odid === 0 || c.odid === 1 || deckIds.has(c.odid));
  return homes ? null : "missing-home-decks";
}

export interface MergeOptions {
  withScheduling: boolean;
  media: PlannedMedia;
  progress: (fraction: number, label: string) => void;
}

/** Refuses a package whose notes or cards point at records it does not hold. */
export function checkReferences(data: AnkiCollection): void {
  const noteTypeIds = new Set(data.noteTypes.map((n) => n.id));
  for (const note of data.notes) {
    if (!noteTypeIds.has(note.noteTypeId)) {
      fail(
        `Note ${note.id} in the package uses note type ${note.noteTypeId}, which the package does not contain, ` +
          "so nothing was imported.",
      );
    }
  }
}

export async function mergeCollection(col: Collection, data: AnkiCollection, options: MergeOptions) {
  checkReferences(data);
  const counts: MergeCounts = {
    notesAdded: 0,
    notesUpdated: 0,
    notesUnchanged: 0,
    notesSkippedNoteType: 0,
    cardsAdded: 0,
    revlogAdded: 0,
    decksAdded: 0,
    noteTypesAdded: 0,
    noteTypesUpdated: 0,
    presetsAdded: 0,
    filteredDecksAdded: 0,
    filteredDecksUpdated: 0,
    filteredDecksConverted: 0,
    filteredDecksReason: null,
    decksRenamed: [],
  };
  const notKept = filteredDecksKept(data, options.withScheduling);
  const keepFiltered = notKept === null;
  const now = col.clock.now();
  // Ids for new records start above every key in use (freshIds raises the collection's id counter).
  await col.freshIds("notes", 0);
  await col.freshIds("cards", 0);
  await col.freshIds("decks", 0);
  await col.freshIds("notetypes", 0);
  // Incoming ids are kept unless taken (each store has its own ids: a note and its card may share a number).
  const newId = () => col.nextId();

  const tx = col.db.transaction(
    ["notetypes", "deckconfigs", "decks", "notes", "cards", "revlogBlocks", "tags", "config", "meta"],
    "readwrite",
  );
  try {
    // Everything imported is a change of this transaction's generation (see pending.ts).
    const usn = await pendingUsn(tx.objectStore("meta"));
    const pending = <T extends { usn: number }>(record: T): T => ({ ...record, usn });
    const store = {
      notetypes: tx.objectStore("notetypes"),
      deckconfigs: tx.objectStore("deckconfigs"),
      decks: tx.objectStore("decks"),
      notes: tx.objectStore("notes"),
      cards: tx.objectStore("cards"),
      revlog: new RevlogRows(tx.objectStore("revlogBlocks")),
    };
    const write = (request: Promise<unknown>) => {
      // A failed write aborts the transaction, which tx.done reports.
      request.catch(() => {});
    };
    // Every read that does not depend on another is issued before the first write, so none waits behind writes.
    // The ids in use come as three key lists, not one read per incoming record.
    const guidReads = data.notes.map((n) => store.notes.index("guid").get(n.guid));
    const [noteTypes, presets, decks, noteKeys, cardKeys, revlogKeys] = await Promise.all([
      store.notetypes.getAll(),
      store.deckconfigs.getAll(),
      store.decks.getAll(),
      store.notes.getAllKeys(),
      store.cards.getAllKeys(),
      options.withScheduling ? allRevlog(tx.objectStore("revlogBlocks")).then((rows) => rows.map((r) => r.id)) : [],
    ]);
    const taken = { notes: new Set(noteKeys), cards: new Set(cardKeys), revlog: new Set(revlogKeys) };
    options.progress(0.3, "Matching note types and decks");

    const noteTypePlan = planNoteTypes(data.noteTypes, noteTypes, new Set(data.notes.map((n) => n.noteTypeId)), newId);
    for (const noteType of noteTypePlan.add) write(store.notetypes.add(pending(noteType)));
    for (const noteType of noteTypePlan.update) write(store.notetypes.put(pending(noteType)));
    counts.noteTypesAdded = noteTypePlan.add.length;
    counts.noteTypesUpdated = noteTypePlan.update.length;
    const typeMap = noteTypePlan.map;

    const presetPlan = planPresets(data.deckConfigs, presets, options.withScheduling);
    for (const preset of presetPlan.add) write(store.deckconfigs.add(pending(preset)));
    for (const preset of presetPlan.update) write(store.deckconfigs.put(pending(preset)));
    counts.presetsAdded = presetPlan.add.length;

    const cardDecks = new Set(data.cards.flatMap((c) => (c.odid !== 0 ? [c.odid, c.deckId] : [c.deckId])));
    const deckPlan = planDecks(data.decks, decks, presetPlan.ids, cardDecks, newId, now, keepFiltered);
    for (const deck of deckPlan.add) write(store.decks.add(pending(deck)));
    for (const deck of deckPlan.update) write(store.decks.put(pending(deck)));
    counts.decksAdded = deckPlan.add.length;
    counts.filteredDecksAdded = deckPlan.add.filter((d) => d.filter).length;
    counts.filteredDecksUpdated = deckPlan.update.length;
    counts.decksRenamed = deckPlan.renamed;
    const addedDecks = new Set(deckPlan.add.map((d) => d.id));
    /** The converted decks that this import adds, or adds cards to: those the summary speaks of. */
    const convertedUsed = new Set([...deckPlan.converted].map(deckPlan.target).filter((id) => addedDecks.has(id)));

    // Notes by guid.
    options.progress(0.45, "Matching notes");
    const cardsOf = new Map<number, Card[]>();
    for (const card of data.cards) {
      const list = cardsOf.get(card.noteId) ?? [];
      list.push(card);
      cardsOf.set(card.noteId, list);
    }
    /** Incoming card id → the card it became (added) or matched (already there). */
    const cardMap = new Map<number, number>();
    const newCards: { card: Card; noteId: number }[] = [];
    const matchedNotes: { note: Note; incoming: Card[] }[] = [];
    const tags = new Set<string>();
    for (const [i, incoming] of data.notes.entries()) {
      const noteType = typeMap.get(incoming.noteTypeId);
      if (!noteType) continue;
      const fields = fitFields(incoming.fields, noteType.fields.length).map((f) => options.media.rewrite(f));
      const existing = await guidReads[i];
      if (!existing) {
        const id = taken.notes.has(incoming.id) ? newId() : incoming.id;
        taken.notes.add(id);
        write(store.notes.add({ ...incoming, id, noteTypeId: noteType.id, fields, usn }));
        for (const tag of incoming.tags) tags.add(tag);
        for (const card of cardsOf.get(incoming.id) ?? []) newCards.push({ card, noteId: id });
        counts.notesAdded++;
        continue;
      }
      if (existing.noteTypeId !== noteType.id) {
        counts.notesSkippedNoteType++;
        continue;
      }
      if (incoming.mtime > existing.mtime) {
        write(store.notes.put({ ...existing, fields, tags: incoming.tags, mtime: incoming.mtime, usn }));
        for (const tag of incoming.tags) tags.add(tag);
        counts.notesUpdated++;
      } else {
        counts.notesUnchanged++;
      }
      matchedNotes.push({ note: existing, incoming: cardsOf.get(incoming.id) ?? [] });
    }

    // Cards: all of a new note's; of a matched note, those whose template it lacks (existing ones keep their state).
    options.progress(0.6, "Adding cards");
    const existingCards = await cardsOfNotes(store.cards, new Set(matchedNotes.map((m) => m.note.id)));
    for (const { note, incoming } of matchedNotes) {
      const byOrd = new Map((existingCards.get(note.id) ?? []).map((c) => [c.ord, c.id]));
      for (const card of incoming) {
        const have = byOrd.get(card.ord);
        if (have !== undefined) cardMap.set(card.id, have);
        else newCards.push({ card, noteId: note.id });
      }
    }
    // A borrowed card stays in its filtered deck when the deck is kept; when it is not, the deck becomes a normal
    // deck and the card stays in it as a normal card, with its own due (Anki sets the home deck to the deck itself,
    // then restores the card).
    const placedCards = newCards.map(({ card: original, noteId }) => {
      let card = original;
      if (card.odid !== 0 && !(keepFiltered && deckPlan.isFiltered(deckPlan.target(card.deckId)))) {
        card = returnedHome({ ...card, odid: keepFiltered ? card.odid : card.deckId });
      }
      return { original, card, noteId };
    });
    /** A new card's place in the new queue: in its home deck, for a borrowed one. */
    const position = (card: Card) => (card.odid !== 0 ? card.odue : card.due);
    const nextPosEntry = await tx.objectStore("config").get("nextPos");
    let nextPos = typeof nextPosEntry?.value === "number" ? nextPosEntry.value : 1;
    let firstDue = Number.POSITIVE_INFINITY;
    let lastDue = -1;
    for (const { card } of placedCards) {
      if (card.type !== 0) continue;
      firstDue = Math.min(firstDue, position(card));
      lastDue = Math.max(lastDue, position(card));
    }
    if (firstDue === Number.POSITIVE_INFINITY) firstDue = 0;
    // Without learning progress, studied cards become new after the file's new cards, in the file's order.
    let studiedPosition = Math.max(lastDue + 1, firstDue);
    const positionShift = nextPos - firstDue;
    const dayShift = localToday(now) - ankiToday(now, data.crt);
    let lastPos = nextPos - 1;
    for (const { original, card: incoming, noteId } of placedCards) {
      const id = taken.cards.has(original.id) ? newId() : original.id;
      taken.cards.add(id);
      let placed = incoming;
      if (!options.withScheduling) placed = resetCard(placed, placed.type === 0 ? placed.due : studiedPosition++);
      if (placed.type === 0) {
        const moved = Math.max(0, position(placed) + positionShift);
        placed = placed.odid !== 0 ? { ...placed, odue: moved } : { ...placed, due: moved };
        if (returnedHome(placed).queue === 0 || !options.withScheduling) lastPos = Math.max(lastPos, moved);
      } else {
        placed = shiftDueDays(placed, dayShift);
      }
      const stored: Card =
        placed.odid !== 0
          ? { ...placed, deckId: deckPlan.target(placed.deckId), odid: deckPlan.home(placed.odid) }
          : { ...placed, deckId: deckPlan.home(placed.deckId) };
      if (deckPlan.converted.has(original.deckId)) convertedUsed.add(deckPlan.target(original.deckId));
      write(store.cards.add({ ...stored, id, noteId, usn }));
      cardMap.set(original.id, id);
      counts.cardsAdded++;
    }
    if (lastPos + 1 > nextPos) {
      nextPos = lastPos + 1;
      write(tx.objectStore("config").put({ key: "nextPos", value: nextPos, mtime: now, usn }));
    }

    // Review log: by id, never twice; only for cards that are in the collection now.
    if (options.withScheduling) {
      options.progress(0.75, "Adding the review history");
      const wanted = data.revlog.filter((r) => cardMap.has(r.cardId));
      for (const entry of wanted) {
        if (taken.revlog.has(entry.id)) continue;
        taken.revlog.add(entry.id);
        const revlog: RevlogEntry = { ...entry, cardId: cardMap.get(entry.cardId) ?? entry.cardId, usn };
        write(store.revlog.put(revlog));
        counts.revlogAdded++;
      }
      await store.revlog.flush();
    }

    counts.filteredDecksConverted = convertedUsed.size;
    if (counts.filteredDecksConverted > 0) counts.filteredDecksReason = notKept;
    await registerTags(tx.objectStore("tags"), [...tags], now, usn);
    const changed =
      counts.notesAdded +
        counts.notesUpdated +
        counts.cardsAdded +
        counts.revlogAdded +
        counts.decksAdded +
        counts.noteTypesAdded +
        counts.noteTypesUpdated +
        counts.presetsAdded +
        counts.filteredDecksUpdated >
      0;
    if (changed) await touchMeta(tx.objectStore("meta"), now);
    options.progress(0.9, "Saving");
    await tx.done;
  } catch (thrown) {
    // A failed request aborts the transaction; what caused the abort is the error to report. A write that threw at
    // once has not: nothing of the import may stay.
    const cause = tx.error ?? thrown;
    await abortWrites(tx);
    throw cause;
  }
  return counts;
}

/**
 * The collection's cards of these notes, by note: one index read per note for a few notes; for many (a package
 * imported again), one read of every card, which is much faster than thousands of small reads.
 */
async function cardsOfNotes(cards: WriteStore<"cards">, noteIds: Set<number>): Promise<Map<number, Card[]>> {
  const out = new Map<number, Card[]>();
  const keep = (card: Card) => {
    if (!noteIds.has(card.noteId)) return;
    const list = out.get(card.noteId) ?? [];
    list.push(card);
    out.set(card.noteId, list);
  };
  if (noteIds.size > 1000) {
    for (const card of await cards.getAll()) keep(card);
  } else {
    const lists = await Promise.all([...noteIds].map((id) => cards.index("noteId").getAll(id)));
    for (const card of lists.flat()) keep(card);
  }
  return out;
}

/** Anki pads missing fields with empty ones and joins extra ones onto the last. */
export function fitFields(fields: string[], count: number): string[] {
  if (fields.length === count) return fields;
  if (fields.length < count) return [...fields, ...Array<string>(count - fields.length).fill("")];
  return [...fields.slice(0, count - 1), fields.slice(count - 1).join(" ")];
}
