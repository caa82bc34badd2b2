// A collection file is SQL someone else wrote. One whose "notes" is a recursive view grew without end when read
// (6.8 GB); Anki writes no views, so any view is refused before the file's own SQL runs.
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { sqlite } from "../../extension/lib/packages/sqlite";
import { freshCollection, noteTypeByName } from "./factories";
import { MemoryMedia, snapshot } from "./packages-helpers";

async function hostilePackage(entries: Record<string, Uint8Array>, edit: (db: import("sql.js").Database) => void) {
  const db = new (await sqlite()).Database(entries["collection.anki21"] as Uint8Array);
  edit(db);
  const bytes = zipSync({ ...entries, "collection.anki21": db.export(), media: strToU8("{}") });
  db.close();
  return bytes;
}

describe("hostile SQL in a package", () => {
  it("a collection whose notes table is a recursive view, or has a generated column, is refused at once, and nothing is imported", async () => {
    const source = await freshCollection();
    const basic = await noteTypeByName(source.col, "Basic");
    const note = await addNote(source.col, { noteTypeId: basic.id, deckId: 1, fields: ["uno", "one"], tags: "" });
    if (!note.ok) throw new Error(note.error);
    const file = await exportPackage(source.col, { format: "apkg", withScheduling: false, withMedia: false });
    if (!file.ok) throw new Error(file.error);
    source.col.close();
    const entries = unzipSync(file.value.bytes);
    const generated = await hostilePackage(entries, (db) => {
      db.run("ALTER TABLE notes ADD COLUMN big TEXT GENERATED ALWAYS AS (printf('%.*c', 5000000, 'x')) VIRTUAL");
    });
    const other = await freshCollection();
    const untouched = await snapshot(other.col);
    const refused = await importPackage(other.col, generated, "generated.apkg", { media: new MemoryMedia() });
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/generated columns \("notes"\)/) });
    expect(await snapshot(other.col)).toEqual(untouched);
    other.col.close();

    const db = new (await sqlite()).Database(entries["collection.anki21"] as Uint8Array);
    db.run("DROP TABLE notes");
    db.run(
      "CREATE VIEW notes AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) " +
        "SELECT n AS id, 'g' || n AS guid, 1 AS mid, 0 AS mod, -1 AS usn, '' AS tags, " +
        "printf('%.*c', 100000, 'x') AS flds, 0 AS sfld, 0 AS csum, 0 AS flags, '' AS data FROM r",
    );
    const hostile = zipSync({ ...entries, "collection.anki21": db.export(), media: strToU8("{}") });
    db.close();

    const { col } = await freshCollection();
    const before = await snapshot(col);
    const result = await importPackage(col, hostile, "hostile.apkg", { media: new MemoryMedia() });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /holds views, virtual tables or generated columns \("notes"\), which Anki never writes/,
      ),
    });
    expect(await snapshot(col)).toEqual(before);
    col.close();
  });
});
