import { describe, expect, it } from "vitest";
import { setFlag, setSuspended } from "../../extension/lib/collection/cards";
import type { ChangeOptions, Collection, Outcome } from "../../extension/lib/collection/collection";
import { addDeck, deleteDeck, renameDeck } from "../../extension/lib/collection/decks";
import { addNote, deleteNotes, updateNote } from "../../extension/lib/collection/notes";
import {
  addField,
  addNoteType,
  addTemplate,
  deleteNoteType,
  moveField,
  moveTemplate,
  removeField,
  removeTemplate,
  renameField,
  renameFieldReferences,
  renameNoteType,
  renameTemplate,
  setSortField,
  updateCss,
  updateTemplate,
} from "../../extension/lib/collection/notetypes";
import { addPreset, deletePreset, updatePreset } from "../../extension/lib/collection/presets";
import { freshCollection, noteTypeByName } from "./factories";

interface World {
  col: Collection;
  reversedId: number;
  noteId: number;
  cardId: number;
  presetId: number;
}

/** A collection that has synced once, with a reversed note and a second preset. */
async function syncedWorld(): Promise<World> {
  const { col, clock } = await freshCollection();
  const reversed = await noteTypeByName(col, "Basic (and reversed card)");
  const note = await addNote(col, { noteTypeId: reversed.id, deckId: 1, fields: ["f", "b"], tags: "" });
  if (!note.ok) throw new Error(note.error);
  const [card] = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
  const preset = await addPreset(col, "Second");
  if (!preset.ok) throw new Error(preset.error);
  clock.advance(60_000);
  const meta = await col.meta();
  await col.db.put("meta", { ...meta, lastSync: clock.time, lastSyncUsn: 1 }, "collection");
  clock.advance(60_000);
  return { col, reversedId: reversed.id, noteId: note.value.id, cardId: card?.id ?? 0, presetId: preset.value.id };
}

type Op = (w: World, options: ChangeOptions) => Promise<Outcome<unknown>>;

const schemaChanges: [string, Op][] = [
  ["adding a field", (w, o) => addField(w.col, w.reversedId, "Extra", o)],
  ["removing a field", (w, o) => removeField(w.col, w.reversedId, 1, o)],
  ["reordering fields", (w, o) => moveField(w.col, w.reversedId, 0, 1, o)],
  ["adding a template", (w, o) => addTemplate(w.col, w.reversedId, "Card 3", o)],
  ["removing a template", (w, o) => removeTemplate(w.col, w.reversedId, 1, o)],
  ["reordering templates", (w, o) => moveTemplate(w.col, w.reversedId, 0, 1, o)],
  ["deleting a note type", (w, o) => deleteNoteType(w.col, w.reversedId, o)],
  ["deleting an options preset", (w, o) => deletePreset(w.col, w.presetId, o)],
];

const ordinaryChanges: [string, (w: World) => Promise<Outcome<unknown>>][] = [
  ["adding a note", async (w) => addNote(w.col, { noteTypeId: w.reversedId, deckId: 1, fields: ["x", "y"], tags: "" })],
  ["editing a note", (w) => updateNote(w.col, w.noteId, { fields: ["changed", "b"] })],
  ["deleting a note", (w) => deleteNotes(w.col, [w.noteId])],
  ["suspending a card", (w) => setSuspended(w.col, [w.cardId], true)],
  ["flagging a card", (w) => setFlag(w.col, [w.cardId], 1)],
  ["adding a deck", (w) => addDeck(w.col, "New::Deck")],
  ["renaming a deck", (w) => renameDeck(w.col, 1, "Main")],
  [
    "deleting a deck",
    async (w) => {
      const deck = await addDeck(w.col, "Gone");
      return deck.ok ? deleteDeck(w.col, deck.value.id, { cards: "delete" }) : deck;
    },
  ],
  ["adding a note type", (w) => addNoteType(w.col, "Mine", w.reversedId)],
  ["renaming a note type", (w) => renameNoteType(w.col, w.reversedId, "Two-way")],
  ["renaming a field", (w) => renameField(w.col, w.reversedId, 0, "Question")],
  ["renaming a template", (w) => renameTemplate(w.col, w.reversedId, 0, "Forward")],
  ["editing a template", (w) => updateTemplate(w.col, w.reversedId, 0, { qfmt: "<b>{{Front}}</b>" })],
  ["editing the styling", (w) => updateCss(w.col, w.reversedId, ".card { color: red; }")],
  ["choosing the sort field", (w) => setSortField(w.col, w.reversedId, 1)],
  ["editing a preset", (w) => updatePreset(w.col, w.presetId, { newPerDay: 5 })],
];

