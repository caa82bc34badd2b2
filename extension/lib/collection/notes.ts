// Adding, editing and deleting notes, with the cards their note type makes. A note and its cards are written in
// one transaction.
import { cardOrdinals } from "../../../shared/card-generation";
import { parseTags } from "../../../shared/deck-names";
import { type Card, CardQueue, CardType, type Note, type NoteType } from "../../../shared/model";
import { noteSizeProblem } from "../../../shared/schemas";
import { type Collection, done, grave, type Outcome, randomGuid, refuse, stamp, touchedMeta } from "./collection";
import { pendingUsn } from "./pending";
import type { WriteStore } from "./schema";

export interface NoteInput {
  noteTypeId: number;
  deckId: number;
  fields: string[];
  /** Tags as typed: separated by spaces. */
  tags: string | string[];
}

export function newCard(
  id: number,
  noteId: number,
  deckId: number,
  ord: number,
  position: number,
  now: number,
  usn: number,
): Card {
  return {
    id,
    noteId,
    deckId,
    ord,
    type: CardType.New,
    queue: CardQueue.New,
    due: position,
    ivl: 0,
    factor: 0,
    reps: 0,
    lapses: 0,
    left: 0,
    odue: 0,
    odid: 0,
    flags: 0,
    data: "",
    mtime: now,
    usn,
  };
}

function normaliseTags(tags: string | string[]): string[] {
  return parseTags(Array.isArray(tags) ? tags.join(" ") : tags);
}

/** Says what would stop these fields from making a note of this type, or null when they are fine. */
export function checkFields(noteType: NoteType, fields: string[]): string | null {
  if (fields.length !== noteType.fields.length) {
    return `The note type "${noteType.name}" has ${noteType.fields.length} fields, but ${fields.length} were given.`;
  }
  if (cardOrdinals(noteType, fields).length > 0) return null;
  if (noteType.kind === "cloze") return "Add a cloze deletion, such as {{c1::text}}, so that the note makes a card.";
  const first = noteType.fields[0]?.name ?? "first";
  return `This note would make no cards: fill in the "${first}" field (or whichever field the front template shows).`;
}

export async function addNote(col: Collection, input: NoteInput): Promise<Outcome<Note>> {
  const result = await addNotes(col, [input]);
  const [note] = result.added;
  return note ? done(note) : refuse(result.refused[0]?.error ?? "The note was not added.");
}

export interface AddedNotes {
  added: Note[];
  /** Inputs that were not added, by their index, with the reason in words. */
  refused: { index: number; error: string }[];
}

