// Media from a package, matched by name and content as Anki does: a file already there with the same bytes is
// kept, a different file under a name already taken is stored as "name-<hash>.ext", and the imported notes'
// references are rewritten to the new name. Files are hashed and stored one at a time, before the collection is
// written, so that a large package never holds all its media expanded at once.

import { type MediaStore, renamedMediaName, replaceMediaReferences, sha1Hex } from "./media";
import type { PackageMedia } from "./package";

export interface MediaCounts {
  mediaAdded: number;
  mediaRenamed: number;
  mediaUnchanged: number;
  /** Files the package holds that were not imported because no media store was given. */
  mediaNotStored: number;
  /** Files the media store refused (a name or size it does not allow), with the first reason. */
  mediaRefused: number;
  mediaRefusal?: string;
}

export interface PlannedMedia {
  counts: MediaCounts;
  /** A field with references to renamed files rewritten. */
  rewrite(field: string): string;
  /** Removes the files this import stored: the collection step failed, and nothing of the import may stay. */
  undo(): Promise<void>;
}

export async function importMedia(
  files: PackageMedia[],
  store: MediaStore | undefined,
  progress: (done: number, total: number) => void,
): Promise<PlannedMedia> {
  const counts: MediaCounts = {
    mediaAdded: 0,
    mediaRenamed: 0,
    mediaUnchanged: 0,
    mediaNotStored: 0,
    mediaRefused: 0,
  };
  const renames = new Map<string, string>();
  const added: string[] = [];
  if (!store) {
    counts.mediaNotStored = files.length;
    return { counts, rewrite: (field) => field, undo: async () => {} };
  }
  const store_ = store;
  const put = async (name: string, bytes: Uint8Array, original: string) => {
    const stored = await store_.put(name, bytes);
    if (!stored.ok) {
      counts.mediaRefused++;
      counts.mediaRefusal ??= `${original}: ${stored.error}`;
      return false;
    }
    if (stored.value !== original) renames.set(original, stored.value);
    added.push(stored.value);
    return true;
  };
  try {
    for (const [index, file] of files.entries()) {
      const bytes = file.read();
      const sha1 = await sha1Hex(bytes);
      const existing = await store.has(file.name);
      if (!existing) {
        if (await put(file.name, bytes, file.name)) counts.mediaAdded++;
      } else if (existing.sha1 === sha1) {
        counts.mediaUnchanged++;
      } else {
        const renamed = renamedMediaName(file.name, sha1);
        const there = await store.has(renamed);
        if (there?.sha1 === sha1) {
          renames.set(file.name, renamed);
          counts.mediaUnchanged++;
        } else if (await put(renamed, bytes, file.name)) {
          counts.mediaRenamed++;
        }
      }
      progress(index + 1, files.length);
    }
  } catch (failure) {
    // A file that cannot be read (a damaged or oversized entry) stops the import: what was stored goes again.
    await store.remove(added);
    throw failure;
  }
  const rewrite = (field: string) => {
    let out = field;
    for (const [from, to] of renames) out = replaceMediaReferences(out, from, to);
    return out;
  };
  return { counts, rewrite, undo: () => store_.remove(added) };
}
