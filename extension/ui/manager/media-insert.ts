// Files picked, pasted or dropped into a field: stored in the collection's media, and the reference to insert.
import { escapeHtml } from "../../../shared/html";
import type { Collection } from "../../lib/collection/collection";
import { mediaMimeType, safeMediaName, splitExtension } from "../../lib/media/names";
import { addMedia } from "../../lib/media/store";

const EXTENSION_OF: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/svg+xml": ".svg",
  "audio/mpeg": ".mp3",
  "audio/ogg": ".ogg",
  "audio/wav": ".wav",
  "audio/webm": ".webm",
};

/** What a note's field holds to show a file: <img> for a picture, [sound:…] for a sound or a video. */
export function mediaReference(name: string): string | null {
  const type = mediaMimeType(name);
  if (type.startsWith("image/")) return `<img src="${escapeHtml(name)}">`;
  if (type.startsWith("audio/") || type.startsWith("video/")) return `[sound:${name}]`;
  return null;
}

/** A name for a file from outside: its own name cleaned, with an extension from its type when it has none. */
function nameFor(file: File): string {
  const fallback = `pasted${EXTENSION_OF[file.type] ?? ""}`;
  const name = safeMediaName(file.name || fallback, fallback);
  if (splitExtension(name)[1] === "" && EXTENSION_OF[file.type]) return `${name}${EXTENSION_OF[file.type]}`;
  return name;
}

/** Stores each picture or sound and returns the references to insert, and a sentence for each file refused. */
export async function storeFiles(col: Collection, files: File[]): Promise<{ references: string[]; errors: string[] }> {
  const references: string[] = [];
  const errors: string[] = [];
  for (const file of files) {
    const name = nameFor(file);
    if (!mediaReference(name)) {
      errors.push(`"${file.name || name}" is not a picture or a sound; only those can go in a field.`);
      continue;
    }
    const added = await addMedia(col, name, new Uint8Array(await file.arrayBuffer()));
    if (!added.ok) {
      errors.push(added.error);
      continue;
    }
    references.push(mediaReference(added.value.name) ?? "");
  }
  return { references, errors };
}
