// Merging as Anki's importer does: newer notes update, notes whose note type changed are skipped with a reason,
// note types update when the file's is newer and keep their shape, a different file under a taken media name is
// renamed; and bad files are refused in words with the collection untouched.
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { writeAnkiCollection } from "../../extension/lib/packages/anki-write";
import { ankiToday, localToday } from "../../extension/lib/packages/due";
import { importMode, importPackage } from "../../extension/lib/packages/import";
import { openPackage } from "../../extension/lib/packages/package";
import { sqlite } from "../../extension/lib/packages/sqlite";
import { listBackups, restoreBackup } from "../../extension/lib/sync/backup";
import { stockNoteTypes } from "../../shared/stock-notetypes";
import { freshCollection, noteTypeByName } from "./factories";
import { counts, fixture, HAVE_FIXTURES, MemoryMedia, snapshot } from "./packages-helpers";

async function run(col: Parameters<typeof importPackage>[0], name: string, media?: MemoryMedia) {
  const result = await importPackage(col, fixture(name), name, { media });
  if (!result.ok) throw new Error(result.error);
  if (result.value.mode !== "merge") throw new Error("expected a merge");
  return result.value;
}

describe.skipIf(!HAVE_FIXTURES)("merging packages into a collection", { timeout: 60_000 }, () => {
  it("update1 then update2: the newer copy of the note replaces the older one", async () => {
    const { col } = await freshCollection();
    const first = await run(col, "anki-pylib-update1.apkg");
    expect(first.notesAdded).toBe(1);
    const [before] = await col.db.getAll("notes");
    expect(before?.fields).toEqual(["hello", "world"]);
    const second = await run(col, "anki-pylib-update2.apkg");
    expect(second.notesUpdated).toBe(1);
    expect(second.lines).toContain("1 note updated, as the file had a newer version.");
    const notes = await col.db.getAll("notes");
    expect(notes).toHaveLength(1);
    expect(notes[0]?.fields).toEqual(["goodbye", "world"]);
    expect(notes[0]?.usn).toBe(-1);
    expect(await col.db.count("cards")).toBe(1);
    // The older file now changes nothing.
    const third = await run(col, "anki-pylib-update1.apkg");
    expect(third.notesUnchanged).toBe(1);
    expect(third.lines[0]).toBe("Nothing changed: everything in the file is already in the collection.");
    expect((await col.db.getAll("notes"))[0]?.fields).toEqual(["goodbye", "world"]);
  });

  it("update2 then update3: the same note under another note type is skipped, and the summary says why", async () => {
    const { col } = await freshCollection();
    await run(col, "anki-pylib-update2.apkg");
    const result = await run(col, "ankidroid-update3.apkg");
    expect(result.notesSkippedNoteType).toBe(1);
    expect(result.notesAdded).toBe(0);
    expect(result.lines.join(" ")).toMatch(
      /1 note skipped, as it is already in the collection with a different note type/,
    );
    expect(await counts(col)).toEqual({ notes: 1, cards: 1, revlog: 0 });
  });

  it("diffmodels2-1 then -2: a note type with the same id but another shape is added as a copy; the note is skipped", async () => {
    const { col } = await freshCollection();
    await run(col, "anki-pylib-diffmodels2-1.apkg");
    const typesBefore = await col.db.count("notetypes");
    const result = await run(col, "anki-pylib-diffmodels2-2.apkg");
    expect(result.noteTypesAdded).toBe(1);
    expect(result.notesSkippedNoteType).toBe(1);
    expect(await col.db.count("notetypes")).toBe(typesBefore + 1);
    expect(await counts(col)).toEqual({ notes: 1, cards: 1, revlog: 0 });
    // Again: the copy is found, nothing is added.
    const before = await snapshot(col);
    const again = await run(col, "anki-pylib-diffmodels2-2.apkg");
    expect(again.noteTypesAdded).toBe(0);
    expect(await snapshot(col)).toEqual(before);
  });

  it("diffmodeltemplates-1 then -2: the newer template text replaces the older; the note stays", async () => {
    const { col } = await freshCollection();
    await run(col, "anki-pylib-diffmodeltemplates-1.apkg");
    const result = await run(col, "anki-pylib-diffmodeltemplates-2.apkg");
    expect(result.noteTypesUpdated).toBe(1);
    expect(result.notesUnchanged).toBe(1);
    const testt = await noteTypeByName(col, "testt");
    expect(testt.templates[0]?.qfmt).toContain("Changed Front Template");
    expect(testt.usn).toBe(-1);
    expect(await counts(col)).toEqual({ notes: 1, cards: 1, revlog: 0 });
  });

  it("imports into a collection that has notes of its own, keeping them, and stamps nothing as a schema change", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["mine", "kept"], tags: "own" });
    const scm = (await col.meta()).scm;
    const result = await run(col, "ankidroid-templates.apkg");
    expect(result.notesAdded).toBe(48);
    expect(result.revlogAdded).toBe(102);
    expect(await counts(col)).toEqual({ notes: 49, cards: 147, revlog: 102 });
    expect((await col.meta()).scm).toBe(scm);
    // The cards borrowed by the file's two filtered decks are in them, and in no other deck.
    const filtered = new Set((await col.db.getAll("decks")).filter((d) => d.filter).map((d) => d.id));
    const borrowed = (await col.db.getAll("cards")).filter((c) => c.odid !== 0);
    expect(filtered.size).toBe(2);
    expect(borrowed).toHaveLength(16);
    for (const card of borrowed) expect(filtered.has(card.deckId)).toBe(true);
  });

  it("without learning progress, cards come in as new at the end of the new queue, and no review log", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["mine", "kept"], tags: "" });
    const name = "ankidroid-templates.apkg";
    const result = await importPackage(col, fixture(name), name, { withScheduling: false });
    if (!result.ok) throw new Error(result.error);
    expect(result.value.lines).toContain("146 cards added.");
    expect((await readRevlog(col.db)).length).toBe(0);
    const cards = (await col.db.getAll("cards")).filter((c) => c.reps > 0 || c.type !== 0 || c.queue !== 0);
    expect(cards).toEqual([]);
    // The person's own card keeps position 1; imported ones follow it, studied ones after the file's new ones.
    const positions = (await col.db.getAll("cards")).map((c) => c.due).sort((a, b) => a - b);
    expect(positions[0]).toBe(1);
    expect(positions[1]).toBeGreaterThan(1);
    const file = (await openPackage(fixture(name), name)).collection.cards;
    const studied = new Set(file.filter((c) => c.type !== 0).map((c) => c.id));
    expect(studied.size).toBeGreaterThan(0);
    const imported = (await col.db.getAll("cards")).filter((c) => file.some((f) => f.id === c.id));
    const lastNew = Math.max(...imported.filter((c) => !studied.has(c.id)).map((c) => c.due));
    const firstStudied = Math.min(...imported.filter((c) => studied.has(c.id)).map((c) => c.due));
    expect(firstStudied).toBe(lastNew + 1);
  });

  it("a .colpkg replaces the collection after a backup that brings the old one back, and moves the schema stamp", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["mine", "kept"], tags: "" });
    const scm = (await col.meta()).scm;
    clock.advance(60_000);
    const name = "kedar-bg-hashtable.colpkg";
    const result = await importPackage(col, fixture(name), name);
    if (!result.ok || result.value.mode !== "replace") throw new Error("expected a replacement");
    expect(await counts(col)).toEqual({ notes: 14, cards: 28, revlog: 0 });
    expect((await col.meta()).scm).toBeGreaterThan(scm);
    expect(await col.db.countFromIndex("notes", "usn", -1)).toBe(14);
    const backups = await listBackups(col.profileId);
    expect(backups.map((b) => b.id)).toContain(result.value.backupId);
    clock.advance(60_000);
    await restoreBackup(col, result.value.backupId);
    expect((await col.db.getAll("notes")).map((n) => n.fields[0])).toEqual(["mine"]);
  });

  it("a file named collection.apkg is a whole collection, as Anki treats it: it replaces", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["mine", "kept"], tags: "" });
    expect(importMode("collection.apkg", fixture("anki-pylib-update1.apkg"))).toBe("replace");
    expect(importMode("update1.apkg", fixture("anki-pylib-update1.apkg"))).toBe("merge");
    const result = await importPackage(col, fixture("anki-pylib-update1.apkg"), "collection.apkg");
    expect(result.ok && result.value.mode).toBe("replace");
    expect((await col.db.getAll("notes")).map((n) => n.fields[0])).toEqual(["hello"]);
  });

  it("review cards keep how many days they are due from today", async () => {
    const { col, clock } = await freshCollection();
    const name = "kedar-spoken-languages-english-vocab-2023.apkg";
    const opened = await openPackage(fixture(name), name);
    await run(col, name);
    const now = clock.now();
    const reviews = opened.collection.cards.filter((c) => c.queue === 2);
    expect(reviews.length).toBe(37);
    for (const card of reviews) {
      const imported = await col.db.get("cards", card.id);
      expect(imported?.due !== undefined && imported.due - localToday(now)).toBe(
        card.due - ankiToday(now, opened.collection.crt),
      );
      expect(imported?.ivl).toBe(card.ivl);
    }
  });

  it("a different media file under a name already taken is renamed, and the note points to the new name", async () => {
    const { col } = await freshCollection();
    const media = new MemoryMedia();
    await media.put("foo.wav", strToU8("something else\n"));
    const result = await run(col, "anki-pylib-media.apkg", media);
    expect(result.mediaRenamed).toBe(1);
    const names = await media.names();
    expect(names).toHaveLength(2);
    const renamed = names.find((n) => n !== "foo.wav") ?? "";
    expect(renamed).toMatch(/^foo-[0-9a-f]{8}\.wav$/);
    const [note] = await col.db.getAll("notes");
    expect(note?.fields.join(" ")).toContain(`[sound:${renamed}]`);
    // Importing again finds the renamed copy.
    const again = await run(col, "anki-pylib-media.apkg", media);
    expect(again.mediaUnchanged).toBe(1);
    expect(await media.names()).toHaveLength(2);
  });
});