describe("schema changes", () => {
  it.each(schemaChanges)("%s after a sync asks first, and changes nothing when not confirmed", async (_name, op) => {
    const w = await syncedWorld();
    const before = JSON.stringify([
      await w.col.meta(),
      await w.col.db.getAll("notetypes"),
      await w.col.db.getAll("notes"),
    ]);
    const refused = await op(w, {});
    expect(refused).toMatchObject({
      ok: false,
      confirm: "schema-change",
      error: expect.stringMatching(/next sync will have to be one-way/),
    });
    const after = JSON.stringify([
      await w.col.meta(),
      await w.col.db.getAll("notetypes"),
      await w.col.db.getAll("notes"),
    ]);
    expect(after).toBe(before);
  });

  it.each(schemaChanges)("%s, once confirmed, bumps the collection's scm", async (_name, op) => {
    const w = await syncedWorld();
    const { scm } = await w.col.meta();
    const result = await op(w, { confirmSchemaChange: true });
    expect(result.ok).toBe(true);
    expect((await w.col.meta()).scm).toBeGreaterThan(scm);
  });

  it.each(ordinaryChanges)("%s does not touch scm", async (_name, op) => {
    const w = await syncedWorld();
    const { scm, mtime } = await w.col.meta();
    const result = await op(w);
    expect(result.ok).toBe(true);
    const meta = await w.col.meta();
    expect(meta.scm).toBe(scm);
    expect(meta.mtime).toBeGreaterThan(mtime);
  });

  it("needs no warning before the first sync, nor a second one once the next sync is one-way already", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    expect((await addField(col, basic.id, "Extra")).ok).toBe(true);
    const w = await syncedWorld();
    expect((await addField(w.col, w.reversedId, "One", { confirmSchemaChange: true })).ok).toBe(true);
    expect((await addField(w.col, w.reversedId, "Two")).ok).toBe(true);
  });
});

describe("note type edits keep notes and cards consistent", () => {
  it("adding and moving a field reshapes every note", async () => {
    const w = await syncedWorld();
    await addField(w.col, w.reversedId, "Extra", { confirmSchemaChange: true });
    expect((await w.col.db.get("notes", w.noteId))?.fields).toEqual(["f", "b", ""]);
    await moveField(w.col, w.reversedId, 2, 0, { confirmSchemaChange: true });
    expect((await w.col.db.get("notes", w.noteId))?.fields).toEqual(["", "f", "b"]);
    const nt = await w.col.db.get("notetypes", w.reversedId);
    expect(nt?.fields.map((f) => [f.name, f.ord])).toEqual([
      ["Extra", 0],
      ["Front", 1],
      ["Back", 2],
    ]);
    expect(nt?.sortField).toBe(1);
  });

  it("renaming a field renames its references in the templates", async () => {
    expect(
      renameFieldReferences(
        "{{Front}} {{#Front}}x{{/Front}} {{^Front}}{{/Front}} {{text:Front}} {{Fronts}}",
        "Front",
        "Q",
      ),
    ).toBe("{{Q}} {{#Q}}x{{/Q}} {{^Q}}{{/Q}} {{text:Q}} {{Fronts}}");
  });

  it("removing a template with reviewed cards asks to confirm the deletion too", async () => {
    const w = await syncedWorld();
    const cards = await w.col.db.getAllFromIndex("cards", "noteId", w.noteId);
    const second = cards.find((c) => c.ord === 1);
    if (!second) throw new Error();
    await w.col.db.put("cards", { ...second, reps: 3 });
    const asked = await removeTemplate(w.col, w.reversedId, 1, { confirmSchemaChange: true });
    expect(asked).toMatchObject({
      ok: false,
      confirm: "delete-reviewed-cards",
      error: expect.stringMatching(/1 of them with reviews/),
    });
    const removed = await removeTemplate(w.col, w.reversedId, 1, {
      confirmSchemaChange: true,
      confirmDeleteReviewed: true,
    });
    expect(removed.ok).toBe(true);
    expect(await w.col.db.countFromIndex("cards", "noteId", w.noteId)).toBe(1);
    expect((await w.col.db.getAll("graves")).map((g) => `${g.kind}:${g.id}`)).toContain(`card:${second.id}`);
  });

  it("reordering templates carries the cards' ordinals along", async () => {
    const w = await syncedWorld();
    const before = await w.col.db.getAllFromIndex("cards", "noteId", w.noteId);
    await moveTemplate(w.col, w.reversedId, 0, 1, { confirmSchemaChange: true });
    const after = await w.col.db.getAllFromIndex("cards", "noteId", w.noteId);
    for (const card of before) expect(after.find((c) => c.id === card.id)?.ord).toBe(1 - card.ord);
  });

  it("a template that now shows a field makes the missing cards", async () => {
    const { col } = await freshCollection();
    const optional = await noteTypeByName(col, "Basic (optional reversed card)");
    const added = await addNote(col, { noteTypeId: optional.id, deckId: 1, fields: ["f", "b", ""], tags: "" });
    if (!added.ok) throw new Error();
    expect(await col.db.countFromIndex("cards", "noteId", added.value.id)).toBe(1);
    await updateTemplate(col, optional.id, 1, { qfmt: "{{Back}}" });
    expect(await col.db.countFromIndex("cards", "noteId", added.value.id)).toBe(2);
    expect(await updateTemplate(col, optional.id, 1, { qfmt: "{{#Back}}oops" })).toEqual({
      ok: false,
      error: "The front template has an error: Missing {{/Back}}.",
    });
  });
});
