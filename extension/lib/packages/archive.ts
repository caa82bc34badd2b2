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

/** A zip file whose names and declared sizes were checked; entries are expanded only when asked for. */
export interface ZipArchive {
  /** Every entry's name with its declared size once expanded. */
  sizes: Map<string, number>;
  /** Expands the named entries (all at once: one pass over the zip's directory). */
  expand(names: Iterable<string>): Map<string, Uint8Array>;
}

/** Opens a zip file after checking every entry's name and the count and declared sizes of all entries. */
export function readZip(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_LIMITS): ZipArchive {
  if (!looksLikeZip(bytes)) fail("This file is not an Anki package: it is not a zip archive.");
  const sizes = new Map<string, number>();
  let total = 0;
  const check = (file: { name: string; originalSize: number }) => {
    if (!safeName(file.name)) {
      fail(
        `The package holds an entry named "${file.name.slice(0, 80)}", which is a path, not a file name; it was not imported.`,
      );
    }
    sizes.set(file.name, file.originalSize);
    if (sizes.size > limits.entries) fail(`The package holds more than ${limits.entries.toLocaleString("en")} files.`);
    total += file.originalSize;
    if (total > limits.totalBytes) {
      fail(
        `The package expands to more than ${formatBytes(limits.totalBytes)}, more than it can hold; it may be a zip bomb.`,
      );
    }
    return false;
  };
  const damaged = (thrown: unknown): never => {
    if (thrown instanceof PackageError) throw thrown;
    return fail("This file is not an Anki package: the zip archive is damaged.");
  };
  try {
    // Names and declared sizes only; nothing is expanded.
    unzipSync(bytes, { filter: check });
  } catch (thrown) {
    damaged(thrown);
  }
  return {
    sizes,
    expand(names) {
      const wanted = new Set(names);
      try {
        // Each entry expands into a buffer of its declared size, so the declared sizes bound the memory used.
        return new Map(Object.entries(unzipSync(bytes, { filter: (file) => wanted.has(file.name) })));
      } catch (thrown) {
        return damaged(thrown);
      }
    },
  };
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