describe("bad files are refused in words, and the collection is untouched", () => {
  const zip = (entries: Record<string, Uint8Array>) => zipSync(entries);
  const cases: [string, () => Promise<Uint8Array> | Uint8Array, RegExp, string?][] = [
    ["not a zip", () => strToU8("hello, this is a text file"), /is not an Anki package/],
    ["a zip without a collection", () => zip({ "readme.txt": strToU8("hi") }), /holds no Anki collection/],
    [
      "an entry named with ../",
      () => zip({ "../evil": strToU8("x"), "collection.anki2": strToU8("x") }),
      /is a path, not a file name/,
    ],
    ["an entry in a folder", () => zip({ "a/b": strToU8("x") }), /is a path, not a file name/],
    [
      "a zip bomb (expands past the limit)",
      () => zip({ "collection.anki2": new Uint8Array(3_000_000) }),
      /expands to more than 2\.0 MiB.*zip bomb/,
    ],
    [
      "too many entries",
      () => zip(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [String(i), strToU8("x")]))),
      /more than 50 files/,
    ],
    [
      "a corrupt database",
      () => zip({ "collection.anki2": garbageSqlite() }),
      /damaged|not a database|could not be read/,
    ],
    ["a schema too old (10)", () => packageWithSchema(10), /schema version 10, from a pre-release of Anki 2\.0/],
    ["a schema too new (19)", () => packageWithSchema(19), /schema version 19, newer than this extension knows/],
    [
      "a note referencing a note type the package lacks",
      () => packageWithSchema(11, { missingNoteType: true }),
      /Note \d+ in the package uses note type 999, which the package does not contain/,
    ],
    [
      "a zstd bomb (a modern package whose collection expands past the limit)",
      () => zip({ meta: new Uint8Array([0x08, 0x03]), "collection.anki21b": zstdRunOfZeros(3 * 1024 * 1024) }),
      /collection in the package expands to more than .*zip bomb/,
    ],
    [
      "a newer package version",
      () => zip({ meta: new Uint8Array([0x08, 0x07]), "collection.anki21b": strToU8("x") }),
      /newer Anki \(package version 7\)/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const { col } = await freshCollection();
      const basic = await noteTypeByName(col, "Basic");
      await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["mine", "kept"], tags: "" });
      const before = await snapshot(col);
      const result = await importPackage(col, await make(), "bad.apkg", {
        limits: { entries: 50, totalBytes: 2 * 1024 * 1024 },
      });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toMatch(message);
        expect(result.error).not.toMatch(/at .*\.ts|Error:/);
      }
      expect(await snapshot(col)).toEqual(before);
    });
  }

  it("a zip whose entry declares a size past the limit is refused before it is expanded", async () => {
    const { col } = await freshCollection();
    const bytes = zipSync({ "collection.anki2": new Uint8Array(10) });
    // Patch the declared uncompressed size in the local header and the central directory to 4 GiB - 1.
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < bytes.length - 4; i++) {
      const sig = view.getUint32(i, true);
      if (sig === 0x04034b50) view.setUint32(i + 22, 0xffffffff, true);
      if (sig === 0x02014b50) view.setUint32(i + 24, 0xffffffff, true);
    }
    const result = await importPackage(col, bytes, "bomb.apkg");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/zip bomb/);
  });
});

