// Opens a package file: an .apkg or .colpkg (a zip holding a collection database, a media map and numbered media
// files, in each of the variants Anki has written) or a bare collection file (.anki2). The newest variant wins:
// collection.anki21b (zstd, schema 18) over collection.anki21 over collection.anki2 (the others are stubs).
import { type AnkiCollection, readAnkiCollection } from "./anki-db";
import { type ArchiveLimits, DEFAULT_LIMITS, looksLikeSqlite, looksLikeZip, readZip, unzstd } from "./archive";
import { fail } from "./errors";
import { safeMediaName } from "./media";
import { readMediaEntries, readPackageVersion } from "./protobuf";
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
  const entries = readZip(bytes, limits);
  const metaBytes = entries.get("meta");
  const version = metaBytes ? readPackageVersion(metaBytes) : 0;
  if (version > NEWEST_PACKAGE_VERSION) {
    fail(
      `This package was written by a newer Anki (package version ${version}); this extension reads versions up to ` +
        `${NEWEST_PACKAGE_VERSION}. Export it again with "Support older Anki versions" ticked.`,
    );
  }
  const expanded = [...entries.values()].reduce((sum, e) => sum + e.length, 0);
  const room = Math.max(0, limits.totalBytes - expanded);
  let variant: OpenedPackage["variant"];
  let dbBytes: Uint8Array;
  const newest = entries.get("collection.anki21b");
  const middle = entries.get("collection.anki21");
  const oldest = entries.get("collection.anki2");
  if (newest) {
    variant = "collection.anki21b";
    dbBytes = unzstd(newest, room, "collection");
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
  const media = readMediaMap(entries, version >= 3, room);
  const mode = lower.endsWith(".colpkg") || lower === "collection.apkg" ? "replace" : "merge";
  return { mode, variant, collection, media };
}

function readMediaMap(entries: Map<string, Uint8Array>, modern: boolean, room: number): PackageMedia[] {
  const raw = entries.get("media");
  if (!raw || raw.length === 0) return [];
  let list: { name: string; zipName: string }[];
  if (modern) {
    list = readMediaEntries(unzstd(raw, room, "media list"));
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
  const out: PackageMedia[] = [];
  for (const { name, zipName } of list) {
    if (!safeMediaName(name)) {
      fail(
        `The package names a media file "${name.slice(0, 80)}", which is a path, not a file name; it was not imported.`,
      );
    }
    const data = entries.get(zipName);
    // Anki tolerates media listed but missing from the zip; so does this.
    if (!data || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, read: () => (modern ? unzstd(data, room, `media file "${name}"`) : data) });
  }
  return out;
}
