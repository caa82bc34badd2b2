// Every Anki fixture imports with the counts its SOURCES.md states, or is refused with the right words; importing
// twice changes nothing; the update and diffmodels pairs behave as Anki's importer does.
import { describe, expect, it } from "vitest";
import { importPackage } from "../../extension/lib/packages/import";
import { freshCollection } from "./factories";
import { counts, fixture, HAVE_FIXTURES, MemoryMedia, snapshot } from "./packages-helpers";

interface Expected {
  notes: number;
  cards: number;
  revlog: number;
  media: number;
  decks?: string[];
  /** How many decks the profile has afterwards (its own Default included). */
  deckCount?: number;
}

const EXPECTED: Record<string, Expected> = {
  "anki-pylib-media.apkg": { notes: 1, cards: 1, revlog: 0, media: 1 },
  "anki-pylib-update1.apkg": { notes: 1, cards: 1, revlog: 0, media: 0 },
  "anki-pylib-update2.apkg": { notes: 1, cards: 1, revlog: 0, media: 0 },
  "anki-pylib-diffmodels2-1.apkg": { notes: 1, cards: 1, revlog: 0, media: 0 },
  "anki-pylib-diffmodels2-2.apkg": { notes: 1, cards: 2, revlog: 0, media: 0 },
  "anki-pylib-diffmodeltemplates-1.apkg": { notes: 1, cards: 1, revlog: 0, media: 2, decks: ["testdeck"] },
  "anki-pylib-diffmodeltemplates-2.apkg": { notes: 1, cards: 1, revlog: 0, media: 2, decks: ["testdeck"] },
  "anki-rslib-mediacheck.anki2": { notes: 3, cards: 3, revlog: 2, media: 0 },
  "ankidroid-update3.apkg": { notes: 1, cards: 1, revlog: 0, media: 0 },
  "ankidroid-templates.apkg": {
    notes: 48,
    cards: 146,
    revlog: 102,
    media: 0,
    // Eleven decks, two of them filtered (Anatomy::BadTemplate, Anatomy::BadOrderSections), which keep the 16 cards
    // they borrow from Anatomy: the file has a review log and its borrowed cards' home deck.
    decks: [
      "1-TEMPLATES",
      "1-TEMPLATES::Anatomy",
      "1-TEMPLATES::NestedClozes",
      "1-TEMPLATES::Anatomy::BadTemplate",
      "1-TEMPLATES::Anatomy::BadOrderSections",
    ],
    deckCount: 11,
  },
  "ankidroid-video.apkg": { notes: 1, cards: 1, revlog: 0, media: 3, decks: ["Sample9"] },
  "ankidroid-schema16.anki2": { notes: 0, cards: 0, revlog: 0, media: 0, decks: ["ThisIsSchema16"] },
  "ankidroid-initial_version_2_12_1.anki2": { notes: 0, cards: 0, revlog: 0, media: 0, decks: ["Default"] },
  "rsdroid-schema_17.anki2": { notes: 0, cards: 0, revlog: 0, media: 0, decks: ["Default"] },
  "ankipandas-few_basic_cards.anki2": { notes: 7, cards: 12, revlog: 6, media: 0, decks: ["Testing", "EnglishGerman"] },
  "ankipandas-few_basic_cards_v1.anki2": {
    notes: 7,
    cards: 12,
    revlog: 6,
    media: 0,
    decks: ["Testing", "EnglishGerman"],
  },
  "neoanki-25.9.4-current-stable.apkg": {
    notes: 4,
    cards: 7,
    revlog: 1,
    media: 1,
    decks: ["Migration Corpus", "Migration Corpus::Core"],
  },
  "neoanki-25.9.4-current-stable.colpkg": {
    notes: 4,
    cards: 7,
    revlog: 1,
    media: 1,
    decks: ["Migration Corpus", "Migration Corpus::Core"],
  },
  "neoanki-25.9.4-legacy-schema.apkg": {
    notes: 4,
    cards: 7,
    revlog: 1,
    media: 1,
    decks: ["Migration Corpus", "Migration Corpus::Core"],
  },
  "kedar-simple-spanish-w-audio.apkg": {
    notes: 5,
    cards: 7,
    revlog: 0,
    media: 7,
    decks: ["My Google Spanish Sentences"],
  },
  "kedar-BarRonPcAp.colpkg": { notes: 1558, cards: 1590, revlog: 4240, media: 24 },
  "kedar-bg-hashtable.colpkg": { notes: 14, cards: 28, revlog: 0, media: 0 },
  "kedar-collection-2019.apkg": { notes: 393, cards: 1143, revlog: 1601, media: 22, decks: ["Golang", "EBNF"] },
  "kedar-spoken-languages-english-vocab-2023.apkg": {
    notes: 22,
    cards: 44,
    revlog: 94,
    media: 0,
    decks: ["spoken-languages::english::Vocab::2023"],
  },
  "kedar-spoken-languages-pc-2-dec-21.apkg": {
    notes: 1248,
    cards: 2778,
    revlog: 0,
    media: 9,
    decks: ["spoken-languages::marathi::kavita"],
  },
};

