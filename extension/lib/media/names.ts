// Names of media files in the collection: the rules (shared with the relay), cleaning a name that came from
// outside (a picked, pasted or dropped file), a unique name when another file already holds one, and the type
// of a file from its name.
import { BIDI_CONTROLS, MAX_MEDIA_NAME_BYTES, mediaNameProblem } from "../../../shared/media";

export { MAX_MEDIA_BYTES, MAX_MEDIA_NAME_BYTES, mediaNameProblem, mediaSizeProblem } from "../../../shared/media";

const encoder = new TextEncoder();

/** NFC, as every stored name is; the rules then apply to this form. */
export function normalizeMediaName(name: string): string {
  return name.normalize("NFC");
}

/** Splits "photo.large.jpg" into "photo.large" and ".jpg" (no extension: ""). */
export function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || name.length - dot > 12) return [name, ""];
  return [name.slice(0, dot), name.slice(dot)];
}

/** Cuts text to at most `bytes` bytes of UTF-8, never in the middle of a character. */
function cutToBytes(text: string, bytes: number): string {
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = encoder.encode(char).byteLength;
    if (used + size > bytes) break;
    out += char;
    used += size;
  }
  return out;
}

/** A name with the stem cut so that stem + suffix + extension fits the limit. */
export function fitName(stem: string, suffix: string, extension: string): string {
  const room = MAX_MEDIA_NAME_BYTES - encoder.encode(suffix + extension).byteLength;
  return `${cutToBytes(stem, Math.max(1, room)).trim() || "file"}${suffix}${extension}`;
}

/**
 * A valid name made from a name that came from outside: separators, control characters and the characters Windows
 * refuses in file names (so that an exported package unpacks anywhere) become "_", marks of text direction are
 * dropped (a name must read as it is), and a long name is shortened,
 * keeping its extension. "image.png" stays as it is.
 */
export function safeMediaName(raw: string, fallback = "file"): string {
  const cleaned = normalizeMediaName(raw)
    .replace(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g, "_")
    .replace(new RegExp(BIDI_CONTROLS.source, "g"), "")
    .trim();
  const name = cleaned === "" || cleaned === "." || cleaned === ".." ? fallback : cleaned;
  if (mediaNameProblem(name) === null) return name;
  const [stem, extension] = splitExtension(name);
  return fitName(stem, "", extension);
}

/** The n-th name to try for a file whose name is taken by different content: "photo-1a2b3c4d.jpg", then "-2". */
export function alternativeName(name: string, sha1: string, attempt: number): string {
  const [stem, extension] = splitExtension(name);
  const suffix = attempt <= 1 ? `-${sha1.slice(0, 8)}` : `-${sha1.slice(0, 8)}-${attempt}`;
  return fitName(stem, suffix, extension);
}

const TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".svg": "image/svg+xml",
  ".bmp": "image/bmp",
  ".ico": "image/x-icon",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".oga": "audio/ogg",
  ".opus": "audio/ogg",
  ".wav": "audio/wav",
  ".m4a": "audio/mp4",
  ".aac": "audio/aac",
  ".flac": "audio/flac",
  ".webm": "video/webm",
  ".mp4": "video/mp4",
  ".mov": "video/quicktime",
};

/** The MIME type of a media file from its extension; application/octet-stream when unknown. */
export function mediaMimeType(name: string): string {
  return TYPES[splitExtension(name)[1].toLowerCase()] ?? "application/octet-stream";
}

/** True for files a note shows with <img>. */
export function isImageName(name: string): boolean {
  return mediaMimeType(name).startsWith("image/");
}
