// Decks: create (with missing parents), rename or move (descendants follow), delete (the person chooses what
// happens to the cards).
import { isSelfOrDescendant, parentNames, parseDeckName } from "../../../shared/deck-names";
import { type Card, DEFAULT_CONFIG_ID, DEFAULT_DECK_ID, type Deck } from "../../../shared/model";
import { type Collection, done, grave, type Outcome, refuse, stamp } from "./collection";
import { filteredParentOf, returnedHome } from "./filtered";
import { touchMeta } from "./notes";
import { pendingUsn } from "./pending";
import type { WriteStore } from "./schema";

/** Finds a deck by name, compared without case as Anki does. */
export async function findDeckByName(col: Collection, name: string): Promise<Deck | undefined> {
  const lower = name.toLowerCase();
  return (await col.db.getAll("decks")).find((d) => d.name.toLowerCase() === lower);
}

/** Creates a deck and any missing parents; an existing deck of that name is returned as it is. */
export async function addDeck(col: Collection, input: string): Promise<Outcome<Deck>> {
  const parsed = parseDeckName(input);
  if (!parsed.ok) return refuse(parsed.error);
  const existing = await findDeckByName(col, parsed.value);
  if (existing) return done(existing);
  const decks = await col.db.getAll("decks");
  const blocked = filteredParentOf(parsed.value, decks);
  if (blocked) return refuse(`"${blocked.name}" is a filtered deck, which cannot have sub-decks.`);
  const names = [...parentNames(parsed.value), parsed.value];
  const ids = await col.freshIds("decks", names.length);
  const now = col.clock.now();
  const tx = col.db.transaction(["decks", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const created = await ensureDecks(tx.objectStore("decks"), decks, names, ids, now, usn);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  const deck = created.get(parsed.value.toLowerCase());
  return deck ? done(deck) : refuse(`The deck "${parsed.value}" could not be created.`);
}

async function ensureDecks(
  store: WriteStore<"decks">,
  decks: Deck[],
  names: string[],
  ids: number[],
  now: number,
  usn: number,
): Promise<Map<string, Deck>> {
  const byName = new Map(decks.map((d) => [d.name.toLowerCase(), d]));
  for (const [i, name] of names.entries()) {
    if (byName.has(name.toLowerCase())) continue;
    const parent = byName.get(parentNames(name).pop()?.toLowerCase() ?? "");
    const deck: Deck = {
      id: ids[i] ?? 0,
      name,
      configId: parent?.configId ?? DEFAULT_CONFIG_ID,
      description: "",
      collapsed: false,
      mtime: now,
      usn,
    };
    await store.add(deck);
    byName.set(name.toLowerCase(), deck);
  }
  return byName;
}

/** Renames a deck, which moves it when the parent part changes; its sub-decks move with it. */
export async function renameDeck(col: Collection, deckId: number, input: string): Promise<Outcome<Deck>> {
  const parsed = parseDeckName(input);
  if (!parsed.ok) return refuse(parsed.error);
  const decks = await col.db.getAll("decks");
  const deck = decks.find((d) => d.id === deckId);
  if (!deck) return refuse(`There is no deck with id ${deckId}.`);
  const newName = parsed.value;
  if (newName === deck.name) return done(deck);
  if (isSelfOrDescendant(newName, deck.name) && newName !== deck.name) {
    return refuse(`"${deck.name}" cannot be moved inside itself.`);
  }
  const blocked = filteredParentOf(newName, decks);
  if (blocked) return refuse(`"${blocked.name}" is a filtered deck, which cannot have sub-decks.`);
  const clash = decks.find((d) => d.id !== deckId && d.name.toLowerCase() === newName.toLowerCase());
  if (clash) return refuse(`A deck named "${clash.name}" exists already.`);
  const moving = decks.filter((d) => isSelfOrDescendant(d.name, deck.name));
  const movingIds = new Set(moving.map((d) => d.id));
  const renamed = moving.map((d) => ({ deck: d, name: newName + d.name.slice(deck.name.length) }));
  const others = decks.filter((d) => !movingIds.has(d.id));
  for (const { name } of renamed) {
    const other = others.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (other) return refuse(`A deck named "${other.name}" exists already.`);
  }
  const parents = parentNames(newName);
  const ids = await col.freshIds("decks", parents.length);
  const now = col.clock.now();
  const tx = col.db.transaction(["decks", "meta"], "readwrite");
  const store = tx.objectStore("decks");
  const usn = await pendingUsn(tx.objectStore("meta"));
  // Renamed decks first leave their old names, so that the unique name index never sees two at once.
  for (const { deck: d, name } of renamed) {
    await store.put(stamp({ ...d, name: `\u0000moving:${d.id}:${name}` }, now, usn));
  }
  for (const { deck: d, name } of renamed) await store.put(stamp({ ...d, name }, now, usn));
  const moved = [...others, ...renamed.map((r) => ({ ...r.deck, name: r.name }))];
  await ensureDecks(store, moved, parents, ids, now, usn);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ ...deck, name: newName, mtime: now, usn });
}

