// One size limit for a note everywhere (the editor, imports, the sync and the relay): a note that can be saved
// always fits in one sync request, and a field of millions of characters is refused before any work on it.
import { describe, expect, it } from "vitest";
import { addNote, updateNote } from "../../extension/lib/collection/notes";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { MAX_NOTE_BYTES, Note, noteSizeProblem } from "../../shared/schemas";
import { BODY_SCHEMAS } from "../../shared/sync/protocol";
import { freshCollection, noteTypeByName } from "./factories";
import { MemoryMedia, snapshot } from "./packages-helpers";

describe("the size of a note", () => {
  it("a field of 2,000,000 characters is refused with the limit in words, and nothing is written", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const before = await snapshot(col);
    const added = await addNote(col, {
      noteTypeId: basic.id,
      deckId: 1,
      fields: ["x".repeat(2_000_000), "b"],
      tags: "",
    });
    expect(added).toEqual({ ok: false, error: expect.stringMatching(/too large.*2,000 kB.*at most 900 kB/) });
    expect(await snapshot(col)).toEqual(before);

    const small = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["front", "back"], tags: "" });
    if (!small.ok) throw new Error(small.error);
    const edited = await updateNote(col, small.value.id, { fields: ["front", "é".repeat(460_000)] });
    expect(edited).toEqual({ ok: false, error: expect.stringMatching(/too large.*at most 900 kB/) });
    expect((await col.db.get("notes", small.value.id))?.fields).toEqual(["front", "back"]);
    col.close();
  });

  it("counts UTF-8 bytes of the fields as the sync sends them, escapes included", () => {
    expect(noteSizeProblem(["a".repeat(MAX_NOTE_BYTES - 20)])).toBeNull();
    // 300,000 "é" are 600,000 bytes; 160,000 quotes become 320,000 bytes once escaped in JSON.
    expect(noteSizeProblem(["é".repeat(300_000), '"'.repeat(160_000)])).toMatch(/too large/);
    expect(noteSizeProblem(["é".repeat(300_000), '"'.repeat(100_000)])).toBeNull();
  });

  it("the largest note allowed fits in one sync request under the relay's 1 MiB, and a larger one is refused by the protocol", () => {
    const fields = ["a".repeat(MAX_NOTE_BYTES - 200), "b"];
    const note = { id: 1, guid: "g", noteTypeId: 1, fields, tags: ["tag"], mtime: 1 };
    const body = { objects: [{ kind: "note", id: "1", mtime: 1, deleted: false, body: note }] };
    expect(new TextEncoder().encode(JSON.stringify(body)).length).toBeLessThan(1024 * 1024);
    expect(Note.safeParse({ ...note, usn: 0 }).success).toBe(true);
    const larger = { ...note, fields: ["a".repeat(MAX_NOTE_BYTES - 10), "bbbbbbbbbbbbbbbbbbbb"] };
    expect(Note.safeParse({ ...larger, usn: 0 }).error?.issues[0]?.message).toMatch(/too large/);
    expect(BODY_SCHEMAS.note.safeParse(larger).error?.issues[0]?.message).toMatch(/too large/);
  });

  it("a package holding a note over the limit is refused, naming the note, and nothing is imported", async () => {
    const source = await freshCollection();
    const basic = await noteTypeByName(source.col, "Basic");
    const added = await addNote(source.col, { noteTypeId: basic.id, deckId: 1, fields: ["big", "b"], tags: "" });
    if (!added.ok) throw new Error(added.error);
    // Written as an older version or another program could have left it, past the editor's check.
    await source.col.db.put("notes", { ...added.value, fields: ["big", "x".repeat(MAX_NOTE_BYTES + 1000)] });
    const file = await exportPackage(source.col, { format: "apkg", withScheduling: false, withMedia: false });
    if (!file.ok) throw new Error(file.error);
    const { col } = await freshCollection();
    const before = await snapshot(col);
    const result = await importPackage(col, file.value.bytes, "big.apkg", { media: new MemoryMedia() });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(new RegExp(`Note ${added.value.id}.*too large`, "s")),
    });
    expect(await snapshot(col)).toEqual(before);
    col.close();
    source.col.close();
  });
});
