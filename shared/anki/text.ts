// A field's text as Anki's collection stores it for sorting and duplicate checks (`sfld`, `csum`): picture, sound and
// video tags give way to their file names (with a space on each side), comments, style and script blocks and every
// other tag go, and entities are decoded (a no-break space becomes a space). Nothing else changes: white space stays
// as it is, so that a checksum here is the one Anki computes.
import { decodeHTML } from "entities";

/** A media tag and the file it names, in double quotes, single quotes or none (`src` or `data`). */
const MEDIA_TAG =
  /<\b(?:img|audio|video|object)\b(?:[^>"']|"[^"]*?"|'[^']*?')*?\b(?:src|data)\b=(?:"([^"]+?)"[^>]*>|'([^']+?)'[^>]*>|([^ >]+?)(?: [^>]*>|>))/gis;
const HTML = /<!--.*?-->|<style.*?>.*?<\/style>|<script.*?>.*?<\/script>|<.*?>/gis;

export function stripHtmlKeepingMedia(html: string): string {
  const named = html.replace(MEDIA_TAG, (_tag, double, single, bare) => ` ${double ?? single ?? bare} `);
  const text = named.replace(HTML, "");
  return text.includes("&") ? decodeHTML(text).replace(/\u00a0/g, " ") : text;
}

/** Anki's checksum of a note's first field: the first four bytes of the SHA-1 of its text, as a number. */
export async function fieldChecksum(field: string): Promise<number> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(stripHtmlKeepingMedia(field)));
  return new DataView(digest).getUint32(0);
}