/** Adds many notes with their cards in one transaction; inputs that are wrong are reported, not added. */
export async function addNotes(col: Collection, inputs: NoteInput[]): Promise<AddedNotes> {
  const noteTypes = new Map((await col.db.getAll("notetypes")).map((n) => [n.id, n]));
  const decks = await col.db.getAll("decks");
  // Cards cannot be added to a filtered deck, as in Anki: it only borrows cards from other decks.
  const deckIds = new Set(decks.filter((d) => !d.filter).map((d) => d.id));
  const filteredIds = new Set(decks.filter((d) => d.filter).map((d) => d.id));
  const refused: AddedNotes["refused"] = [];
  const accepted: { note: Omit<Note, "id" | "usn">; ords: number[]; deckIds: number[] }[] = [];
  const now = col.clock.now();
  for (const [index, input] of inputs.entries()) {
    const noteType = noteTypes.get(input.noteTypeId);
    if (!noteType) {
      refused.push({ index, error: `There is no note type with id ${input.noteTypeId}.` });
      continue;
    }
    if (filteredIds.has(input.deckId)) {
      refused.push({ index, error: "Notes cannot be added to a filtered deck; choose its home deck instead." });
      continue;
    }
    if (!deckIds.has(input.deckId)) {
      refused.push({ index, error: `There is no deck with id ${input.deckId}.` });
      continue;
    }
    // Before any work on the text: a field of millions of characters is refused at once, not after seconds.
    const tooLarge = noteSizeProblem(input.fields, typeof input.tags === "string" ? [input.tags] : input.tags);
    if (tooLarge) {
      refused.push({ index, error: tooLarge });
      continue;
    }
    const fields = input.fields.map((f) => f.normalize("NFC"));
    const problem = checkFields(noteType, fields);
    if (problem) {
      refused.push({ index, error: problem });
      continue;
    }
    const ords = cardOrdinals(noteType, fields);
    // A template's own deck, while it is a normal deck that exists; a filtered deck only borrows cards.
    const templateDeck = (ord: number) => {
      const override =
        noteType.kind === "standard" ? noteType.templates.find((t) => t.ord === ord)?.deckOverride : null;
      return override != null && deckIds.has(override) ? override : input.deckId;
    };
    accepted.push({
      note: {
        guid: randomGuid(),
        noteTypeId: noteType.id,
        fields,
        tags: normaliseTags(input.tags),
        mtime: now,
      },
      ords,
      deckIds: ords.map(templateDeck),
    });
  }
  const ids = await col.freshIds(
    "cards",
    accepted.reduce((sum, a) => sum + 1 + a.ords.length, 0),
  );
  let next = 0;
  const take = () => ids[next++] ?? 0;
  const added: Note[] = [];
  const tx = col.db.transaction(["notes", "cards", "config", "tags", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const first = await takePositions(tx.objectStore("config"), accepted.length, now, usn);
  const tags = new Set<string>();
  // The ids were chosen before this transaction: a sync may have stored a record under one since (another
  // device's, made at the same millisecond). Such an id is passed over for the next free one.
  const free = async (store: "notes" | "cards", id: number) => {
    let candidate = id;
    while ((await tx.objectStore(store).getKey(candidate)) !== undefined) candidate = col.nextId();
    return candidate;
  };
  for (const [i, { note: fields, ords, deckIds: decks }] of accepted.entries()) {
    const note: Note = { id: await free("notes", take()), ...fields, usn };
    await tx.objectStore("notes").add(note);
    for (const [j, ord] of ords.entries()) {
      const cardId = await free("cards", take());
      await tx.objectStore("cards").add(newCard(cardId, note.id, decks[j] ?? 1, ord, first + i, now, usn));
    }
    for (const tag of note.tags) tags.add(tag);
    added.push(note);
  }
  await registerTags(tx.objectStore("tags"), [...tags], now, usn);
  if (added.length > 0) await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return { added, refused };
}

export interface NoteEdit {
  fields?: string[];
  tags?: string | string[];
}

export interface EditResult {
  note: Note;
  /** Cards the edit made because a template now shows something. */
  addedCards: number;
  /** Cards whose template now shows nothing: kept, as Anki keeps them until "Empty Cards". */
  emptyCards: number;
}

/** Edits a note and makes the cards its templates newly produce; never deletes a card. */
export async function updateNote(col: Collection, noteId: number, edit: NoteEdit): Promise<Outcome<EditResult>> {
  const existing = await col.db.get("notes", noteId);
  if (!existing) return refuse(`There is no note with id ${noteId}; it may have been deleted.`);
  const noteType = await col.db.get("notetypes", existing.noteTypeId);
  if (!noteType) return refuse(`The note's note type (id ${existing.noteTypeId}) is missing.`);
  const tooLarge = noteSizeProblem(
    edit.fields ?? existing.fields,
    typeof edit.tags === "string" ? [edit.tags] : (edit.tags ?? existing.tags),
  );
  if (tooLarge) return refuse(tooLarge);
  const fields = (edit.fields ?? existing.fields).map((f) => f.normalize("NFC"));
  if (fields.length !== noteType.fields.length) {
    return refuse(
      `The note type "${noteType.name}" has ${noteType.fields.length} fields, but ${fields.length} were given.`,
    );
  }
  const tags = edit.tags === undefined ? existing.tags : normaliseTags(edit.tags);
  const cards = await col.db.getAllFromIndex("cards", "noteId", noteId);
  const wanted = cardOrdinals(noteType, fields);
  const have = new Set(cards.map((c) => c.ord));
  const missing = wanted.filter((ord) => !have.has(ord));
  const emptyCards = cards.filter((c) => !wanted.includes(c.ord)).length;
  const newIds = await col.freshIds("cards", missing.length);
  const now = col.clock.now();
  const changed = JSON.stringify([fields, tags]) !== JSON.stringify([existing.fields, existing.tags]);
  const tx = col.db.transaction(["notes", "cards", "config", "tags", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const note: Note = changed ? stamp({ ...existing, fields, tags }, now, usn) : existing;
  if (changed) await tx.objectStore("notes").put(note);
  if (missing.length > 0) {
    const position = await takePositions(tx.objectStore("config"), 1, now, usn);
    // A new card goes where its siblings live: their home deck when a filtered deck borrowed them.
    const deckId = (cards[0]?.odid || cards[0]?.deckId) ?? 1;
    for (const [i, ord] of missing.entries()) {
      // As when adding: an id a sync has taken since it was chosen is passed over.
      let id = newIds[i] ?? 0;
      while ((await tx.objectStore("cards").getKey(id)) !== undefined) id = col.nextId();
      await tx.objectStore("cards").add(newCard(id, noteId, deckId, ord, position, now, usn));
    }
  }
  await registerTags(tx.objectStore("tags"), tags, now, usn);
  if (changed || missing.length > 0) await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ note, addedCards: missing.length, emptyCards });
}

/** Deletes notes and all their cards, leaving graves; their review history stays, as in Anki. */
export async function deleteNotes(
  col: Collection,
  noteIds: readonly number[],
): Promise<Outcome<{ notes: number; cards: number }>> {
  const now = col.clock.now();
  const tx = col.db.transaction(["notes", "cards", "graves", "meta"], "readwrite");
  const { notes, cards } = await deleteNotesIn(tx, noteIds, now, await pendingUsn(tx.objectStore("meta")));
  if (notes > 0) await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ notes, cards });
}

