// Note types: add, rename, delete; their fields and card templates; CSS. Adding, removing or reordering fields
// or templates, and deleting a note type, are schema changes: they cannot be merged, so they stamp `scm` and
// the next sync is one-way. Such an operation refuses with a warning unless the person confirmed it. Changing
// notes to another note type (Anki's "Change Notetype") is one too.
import { cardOrdinals } from "../../../shared/card-generation";
import { type Card, DEFAULT_DECK_ID, type Note, type NoteType } from "../../../shared/model";
import { fieldDef, templateDef } from "../../../shared/stock-notetypes";
import { parseTemplate } from "../../../shared/template/parse";
import {
  type ChangeOptions,
  type Collection,
  done,
  grave,
  type Outcome,
  type Refusal,
  refuse,
  stamp,
} from "./collection";
import { chunks, deleteNotesIn, newCard, takePositions, touchMeta } from "./notes";
import { pendingUsn } from "./pending";

const NAME_MAX = 200;

function checkName(kind: string, input: string, taken: string[]): Outcome<string> {
  const name = input.normalize("NFC").trim();
  if (!name) return refuse(`The ${kind} needs a name.`);
  if (name.length > NAME_MAX) return refuse(`The ${kind} name is longer than ${NAME_MAX} characters.`);
  if (/[\u0000-\u001f]/.test(name)) return refuse(`The ${kind} name cannot contain control characters.`);
  if (kind === "field" && /[:{}"#^/]/.test(name)) {
    return refuse('A field name cannot contain : { } " # ^ or /, which templates use.');
  }
  if (taken.some((t) => t.toLowerCase() === name.toLowerCase()))
    return refuse(`A ${kind} named "${name}" exists already.`);
  return done(name);
}

async function getNoteType(col: Collection, id: number): Promise<Outcome<NoteType>> {
  const noteType = await col.db.get("notetypes", id);
  return noteType ? done(noteType) : refuse(`There is no note type with id ${id}.`);
}

/** Adds a note type as a copy of another (a stock one, or one of the person's). */
export async function addNoteType(col: Collection, name: string, copyOf: number): Promise<Outcome<NoteType>> {
  const source = await getNoteType(col, copyOf);
  if (!source.ok) return source;
  const all = await col.db.getAll("notetypes");
  const checked = checkName(
    "note type",
    name,
    all.map((n) => n.name),
  );
  if (!checked.ok) return checked;
  const [id = 0] = await col.freshIds("notetypes", 1);
  const now = col.clock.now();
  const tx = col.db.transaction(["notetypes", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const noteType: NoteType = { ...structuredClone(source.value), id, name: checked.value, mtime: now, usn };
  await tx.objectStore("notetypes").add(noteType);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(noteType);
}

export async function renameNoteType(col: Collection, id: number, name: string): Promise<Outcome<NoteType>> {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  const others = (await col.db.getAll("notetypes")).filter((n) => n.id !== id).map((n) => n.name);
  const checked = checkName("note type", name, others);
  if (!checked.ok) return checked;
  return saveNoteType(col, { ...current.value, name: checked.value });
}

/** Deletes a note type with all its notes and cards (a schema change). */
export async function deleteNoteType(
  col: Collection,
  id: number,
  options: ChangeOptions = {},
): Promise<Outcome<{ notes: number; cards: number }>> {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  if ((await col.db.count("notetypes")) <= 1) return refuse("The last note type cannot be deleted.");
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const now = col.clock.now();
  const tx = col.db.transaction(["notetypes", "notes", "cards", "graves", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const noteIds = await tx.objectStore("notes").index("noteTypeId").getAllKeys(id);
  const { notes, cards } = await deleteNotesIn(tx, noteIds, now, usn);
  await tx.objectStore("notetypes").delete(id);
  await tx.objectStore("graves").put(grave("notetype", id, now, usn));
  await touchMeta(tx.objectStore("meta"), now, true);
  await tx.done;
  return done({ notes, cards });
}

/** Renames a field and the template references to it, as Anki does; not a schema change. */
export async function renameField(col: Collection, id: number, ord: number, name: string): Promise<Outcome<NoteType>> {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  const field = current.value.fields[ord];
  if (!field) return refuse(`The note type has no field number ${ord + 1}.`);
  const checked = checkName(
    "field",
    name,
    current.value.fields.filter((_, i) => i !== ord).map((f) => f.name),
  );
  if (!checked.ok) return checked;
  const rename = (template: string) => renameFieldReferences(template, field.name, checked.value);
  const noteType = structuredClone(current.value);
  noteType.fields[ord] = { ...field, name: checked.value };
  noteType.templates = noteType.templates.map((t) => ({
    ...t,
    qfmt: rename(t.qfmt),
    afmt: rename(t.afmt),
    bqfmt: rename(t.bqfmt),
    bafmt: rename(t.bafmt),
  }));
  return saveNoteType(col, noteType);
}

/** Replaces {{Old}}, {{#Old}}, {{^Old}}, {{/Old}} and {{filter:Old}} with the new name. */
export function renameFieldReferences(template: string, from: string, to: string): string {
  return template.replace(/\{\{([#^/]?)([^{}]*?)\}\}/g, (whole, sigil: string, inner: string) => {
    const parts = inner.split(":");
    const last = parts.pop() ?? "";
    if (last.trim() !== from) return whole;
    return `{{${sigil}${[...parts, to].join(":")}}}`;
  });
}

/** Adds a field at the end (a schema change); every note of the type gets it empty. */
export async function addField(col: Collection, id: number, name: string, options: ChangeOptions = {}) {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  const checked = checkName(
    "field",
    name,
    current.value.fields.map((f) => f.name),
  );
  if (!checked.ok) return checked;
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const noteType = structuredClone(current.value);
  noteType.fields.push(fieldDef(checked.value, noteType.fields.length));
  return saveWithNotes(col, noteType, (fields) => [...fields, ""]);
}

/** Removes a field and its content from every note of the type (a schema change). */
export async function removeField(col: Collection, id: number, ord: number, options: ChangeOptions = {}) {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  if (!current.value.fields[ord]) return refuse(`The note type has no field number ${ord + 1}.`);
  if (current.value.fields.length <= 1) return refuse("A note type needs at least one field.");
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const noteType = structuredClone(current.value);
  noteType.fields = renumber(noteType.fields.filter((_, i) => i !== ord));
  if (noteType.sortField === ord) noteType.sortField = 0;
  else if (noteType.sortField > ord) noteType.sortField--;
  return saveWithNotes(col, noteType, (fields) => fields.filter((_, i) => i !== ord));
}

/** Moves a field to another position, in the note type and in every note (a schema change). */
export async function moveField(col: Collection, id: number, from: number, to: number, options: ChangeOptions = {}) {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  const count = current.value.fields.length;
  if (!inRange(from, count) || !inRange(to, count)) return refuse(`Field positions go from 1 to ${count}.`);
  if (from === to) return done(current.value);
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const noteType = structuredClone(current.value);
  const sortName = noteType.fields[noteType.sortField]?.name;
  noteType.fields = renumber(move(noteType.fields, from, to));
  noteType.sortField = Math.max(
    0,
    noteType.fields.findIndex((f) => f.name === sortName),
  );
  return saveWithNotes(col, noteType, (fields) => move(fields, from, to));
}

/** Adds a card template (a schema change) and makes its cards for existing notes. */
export async function addTemplate(col: Collection, id: number, name: string, options: ChangeOptions = {}) {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  if (current.value.kind === "cloze") return refuse("A cloze note type has exactly one template.");
  const checked = checkName(
    "card type",
    name,
    current.value.templates.map((t) => t.name),
  );
  if (!checked.ok) return checked;
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const noteType = structuredClone(current.value);
  const first = noteType.fields[0]?.name ?? "Front";
  noteType.templates.push(
    templateDef(checked.value, noteType.templates.length, `{{${first}}}`, "{{FrontSide}}\n\n<hr id=answer>\n\n"),
  );
  return saveWithCards(col, noteType, { schema: true });
}

/** Removes a card template and its cards (a schema change). Refuses when a note would be left without cards. */
export async function removeTemplate(
  col: Collection,
  id: number,
  ord: number,
  options: ChangeOptions & { confirmDeleteReviewed?: boolean } = {},
): Promise<Outcome<NoteType>> {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  if (!current.value.templates[ord]) return refuse(`The note type has no card type number ${ord + 1}.`);
  if (current.value.templates.length <= 1) return refuse("A note type needs at least one card type.");
  const cards = await cardsOfType(col, id);
  const byNote = new Map<number, Card[]>();
  for (const card of cards) byNote.set(card.noteId, [...(byNote.get(card.noteId) ?? []), card]);
  for (const list of byNote.values()) {
    if (list.every((c) => c.ord === ord)) {
      return refuse("Removing this card type would leave some notes without any cards; delete those notes first.");
    }
  }
  const doomed = cards.filter((c) => c.ord === ord);
  const reviewed = doomed.filter((c) => c.reps > 0).length;
  if (reviewed > 0 && !options.confirmDeleteReviewed) {
    return {
      ok: false,
      error: `Removing this card type deletes ${doomed.length} cards, ${reviewed} of them with reviews. Go on?`,
      confirm: "delete-reviewed-cards",
    };
  }
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const noteType = structuredClone(current.value);
  noteType.templates = renumber(noteType.templates.filter((_, i) => i !== ord));
  const now = col.clock.now();
  const tx = col.db.transaction(["notetypes", "cards", "graves", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  stamp(noteType, now, usn);
  await tx.objectStore("notetypes").put(noteType);
  for (const card of cards) {
    if (card.ord === ord) {
      await tx.objectStore("cards").delete(card.id);
      await tx.objectStore("graves").put(grave("card", card.id, now, usn));
    } else if (card.ord > ord) {
      await tx.objectStore("cards").put(stamp({ ...card, ord: card.ord - 1 }, now, usn));
    }
  }
  await touchMeta(tx.objectStore("meta"), now, true);
  await tx.done;
  return done(noteType);
}

/** Moves a card template to another position; cards follow (a schema change). */
export async function moveTemplate(col: Collection, id: number, from: number, to: number, options: ChangeOptions = {}) {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  const count = current.value.templates.length;
  if (!inRange(from, count) || !inRange(to, count)) return refuse(`Card type positions go from 1 to ${count}.`);
  if (from === to) return done(current.value);
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const order = move([...Array(count).keys()], from, to);
  const newOrd = new Map(order.map((oldOrd, index) => [oldOrd, index]));
  const noteType = structuredClone(current.value);
  noteType.templates = renumber(move(noteType.templates, from, to));
  const cards = await cardsOfType(col, id);
  const now = col.clock.now();
  const tx = col.db.transaction(["notetypes", "cards", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  stamp(noteType, now, usn);
  await tx.objectStore("notetypes").put(noteType);
  for (const card of cards) {
    const ord = newOrd.get(card.ord) ?? card.ord;
    if (ord !== card.ord) await tx.objectStore("cards").put(stamp({ ...card, ord }, now, usn));
  }
  await touchMeta(tx.objectStore("meta"), now, true);
  await tx.done;
  return done(noteType);
}

export async function renameTemplate(col: Collection, id: number, ord: number, name: string) {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  if (!current.value.templates[ord]) return refuse(`The note type has no card type number ${ord + 1}.`);
  const others = current.value.templates.filter((_, i) => i !== ord).map((t) => t.name);
  const checked = checkName("card type", name, others);
  if (!checked.ok) return checked;
  const noteType = structuredClone(current.value);
  noteType.templates = noteType.templates.map((t, i) => (i === ord ? { ...t, name: checked.value } : t));
  return saveNoteType(col, noteType);
}

export interface TemplateEdit {
  qfmt?: string;
  afmt?: string;
  bqfmt?: string;
  bafmt?: string;
}

/** Saves edited front and back templates, after checking they parse; makes cards the new front now produces. */
export async function updateTemplate(col: Collection, id: number, ord: number, edit: TemplateEdit) {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  const template = current.value.templates[ord];
  if (!template) return refuse(`The note type has no card type number ${ord + 1}.`);
  const next = { ...template, ...edit };
  for (const [side, source] of [
    ["front", next.qfmt],
    ["back", next.afmt],
  ] as const) {
    const parsed = parseTemplate(source);
    if (!parsed.ok) return refuse(`The ${side} template has an error: ${parsed.error}`);
  }
  if (current.value.kind === "cloze" && !/\{\{[^}]*cloze:[^}]+\}\}/.test(next.qfmt)) {
    return refuse("The front of a cloze template must contain a {{cloze:Field}} replacement.");
  }
  const noteType = structuredClone(current.value);
  noteType.templates[ord] = next;
  return saveWithCards(col, noteType, { schema: false });
}

export async function updateCss(col: Collection, id: number, css: string): Promise<Outcome<NoteType>> {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  if (css.length > 500_000) return refuse("The styling is longer than 500,000 characters.");
  return saveNoteType(col, { ...current.value, css });
}

export async function setSortField(col: Collection, id: number, ord: number): Promise<Outcome<NoteType>> {
  const current = await getNoteType(col, id);
  if (!current.ok) return current;
  if (!current.value.fields[ord]) return refuse(`The note type has no field number ${ord + 1}.`);
  return saveNoteType(col, { ...current.value, sortField: ord });
}

/** How notes change type: where each new field and card type takes its content and cards from. */
export interface NoteTypeMapping {
  /** For each field of the new note type, the position of the old field whose content it takes, or null (empty). */
  fields: (number | null)[];
  /**
   * For each card type of the new note type, the position of the old card type whose cards move to it, or null;
   * cards of an old card type that no new one takes are deleted. Null when either note type is a cloze type: cloze
   * cards keep their numbers (c1 is the first card), and a standard type keeps the cards that have a card type.
   */
  templates: (number | null)[] | null;
}

export interface NoteTypeChange {
  noteIds: readonly number[];
  /** The note type the notes have now: every note must have it. */
  fromId: number;
  toId: number;
  mapping: NoteTypeMapping;
}

export interface NoteTypeChangeResult {
  notes: number;
  /** Cards that now belong to another card type. */
  movedCards: number;
  deletedCards: number;
  /** Cards the new note type makes that the notes did not have. */
  addedCards: number;
}

/** Anki's default mapping: by name, then the new ones left over take the unused old ones in order. */
export function defaultMapping(from: NoteType, to: NoteType): NoteTypeMapping {
  const match = (olds: { name: string }[], news: { name: string }[]) => {
    const byName = news.map((n) => olds.findIndex((o) => o.name === n.name)).map((i) => (i >= 0 ? i : null));
    const unused = olds.map((_, i) => i).filter((i) => !byName.includes(i));
    return byName.map((i) => i ?? unused.shift() ?? null);
  };
  return {
    fields: match(from.fields, to.fields),
    templates: from.kind === "cloze" || to.kind === "cloze" ? null : match(from.templates, to.templates),
  };
}

/** Says what is wrong with a mapping between two note types, or null when it is fine. */
export function checkMapping(from: NoteType, to: NoteType, mapping: NoteTypeMapping): string | null {
  const valid = (i: number | null, count: number) => i === null || (Number.isInteger(i) && i >= 0 && i < count);
  if (mapping.fields.length !== to.fields.length || !mapping.fields.every((i) => valid(i, from.fields.length))) {
    return `Give each of the ${to.fields.length} fields of "${to.name}" a field of "${from.name}" or nothing.`;
  }
  if (from.kind === "cloze" || to.kind === "cloze") {
    if (mapping.templates !== null)
      return "Cloze cards keep their numbers: card types cannot be mapped to or from a cloze type.";
    return null;
  }
  const templates = mapping.templates;
  if (
    templates === null ||
    templates.length !== to.templates.length ||
    !templates.every((i) => valid(i, from.templates.length))
  ) {
    return `Give each of the ${to.templates.length} card types of "${to.name}" a card type of "${from.name}" or nothing.`;
  }
  const taken = templates.filter((i) => i !== null);
  if (new Set(taken).size !== taken.length) return "An old card type's cards can move to only one new card type.";
  return null;
}

/** Where a card of the old note type goes: its new template position, or null when it is deleted. */
function cardDestination(from: NoteType, to: NoteType, mapping: NoteTypeMapping): (ord: number) => number | null {
  const templates = mapping.templates;
  if (templates === null || from.kind === "cloze" || to.kind === "cloze") {
    return (ord) => (to.kind === "standard" && ord >= to.templates.length ? null : ord);
  }
  return (ord) => {
    const index = templates.indexOf(ord);
    return index >= 0 ? index : null;
  };
}

/**
 * Changes notes to another note type (Anki's "Change Notetype"), a schema change: every note takes the new note
 * type and its fields as mapped, its cards move to the mapped card types or are deleted (with graves), and the
 * cards the new note type makes that are missing are added. All in one transaction, which is rolled back when a
 * note turns out not to be of `fromId` or would be left without cards. Asks before deleting reviewed cards.
 */
export async function changeNoteType(
  col: Collection,
  change: NoteTypeChange,
  options: ChangeOptions & { confirmDeleteReviewed?: boolean } = {},
): Promise<Outcome<NoteTypeChangeResult>> {
  const fromResult = await getNoteType(col, change.fromId);
  if (!fromResult.ok) return fromResult;
  const toResult = await getNoteType(col, change.toId);
  if (!toResult.ok) return toResult;
  const from = fromResult.value;
  const to = toResult.value;
  const problem = checkMapping(from, to, change.mapping);
  if (problem) return refuse(problem);
  const destination = cardDestination(from, to, change.mapping);
  const guard = await col.guardSchemaChange(options);
  // Keeps new card ids above every existing one; col.nextId() hands them out inside the transaction.
  await col.freshIds("cards", 0);
  const normalDecks = new Set((await col.db.getAll("decks")).filter((d) => !d.filter).map((d) => d.id));
  const now = col.clock.now();
  const result: NoteTypeChangeResult = { notes: 0, movedCards: 0, deletedCards: 0, addedCards: 0 };
  let reviewedDeleted = 0;
  const tx = col.db.transaction(["notes", "cards", "graves", "config", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const notes = tx.objectStore("notes");
  const cards = tx.objectStore("cards");

  const refusal = (error: string): Refusal => ({ ok: false, error });
  const write = async (): Promise<Refusal | null> => {
    for (const chunk of chunks(change.noteIds)) {
      for (const note of await Promise.all(chunk.map((id) => notes.get(id)))) {
        if (!note) continue;
        if (note.noteTypeId !== from.id) {
          return refusal(`Not every note is of the note type "${from.name}": choose notes of one note type.`);
        }
        const fields = change.mapping.fields.map((i) => (i === null ? "" : (note.fields[i] ?? "")));
        const existing = await cards.index("noteId").getAll(note.id);
        const kept: number[] = [];
        // New cards go to their siblings' home deck, never into a filtered deck that borrowed a sibling.
        let deckId = homeDeckOf(existing[0]);
        for (const card of existing) {
          const ord = destination(card.ord);
          if (ord === null) {
            await cards.delete(card.id);
            await tx.objectStore("graves").put(grave("card", card.id, now, usn));
            result.deletedCards++;
            if (card.reps > 0) reviewedDeleted++;
            continue;
          }
          if (kept.length === 0) deckId = homeDeckOf(card);
          kept.push(ord);
          if (ord !== card.ord) {
            await cards.put(stamp({ ...card, ord }, now, usn));
            result.movedCards++;
          }
        }
        const missing = cardOrdinals(to, fields).filter((ord) => !kept.includes(ord));
        if (kept.length === 0 && missing.length === 0) {
          return refusal(
            `A note would be left without cards ("${fields.find((f) => f.trim())?.slice(0, 40) ?? ""}"): ` +
              "map one of its card types, or a field that the new front templates show.",
          );
        }
        if (missing.length > 0) {
          const position = await takePositions(tx.objectStore("config"), 1, now, usn);
          for (const ord of missing) {
            const override = to.kind === "standard" ? to.templates[ord]?.deckOverride : null;
            const deck = override != null && normalDecks.has(override) ? override : deckId;
            await cards.add(newCard(col.nextId(), note.id, deck, ord, position, now, usn));
            result.addedCards++;
          }
        }
        await notes.put(stamp({ ...note, noteTypeId: to.id, fields }, now, usn));
        result.notes++;
      }
    }
    if (result.notes === 0) return refusal("None of these notes exists any more; nothing was changed.");
    if (reviewedDeleted > 0 && !options.confirmDeleteReviewed) {
      return {
        ok: false,
        error:
          `Changing the note type deletes ${result.deletedCards} cards, ${reviewedDeleted} of them with reviews ` +
          "(their review history is kept). Go on?",
        confirm: "delete-reviewed-cards",
      };
    }
    if (guard) return guard;
    await touchMeta(tx.objectStore("meta"), now, true);
    return null;
  };

  const refused = await write();
  if (refused) {
    tx.abort();
    await tx.done.catch(() => undefined);
    return refused;
  }
  await tx.done;
  return done(result);
}

async function saveNoteType(col: Collection, noteType: NoteType): Promise<Outcome<NoteType>> {
  const now = col.clock.now();
  const tx = col.db.transaction(["notetypes", "meta"], "readwrite");
  const saved = stamp(noteType, now, await pendingUsn(tx.objectStore("meta")));
  await tx.objectStore("notetypes").put(saved);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(saved);
}

/** Saves a note type whose fields changed shape, rewriting every note of it in the same transaction. */
async function saveWithNotes(
  col: Collection,
  noteType: NoteType,
  reshape: (fields: string[]) => string[],
): Promise<Outcome<NoteType>> {
  const now = col.clock.now();
  const tx = col.db.transaction(["notetypes", "notes", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  stamp(noteType, now, usn);
  await tx.objectStore("notetypes").put(noteType);
  const notes = tx.objectStore("notes");
  for (const note of await notes.index("noteTypeId").getAll(noteType.id)) {
    await notes.put(stamp({ ...note, fields: reshape(note.fields) }, now, usn));
  }
  await touchMeta(tx.objectStore("meta"), now, true);
  await tx.done;
  return done(noteType);
}

/** The deck a sibling lives in: its home deck when a filtered deck borrowed it; Default for a note without cards. */
function homeDeckOf(card: Card | undefined): number {
  return card ? card.odid || card.deckId : DEFAULT_DECK_ID;
}

/** Saves a note type whose templates changed, adding the cards that its notes now produce. */
async function saveWithCards(
  col: Collection,
  noteType: NoteType,
  { schema }: { schema: boolean },
): Promise<Outcome<NoteType>> {
  const notes = await col.db.getAllFromIndex("notes", "noteTypeId", noteType.id);
  const cards = await cardsOfType(col, noteType.id);
  const byNote = new Map<number, Card[]>();
  for (const card of cards) byNote.set(card.noteId, [...(byNote.get(card.noteId) ?? []), card]);
  const additions: { note: Note; ord: number; deckId: number }[] = [];
  for (const note of notes) {
    const existing = byNote.get(note.id) ?? [];
    const have = new Set(existing.map((c) => c.ord));
    for (const ord of cardOrdinals(noteType, note.fields)) {
      if (!have.has(ord)) additions.push({ note, ord, deckId: homeDeckOf(existing[0]) });
    }
  }
  const ids = await col.freshIds("cards", additions.length);
  const now = col.clock.now();
  const tx = col.db.transaction(["notetypes", "cards", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  stamp(noteType, now, usn);
  await tx.objectStore("notetypes").put(noteType);
  for (const [i, { note, ord, deckId }] of additions.entries()) {
    await tx.objectStore("cards").add(newCard(ids[i] ?? 0, note.id, deckId, ord, 0, now, usn));
  }
  await touchMeta(tx.objectStore("meta"), now, schema);
  await tx.done;
  return done(noteType);
}

async function cardsOfType(col: Collection, noteTypeId: number): Promise<Card[]> {
  const noteIds = await col.db.getAllKeysFromIndex("notes", "noteTypeId", noteTypeId);
  const tx = col.db.transaction("cards");
  const lists = await Promise.all(noteIds.map((noteId) => tx.store.index("noteId").getAll(noteId)));
  return lists.flat();
}

function renumber<T extends { ord: number }>(list: T[]): T[] {
  return list.map((item, ord) => ({ ...item, ord }));
}

function move<T>(list: T[], from: number, to: number): T[] {
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  if (item !== undefined) copy.splice(to, 0, item);
  return copy;
}

function inRange(index: number, count: number): boolean {
  return Number.isInteger(index) && index >= 0 && index < count;
}
