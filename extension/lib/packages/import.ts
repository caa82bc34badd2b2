// Importing a package file into a profile's collection: open and check it, then merge (.apkg) or replace
// (.colpkg), and say in words what happened. A bad file is refused with a sentence and changes nothing.
import type { Collection, Outcome } from "../collection/collection";
import { done } from "../collection/collection";
import { type ArchiveLimits, DEFAULT_LIMITS } from "./archive";
import { guarded } from "./errors";
import { importMedia, type MediaCounts } from "./import-media";
import type { MediaStore } from "./media";
import { type FilteredReason, type MergeCounts, mergeCollection } from "./merge";
import { openPackage } from "./package";
import { type ReplaceCounts, replaceWithPackage } from "./replace";

export interface ImportOptions {
  /** Where media files go; without one, media is counted but not stored. */
  media?: MediaStore;
  /** Keep the cards' scheduling and the review log (default); without, cards come in as new. */
  withScheduling?: boolean;
  /** Called as the import moves on: a fraction from 0 to 1 and what is being done. */
  onProgress?: (fraction: number, label: string) => void;
  limits?: ArchiveLimits;
}

export type ImportSummary =
  | ({ mode: "merge"; lines: string[] } & MergeCounts & MediaCounts)
  | ({ mode: "replace"; lines: string[] } & ReplaceCounts & MediaCounts);

/** What the file would do, before anything is written: merge into the collection, or replace it. */
export function importMode(fileName: string, bytes: Uint8Array): "merge" | "replace" {
  const lower = fileName.toLowerCase();
  const sqlite = new TextDecoder().decode(bytes.subarray(0, 15)) === "SQLite format 3";
  return sqlite || lower.endsWith(".colpkg") || lower === "collection.apkg" ? "replace" : "merge";
}

