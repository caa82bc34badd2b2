// Zip and zstd with limits: a package is untrusted, so entry names are checked (no paths), and the number of
// entries and the bytes they expand to are bounded before anything is expanded (zip bombs).
import { unzipSync, type Zippable, zipSync } from "fflate";
import { Decompress } from "fzstd";
import { fail, PackageError } from "./errors";

export interface ArchiveLimits {
  /** Most entries a package may hold. */
  entries: number;
  /** Most bytes all entries together may expand to. */
  totalBytes: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = { entries: 200_000, totalBytes: 2 * 1024 ** 3 };

const ZIP_MAGIC = [0x50, 0x4b];

export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes[0] === ZIP_MAGIC[0] && bytes[1] === ZIP_MAGIC[1];
}

export function looksLikeSqlite(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 15)) === "SQLite format 3";
}

/** A name that is a plain file name: no folders, no "..", no drive letters. */
function safeName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\:\u0000]/.test(name) && name !== "." && name !== "..";
}

/** The entries of a zip file, expanded, after checking every name and the declared sizes. */
export function readZip(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_LIMITS): Map<string, Uint8Array> {
  if (!looksLikeZip(bytes)) fail("This file is not an Anki package: it is not a zip archive.");
  let count = 0;
  let total = 0;
  const check = (file: { name: string; originalSize: number }) => {
    count++;
    if (!safeName(file.name)) {
      fail(
        `The package holds an entry named "${file.name.slice(0, 80)}", which is a path, not a file name; it was not imported.`,
      );
    }
    if (count > limits.entries) fail(`The package holds more than ${limits.entries.toLocaleString("en")} files.`);
    total += file.originalSize;
    if (total > limits.totalBytes) {
      fail(
        `The package expands to more than ${formatBytes(limits.totalBytes)}, more than it can hold; it may be a zip bomb.`,
      );
    }
    return false;
  };
  let files: Record<string, Uint8Array>;
  try {
    // First pass: names and declared sizes only; nothing is expanded.
    unzipSync(bytes, { filter: check });
    // Each entry expands into a buffer of its declared size, so the declared total bounds the memory used.
    files = unzipSync(bytes);
  } catch (thrown) {
    if (thrown instanceof PackageError) throw thrown;
    return fail("This file is not an Anki package: the zip archive is damaged.");
  }
  return new Map(Object.entries(files));
}

/** Expands zstd data, refusing once it grows past `limit` bytes. */
export function unzstd(data: Uint8Array, limit: number, what: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stream = new Decompress((chunk) => {
    size += chunk.length;
    if (size > limit)
      fail(`The ${what} in the package expands to more than ${formatBytes(limit)}; it may be a zip bomb.`);
    chunks.push(chunk);
  });
  try {
    stream.push(data, true);
  } catch (thrown) {
    if (thrown instanceof PackageError) throw thrown;
    return fail(`The ${what} in the package is damaged (its zstd compression does not decode).`);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export function writeZip(entries: Zippable): Uint8Array {
  return zipSync(entries, { level: 6 });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
