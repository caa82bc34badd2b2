// A collection package (.colpkg, or a bare collection file) replaces the whole collection, as in Anki: the
// current collection is backed up first, then every store is rewritten in one transaction. Everything imported is
// a pending change, and the schema stamp moves on, so the next sync asks which side to keep. Filtered decks and the
// cards they borrow are kept as they are.

import type { AnkiCollection } from "../../../shared/anki/read";
import { DEFAULT_CONFIG_ID, DEFAULT_DECK_ID, type Deck } from "../../../shared/model";
import { abortWrites, type Collection } from "../collection/collection";
import { defaultDeckConfig } from "../collection/defaults";
import { returnedHome } from "../collection/filtered";
import { pendingUsn } from "../collection/pending";
import { toBlocks } from "../collection/revlog";
import { SYNCED_STORES } from "../collection/schema";
import { backupCollection } from "../sync/backup";
import { ankiToday, localToday, shiftDueDays } from "./due";
import type { PlannedMedia } from "./import-media";
import { checkReferences, fitFields } from "./merge";

export interface ReplaceCounts {
  notes: number;
  cards: number;
  revlog: number;
  decks: number;
  /** Of the decks, how many are filtered decks. */
  filteredDecks: number;
  noteTypes: number;
  presets: number;
  backupId: string;
}

export async function replaceWithPackage(
  col: Collection,
  data: AnkiCollection,
  media: PlannedMedia,
  progress: (fraction: number, label: string) => void,
): Promise<ReplaceCounts> {
  checkReferences(data);
  progress(0.3, "Backing up the current collection");
  const backupId = await backupCollection(col, "package");
  const now = col.clock.now();
  progress(0.5, "Replacing the collection");
  const tx = col.db.transaction([...SYNCED_STORES, "meta"] as const, "readwrite");
  // Everything imported is a change of this transaction's generation (see pending.ts); the records are made
  // without waiting, so the transaction stays open.
  const usn = await pendingUsn(tx.objectStore("meta"));
  const pending = <T extends { usn: number; mtime?: number }>(record: T): T => ({
    ...record,
    mtime: record.mtime || now,
    usn,
  });
  const typeFields = new Map(data.noteTypes.map((n) => [n.id, n.fields.length]));
  const decks: Deck[] = data.decks.map(pending);
  const presetIds = new Set(data.deckConfigs.map((p) => p.id));
  const presets = data.deckConfigs.map(pending);
  if (!presetIds.has(DEFAULT_CONFIG_ID)) presets.push(defaultDeckConfig(DEFAULT_CONFIG_ID, "Default", now, usn));
  for (const deck of decks) if (!presetIds.has(deck.configId)) deck.configId = DEFAULT_CONFIG_ID;
  if (!decks.some((d) => d.id === DEFAULT_DECK_ID)) {
    const taken = new Set(decks.map((d) => d.name.toLowerCase()));
    let name = "Default";
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `Default (${n})`;
    decks.push({
      id: DEFAULT_DECK_ID,
      name,
      configId: DEFAULT_CONFIG_ID,
      description: "",
      collapsed: false,
      mtime: now,
      usn,
    });
  }
  const normalIds = new Set(decks.filter((d) => !d.filter).map((d) => d.id));
  const filteredIds = new Set(decks.filter((d) => d.filter).map((d) => d.id));
  const home = (deckId: number) => (normalIds.has(deckId) ? deckId : DEFAULT_DECK_ID);
  const noteIds = new Set(data.notes.map((n) => n.id));
  const dayShift = localToday(now) - ankiToday(now, data.crt);
  const cards = data.cards
    .filter((c) => noteIds.has(c.noteId))
    .map((c) => {
      const card = shiftDueDays(c, dayShift);
      // A borrowed card keeps its filtered deck, and its home deck (Default when the file lacks it).
      if (card.odid !== 0 && filteredIds.has(card.deckId)) return pending({ ...card, odid: home(card.odid) });
      const normal = card.odid !== 0 ? returnedHome(card) : card;
      return pending({ ...normal, deckId: home(normal.deckId) });
    });
  const cardIds = new Set(cards.map((c) => c.id));
  const tags = new Map(data.tags.map((t) => [t.name.toLowerCase(), pending(t)]));
  for (const note of data.notes) {
    for (const tag of note.tags) {
      if (!tags.has(tag.toLowerCase())) tags.set(tag.toLowerCase(), { name: tag, collapsed: false, mtime: now, usn });
    }
  }
  const write = (request: Promise<unknown>) => {
    request.catch(() => {});
  };
  const rows = data.revlog.filter((entry) => cardIds.has(entry.cardId)).map((entry) => ({ ...entry, usn }));
  try {
    for (const name of SYNCED_STORES) write(tx.objectStore(name).clear());
    for (const noteType of data.noteTypes) write(tx.objectStore("notetypes").put(pending(noteType)));
    for (const preset of presets) write(tx.objectStore("deckconfigs").put(preset));
    for (const deck of decks) write(tx.objectStore("decks").put(deck));
    for (const tag of tags.values()) write(tx.objectStore("tags").put(tag));
    for (const entry of data.config) write(tx.objectStore("config").put(pending(entry)));
    for (const note of data.notes) {
      const fields = fitFields(note.fields, typeFields.get(note.noteTypeId) ?? note.fields.length).map(media.rewrite);
      write(tx.objectStore("notes").put(pending({ ...note, fields })));
    }
    for (const card of cards) write(tx.objectStore("cards").put(card));
    for (const block of toBlocks(rows)) write(tx.objectStore("revlogBlocks").put(block));
    const meta = await tx.objectStore("meta").get("collection");
    if (meta) {
      const replacements = (meta.replacements ?? 0) + 1;
      await tx
        .objectStore("meta")
        .put({ ...meta, scm: Math.max(now, meta.scm + 1), mtime: now, replacements }, "collection");
    }
    await tx.done;
  } catch (thrown) {
    // Nothing of the file may stay: a write that threw at once has not ended the transaction by itself.
    const cause = tx.error ?? thrown;
    await abortWrites(tx);
    throw cause;
  }
  return {
    notes: data.notes.length,
    cards: cards.length,
    revlog: rows.length,
    decks: decks.length,
    filteredDecks: filteredIds.size,
    noteTypes: data.noteTypes.length,
    presets: presets.length,
    backupId,
  };
}