function garbageSqlite(): Uint8Array {
  const bytes = new Uint8Array(8192);
  bytes.set(strToU8("SQLite format 3\u0000"));
  for (let i = 16; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
  return bytes;
}

/** A small valid package (one Basic note), with its schema version set and optionally a note of a missing type. */
async function packageWithSchema(version: number, { missingNoteType = false } = {}): Promise<Uint8Array> {
  const now = Date.UTC(2025, 0, 1);
  const [basic] = stockNoteTypes(now, now);
  if (!basic) throw new Error("no stock note type");
  const note = { id: now + 10, guid: "abc", noteTypeId: basic.id, fields: ["a", "b"], tags: [], mtime: now, usn: 0 };
  const notes = missingNoteType ? [note, { ...note, id: now + 11, guid: "def", noteTypeId: 999 }] : [note];
  const database = await writeAnkiCollection(
    {
      crt: Math.floor(now / 1000),
      created: now,
      noteTypes: [basic],
      decks: [{ id: 1, name: "Default", configId: 1, description: "", collapsed: false, mtime: now, usn: 0 }],
      deckConfigs: [],
      notes,
      cards: [],
      revlog: [],
      tags: [],
      config: [],
    },
    () => {},
  );
  const db = new (await sqlite()).Database(database);
  db.run("UPDATE col SET ver = ?", [version]);
  const bytes = db.export();
  db.close();
  return zipSync({ "collection.anki2": bytes, media: strToU8("{}") });
}

/** A zstd frame of RLE blocks: a few bytes that expand to `size` zeros. */
function zstdRunOfZeros(size: number): Uint8Array {
  const block = 128 * 1024;
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
  for (let left = size; left > 0; left -= block) {
    const length = Math.min(block, left);
    const header = (length << 3) | (1 << 1) | (left <= block ? 1 : 0);
    parts.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0);
  }
  return new Uint8Array(parts);
}
