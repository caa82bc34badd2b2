// A media name with marks of text direction (U+202E shows "photo\u202Egnp.exe" as "photoexe.png") is refused
// everywhere a name comes from outside: the store behind the editor, a file the editor is given, and an imported
// package. The relay applies the same rule (test/worker/media-relay.worker.test.ts).
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { safeMediaName } from "../../extension/lib/media/names";
import { addMedia, listMedia } from "../../extension/lib/media/store";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { mediaNameProblem } from "../../shared/media";
import { freshCollection, noteTypeByName } from "./factories";
import { MemoryMedia, snapshot } from "./packages-helpers";

const DISGUISED = ["photo\u202Egnp.exe", "a\u2066b.png", "x\u200F.mp3", "y\u061C.jpg"];

describe("media names that change the direction of text", () => {
  it("are refused in words, in the rule every side applies and by the media store", async () => {
    const { col } = await freshCollection();
    for (const name of DISGUISED) {
      expect(mediaNameProblem(name)).toMatch(/change the direction of text/);
      const added = await addMedia(col, name, new Uint8Array([1, 2, 3]));
      expect(added).toEqual({ ok: false, error: expect.stringMatching(/change the direction of text/) });
    }
    expect(await listMedia(col)).toEqual([]);
    col.close();
  });

  it("a file given to the editor under such a name is stored under the name as it reads", () => {
    expect(safeMediaName("photo\u202Egnp.exe")).toBe("photognp.exe");
    expect(mediaNameProblem(safeMediaName("a\u2066b.png"))).toBeNull();
  });

  it("a package that names such a file is refused, and nothing is imported", async () => {
    const source = await freshCollection();
    const basic = await noteTypeByName(source.col, "Basic");
    const note = await addNote(source.col, { noteTypeId: basic.id, deckId: 1, fields: ["front", "back"], tags: "" });
    if (!note.ok) throw new Error(note.error);
    const file = await exportPackage(source.col, { format: "apkg", withScheduling: false, withMedia: false });
    if (!file.ok) throw new Error(file.error);
    const entries = unzipSync(file.value.bytes);
    const hostile = zipSync({
      ...entries,
      media: strToU8(JSON.stringify({ 0: "photo\u202Egnp.exe" })),
      0: new Uint8Array([1, 2, 3]),
    });
    const { col } = await freshCollection();
    const before = await snapshot(col);
    const media = new MemoryMedia();
    const result = await importPackage(col, hostile, "hostile.apkg", { media });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/change the direction of text.*nothing was imported/),
    });
    expect(await snapshot(col)).toEqual(before);
    expect(media.files.size).toBe(0);
    col.close();
    source.col.close();
  });
});
