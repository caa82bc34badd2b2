// The parts of a merge decided without touching the database: which of the package's note types, presets and
// decks are added, updated or matched to the collection's own, and the ids the package's records map to.
import { parentNames } from "../../../shared/deck-names";
import {
  DEFAULT_CONFIG_ID,
  DEFAULT_DECK_ID,
  type Deck,
  type DeckConfig,
  type NoteType,
  PENDING,
} from "../../../shared/model";
import type { AnkiDeck } from "./anki-db";

const fieldNames = (n: NoteType) => n.fields.map((f) => f.name).join("\u001f");
const templateNames = (n: NoteType) => n.templates.map((t) => t.name).join("\u001f");

/** Same kind, field names and template names: notes of one fit the other. */
export function sameShape(a: NoteType, b: NoteType): boolean {
  return a.kind === b.kind && fieldNames(a) === fieldNames(b) && templateNames(a) === templateNames(b);
}

function sameContent(a: NoteType, b: NoteType): boolean {
  return (
    sameShape(a, b) &&
    a.css === b.css &&
    a.templates.every((t, i) => t.qfmt === b.templates[i]?.qfmt && t.afmt === b.templates[i]?.afmt)
  );
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${name} (${n})`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

export interface NoteTypePlan {
  /** The package's note type id → the collection's note type its notes go to. */
  map: Map<number, NoteType>;
  add: NoteType[];
  update: NoteType[];
}

/**
 * Note types by id and shape, as Anki: one of the same id and shape is kept, or updated when the file's is newer;
 * one of the same id but another shape is added as a copy with a new id (found again on the next import of the same
 * file); one the collection lacks is added with its id. Only note types that the package's notes use count.
 */
export function planNoteTypes(
  incoming: NoteType[],
  existing: NoteType[],
  used: Set<number>,
  newId: () => number,
): NoteTypePlan {
  const plan: NoteTypePlan = { map: new Map(), add: [], update: [] };
  const byId = new Map(existing.map((n) => [n.id, n]));
  const names = new Set(existing.map((n) => n.name.toLowerCase()));
  const all = [...existing];
  for (const theirs of incoming.filter((n) => used.has(n.id))) {
    const ours = byId.get(theirs.id);
    if (ours && sameShape(ours, theirs)) {
      if (theirs.mtime > ours.mtime && !sameContent(ours, theirs)) {
        const updated: NoteType = { ...theirs, name: ours.name, usn: PENDING };
        plan.update.push(updated);
        plan.map.set(theirs.id, updated);
      } else {
        plan.map.set(theirs.id, ours);
      }
      continue;
    }
    const copy = ours ? all.find((n) => n.id !== theirs.id && sameContent(n, theirs)) : undefined;
    if (copy) {
      plan.map.set(theirs.id, copy);
      continue;
    }
    const added: NoteType = {
      ...theirs,
      id: ours ? newId() : theirs.id,
      name: uniqueName(theirs.name, names),
      usn: PENDING,
    };
    plan.add.push(added);
    all.push(added);
    plan.map.set(theirs.id, added);
  }
  return plan;
}

/** Presets by id: new ones are added; with scheduling, newer ones update (the default preset stays as it is). */
export function planPresets(incoming: DeckConfig[], existing: DeckConfig[], withScheduling: boolean) {
  const byId = new Map(existing.map((p) => [p.id, p]));
  const add: DeckConfig[] = [];
  const update: DeckConfig[] = [];
  for (const theirs of incoming) {
    const ours = byId.get(theirs.id);
    if (!ours) add.push({ ...theirs, usn: PENDING });
    else if (withScheduling && theirs.mtime > ours.mtime && theirs.id !== DEFAULT_CONFIG_ID) {
      update.push({ ...theirs, name: ours.name, usn: PENDING });
    }
  }
  return { add, update, ids: new Set([...existing, ...add].map((p) => p.id)) };
}

export interface DeckPlan {
  add: Deck[];
  /** The deck a card of the package with this deck id goes to. */
  target(deckId: number): number;
}

/**
 * Decks by name (without case): an existing deck of the name is used; otherwise the deck is added with its id (or a
 * new one when taken), its missing parents with it. Filtered decks are not imported: their cards go home. The
 * package's empty Default deck is the collection's Default deck.
 */
export function planDecks(
  incoming: AnkiDeck[],
  existing: Deck[],
  presetIds: Set<number>,
  cardDeckIds: Set<number>,
  newId: () => number,
  now: number,
): DeckPlan {
  const byName = new Map(existing.map((d) => [d.name.toLowerCase(), d]));
  const ids = new Set(existing.map((d) => d.id));
  const map = new Map<number, number>();
  const add: Deck[] = [];
  const addDeck = (name: string, id: number | null, base?: Deck) => {
    const parent = byName.get(parentNames(name).pop()?.toLowerCase() ?? "");
    const deck: Deck = {
      id: id !== null && !ids.has(id) ? id : newId(),
      name,
      configId: base && presetIds.has(base.configId) ? base.configId : (parent?.configId ?? DEFAULT_CONFIG_ID),
      description: base?.description ?? "",
      collapsed: base?.collapsed ?? false,
      mtime: base?.mtime || now,
      usn: PENDING,
    };
    ids.add(deck.id);
    byName.set(name.toLowerCase(), deck);
    add.push(deck);
    return deck;
  };
  const normal = incoming
    .filter((d) => !d.filtered)
    .sort((a, b) => a.name.split("::").length - b.name.split("::").length);
  for (const { filtered: _filtered, ...theirs } of normal) {
    const ours = byName.get(theirs.name.toLowerCase());
    if (ours) map.set(theirs.id, ours.id);
    else if (theirs.id === DEFAULT_DECK_ID && !cardDeckIds.has(DEFAULT_DECK_ID)) map.set(theirs.id, DEFAULT_DECK_ID);
    else {
      for (const parent of parentNames(theirs.name)) if (!byName.has(parent.toLowerCase())) addDeck(parent, null);
      map.set(theirs.id, addDeck(theirs.name, theirs.id, theirs).id);
    }
  }
  return { add, target: (deckId) => map.get(deckId) ?? (ids.has(deckId) ? deckId : DEFAULT_DECK_ID) };
}