/**
 * Deletes notes and their cards inside the caller's transaction, with a grave for each; notes that are already
 * gone are skipped. Returns how many of each were deleted.
 */
export async function deleteNotesIn(
  tx: {
    objectStore(name: "notes"): WriteStore<"notes">;
    objectStore(name: "cards"): WriteStore<"cards">;
    objectStore(name: "graves"): WriteStore<"graves">;
  },
  noteIds: readonly number[],
  now: number,
  usn: number,
): Promise<{ notes: number; cards: number }> {
  let notes = 0;
  let cards = 0;
  for (const noteId of noteIds) {
    const note = await tx.objectStore("notes").get(noteId);
    if (!note) continue;
    for (const cardId of await tx.objectStore("cards").index("noteId").getAllKeys(noteId)) {
      await tx.objectStore("cards").delete(cardId);
      await tx.objectStore("graves").put(grave("card", cardId, now, usn, note.guid));
      cards++;
    }
    await tx.objectStore("notes").delete(noteId);
    await tx.objectStore("graves").put(grave("note", noteId, now, usn, note.guid));
    notes++;
  }
  return { notes, cards };
}

/** Takes `count` new-card positions from the synced "nextPos" config key and returns the first. */
export async function takePositions(
  config: WriteStore<"config">,
  count: number,
  now: number,
  usn: number,
): Promise<number> {
  const entry = await config.get("nextPos");
  const position = typeof entry?.value === "number" ? entry.value : 1;
  if (count > 0) await config.put({ key: "nextPos", value: position + count, mtime: now, usn });
  return position;
}

/** Adds tags that the registry does not have yet (compared without case, as Anki does). */
export async function registerTags(
  registry: WriteStore<"tags">,
  tags: string[],
  now: number,
  usn: number,
): Promise<void> {
  if (tags.length === 0) return;
  const known = new Set((await registry.getAllKeys()).map((k) => k.toLowerCase()));
  for (const name of tags) {
    if (!known.has(name.toLowerCase())) {
      await registry.put({ name, collapsed: false, mtime: now, usn });
      known.add(name.toLowerCase());
    }
  }
}

/** Stamps the collection as changed (and its schema, when `schema` is set) inside the caller's transaction. */
export async function touchMeta(store: WriteStore<"meta">, now: number, schema = false): Promise<void> {
  const meta = await store.get("collection");
  if (meta) await store.put(touchedMeta(meta, now, schema), "collection");
}

/** How many records a change reads at once: enough to keep IndexedDB busy, few enough to hold in memory. */
export const CHUNK = 500;

/** Splits ids (without repeats) into chunks of CHUNK. */
export function chunks(ids: readonly number[]): number[][] {
  const unique = [...new Set(ids)];
  const out: number[][] = [];
  for (let i = 0; i < unique.length; i += CHUNK) out.push(unique.slice(i, i + CHUNK));
  return out;
}

interface KeyedStore<T> {
  get(id: number): Promise<T | undefined>;
  put(value: T): Promise<unknown>;
}

/**
 * Applies `change` to each record of `ids` inside the caller's transaction, a chunk of ids at a time, and stamps
 * what changed (mtime, and `usn`, the pending usn the transaction read). Missing records are skipped, and so are those `change` leaves as they are (null).
 * Returns how many changed. Used for one record and for thousands alike.
 */
