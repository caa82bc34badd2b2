// The media a card's HTML needs, read from the store in one go: what the study screen hands to the sandboxed card
// frame, which cannot reach the collection itself.
import { mediaReferences } from "../../../shared/media-refs";
import type { Collection } from "../collection/collection";
import { readMedia } from "./store";

export interface CardMediaFile {
  bytes: Uint8Array;
  type: string;
}

/** Every stored file the HTML refers to (<img src>, [sound:…], CSS url(…), …), by the name used in the HTML. */
export async function mediaForHtml(col: Collection, html: string): Promise<Map<string, CardMediaFile>> {
  const out = new Map<string, CardMediaFile>();
  for (const name of mediaReferences(html)) {
    const file = await readMedia(col, name);
    if (file) out.set(name, { bytes: file.bytes, type: file.type });
  }
  return out;
}
