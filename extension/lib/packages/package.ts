// Opens a package file: an .apkg or .colpkg (a zip holding a collection database, a media map and numbered media
// files, in each of the variants Anki has written) or a bare collection file (.anki2). The newest variant wins:
// collection.anki21b (zstd, schema 18) over collection.anki21 over collection.anki2 (the others are stubs).

import { readMediaEntries, readPackageVersion } from "../../../shared/anki/protobuf";
import { type AnkiCollection, readAnkiCollection } from "../../../shared/anki/read";
import { BIDI_CONTROLS } from "../../../shared/media";
import {
  type ArchiveLimits,
  DEFAULT_LIMITS,
  looksLikeSqlite,
  looksLikeZip,
  readZip,
  unzstd,
  type ZipArchive,
} from "./archive";
import { fail } from "./errors";
import { safeMediaName } from "./media";
import { openAnkiDatabase } from "./sqlite";

/** The newest package version this reader knows: 3, zstd-compressed collection and media. */
export const NEWEST_PACKAGE_VERSION = 3;

export interface PackageMedia {
  name: string;
  /** The file's bytes, expanded on demand. */
  read(): Uint8Array;
}

export interface OpenedPackage {
  /** "merge" for an .apkg; "replace" for a .colpkg, a bare collection and a file named collection.apkg, as Anki. */
  mode: "merge" | "replace";
  /** Which database variant was read. */
  variant: "collection.anki21b" | "collection.anki21" | "collection.anki2" | "bare collection";
  collection: AnkiCollection;
  media: PackageMedia[];
}

export async function openPackage(
  bytes: Uint8Array,
  fileName: string,
  limits: ArchiveLimits = DEFAULT_LIMITS,
): Promise<OpenedPackage> {
  const lower = fileName.toLowerCase();
  if (looksLikeSqlite(bytes)) {
    const db = await openAnkiDatabase(bytes);
    try {
      return { mode: "replace", variant: "bare collection", collection: readAnkiCollection(db), media: [] };
    } finally {
      db.close();
    }
  }
  if (!looksLikeZip(bytes)) {
    fail(`"${fileName}" is not an Anki package: it is neither a zip archive (.apkg, .colpkg) nor a collection file.`);
  }
  const zip = readZip(bytes, limits);
  const entries = zip.expand(["meta", "media", "collection.anki21b", "collection.anki21", "collection.anki2"]);
  const metaBytes = entries.get("meta");
  const version = metaBytes ? readPackageVersion(metaBytes) : 0;
  if (version > NEWEST_PACKAGE_VERSION) {
    fail(
      `This package was written by a newer Anki (package version ${version}); this extension reads versions up to ` +
        `${NEWEST_PACKAGE_VERSION}. Export it again with "Support older Anki versions" ticked.`,
    );
  }
  const declared = [...zip.sizes.values()].reduce((sum, size) => sum + size, 0);
  // What zstd may still expand to, shared by the collection, the media list and every media file.
  const budget = { left: Math.max(0, limits.totalBytes - declared) };
  let variant: OpenedPackage["variant"];
  let dbBytes: Uint8Array;
  const newest = entries.get("collection.anki21b");
  const middle = entries.get("collection.anki21");
  const oldest = entries.get("collection.anki2");
  if (newest) {
    variant = "collection.anki21b";
    dbBytes = expandWithin(budget, newest, "collection");
  } else if (middle) {
    variant = "collection.anki21";
    dbBytes = middle;
  } else if (oldest) {
    variant = "collection.anki2";
    dbBytes = oldest;
  } else {
    return fail("This zip file holds no Anki collection (no collection.anki2, .anki21 or .anki21b inside).");
  }
  const db = await openAnkiDatabase(dbBytes);
  let collection: AnkiCollection;
  try {
    collection = readAnkiCollection(db);
  } finally {
    db.close();
  }
  const media = readMediaMap(zip, entries.get("media"), version >= 3, budget);
  const mode = lower.endsWith(".colpkg") || lower === "collection.apkg" ? "replace" : "merge";
  return { mode, variant, collection, media };
}

/** Media files are expanded a batch at a time as the import asks for them, so a large package never is at once. */
const MEDIA_BATCH = 64;

type Budget = { left: number };

function expandWithin(budget: Budget, data: Uint8Array, what: string): Uint8Array {
  const out = unzstd(data, budget.left, what);
  budget.left -= out.length;
  return out;
}

function readMediaMap(zip: ZipArchive, raw: Uint8Array | undefined, modern: boolean, budget: Budget): PackageMedia[] {
  if (!raw || raw.length === 0) return [];
  let list: { name: string; zipName: string }[];
  if (modern) {
    list = readMediaEntries(expandWithin(budget, raw, "media list"));
  } else {
    let map: unknown;
    try {
      map = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return fail("The package's media list is not readable JSON, so nothing was imported.");
    }
    if (!map || typeof map !== "object" || Array.isArray(map)) {
      return fail("The package's media list is not a map of files, so nothing was imported.");
    }
    list = Object.entries(map as Record<string, unknown>).map(([zipName, name]) => ({ zipName, name: String(name) }));
  }
  const seen = new Set<string>();
  const present: { name: string; zipName: string }[] = [];
  for (const { name, zipName } of list) {
    if (!safeMediaName(name)) {
      fail(
        `The package names a media file "${name.slice(0, 80)}", which is a path, not a file name; it was not imported.`,
      );
    }
    if (BIDI_CONTROLS.test(name)) {
      fail(
        `The package names a media file "${name.slice(0, 80).replace(new RegExp(BIDI_CONTROLS.source, "g"), "�")}" ` +
          "with characters that change the direction of text (such as U+202E), which could disguise what the file " +
          "is; nothing was imported.",
      );
    }
    // Anki tolerates media listed but missing from the zip; so does this.
    if (!zip.sizes.has(zipName) || seen.has(name)) continue;
    seen.add(name);
    present.push({ name, zipName });
  }
  let batch = new Map<string, Uint8Array>();
  return present.map(({ name, zipName }, index) => ({
    name,
    read: () => {
      if (!batch.has(zipName)) {
        batch = zip.expand(present.slice(index, index + MEDIA_BATCH).map((m) => m.zipName));
      }
      const data = batch.get(zipName) ?? new Uint8Array();
      batch.delete(zipName);
      return modern ? expandWithin(budget, data, `media file "${name}"`) : data;
    },
  }));
}
