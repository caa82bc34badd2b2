// Round trips: what is exported and imported into an empty profile has the same notes, cards, scheduling, review
// log and media; without scheduling, cards come back new and there is no history; a .colpkg replaces.
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { Collection } from "../../extension/lib/collection/collection";
import { addNote } from "../../extension/lib/collection/notes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { exportPackage, PLACEHOLDER_TEXT } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { openAnkiDatabase, rows } from "../../extension/lib/packages/sqlite";
import type { Card } from "../../shared/model";
import { freshCollection } from "./factories";
import { counts, fixture, HAVE_FIXTURES, MemoryMedia, snapshot } from "./packages-helpers";

async function imported(name: string, bytes: Uint8Array, media = new MemoryMedia()) {
  const { col, clock } = await freshCollection();
  const result = await importPackage(col, bytes, name, { media });
  if (!result.ok) throw new Error(result.error);
  return { col, clock, media };
}

async function exported(col: Collection, options: Parameters<typeof exportPackage>[1]) {
  const result = await exportPackage(col, options);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** Notes by guid and cards by id, with deck names instead of ids and without sync stamps. */
async function content(col: Collection) {
  const decks = new Map((await col.db.getAll("decks")).map((d) => [d.id, d.name]));
  const types = new Map((await col.db.getAll("notetypes")).map((n) => [n.id, n]));
  const notes = (await col.db.getAll("notes"))
    .map((n) => ({
      guid: n.guid,
      fields: n.fields,
      tags: n.tags,
      type: types.get(n.noteTypeId)?.fields.map((f) => f.name),
      templates: types.get(n.noteTypeId)?.templates.map((t) => t.qfmt),
    }))
    .sort((a, b) => a.guid.localeCompare(b.guid));
  const cards = (await col.db.getAll("cards"))
    .map((c: Card) => {
      const { mtime: _m, usn: _u, deckId, noteId: _n, ...rest } = c;
      return { ...rest, deck: decks.get(deckId) };
    })
    .sort((a, b) => a.id - b.id);
  const revlog = (await readRevlog(col.db)).map(({ usn: _u, ...r }) => r);
  return { notes, cards, revlog };
}

// Large fixtures: generous time on a busy machine.
describe.skipIf(!HAVE_FIXTURES)("export and import again", { timeout: 60_000 }, () => {
  it("the whole collection as .apkg with scheduling and media: the same notes, cards, review log and media", async () => {
    const source = await imported("kedar-collection-2019.apkg", fixture("kedar-collection-2019.apkg"));
    const file = await exported(source.col, {
      format: "apkg",
      withScheduling: true,
      withMedia: true,
      media: source.media,
    });
    expect(file.fileName).toMatch(/\.apkg$/);
    expect(file).toMatchObject({ notes: 393, cards: 1143, revlog: 1601, media: 22 });
    // The legacy-compatible layout: collection.anki21, a JSON media map, numbered files, meta version 2.
    const entries = unzipSync(file.bytes);
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(["collection.anki21", "media", "meta", "0", "21"]));
    expect([...(entries.meta ?? [])]).toEqual([0x08, 0x02]);

    const target = await imported(file.fileName, file.bytes);
    expect(await counts(target.col)).toEqual({ notes: 393, cards: 1143, revlog: 1601 });
    expect(await content(target.col)).toEqual(await content(source.col));
    const sourceMedia = [...source.media.files].map(([n, f]) => [n, f.info.sha1]).sort();
    const targetMedia = [...target.media.files].map(([n, f]) => [n, f.info.sha1]).sort();
    expect(targetMedia).toEqual(sourceMedia);

    // Importing our own export into the collection it came from changes nothing.
    const before = await snapshot(source.col);
    const again = await importPackage(source.col, file.bytes, file.fileName, { media: source.media });
    expect(again.ok && again.value.lines[0]).toBe(
      "Nothing changed: everything in the file is already in the collection.",
    );
    expect(await snapshot(source.col)).toEqual(before);
  });

  it("a modern package's scheduling (suspended, buried, learning, flags, card data) survives a round trip", async () => {
    const source = await imported("x.apkg", fixture("neoanki-25.9.4-current-stable.apkg"));
    const file = await exported(source.col, {
      format: "apkg",
      withScheduling: true,
      withMedia: true,
      media: source.media,
    });
    const target = await imported(file.fileName, file.bytes);
    const a = await content(source.col);
    expect(await content(target.col)).toEqual(a);
    expect(a.cards.map((c) => c.queue).sort()).toEqual(expect.arrayContaining([-3, -1, 1]));
    expect(a.cards.some((c) => c.flags === 3)).toBe(true);
    expect(a.cards.some((c) => c.data.includes('"pos"'))).toBe(true);
    expect((await target.col.db.getAll("deckconfigs")).some((p) => p.maxInterval === 1234)).toBe(true);
  });

  it("one deck without scheduling: its sub-decks come along, cards are new, no review log", async () => {
    const source = await imported("x.apkg", fixture("ankidroid-templates.apkg"));
    const deck = (await source.col.db.getAll("decks")).find((d) => d.name === "1-TEMPLATES::Anatomy");
    if (!deck) throw new Error("no deck");
    const file = await exported(source.col, { format: "apkg", deckId: deck.id, withScheduling: false });
    expect(file.fileName).toBe("1-TEMPLATES-Anatomy.apkg");
    expect(file.revlog).toBe(0);
    const target = await imported(file.fileName, file.bytes);
    const cards = await target.col.db.getAll("cards");
    expect(cards.length).toBe(file.cards);
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) expect([card.type, card.queue, card.reps, card.ivl]).toEqual([0, 0, 0, 0]);
    expect((await readRevlog(target.col.db)).length).toBe(0);
    const names = (await target.col.db.getAll("decks")).map((d) => d.name);
    expect(names).toContain("1-TEMPLATES::Anatomy");
    expect(names).not.toContain("1-TEMPLATES::Misc");
  });

  it("the whole collection as .colpkg replaces another profile's collection with the same content", async () => {
    const source = await imported("x.colpkg", fixture("kedar-BarRonPcAp.colpkg"));
    const file = await exported(source.col, { format: "colpkg", media: source.media });
    expect(file.fileName).toMatch(/^collection-\d{4}-\d{2}-\d{2}\.colpkg$/);
    const target = await imported(file.fileName, file.bytes);
    expect(await counts(target.col)).toEqual({ notes: 1558, cards: 1590, revlog: 4240 });
    expect(await content(target.col)).toEqual(await content(source.col));
    expect(target.media.files.size).toBe(24);
  });
});

