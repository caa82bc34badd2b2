// Independent checks: a package written by another project's writer (anki-apkg-export, which builds a legacy
// collection.anki2 with its own template database) imports as its author meant; and a package we export is read
// by other code than ours (JSZip and anki-apkg-export's own sql.js build, an older SQLite), using only Anki's schema.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { freshCollection, noteTypeByName } from "./factories";
import { MemoryMedia } from "./packages-helpers";

const require = createRequire(import.meta.url);

interface AnkiExportClass {
  new (
    deckName: string,
  ): {
    addMedia(name: string, bytes: Uint8Array): void;
    addCard(front: string, back: string, options?: { tags?: string[] }): void;
    save(): Promise<Uint8Array>;
  };
}

describe("packages from and for other software", () => {
  it("imports a package written by anki-apkg-export: its deck, cards, tags and media", async () => {
    const AnkiExport = (require("anki-apkg-export") as { default: AnkiExportClass }).default;
    const apkg = new AnkiExport("Written Elsewhere");
    const picture = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    apkg.addMedia("picture.png", picture);
    apkg.addCard("card #1 front", "card #1 back");
    apkg.addCard("card #2 front", "card #2 back", { tags: ["nice", "better_card"] });
    apkg.addCard('card #3 with image <img src="picture.png" />', "card #3 back");
    const bytes = new Uint8Array(await apkg.save());

    const { col } = await freshCollection();
    const media = new MemoryMedia();
    const result = await importPackage(col, bytes, "elsewhere.apkg", { media });
    if (!result.ok) throw new Error(result.error);
    expect(result.value.lines).toContain("3 notes added.");
    const notes = (await col.db.getAll("notes")).sort((a, b) => a.fields[0]?.localeCompare(b.fields[0] ?? "") ?? 0);
    expect(notes.map((n) => n.fields)).toEqual([
      ["card #1 front", "card #1 back"],
      ["card #2 front", "card #2 back"],
      ['card #3 with image <img src="picture.png" />', "card #3 back"],
    ]);
    expect(notes[1]?.tags).toEqual(["nice", "better_card"]);
    const deck = (await col.db.getAll("decks")).find((d) => d.name === "Written Elsewhere");
    expect(deck).toBeDefined();
    const cards = await col.db.getAll("cards");
    expect(cards).toHaveLength(3);
    for (const card of cards) expect(card.deckId).toBe(deck?.id);
    expect([...(media.files.get("picture.png")?.bytes ?? [])]).toEqual([...picture]);
    // anki-apkg-export runs SQLite compiled to asm.js, which takes seconds to start.
  }, 60_000);

  it("a package we export is read by JSZip and another SQLite build as Anki's schema says", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic (and reversed card)");
    await addNote(col, {
      noteTypeId: basic.id,
      deckId: 1,
      fields: ["der Hund", 'the dog <img src="dog.jpg">'],
      tags: "german",
    });
    clock.advance();
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["die Katze", "the cat"], tags: "" });
    const media = new MemoryMedia();
    await media.put("dog.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0]));
    const file = await exportPackage(col, { format: "apkg", withMedia: true, media });
    if (!file.ok) throw new Error(file.error);

    const JSZip = require("jszip") as {
      loadAsync(
        data: Uint8Array,
      ): Promise<{ files: Record<string, { async(type: "uint8array" | "string"): Promise<Uint8Array | string> }> }>;
    };
    const zip = await JSZip.loadAsync(file.value.bytes);
    expect(Object.keys(zip.files).sort()).toEqual(["0", "collection.anki2", "collection.anki21", "media", "meta"]);
    const map = JSON.parse(String(await zip.files.media?.async("string")));
    expect(map).toEqual({ 0: "dog.jpg" });
    const picture = (await zip.files["0"]?.async("uint8array")) as Uint8Array | undefined;
    expect([...(picture ?? [])]).toEqual([0xff, 0xd8, 0xff, 0xe0]);

    const OldSql = require(require.resolve("sql.js", { paths: [require.resolve("anki-apkg-export")] })) as {
      Database: new (data: Uint8Array) => { exec(sql: string): { values: unknown[][] }[] };
    };
    const db = new OldSql.Database((await zip.files["collection.anki21"]?.async("uint8array")) as Uint8Array);
    const one = (sql: string) => db.exec(sql)[0]?.values ?? [];
    expect(one("SELECT ver FROM col")).toEqual([[11]]);
    const [models, decks] = (one("SELECT models, decks FROM col")[0] ?? []).map((t) => JSON.parse(String(t)));
    const notes = one("SELECT id, mid, flds, tags, guid FROM notes ORDER BY id");
    expect(notes).toHaveLength(2);
    for (const [, mid] of notes)
      expect(models[String(mid)].flds.map((f: { name: string }) => f.name)).toEqual(["Front", "Back"]);
    expect(String(notes[0]?.[2]).split("\u001f")).toEqual(["der Hund", 'the dog <img src="dog.jpg">']);
    expect(notes[0]?.[3]).toBe(" german ");
    const cards = one("SELECT nid, did, ord, type, queue FROM cards ORDER BY nid, ord");
    expect(cards.map((c) => c[2])).toEqual([0, 1, 0, 1]);
    for (const card of cards) {
      expect(decks[String(card[1])]).toBeDefined();
      expect([card[3], card[4]]).toEqual([0, 0]);
    }
  });
});
