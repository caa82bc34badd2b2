// Where imported media goes and exported media comes from: the collection's media store (collection-media.ts),
// or a map in tests. Names are plain file names, as Anki keeps them in one folder.
import { replaceMediaReference } from "../../../shared/media-refs";
import type { Outcome } from "../collection/collection";

export interface MediaFileInfo {
  /** SHA-1 of the bytes, in lowercase hex. */
  sha1: string;
  size: number;
}

export interface MediaStore {
  /** The stored file of that name, or undefined. */
  has(name: string): Promise<MediaFileInfo | undefined>;
  /** Stores a file; gives the name used (another one when the name holds different bytes) or why it was refused. */
  put(name: string, bytes: Uint8Array): Promise<Outcome<string>>;
  get(name: string): Promise<Uint8Array | undefined>;
  /** Every stored name. */
  names(): Promise<string[]>;
  /** Takes back files this import stored, when the import fails after storing them. */
  remove(names: string[]): Promise<void>;
}

export async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A name that is a plain file name (no folders, nothing hidden by control characters). */
export function safeMediaName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\\u0000-\u001f]/.test(name) && name !== "." && name !== "..";
}

/** "photo.jpg" and a hash → "photo-1a2b3c4d.jpg": Anki's way of keeping two different files of one name. */
export function renamedMediaName(name: string, sha1: string): string {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : "";
  return `${stem}-${sha1.slice(0, 8)}${ext}`;
}

/** Every media reference in a field to `from` now names `to` (one finder of references: shared/media-refs.ts). */
export function replaceMediaReferences(field: string, from: string, to: string): string {
  return replaceMediaReference(field, from, to);
}
