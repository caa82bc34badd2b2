// A package that repeats note ids, card rows or guids (a crafted or damaged file; Anki never writes one) is mended
// as Anki's Check Database does, losing no review, and the import's summary says what was mended.
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { answerCard } from "../../extension/lib/collection/study";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { sqlite } from "../../extension/lib/packages/sqlite";
import { freshCollection, noteTypeByName } from "./factories";
import { MemoryMedia } from "./packages-helpers";

/** A package of two notes, one of them answered once, with its SQLite database changed by `edit`. */
async function packageEdited(edit: (db: import("sql.js").Database) => void) {
  const source = await freshCollection();
  const basic = await noteTypeByName(source.col, "Basic");
  for (const front of ["uno", "dos"]) {
    source.clock.advance(1000);
    const note = await addNote(source.col, { noteTypeId: basic.id, deckId: 1, fields: [front, "x"], tags: "" });
    if (!note.ok) throw new Error(note.error);
  }
  const [first] = (await source.col.db.getAll("cards")).sort((a, b) => a.id - b.id);
  const answered = await answerCard(source.col, first?.id ?? 0, 3);
  if (!answered.ok) throw new Error(answered.error);
  const file = await exportPackage(source.col, { format: "apkg", withScheduling: true, withMedia: false });
  if (!file.ok) throw new Error(file.error);
  source.col.close();
  const entries = unzipSync(file.value.bytes);
  const db = new (await sqlite()).Database(entries["collection.anki21"] as Uint8Array);
  edit(db);
  const bytes = zipSync({ ...entries, "collection.anki21": db.export(), media: strToU8("{}") });
  db.close();
  return bytes;
}

async function importInto(bytes: Uint8Array) {
  const { col } = await freshCollection();
  const result = await importPackage(col, bytes, "mended.apkg", { media: new MemoryMedia() });
  if (!result.ok) throw new Error(result.error);
  return { col, lines: result.value.lines };
}

describe("a package that repeats ids or guids", () => {
  it("repeated note and card rows are stored once, and the summary says so", async () => {
    const bytes = await packageEdited((db) => {
      for (const table of ["notes", "cards"]) {
        db.run(`CREATE TABLE copy AS SELECT * FROM ${table}`);
        db.run(`DROP TABLE ${table}`);
        db.run(`ALTER TABLE copy RENAME TO ${table}`);
        db.run(`INSERT INTO ${table} SELECT * FROM ${table}`);
      }
    });
    const { col, lines } = await importInto(bytes);
    expect(await col.db.count("notes")).toBe(2);
    expect(await col.db.count("cards")).toBe(2);
    expect(lines).toContain("2 notes repeated an id already in the file and were left out.");
    expect(lines).toContain("2 cards repeated an id already in the file and were left out.");
    col.close();
  });

  it("a second note with a guid already used gets a new one; both are kept", async () => {
    const bytes = await packageEdited((db) => {
      db.run("UPDATE notes SET guid = (SELECT guid FROM notes ORDER BY id LIMIT 1)");
    });
    const { col, lines } = await importInto(bytes);
    const notes = await col.db.getAll("notes");
    expect(notes.map((n) => n.fields[0]).sort()).toEqual(["dos", "uno"]);
    expect(new Set(notes.map((n) => n.guid)).size).toBe(2);
    expect(lines).toContain(
      "1 note shared a guid with another note in the file and was given a new one, as Anki's Check Database does.",
    );
    col.close();
  });

  it("two cards of one note and template become one: the one with more reviews stays, with the reviews of both", async () => {
    const bytes = await packageEdited((db) => {
      // A copy of the answered card under a new id, with a review of its own.
      db.run(
        "INSERT INTO cards SELECT id + 7, nid, did, ord, mod, usn, type, queue, due, ivl, factor, 0, lapses, left, odue, odid, flags, data FROM cards WHERE reps > 0",
      );
      db.run("INSERT INTO revlog SELECT id + 1, cid + 7, usn, ease, ivl, lastIvl, factor, time, type FROM revlog");
    });
    const { col, lines } = await importInto(bytes);
    const cards = await col.db.getAll("cards");
    expect(cards.length).toBe(2);
    const answered = cards.find((c) => c.reps > 0);
    const revlog = await readRevlog(col.db);
    expect(revlog.length).toBe(2);
    expect(revlog.every((r) => r.cardId === answered?.id)).toBe(true);
    expect(lines).toContain(
      "1 card repeated a card of the same note and template; the copy with more reviews was kept, with the reviews of both.",
    );
    col.close();
  });
});