export async function changeEach<T extends { mtime: number; usn: number }>(
  store: KeyedStore<T>,
  ids: readonly number[],
  change: (record: T) => T | null,
  now: number,
  usn: number,
): Promise<number> {
  let changed = 0;
  for (const chunk of chunks(ids)) {
    const records = await Promise.all(chunk.map((id) => store.get(id)));
    const writes: Promise<unknown>[] = [];
    for (const record of records) {
      const next = record ? change({ ...record }) : null;
      if (next) writes.push(store.put(stamp(next, now, usn)));
    }
    await Promise.all(writes);
    changed += writes.length;
  }
  return changed;
}

/** Applies `change` to notes in one transaction, registering `newTags`; returns how many notes changed. */
async function changeNotes(
  col: Collection,
  noteIds: readonly number[],
  change: (note: Note) => Note | null,
  newTags: string[] = [],
): Promise<number> {
  const now = col.clock.now();
  const tx = col.db.transaction(["notes", "tags", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const changed = await changeEach(tx.objectStore("notes"), noteIds, change, now, usn);
  if (changed > 0) {
    await registerTags(tx.objectStore("tags"), newTags, now, usn);
    await touchMeta(tx.objectStore("meta"), now);
  }
  await tx.done;
  return changed;
}

/** Adds tags (typed separated by spaces) to notes that lack them, in one transaction; returns how many changed. */
export async function addTags(
  col: Collection,
  noteIds: readonly number[],
  tags: string | string[],
): Promise<Outcome<number>> {
  const wanted = normaliseTags(tags);
  if (wanted.length === 0) return refuse("Type the tags to add, separated by spaces.");
  const changed = await changeNotes(
    col,
    noteIds,
    (note) => {
      const have = new Set(note.tags.map((t) => t.toLowerCase()));
      const extra = wanted.filter((t) => !have.has(t.toLowerCase()));
      return extra.length > 0 ? { ...note, tags: [...note.tags, ...extra] } : null;
    },
    wanted,
  );
  return done(changed);
}

/**
 * Removes tags from notes in one transaction, ignoring case; removing a tag removes its child tags too
 * ("a" takes "a::b" with it), as in Anki. Returns how many notes changed.
 */
export async function removeTags(
  col: Collection,
  noteIds: readonly number[],
  tags: string | string[],
): Promise<Outcome<number>> {
  const unwanted = normaliseTags(tags).map((t) => t.toLowerCase());
  if (unwanted.length === 0) return refuse("Type the tags to remove, separated by spaces.");
  const goes = (tag: string) => {
    const lower = tag.toLowerCase();
    return unwanted.some((u) => lower === u || lower.startsWith(`${u}::`));
  };
  const changed = await changeNotes(col, noteIds, (note) =>
    note.tags.some(goes) ? { ...note, tags: note.tags.filter((t) => !goes(t)) } : null,
  );
  return done(changed);
}

/** The notes of these cards, each once, read a chunk at a time (only the ids are kept). */
export async function noteIdsOfCards(col: Collection, cardIds: readonly number[]): Promise<number[]> {
  const tx = col.db.transaction("cards");
  const noteIds = new Set<number>();
  for (const chunk of chunks(cardIds)) {
    for (const card of await Promise.all(chunk.map((id) => tx.store.get(id)))) if (card) noteIds.add(card.noteId);
  }
  return [...noteIds];
}

/** How many of these notes exist and how many cards they have: what deleting them would delete. */
export async function countNotesAndCards(
  col: Collection,
  noteIds: readonly number[],
): Promise<{ notes: number; cards: number }> {
  const tx = col.db.transaction(["notes", "cards"]);
  let notes = 0;
  let cards = 0;
  for (const chunk of chunks(noteIds)) {
    const [present, counts] = await Promise.all([
      Promise.all(chunk.map((id) => tx.objectStore("notes").count(id))),
      Promise.all(chunk.map((id) => tx.objectStore("cards").index("noteId").count(id))),
    ]);
    notes += present.reduce((a, b) => a + b, 0);
    cards += counts.reduce((a, b) => a + b, 0);
  }
  return { notes, cards };
}

/** The note types these notes use, each once. */
export async function noteTypeIdsOf(col: Collection, noteIds: readonly number[]): Promise<number[]> {
  const tx = col.db.transaction("notes");
  const ids = new Set<number>();
  for (const chunk of chunks(noteIds)) {
    for (const note of await Promise.all(chunk.map((id) => tx.store.get(id)))) if (note) ids.add(note.noteTypeId);
  }
  return [...ids];
}
