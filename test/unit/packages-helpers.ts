// Shared by the package tests: sql.js's wasm from node_modules, the Anki fixtures beside the repository, and an
// in-memory media store.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Collection, done } from "../../extension/lib/collection/collection";
import { readRevlog } from "../../extension/lib/collection/revlog";
import type { MediaFileInfo, MediaStore } from "../../extension/lib/packages/media";
import { sha1Hex } from "../../extension/lib/packages/media";
import { locateSqlWasm } from "../../extension/lib/packages/sqlite";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const FIXTURES = path.resolve(ROOT, "../shared/fixtures/anki");
export const HAVE_FIXTURES = existsSync(FIXTURES);
if (!HAVE_FIXTURES) console.warn(`Anki fixtures not found at ${FIXTURES}; the fixture tests are skipped.`);

locateSqlWasm((file) => path.join(ROOT, "node_modules/sql.js/dist", file));

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

export function fixtureNames(): string[] {
  return HAVE_FIXTURES ? readdirSync(FIXTURES).filter((f) => /\.(apkg|colpkg|anki2)$/.test(f)) : [];
}

/** Media kept in a map: what the collection's media store does, without IndexedDB. */
export class MemoryMedia implements MediaStore {
  files = new Map<string, { bytes: Uint8Array; info: MediaFileInfo }>();
  async has(name: string) {
    return this.files.get(name)?.info;
  }
  async put(name: string, bytes: Uint8Array) {
    this.files.set(name, { bytes, info: { sha1: await sha1Hex(bytes), size: bytes.length } });
    return done(name);
  }
  async get(name: string) {
    return this.files.get(name)?.bytes;
  }
  async names() {
    return [...this.files.keys()];
  }
  async remove(names: string[]) {
    for (const name of names) this.files.delete(name);
  }
}

export async function counts(col: Collection) {
  return {
    notes: await col.db.count("notes"),
    cards: await col.db.count("cards"),
    revlog: (await readRevlog(col.db)).length,
  };
}

/** Every record of the collection, to compare before and after. */
export async function snapshot(col: Collection) {
  const out: Record<string, unknown[]> = {};
  for (const store of [
    "notetypes",
    "decks",
    "deckconfigs",
    "notes",
    "cards",
    "revlogBlocks",
    "tags",
    "config",
  ] as const) {
    out[store] = await col.db.getAll(store);
  }
  out.meta = [(await col.meta()).mtime];
  return out;
}
