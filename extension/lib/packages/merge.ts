// Merges a package's collection into a profile's collection as Anki's importer does: note types by id and shape,
// decks by name, notes by guid (updated only when the file's copy is newer and of the same note type), cards by
// note and template, review-log rows by id. Everything is planned first and written in one IndexedDB
// transaction; imported records are pending changes (usn -1) that keep the file's mtimes, so that importing a
// newer copy later updates them and importing the same file twice changes nothing.
import { type Card, type Note, PENDING, type RevlogEntry } from "../../../shared/model";
import type { Collection } from "../collection/collection";
import { registerTags, touchMeta } from "../collection/notes";
import type { WriteStore } from "../collection/schema";
import type { AnkiCollection } from "./anki-db";
import { ankiToday, localToday, resetCard, sendHome, shiftDueDays } from "./due";
import { fail } from "./errors";
import type { PlannedMedia } from "./import-media";
import { planDecks, planNoteTypes, planPresets } from "./merge-plan";

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
  };
  const now = col.clock.now();
  // Ids for new records start above every key in use (freshIds raises the collection's id counter).
  await col.freshIds("notes", 0);
  await col.freshIds("cards", 0);
  await col.freshIds("decks", 0);
  await col.freshIds("notetypes", 0);
  // Incoming ids are kept unless taken (each store has its own ids: a note and its card may share a number).
  const newId = () => col.nextId();

  const tx = col.db.transaction(
    ["notetypes", "deckconfigs", "decks", "notes", "cards", "revlog", "tags", "config", "meta"],
    "readwrite",
  );
  try {
    const store = {
      notetypes: tx.objectStore("notetypes"),
      deckconfigs: tx.objectStore("deckconfigs"),
      decks: tx.objectStore("decks"),
      notes: tx.objectStore("notes"),
      cards: tx.objectStore("cards"),
      revlog: tx.objectStore("revlog"),
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
      options.withScheduling ? store.revlog.getAllKeys() : [],
    ]);
    const taken = { notes: new Set(noteKeys), cards: new Set(cardKeys), revlog: new Set(revlogKeys) };
    options.progress(0.3, "Matching note types and decks");

    const noteTypePlan = planNoteTypes(data.noteTypes, noteTypes, new Set(data.notes.map((n) => n.noteTypeId)), newId);
    for (const noteType of noteTypePlan.add) write(store.notetypes.add(noteType));
    for (const noteType of noteTypePlan.update) write(store.notetypes.put(noteType));
    counts.noteTypesAdded = noteTypePlan.add.length;
    counts.noteTypesUpdated = noteTypePlan.update.length;
    const typeMap = noteTypePlan.map;

    const presetPlan = planPresets(data.deckConfigs, presets, options.withScheduling);
    for (const preset of presetPlan.add) write(store.deckconfigs.add(preset));
    for (const preset of presetPlan.update) write(store.deckconfigs.put(preset));
    counts.presetsAdded = presetPlan.add.length;

    const cardDecks = new Set(data.cards.map((c) => (c.odid !== 0 ? c.odid : c.deckId)));
    const deckPlan = planDecks(data.decks, decks, presetPlan.ids, cardDecks, newId, now);
    for (const deck of deckPlan.add) write(store.decks.add(deck));
    counts.decksAdded = deckPlan.add.length;
    const targetDeck = deckPlan.target;

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
        write(store.notes.add({ ...incoming, id, noteTypeId: noteType.id, fields, usn: PENDING }));
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
        write(store.notes.put({ ...existing, fields, tags: incoming.tags, mtime: incoming.mtime, usn: PENDING }));
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
    const nextPosEntry = await tx.objectStore("config").get("nextPos");
    let nextPos = typeof nextPosEntry?.value === "number" ? nextPosEntry.value : 1;
    let firstDue = Number.POSITIVE_INFINITY;
    for (const { card } of newCards) if (card.type === 0) firstDue = Math.min(firstDue, card.due);
    if (firstDue === Number.POSITIVE_INFINITY) firstDue = 0;
    const positionShift = nextPos - firstDue;
    const dayShift = localToday(now) - ankiToday(now, data.crt);
    let lastPos = nextPos - 1;
    for (const { card, noteId } of newCards) {
      const id = taken.cards.has(card.id) ? newId() : card.id;
      taken.cards.add(id);
      let placed = sendHome(card);
      if (!options.withScheduling) placed = resetCard(placed, card.type === 0 ? card.due : 0);
      if (placed.type === 0) {
        placed = { ...placed, due: Math.max(0, placed.due + positionShift) };
        if (placed.queue === 0 || !options.withScheduling) lastPos = Math.max(lastPos, placed.due);
      } else {
        placed = shiftDueDays(placed, dayShift);
      }
      write(store.cards.add({ ...placed, id, noteId, deckId: targetDeck(placed.deckId), usn: PENDING }));
      cardMap.set(card.id, id);
      counts.cardsAdded++;
    }
    if (lastPos + 1 > nextPos) {
      nextPos = lastPos + 1;
      write(tx.objectStore("config").put({ key: "nextPos", value: nextPos, mtime: now, usn: PENDING }));
    }

    // Review log: by id, never twice; only for cards that are in the collection now.
    if (options.withScheduling) {
      options.progress(0.75, "Adding the review history");
      const wanted = data.revlog.filter((r) => cardMap.has(r.cardId));
      for (const entry of wanted) {
        if (taken.revlog.has(entry.id)) continue;
        taken.revlog.add(entry.id);
        const revlog: RevlogEntry = { ...entry, cardId: cardMap.get(entry.cardId) ?? entry.cardId, usn: PENDING };
        write(store.revlog.add(revlog));
        counts.revlogAdded++;
      }
    }

    await registerTags(tx.objectStore("tags"), [...tags], now);
    const { notesUnchanged: _same, notesSkippedNoteType: _skipped, ...additions } = counts;
    const changed = Object.values(additions).some((n) => n > 0);
    if (changed) await touchMeta(tx.objectStore("meta"), now);
    options.progress(0.9, "Saving");
    await tx.done;
  } catch (thrown) {
    // A failed request aborts the transaction; what caused the abort is the error to report.
    throw tx.error ?? thrown;
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
