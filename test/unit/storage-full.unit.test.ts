// A full disk: IndexedDB refuses a write with QuotaExceededError. Injected here at the IndexedDB layer (every put
// and add of a store throws it once armed), the answer, the edit, the import and the media store each say so in
// words, and nothing of theirs is half-written.
import { afterEach, describe, expect, it } from "vitest";
import { addNote, updateNote } from "../../extension/lib/collection/notes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { errorInWords, STORAGE_FULL } from "../../extension/lib/collection/storage-full";
import { answerCard } from "../../extension/lib/collection/study";
import { addMedia, listMedia } from "../../extension/lib/media/store";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { freshCollection, noteTypeByName } from "./factories";
import { MemoryMedia, snapshot } from "./packages-helpers";

const stores = globalThis.IDBObjectStore.prototype as unknown as Record<"put" | "add", (...args: unknown[]) => unknown>;
const original = { put: stores.put, add: stores.add };

/** From now on, IndexedDB refuses every write as a full disk does. */
function fillTheDisk() {
  for (const method of ["put", "add"] as const) {
    stores[method] = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  }
}

afterEach(() => {
  stores.put = original.put;
  stores.add = original.add;
});

async function collectionWithANote() {
  const made = await freshCollection();
  const basic = await noteTypeByName(made.col, "Basic");
  const note = await addNote(made.col, { noteTypeId: basic.id, deckId: 1, fields: ["uno", "one"], tags: "" });
  if (!note.ok) throw new Error(note.error);
  const [card] = await made.col.db.getAllFromIndex("cards", "noteId", note.value.id);
  if (!card) throw new Error("no card");
  return { ...made, note: note.value, card };
}

describe("a full disk", () => {
  it("an answer is refused in words, and neither the card nor the review log changes", async () => {
    const { col, card } = await collectionWithANote();
    const before = await snapshot(col);
    fillTheDisk();
    const failure = await answerCard(col, card.id, 3).then(
      (result) => (result.ok ? null : result.error),
      (thrown: unknown) => errorInWords(thrown, "That did not work: "),
    );
    expect(failure).toBe(STORAGE_FULL);
    expect(await snapshot(col)).toEqual(before);
    expect(await readRevlog(col.db)).toEqual([]);
    col.close();
  });

  it("an edit is refused in words, and the note keeps its fields", async () => {
    const { col, note } = await collectionWithANote();
    fillTheDisk();
    const failure = await updateNote(col, note.id, { fields: ["edited", "one"] }).then(
      (result) => (result.ok ? null : result.error),
      (thrown: unknown) => errorInWords(thrown, "Something went wrong: "),
    );
    expect(failure).toBe(STORAGE_FULL);
    expect((await col.db.get("notes", note.id))?.fields).toEqual(["uno", "one"]);
    col.close();
  });

  it("an import is refused in words, and the collection is untouched", async () => {
    const source = await collectionWithANote();
    const file = await exportPackage(source.col, { format: "apkg", withScheduling: true, withMedia: false });
    if (!file.ok) throw new Error(file.error);
    source.col.close();
    const { col } = await freshCollection();
    const before = await snapshot(col);
    fillTheDisk();
    const result = await importPackage(col, file.value.bytes, "deck.apkg", { media: new MemoryMedia() });
    expect(result).toEqual({ ok: false, error: STORAGE_FULL });
    stores.put = original.put;
    stores.add = original.add;
    expect(await snapshot(col)).toEqual(before);
    col.close();
  });

  it("a media file is refused in words, and no half of it is stored", async () => {
    const { col } = await freshCollection();
    fillTheDisk();
    expect(await addMedia(col, "picture.png", new Uint8Array([1, 2, 3]))).toEqual({ ok: false, error: STORAGE_FULL });
    stores.put = original.put;
    stores.add = original.add;
    expect(await listMedia(col)).toEqual([]);
    expect(await col.db.count("mediaBytes")).toBe(0);
    col.close();
  });
});
