// Note types: add, rename, delete; their fields and card templates; CSS. Adding, removing or reordering fields
// or templates, and deleting a note type, are schema changes: they cannot be merged, so they stamp `scm` and
// the next sync is one-way. Such an operation refuses with a warning unless the person confirmed it.
import { cardOrdinals } from "../../../shared/card-generation";
import { type Card, type Note, type NoteType, PENDING } from "../../../shared/model";
import { fieldDef, templateDef } from "../../../shared/stock-notetypes";
import { parseTemplate } from "../../../shared/template/parse";
import { type ChangeOptions, type Collection, done, grave, type Outcome, refuse, stamp } from "./collection";
import { deleteNotesIn, newCard, touchMeta } from "./notes";

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
  const noteType: NoteType = { ...structuredClone(source.value), id, name: checked.value, mtime: now, usn: PENDING };
  const tx = col.db.transaction(["notetypes", "meta"], "readwrite");
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
  const noteIds = await tx.objectStore("notes").index("noteTypeId").getAllKeys(id);
  const { notes, cards } = await deleteNotesIn(tx, noteIds, now);
  await tx.objectStore("notetypes").delete(id);
  await tx.objectStore("graves").put(grave("notetype", id, now));
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
  stamp(noteType, now);
  const tx = col.db.transaction(["notetypes", "cards", "graves", "meta"], "readwrite");
  await tx.objectStore("notetypes").put(noteType);
  for (const card of cards) {
    if (card.ord === ord) {
      await tx.objectStore("cards").delete(card.id);
      await tx.objectStore("graves").put(grave("card", card.id, now));
    } else if (card.ord > ord) {
      await tx.objectStore("cards").put(stamp({ ...card, ord: card.ord - 1 }, now));
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
  stamp(noteType, now);
  const tx = col.db.transaction(["notetypes", "cards", "meta"], "readwrite");
  await tx.objectStore("notetypes").put(noteType);
  for (const card of cards) {
    const ord = newOrd.get(card.ord) ?? card.ord;
    if (ord !== card.ord) await tx.objectStore("cards").put(stamp({ ...card, ord }, now));
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

async function saveNoteType(col: Collection, noteType: NoteType): Promise<Outcome<NoteType>> {
  const now = col.clock.now();
  const saved = stamp(noteType, now);
  const tx = col.db.transaction(["notetypes", "meta"], "readwrite");
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
  stamp(noteType, now);
  const tx = col.db.transaction(["notetypes", "notes", "meta"], "readwrite");
  await tx.objectStore("notetypes").put(noteType);
  const notes = tx.objectStore("notes");
  for (const note of await notes.index("noteTypeId").getAll(noteType.id)) {
    await notes.put(stamp({ ...note, fields: reshape(note.fields) }, now));
  }
  await touchMeta(tx.objectStore("meta"), now, true);
  await tx.done;
  return done(noteType);
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
      if (!have.has(ord)) additions.push({ note, ord, deckId: existing[0]?.deckId ?? 1 });
    }
  }
  const ids = await col.freshIds("cards", additions.length);
  const now = col.clock.now();
  stamp(noteType, now);
  const tx = col.db.transaction(["notetypes", "cards", "meta"], "readwrite");
  await tx.objectStore("notetypes").put(noteType);
  for (const [i, { note, ord, deckId }] of additions.entries()) {
    await tx.objectStore("cards").add(newCard(ids[i] ?? 0, note.id, deckId, ord, 0, now));
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