export type DeckCardsChoice = { cards: "delete" } | { cards: "move"; toDeckId: number };

/** Deletes a deck with its sub-decks. Their cards are deleted (with notes left without cards) or moved. */
export async function deleteDeck(
  col: Collection,
  deckId: number,
  choice: DeckCardsChoice,
): Promise<Outcome<{ decks: number; cards: number; notes: number }>> {
  if (deckId === DEFAULT_DECK_ID) return refuse("The Default deck cannot be deleted; rename it if you like.");
  const decks = await col.db.getAll("decks");
  const deck = decks.find((d) => d.id === deckId);
  if (!deck) return refuse(`There is no deck with id ${deckId}.`);
  const doomed = decks.filter((d) => isSelfOrDescendant(d.name, deck.name));
  const doomedIds = new Set(doomed.map((d) => d.id));
  if (choice.cards === "move") {
    if (doomedIds.has(choice.toDeckId)) return refuse("Cards cannot be moved into a deck that is being deleted.");
    const target = decks.find((d) => d.id === choice.toDeckId);
    if (!target) return refuse(`There is no deck with id ${choice.toDeckId}.`);
    if (target.filter) return refuse(`"${target.name}" is a filtered deck; cards cannot be moved into it.`);
  }
  const now = col.clock.now();
  const tx = col.db.transaction(["decks", "cards", "notes", "graves", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  const cards = tx.objectStore("cards");
  let cardCount = 0;
  const touchedNotes = new Set<number>();
  /** A card whose home deck goes (given as it is at home): deleted or moved, as the person chose. */
  const dispose = async (card: Card) => {
    cardCount++;
    if (choice.cards === "move") {
      await cards.put(stamp({ ...card, deckId: choice.toDeckId }, now, usn));
    } else {
      await cards.delete(card.id);
      const note = await tx.objectStore("notes").get(card.noteId);
      await tx.objectStore("graves").put(grave("card", card.id, now, usn, note?.guid));
      touchedNotes.add(card.noteId);
    }
  };
  // Cards that filtered decks outside the deleted ones borrowed from them go with their home decks.
  for (const other of decks.filter((d) => d.filter && !doomedIds.has(d.id))) {
    for (const card of await cards.index("deckId").getAll(other.id)) {
      if (doomedIds.has(card.odid)) await dispose(returnedHome(card));
    }
  }
  for (const id of doomedIds) {
    const filtered = decks.find((d) => d.id === id)?.filter !== undefined;
    for (const card of await cards.index("deckId").getAll(id)) {
      const home = returnedHome(card);
      // A deleted filtered deck gives its cards back, unless their home deck goes too.
      if (filtered && !doomedIds.has(home.deckId)) await cards.put(stamp(home, now, usn));
      else await dispose(home);
    }
    await tx.objectStore("decks").delete(id);
    await tx.objectStore("graves").put(grave("deck", id, now, usn));
  }
  let noteCount = 0;
  for (const noteId of touchedNotes) {
    if ((await cards.index("noteId").count(noteId)) === 0) {
      const note = await tx.objectStore("notes").get(noteId);
      await tx.objectStore("notes").delete(noteId);
      await tx.objectStore("graves").put(grave("note", noteId, now, usn, note?.guid));
      noteCount++;
    }
  }
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done({ decks: doomedIds.size, cards: cardCount, notes: noteCount });
}

/** Chooses the options preset a deck uses. */
export async function setDeckPreset(col: Collection, deckId: number, presetId: number): Promise<Outcome<Deck>> {
  if (!(await col.db.get("deckconfigs", presetId))) return refuse(`There is no options preset with id ${presetId}.`);
  return changeDeck(col, deckId, (deck) => (deck.configId === presetId ? null : { ...deck, configId: presetId }));
}

/** Folds or unfolds a deck's sub-decks in the deck list; the choice syncs with the deck, as in Anki. */
export function setDeckCollapsed(col: Collection, deckId: number, collapsed: boolean): Promise<Outcome<Deck>> {
  return changeDeck(col, deckId, (deck) => (deck.collapsed === collapsed ? null : { ...deck, collapsed }));
}

/** Applies a change to one deck (null: nothing to change) in one transaction, stamped for sync. */
async function changeDeck(
  col: Collection,
  deckId: number,
  change: (deck: Deck) => Deck | null,
): Promise<Outcome<Deck>> {
  const now = col.clock.now();
  const tx = col.db.transaction(["decks", "meta"], "readwrite");
  const deck = await tx.objectStore("decks").get(deckId);
  if (!deck) return refuse(`There is no deck with id ${deckId}.`);
  const next = change(deck);
  if (!next) return done(deck);
  const updated = stamp(next, now, await pendingUsn(tx.objectStore("meta")));
  await tx.objectStore("decks").put(updated);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(updated);
}
