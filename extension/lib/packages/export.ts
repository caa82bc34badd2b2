// Exporting: a deck with its sub-decks, or the whole collection, as an .apkg (with or without scheduling and
// media), or the whole collection as a .colpkg. Written in Anki's legacy-compatible layout: collection.anki21
// (schema 11), a JSON media map, numbered media files, and `meta` saying so, which current Anki imports, with the
// placeholder collection.anki2 that every package of Anki's carries.
// Filtered decks and the cards they borrow are written as they are only in a whole collection with scheduling; a
// deck's export, or one without scheduling, has no filtered deck and every card in its home deck.
import type { Zippable } from "fflate";
import { writePackageVersion } from "../../../shared/anki/protobuf";
import { isSelfOrDescendant } from "../../../shared/deck-names";
import { mediaReferences } from "../../../shared/media-refs";
import { type Card, DEFAULT_DECK_ID, type Deck, type Note } from "../../../shared/model";
import { stockNoteTypes } from "../../../shared/stock-notetypes";
import type { Collection, Outcome } from "../collection/collection";
import { done, refuse } from "../collection/collection";
import { returnedHome } from "../collection/filtered";
import { newCard } from "../collection/notes";
import { allRevlog } from "../collection/revlog";
import { SYNCED_STORES } from "../collection/schema";
import { type AnkiExport, writeAnkiCollection } from "./anki-write";
import { writeZip } from "./archive";
import { exportCrt, resetCard, shiftDueDays } from "./due";
import { guarded } from "./errors";
import type { MediaStore } from "./media";

export interface ExportOptions {
  format: "apkg" | "colpkg";
  /** For an .apkg: the deck to export with its sub-decks; null or absent for the whole collection. */
  deckId?: number | null;
  /** Card states and the review log (always, for a .colpkg). Without: cards are new and there is no history. */
  withScheduling?: boolean;
  /** Media the exported notes use (a .colpkg takes every file). */
  withMedia?: boolean;
  media?: MediaStore;
  onProgress?: (fraction: number, label: string) => void;
}

export interface ExportResult {
  bytes: Uint8Array;
  fileName: string;
  notes: number;
  cards: number;
  revlog: number;
  media: number;
}

/** What the placeholder collection's one note says, as Anki's own says it. */
export const PLACEHOLDER_TEXT = "Please update to the latest Anki version, then import the .colpkg/.apkg file again.";

/**
 * The collection.anki2 that Anki writes beside the real collection in every package: an old reader (or one that looks
 * for that name first) opens a valid collection with one note that says to update, instead of failing.
 */
async function placeholderCollection(data: AnkiExport): Promise<Uint8Array> {
  const [basic] = stockNoteTypes(1, data.created);
  const deck = data.decks.find((d) => d.id === DEFAULT_DECK_ID);
  const preset = data.deckConfigs.find((p) => p.id === deck?.configId) ?? data.deckConfigs[0];
  if (!basic || !deck || !preset) throw new Error("the export has no Default deck or options preset");
  const note: Note = {
    id: 1,
    guid: "placeholder",
    noteTypeId: basic.id,
    fields: [PLACEHOLDER_TEXT, ""],
    tags: [],
    mtime: data.created,
    usn: 0,
  };
  const card = newCard(1, 1, deck.id, 0, 1, data.created, 0);
  return writeAnkiCollection(
    {
      ...data,
      noteTypes: [basic],
      decks: [deck],
      deckConfigs: [preset],
      notes: [note],
      cards: [card],
      revlog: [],
      tags: [],
      config: [],
    },
    () => {},
  );
}

