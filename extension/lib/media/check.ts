// Check Media: which stored files no note (and no note type's templates or styling) uses, and which files notes
// refer to that the collection does not hold. Files whose names begin with "_" count as used, as in Anki: templates
// load them (fonts, scripts) in ways a search of the HTML does not always see.

import { mediaReferences } from "../../../shared/media-refs";
import type { Note } from "../../../shared/model";
import type { Collection } from "../collection/collection";
import { listMedia } from "./store";
import type { MediaInfo } from "./types";

export interface MediaCheck {
  /** Stored files nothing refers to. */
  unused: MediaInfo[];
  /** Names notes refer to that are not stored, with (up to 20 of) the notes that refer to each. */
  missing: { name: string; noteIds: number[] }[];
  /** Stored files something refers to. */
  used: number;
}

const BATCH = 2000;

/** Reads every note (a batch at a time) and note type, and compares their references with the stored files. */
export async function checkMedia(col: Collection): Promise<MediaCheck> {
  const referencedBy = new Map<string, number[]>();
  const templateRefs = new Set<string>();
  for (const noteType of await col.db.getAll("notetypes")) {
    const html = [noteType.css, ...noteType.templates.flatMap((t) => [t.qfmt, t.afmt])].join("\n");
    for (const name of mediaReferences(html)) templateRefs.add(name);
  }
  let after: number | null = null;
  for (;;) {
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const notes: Note[] = await col.db.getAll("notes", range, BATCH);
    for (const note of notes) {
      for (const name of mediaReferences(note.fields.join("\n"))) {
        const ids = referencedBy.get(name) ?? [];
        if (ids.length < 20) ids.push(note.id);
        referencedBy.set(name, ids);
      }
    }
    if (notes.length < BATCH) break;
    after = notes[notes.length - 1]?.id ?? null;
  }
  const files = await listMedia(col);
  const stored = new Set(files.map((f) => f.name));
  const unused = files.filter((f) => !f.name.startsWith("_") && !referencedBy.has(f.name) && !templateRefs.has(f.name));
  const missing = [...referencedBy.entries()]
    .filter(([name]) => !stored.has(name))
    .map(([name, noteIds]) => ({ name, noteIds }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { unused: unused.sort((a, b) => a.name.localeCompare(b.name)), missing, used: files.length - unused.length };
}
