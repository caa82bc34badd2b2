// Media files (images, sounds) as both sides see them: the name rules, the size limit, and the rule that picks one
// winner when a file changed on two sides. The relay and the extension apply the same rules.

/** Largest file the collection stores or the relay accepts. */
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

/** Longest name, in bytes of UTF-8. */
export const MAX_MEDIA_NAME_BYTES = 120;

/** A SHA-1 in lower-case hex, as the collection and the relay key files by. */
export const SHA1_PATTERN = /^[0-9a-f]{40}$/;

// C0 and C1 control characters, and the separators of paths on every system.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SEPARATOR = /[/\\]/;
// Marks and overrides of text direction (U+202E shows "gpj.exe" as "exe.jpg"): a name must read as it is.
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Bytes of the text in UTF-8 (a lone surrogate counts as the 3 bytes of its replacement). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Why a name cannot be a media file's name, in words; null when it can. The name must already be NFC. */
export function mediaNameProblem(name: string): string | null {
  if (name.length === 0) return "a media file needs a name";
  if (name !== name.normalize("NFC")) return `the name "${name}" is not in Unicode normal form C`;
  if (SEPARATOR.test(name)) return `the name "${name}" contains / or \\, which are not allowed in file names`;
  if (CONTROL.test(name)) return `the name "${printable(name)}" contains control characters`;
  if (BIDI_CONTROLS.test(name)) {
    return `the name "${printable(name)}" contains characters that change the direction of text (such as U+202E), which could disguise what the file is`;
  }
  if (name === "." || name === "..") return `"${name}" is not a file name`;
  if (name.trim() !== name) return `the name "${name}" begins or ends with spaces`;
  const bytes = utf8Length(name);
  if (bytes > MAX_MEDIA_NAME_BYTES) {
    return `the name "${name.slice(0, 40)}…" is ${bytes} bytes long; at most ${MAX_MEDIA_NAME_BYTES} bytes (UTF-8) are allowed`;
  }
  return null;
}

/** Why a file of this size cannot be stored, in words; null when it can. */
export function mediaSizeProblem(name: string, size: number): string | null {
  if (size > MAX_MEDIA_BYTES) {
    return `"${name}" is ${(size / 1024 / 1024).toFixed(1)} MiB; files of at most ${MAX_MEDIA_BYTES / 1024 / 1024} MiB can be stored`;
  }
  return null;
}

function printable(name: string): string {
  return name.replace(new RegExp(CONTROL.source, "g"), "�").replace(new RegExp(BIDI_CONTROLS.source, "g"), "�");
}

/**
 * A version of a named file: its content hash, or null for a deletion, and when it was made. Every side picks the
 * same winner between two versions: the later mtime; at equal mtime a file beats a deletion, and between two
 * files the greater hash.
 */
export interface MediaVersion {
  sha1: string | null;
  mtime: number;
}

/** True when `incoming` wins over `current` under the rule above (false when they are the same version). */
export function mediaVersionWins(incoming: MediaVersion, current: MediaVersion): boolean {
  if (incoming.mtime !== current.mtime) return incoming.mtime > current.mtime;
  return (incoming.sha1 ?? "") > (current.sha1 ?? "");
}

/** True when two versions hold the same content (the same file, or both deleted). */
export function sameMediaContent(a: MediaVersion, b: MediaVersion): boolean {
  return (a.sha1 ?? null) === (b.sha1 ?? null);
}