describe("the files of an exported package", () => {
  it("hold a collection.anki2 beside the collection, as Anki's do: one note saying to update Anki", async () => {
    const { col } = await freshCollection();
    const basic = (await col.db.getAll("notetypes")).find((n) => n.name === "Basic");
    if (!basic) throw new Error("no Basic");
    for (const front of ["uno", "dos"]) {
      const added = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: [front, "x"], tags: "" });
      if (!added.ok) throw new Error(added.error);
    }
    for (const format of ["apkg", "colpkg"] as const) {
      const file = await exported(col, { format });
      const entries = unzipSync(file.bytes);
      expect(Object.keys(entries)).toEqual(expect.arrayContaining(["collection.anki2", "collection.anki21", "meta"]));
      const placeholder = await openAnkiDatabase(entries["collection.anki2"] as Uint8Array);
      try {
        expect(rows(placeholder, "SELECT flds FROM notes")).toEqual([[`${PLACEHOLDER_TEXT}\u001f`]]);
        expect(rows(placeholder, "SELECT count(*) FROM cards")).toEqual([[1]]);
        expect(rows(placeholder, "SELECT ver FROM col")).toEqual([[11]]);
      } finally {
        placeholder.close();
      }
      // The real collection is the one read back.
      const back = await imported(file.fileName, file.bytes);
      expect((await back.col.db.getAll("notes")).map((n) => n.fields[0]).sort()).toEqual(["dos", "uno"]);
    }
  });
});