export function exportPackage(col: Collection, options: ExportOptions): Promise<Outcome<ExportResult>> {
  const progress = options.onProgress ?? (() => {});
  return guarded<ExportResult>(async () => {
    const colpkg = options.format === "colpkg";
    const withScheduling = colpkg || (options.withScheduling ?? true);
    progress(0.02, "Reading the collection");
    const tx = col.db.transaction(SYNCED_STORES);
    const [allTypes, allDecks, presets, tags, config] = await Promise.all([
      tx.objectStore("notetypes").getAll(),
      tx.objectStore("decks").getAll(),
      tx.objectStore("deckconfigs").getAll(),
      tx.objectStore("tags").getAllKeys(),
      tx.objectStore("config").getAll(),
    ]);
    const keepFiltered = withScheduling && (colpkg || options.deckId == null);
    let decks: Deck[] = keepFiltered ? allDecks : allDecks.filter((d) => !d.filter);
    let cards: Card[];
    let notes: Note[];
    let top: Deck | undefined;
    if (!colpkg && options.deckId != null) {
      top = allDecks.find((d) => d.id === options.deckId);
      if (!top) return refuse(`There is no deck with id ${options.deckId}.`);
      const root = top;
      const byDeck = tx.objectStore("cards").index("deckId");
      if (root.filter) {
        // A filtered deck's export is the cards it borrows, in their home decks.
        cards = await byDeck.getAll(root.id);
        const homes = new Set(cards.map((c) => c.odid));
        decks = decks.filter((d) => homes.has(d.id));
      } else {
        decks = decks.filter((d) => isSelfOrDescendant(d.name, root.name));
        // The deck's cards are those whose home deck is in it: at home, or borrowed by a filtered deck anywhere.
        const ids = new Set(decks.map((d) => d.id));
        const borrowing = allDecks.filter((d) => d.filter);
        const lists = await Promise.all([...decks, ...borrowing].map((d) => byDeck.getAll(d.id)));
        cards = lists.flat().filter((c) => ids.has(c.odid !== 0 ? c.odid : c.deckId));
      }
      const noteIds = [...new Set(cards.map((c) => c.noteId))];
      const found = await Promise.all(noteIds.map((id) => tx.objectStore("notes").get(id)));
      notes = found.filter((n): n is Note => n !== undefined);
    } else {
      [cards, notes] = await Promise.all([tx.objectStore("cards").getAll(), tx.objectStore("notes").getAll()]);
    }
    if (!keepFiltered) cards = cards.map(returnedHome);
    const cardIds = new Set(cards.map((c) => c.id));
    let revlog = withScheduling ? await allRevlog(tx.objectStore("revlogBlocks")) : [];
    if (top) revlog = revlog.filter((r) => cardIds.has(r.cardId));
    await tx.done;
    if (notes.length === 0 && !colpkg) return refuse("There is nothing to export: the deck has no cards.");

    progress(0.2, "Preparing cards");
    const meta = await col.meta();
    const { crt, createdDay } = exportCrt(meta.created);
    const typeIds = new Set(notes.map((n) => n.noteTypeId));
    const noteTypes = colpkg ? allTypes : allTypes.filter((n) => typeIds.has(n.id));
    const usedPresets = new Set(decks.map((d) => d.configId));
    if (!decks.some((d) => d.id === DEFAULT_DECK_ID)) {
      const fallback = allDecks.find((d) => d.id === DEFAULT_DECK_ID);
      if (fallback) decks = [fallback, ...decks];
    }
    let position = 0;
    const exportedCards = cards.map((card) => {
      if (!withScheduling) return resetCard(card, card.type === 0 ? card.due : ++position);
      return shiftDueDays(card, -createdDay);
    });
    if (!withScheduling) {
      // Cards that were studied go after the new ones, in the order they were made.
      const firstFree = exportedCards
        .filter((_card, i) => cards[i]?.type === 0)
        .reduce((m, c) => Math.max(m, c.due), 0);
      for (const [i, card] of exportedCards.entries()) if (cards[i]?.type !== 0) card.due += firstFree;
    }
    const exportedNotes = withScheduling
      ? notes
      : notes.map((n) => ({ ...n, tags: n.tags.filter((t) => !/^(leech|marked)$/i.test(t)) }));
    const data: AnkiExport = {
      crt,
      created: meta.created,
      noteTypes,
      decks,
      deckConfigs: colpkg ? presets : presets.filter((p) => usedPresets.has(p.id) || p.id === 1),
      notes: exportedNotes,
      cards: exportedCards,
      revlog,
      tags: colpkg ? tags : [...new Set(exportedNotes.flatMap((n) => n.tags))],
      config: colpkg ? config : [],
    };
    const database = await writeAnkiCollection(data, (f) => progress(0.25 + 0.45 * f, "Writing the database"));

    progress(0.7, "Adding media");
    const entries: Zippable = {
      "collection.anki21": database,
      "collection.anki2": await placeholderCollection(data),
      meta: writePackageVersion(2),
    };
    const map: Record<string, string> = {};
    if ((options.withMedia || colpkg) && options.media) {
      const names = colpkg
        ? await options.media.names()
        : [...new Set(exportedNotes.flatMap((n) => n.fields.flatMap((field) => mediaReferences(field))))];
      for (const name of names) {
        const bytes = await options.media.get(name);
        if (!bytes) continue;
        const key = String(Object.keys(map).length);
        map[key] = name;
        // Media is mostly compressed already (images, sounds): stored as it is.
        entries[key] = [bytes, { level: 0 }];
      }
    }
    entries.media = new TextEncoder().encode(JSON.stringify(map));
    progress(0.8, "Compressing");
    const bytes = writeZip(entries);
    progress(1, "Done");
    const stamp = new Date(col.clock.now()).toISOString().slice(0, 10);
    const base = top ? top.name.replace(/::/g, "-").replace(/[\\/:*?"<>|]/g, "_") : `collection-${stamp}`;
    return done({
      bytes,
      fileName: `${base}.${colpkg ? "colpkg" : "apkg"}`,
      notes: notes.length,
      cards: cards.length,
      revlog: revlog.length,
      media: Object.keys(map).length,
    });
  });
}
