// The parts of a merge decided without touching the database: which of the package's note types, presets and
// decks are added, updated or matched to the collection's own, and the ids the package's records map to.

import type { AnkiDeck } from "../../../shared/anki/read";
import { parentNames } from "../../../shared/deck-names";
import {
  DEFAULT_CONFIG_ID,
  DEFAULT_DECK_ID,
  type Deck,
  type DeckConfig,
  type NoteType,
  PENDING,
} from "../../../shared/model";

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
  /** The collection's filtered decks whose searches the file's newer copy changes. */
  update: Deck[];
  /** The deck a card of the package with this deck id goes to. */
  target(deckId: number): number;
  /** Like `target`, for a card that is not in a filtered deck: never a filtered deck (Default instead). */
  home(deckId: number): number;
  /** Whether the collection's deck of this id is a filtered deck, once the import is done. */
  isFiltered(deckId: number): boolean;
  /** The package's filtered decks that come in as normal decks (their ids in the package). */
  converted: Set<number>;
  /** Decks added under a new name: their name in the file, the new one, and why. */
  renamed: RenamedDeck[];
}

export interface RenamedDeck {
  from: string;
  to: string;
  /** "kind": the collection has a deck of the name of the other kind; "parent": the name is a filtered deck's. */
  why: "kind" | "parent";
}

const sameFilter = (a: Deck, b: Deck) => JSON.stringify(a.filter) === JSON.stringify(b.filter);

/**
 * Decks by name (without case), as Anki: an existing deck of the name and kind is used (a filtered one takes the
 * file's searches when the file's copy is newer); one of the other kind (normal against filtered) makes the
 * package's deck come in under a unique name, the name and a space and the time in seconds, and its sub-decks with
 * it. Otherwise the deck is added with its id (or a new one when taken), its missing parents with it. Nothing goes
 * under a filtered deck: a deck that would is put under a normal deck of the same name and that suffix. Filtered
 * decks are kept only with `keepFiltered`; without, they come in as normal decks with the default options. The
 * package's empty Default deck is the collection's Default deck.
 */
export function planDecks(
  incoming: AnkiDeck[],
  existing: Deck[],
  presetIds: Set<number>,
  cardDeckIds: Set<number>,
  newId: () => number,
  now: number,
  keepFiltered = false,
): DeckPlan {
  const byName = new Map(existing.map((d) => [d.name.toLowerCase(), d]));
  const ids = new Set(existing.map((d) => d.id));
  const filteredIds = new Set(existing.filter((d) => d.filter).map((d) => d.id));
  const map = new Map<number, number>();
  const add: Deck[] = [];
  const update: Deck[] = [];
  const converted = new Set<number>();
  const renamed: RenamedDeck[] = [];
  const suffix = String(Math.floor(now / 1000));
  /** Renamed decks: what their sub-decks' names start with, before and after (the former in lower case). */
  const moved: [string, string][] = [];
  const reparented = (name: string) => {
    const lower = name.toLowerCase();
    const found = moved.find(([before]) => lower.startsWith(before));
    return found ? found[1] + name.slice(found[0].length) : name;
  };
  const rename = (name: string, why: RenamedDeck["why"]) => {
    let unique = `${name} ${suffix}`;
    while (byName.has(unique.toLowerCase())) unique += "+";
    moved.push([`${name.toLowerCase()}::`, `${unique}::`]);
    renamed.push({ from: name, to: unique, why });
    return unique;
  };
  const addDeck = (name: string, id: number | null, base?: Deck) => {
    const parent = byName.get(parentNames(name).pop()?.toLowerCase() ?? "");
    const deck: Deck = {
      id: id !== null && !ids.has(id) ? id : newId(),
      name,
      configId: base && presetIds.has(base.configId) ? base.configId : (parent?.configId ?? DEFAULT_CONFIG_ID),
      description: base?.description ?? "",
      collapsed: base?.collapsed ?? false,
      ...(base?.filter ? { filter: base.filter } : {}),
      mtime: base?.mtime || now,
      usn: PENDING,
    };
    ids.add(deck.id);
    if (deck.filter) filteredIds.add(deck.id);
    byName.set(name.toLowerCase(), deck);
    add.push(deck);
    return deck;
  };
  const sorted = [...incoming].sort((a, b) => a.name.split("::").length - b.name.split("::").length);
  for (const original of sorted) {
    let theirs: Deck = { ...original, name: reparented(original.name) };
    if (theirs.filter && !keepFiltered) {
      const { filter: _filter, ...normal } = theirs;
      theirs = { ...normal, configId: DEFAULT_CONFIG_ID };
      converted.add(original.id);
    }
    const ours = byName.get(theirs.name.toLowerCase());
    if (ours && Boolean(ours.filter) === Boolean(theirs.filter)) {
      map.set(theirs.id, ours.id);
      if (ours.filter && theirs.filter && theirs.mtime > ours.mtime && !sameFilter(ours, theirs)) {
        const updated: Deck = { ...ours, filter: theirs.filter, mtime: theirs.mtime, usn: PENDING };
        byName.set(updated.name.toLowerCase(), updated);
        update.push(updated);
      }
      continue;
    }
    if (ours) theirs.name = rename(theirs.name, "kind");
    else if (theirs.id === DEFAULT_DECK_ID && !theirs.filter && !cardDeckIds.has(DEFAULT_DECK_ID)) {
      map.set(theirs.id, DEFAULT_DECK_ID);
      continue;
    }
    const nearest = parentNames(theirs.name)
      .reverse()
      .map((name) => byName.get(name.toLowerCase()))
      .find((deck) => deck !== undefined);
    if (nearest?.filter) {
      addDeck(rename(nearest.name, "parent"), null);
      theirs.name = reparented(theirs.name);
    }
    for (const parent of parentNames(theirs.name)) if (!byName.has(parent.toLowerCase())) addDeck(parent, null);
    map.set(theirs.id, addDeck(theirs.name, theirs.id, theirs).id);
  }
  const target = (deckId: number) => map.get(deckId) ?? (ids.has(deckId) ? deckId : DEFAULT_DECK_ID);
  return {
    add,
    update,
    target,
    home: (deckId) => {
      const id = target(deckId);
      return filteredIds.has(id) ? DEFAULT_DECK_ID : id;
    },
    isFiltered: (deckId) => filteredIds.has(deckId),
    converted,
    renamed,
  };
}