export function importPackage(
  col: Collection,
  bytes: Uint8Array,
  fileName: string,
  options: ImportOptions = {},
): Promise<Outcome<ImportSummary>> {
  const progress = options.onProgress ?? (() => {});
  return guarded<ImportSummary>(async () => {
    progress(0.02, "Reading the file");
    const opened = await openPackage(bytes, fileName, options.limits ?? DEFAULT_LIMITS);
    progress(0.15, "Storing media");
    const media = await importMedia(opened.media, options.media, (n, total) =>
      progress(0.15 + (0.1 * n) / Math.max(1, total), `Storing media (${n} of ${total})`),
    );
    try {
      if (opened.mode === "replace") {
        const counts = await replaceWithPackage(col, opened.collection, media, progress);
        progress(1, "Done");
        const summary = { mode: "replace" as const, ...counts, ...media.counts, lines: [] as string[] };
        summary.lines = [...describeReplace(summary), ...opened.collection.repairs];
        return done<ImportSummary>(summary);
      }
      const counts = await mergeCollection(col, opened.collection, {
        withScheduling: options.withScheduling ?? true,
        media,
        progress,
      });
      progress(1, "Done");
      const summary = { mode: "merge" as const, ...counts, ...media.counts, lines: [] as string[] };
      summary.lines = [...describeMerge(summary), ...opened.collection.repairs];
      return done<ImportSummary>(summary);
    } catch (failure) {
      // The collection step failed and wrote nothing: the media stored for it goes too.
      await media.undo();
      throw failure;
    }
  });
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

function describeMedia(c: MediaCounts): string[] {
  const lines: string[] = [];
  if (c.mediaAdded) lines.push(`${plural(c.mediaAdded, "media file")} added.`);
  if (c.mediaRenamed) {
    lines.push(
      `${plural(c.mediaRenamed, "media file")} added under a new name, as a different file of the same name was ` +
        "already there; the imported notes point to the new name.",
    );
  }
  if (c.mediaUnchanged) lines.push(`${plural(c.mediaUnchanged, "media file")} already there.`);
  if (c.mediaRefused) {
    lines.push(
      `${plural(c.mediaRefused, "media file")} not imported, as the media storage refused them (${c.mediaRefusal}).`,
    );
  }
  if (c.mediaNotStored)
    lines.push(
      `${plural(c.mediaNotStored, "media file")} in the file not imported: this collection has no media storage yet.`,
    );
  return lines;
}

export function describeMerge(c: MergeCounts & MediaCounts): string[] {
  const lines: string[] = [];
  if (c.notesAdded) lines.push(`${plural(c.notesAdded, "note")} added.`);
  if (c.notesUpdated) lines.push(`${plural(c.notesUpdated, "note")} updated, as the file had a newer version.`);
  if (c.notesUnchanged) {
    lines.push(`${plural(c.notesUnchanged, "note")} skipped, as up-to-date copies are already in the collection.`);
  }
  if (c.notesSkippedNoteType) {
    lines.push(
      `${plural(c.notesSkippedNoteType, "note")} skipped, as ${c.notesSkippedNoteType === 1 ? "it is" : "they are"} ` +
        "already in the collection with a different note type (the note type was changed since the first import).",
    );
  }
  if (c.cardsAdded) lines.push(`${plural(c.cardsAdded, "card")} added.`);
  if (c.revlogAdded) lines.push(`${plural(c.revlogAdded, "review")} added to the review history.`);
  if (c.decksAdded) lines.push(`${plural(c.decksAdded, "deck")} added.`);
  if (c.filteredDecksAdded) {
    lines.push(
      c.filteredDecksAdded === 1
        ? "One of them is a filtered deck, holding the cards it borrows from their home decks, as in the file."
        : `${c.filteredDecksAdded.toLocaleString("en")} of them are filtered decks, holding the cards they borrow ` +
            "from their home decks, as in the file.",
    );
  }
  if (c.noteTypesAdded) lines.push(`${plural(c.noteTypesAdded, "note type")} added.`);
  if (c.noteTypesUpdated)
    lines.push(`${plural(c.noteTypesUpdated, "note type")} updated, as the file had a newer version.`);
  if (c.presetsAdded) lines.push(`${plural(c.presetsAdded, "options preset")} added.`);
  if (c.filteredDecksUpdated) {
    lines.push(`${plural(c.filteredDecksUpdated, "filtered deck")} given the file's newer searches.`);
  }
  if (c.filteredDecksConverted) {
    const one = c.filteredDecksConverted === 1;
    lines.push(
      `${plural(c.filteredDecksConverted, "filtered deck")} in the file ${one ? "was" : "were"} imported as ` +
        `${one ? "a normal deck" : "normal decks"} keeping ${one ? "its" : "their"} cards as normal cards: ` +
        `${FILTERED_REASONS[c.filteredDecksReason ?? "no-scheduling"]}.`,
    );
  }
  for (const { from, to, why } of c.decksRenamed) {
    lines.push(
      why === "kind"
        ? `The file's deck "${from}" was added as "${to}", as the collection's "${from}" is ` +
            "a deck of the other kind (filtered or normal)."
        : `"${to}" was added to hold the file's decks that go under "${from}", which is a filtered deck and ` +
            "cannot have sub-decks.",
    );
  }
  lines.push(...describeMedia(c));
  if (
    c.notesAdded + c.notesUpdated + c.cardsAdded + c.revlogAdded === 0 &&
    !c.notesUnchanged &&
    !c.notesSkippedNoteType
  ) {
    lines.unshift("The file holds no notes.");
  } else if (
    c.notesAdded + c.notesUpdated + c.cardsAdded + c.revlogAdded + c.noteTypesUpdated + c.filteredDecksUpdated ===
    0
  ) {
    lines.unshift("Nothing changed: everything in the file is already in the collection.");
  }
  return lines;
}

/** Why a file's filtered decks were not kept, in words. */
const FILTERED_REASONS: Record<FilteredReason, string> = {
  "without-scheduling": "the file was imported without learning progress",
  "no-scheduling": "the file has no scheduling (no review history and no deck options)",
  "missing-home-decks": "the file does not hold the home decks of all the cards they borrow",
};

function describeReplace(c: ReplaceCounts & MediaCounts): string[] {
  const filtered = c.filteredDecks ? ` (${c.filteredDecks} of them filtered)` : "";
  return [
    `The collection was replaced by the file's: ${plural(c.notes, "note")}, ${plural(c.cards, "card")}, ` +
      `${plural(c.revlog, "review")} in the history, ${plural(c.decks, "deck")}${filtered}, ` +
      `${plural(c.noteTypes, "note type")}.`,
    "The collection as it was before is kept as a backup (Sync section, Backups).",
    "The next sync will ask whether to upload this collection or download the relay's.",
    ...describeMedia(c),
  ];
}