const REFUSED: Record<string, RegExp> = {
  "anki-pylib-anki2-alpha.anki2": /schema version 1\b.*only versions 11 to 18/,
  "ankidroid-schema250.anki2": /schema version 250, newer than this extension knows/,
  "ankidroid-initial_version_2_12_1_corrupt_regular.anki2": /damaged \(the database is corrupt\)/,
};

// Large fixtures: generous time on a busy machine.
describe.skipIf(!HAVE_FIXTURES)("importing every Anki fixture into an empty profile", { timeout: 60_000 }, () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${expected.notes} notes, ${expected.cards} cards, ${expected.revlog} reviews, ${expected.media} media`, async () => {
      const { col } = await freshCollection();
      const media = new MemoryMedia();
      const result = await importPackage(col, fixture(name), name, { media });
      if (!result.ok) throw new Error(result.error);
      expect(await counts(col)).toEqual({ notes: expected.notes, cards: expected.cards, revlog: expected.revlog });
      expect(media.files.size).toBe(expected.media);
      const deckNames = (await col.db.getAll("decks")).map((d) => d.name);
      for (const deck of expected.decks ?? []) expect(deckNames).toContain(deck);
      if (expected.deckCount !== undefined) expect(deckNames).toHaveLength(expected.deckCount);
      expect(result.value.lines.length).toBeGreaterThan(0);
      // Everything imported waits to be synced.
      const pendingNotes = await col.db.countFromIndex("notes", "usn", -1);
      expect(pendingNotes).toBe(expected.notes);
      expect(await col.db.countFromIndex("cards", "usn", -1)).toBe(expected.cards);
      // Every card's note and deck exist.
      const noteIds = new Set(await col.db.getAllKeys("notes"));
      const deckIds = new Set(await col.db.getAllKeys("decks"));
      const noteTypeIds = new Set(await col.db.getAllKeys("notetypes"));
      for (const card of await col.db.getAll("cards")) {
        expect(noteIds.has(card.noteId)).toBe(true);
        expect(deckIds.has(card.deckId)).toBe(true);
      }
      for (const note of await col.db.getAll("notes")) expect(noteTypeIds.has(note.noteTypeId)).toBe(true);

      // The same file again changes nothing.
      const before = await snapshot(col);
      const again = await importPackage(col, fixture(name), name, { media });
      if (!again.ok) throw new Error(again.error);
      if (result.value.mode === "merge") expect(await snapshot(col)).toEqual(before);
      else expect(await counts(col)).toEqual({ notes: expected.notes, cards: expected.cards, revlog: expected.revlog });
      expect(media.files.size).toBe(expected.media);
      col.close();
    });
  }

  for (const [name, message] of Object.entries(REFUSED)) {
    it(`${name} is refused, and the collection is untouched`, async () => {
      const { col } = await freshCollection();
      const before = await snapshot(col);
      const result = await importPackage(col, fixture(name), name);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(message);
      expect(await snapshot(col)).toEqual(before);
      col.close();
    });
  }
});
