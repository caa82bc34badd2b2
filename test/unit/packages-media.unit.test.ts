// Package media goes into the collection's own media store, and comes out of it on export.
import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { addMedia, listMedia, readMedia } from "../../extension/lib/media/store";
import { collectionMedia } from "../../extension/lib/packages/collection-media";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { freshCollection } from "./factories";
import { fixture, HAVE_FIXTURES, MemoryMedia } from "./packages-helpers";

describe.skipIf(!HAVE_FIXTURES)("media into the collection's media store", () => {
  it("a package whose collection step fails leaves no media behind (nothing of the import stays)", async () => {
    const { col } = await freshCollection();
    // The collection step writes to a collection whose database has gone away (as when storage fails mid-way);
    // the media went to the real store first.
    const { col: broken } = await freshCollection();
    broken.close();
    const name = "kedar-simple-spanish-w-audio.apkg";
    const result = await importPackage(broken, fixture(name), name, { media: collectionMedia(col) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/could not be read|closing|closed/i);
    expect(await listMedia(col)).toEqual([]);
  });

  it("stores the zstd-compressed MP3s of a modern package, and a second import adds nothing", async () => {
    const { col } = await freshCollection();
    const name = "kedar-simple-spanish-w-audio.apkg";
    const result = await importPackage(col, fixture(name), name, { media: collectionMedia(col) });
    if (!result.ok) throw new Error(result.error);
    expect(result.value.mediaAdded).toBe(7);
    const files = await listMedia(col);
    expect(files).toHaveLength(7);
    const first = files[0];
    if (!first) throw new Error("no media");
    const read = await readMedia(col, first.name);
    // An MP3 starts with an ID3 tag or a frame sync.
    expect(read && (read.bytes[0] === 0x49 || read.bytes[0] === 0xff)).toBe(true);
    const again = await importPackage(col, fixture(name), name, { media: collectionMedia(col) });
    if (!again.ok) throw new Error(again.error);
    expect(again.value.mediaUnchanged).toBe(7);
    expect(await listMedia(col)).toHaveLength(7);

    // Exported with media, the package carries the same seven files.
    const file = await exportPackage(col, { format: "apkg", withMedia: true, media: collectionMedia(col) });
    if (!file.ok) throw new Error(file.error);
    expect(file.value.media).toBe(7);
    const { col: other } = await freshCollection();
    const back = await importPackage(other, file.value.bytes, file.value.fileName, { media: collectionMedia(other) });
    if (!back.ok) throw new Error(back.error);
    expect((await listMedia(other)).map((m) => m.sha1).sort()).toEqual(files.map((m) => m.sha1).sort());
  });
});

describe("media names with spaces and other characters", () => {
  it("an export carries every file its notes refer to, however the reference is written", async () => {
    const { col } = await freshCollection();
    const basic = (await col.db.getAll("notetypes")).find((n) => n.name === "Basic");
    if (!basic) throw new Error("no Basic");
    const names = ["Foto Kraków 1.png", "it's.png", "a&b.png", "plain.png", "sound file.mp3"];
    for (const name of names) expect((await addMedia(col, name, new TextEncoder().encode(name))).ok).toBe(true);
    const front =
      '<img src="Foto Kraków 1.png"> <img src=\'it&#39;s.png\'> <img src="a&amp;b.png"> <img src=plain.png>';
    const added = await addNote(col, {
      noteTypeId: basic.id,
      deckId: 1,
      fields: [front, "[sound:sound file.mp3]"],
      tags: "",
    });
    if (!added.ok) throw new Error(added.error);
    const file = await exportPackage(col, { format: "apkg", withMedia: true, media: collectionMedia(col) });
    if (!file.ok) throw new Error(file.error);
    expect(file.value.media).toBe(names.length);
    const { col: other } = await freshCollection();
    const back = await importPackage(other, file.value.bytes, file.value.fileName, { media: collectionMedia(other) });
    if (!back.ok) throw new Error(back.error);
    expect((await listMedia(other)).map((m) => m.name).sort()).toEqual([...names].sort());
  });

  it("an import that renames a file with a space in its name renames every reference to it", async () => {
    const media = new MemoryMedia();
    await media.put("Foto Kraków 1.png", new TextEncoder().encode("already here, other bytes"));
    const { col } = await freshCollection();
    const basic = (await col.db.getAll("notetypes")).find((n) => n.name === "Basic");
    if (!basic) throw new Error("no Basic");
    expect((await addMedia(col, "Foto Kraków 1.png", new TextEncoder().encode("the note's picture"))).ok).toBe(true);
    const added = await addNote(col, {
      noteTypeId: basic.id,
      deckId: 1,
      fields: ['<img src="Foto Kraków 1.png">', ""],
      tags: "",
    });
    if (!added.ok) throw new Error(added.error);
    const file = await exportPackage(col, { format: "apkg", withMedia: true, media: collectionMedia(col) });
    if (!file.ok) throw new Error(file.error);
    const { col: other } = await freshCollection();
    const back = await importPackage(other, file.value.bytes, file.value.fileName, { media });
    if (!back.ok) throw new Error(back.error);
    const [note] = await other.db.getAll("notes");
    const renamed = [...media.files.keys()].find((name) => name !== "Foto Kraków 1.png");
    expect(renamed).toMatch(/^Foto Kraków 1-[0-9a-f]{8}\.png$/);
    expect(note?.fields[0]).toBe(`<img src="${renamed}">`);
  });
});
