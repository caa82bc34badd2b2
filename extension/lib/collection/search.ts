// Searching the collection for the browser: a parsed search compiled to a predicate over (card, note), run over
// the cards in batches. Only ids and sort keys of matches are kept, never the whole collection (in creation order,
// the page's own cards and notes, as they were read); the page's rows are built last.

import type { IDBPObjectStore, StoreNames } from "idb";
import { dayNumber, dayStart } from "../../../shared/days";
import { isSelfOrDescendant } from "../../../shared/deck-names";
import { htmlToText } from "../../../shared/html";
import { type Card, CardQueue, CardType, type Deck, type Note, type NoteType } from "../../../shared/model";
import { parseSearch, type SearchNode, usesReviewLog, wildcard } from "../../../shared/search/parse";
import { type Collection, done, type Outcome, refuse } from "./collection";
import type { CollectionSchema } from "./schema";

export type SortColumn =
  | "sortField"
  | "created"
  | "modified"
  | "due"
  | "deck"
  | "noteType"
  | "template"
  | "interval"
  | "ease"
  | "reps"
  | "lapses";

export interface SearchOptions {
  mode?: "cards" | "notes";
  sort?: SortColumn;
  descending?: boolean;
  offset?: number;
  limit?: number;
  /** Rollover hour for "today" (is:due, added:, rated:); Anki's default is 4. */
  rolloverHour?: number;
  /** Count every match (a full pass); when false, the first page may come back sooner, with total null. */
  countTotal?: boolean;
}

export interface BrowseRow {
  cardId: number;
  noteId: number;
  sortField: string;
  deck: string;
  noteType: string;
  template: string;
  due: string;
  interval: number;
  ease: number;
  reps: number;
  lapses: number;
  tags: string[];
  created: number;
  modified: number;
  flag: number;
  queue: number;
  cards: number;
}

export interface SearchResult {
  rows: BrowseRow[];
  /** The number of matches, or null when it was not counted. */
  total: number | null;
}

interface Env {
  decks: Map<number, Deck>;
  noteTypes: Map<number, NoteType>;
  today: number;
  nowSeconds: number;
  rolloverHour: number;
  utcOffset: number;
  ratedSince: Map<number, Set<number>>;
}

type Predicate = (card: Card, note: Note) => boolean;

const BATCH = 2000;

/** Runs a search and returns one page of rows and the number of matches, or the search's error in words. */
export async function search(
  col: Collection,
  query: string,
  options: SearchOptions = {},
): Promise<Outcome<SearchResult>> {
  const parsed = parseSearch(query);
  if (!parsed.ok) return refuse(parsed.error);
  // The decks and note types are read while the first cards are.
  const ready = loadEnv(col, parsed.value, options.rolloverHour).then((env) => ({
    env,
    predicate: compile(parsed.value, env),
  }));
  const mode = options.mode ?? "cards";
  const sort = options.sort ?? "created";
  const offset = Math.max(0, options.offset ?? 0);
  const limit = Math.max(1, Math.min(options.limit ?? 50, 1000));
  const countTotal = options.countTotal ?? true;
  if (mode === "cards" && sort === "created") {
    // Creation order is the cards' key order: stream, keep only the page (its cards and notes, as read), stop early
    // when not counting.
    const page: [Card, Note, number][] = [];
    let matched = 0;
    const everything = parsed.value.kind === "all";
    const visit = ready.then(({ predicate }) => (card: Card, note: Note) => {
      if (!predicate(card, note)) return true;
      matched++;
      if (matched > offset && page.length < limit) page.push([card, note, 1]);
      return page.length < limit || (countTotal && !everything);
    });
    await scan(col, options.descending ? "prev" : "next", visit);
    const { env } = await ready;
    const total = !countTotal ? null : everything ? await col.db.count("cards") : matched;
    return done({ rows: rowsOf(env, page), total });
  }
  const matches: { id: number; key: number | string }[] = [];
  const seenNotes = new Set<number>();
  const visit = ready.then(({ env, predicate }) => {
    const key = sortKey(sort, env);
    return (card: Card, note: Note) => {
      if (!predicate(card, note)) return true;
      if (mode === "notes") {
        if (seenNotes.has(note.id)) return true;
        seenNotes.add(note.id);
        matches.push({ id: note.id, key: key(card, note) });
      } else {
        matches.push({ id: card.id, key: key(card, note) });
      }
      return true;
    };
  });
  await scan(col, "next", visit);
  const { env } = await ready;
  const direction = options.descending ? -1 : 1;
  matches.sort((a, b) => (a.key < b.key ? -direction : a.key > b.key ? direction : a.id - b.id));
  const page = matches.slice(offset, offset + limit);
  const rows = await buildRows(
    col,
    env,
    page.map((m) => m.id),
    mode,
  );
  return done({ rows, total: matches.length });
}

/**
 * The ids of every match (card ids, or note ids in notes mode), in no particular order: what "select all" and an
 * action on all matches use. One pass over the cards keeps only ids.
 */
export async function searchIds(
  col: Collection,
  query: string,
  options: Pick<SearchOptions, "mode" | "rolloverHour"> = {},
): Promise<Outcome<number[]>> {
  const parsed = parseSearch(query);
  if (!parsed.ok) return refuse(parsed.error);
  const notes = options.mode === "notes";
  const ids = new Set<number>();
  const visit = loadEnv(col, parsed.value, options.rolloverHour).then((env) => {
    const predicate = compile(parsed.value, env);
    return (card: Card, note: Note) => {
      if (predicate(card, note)) ids.add(notes ? note.id : card.id);
      return true;
    };
  });
  await scan(col, "next", visit);
  return done([...ids]);
}

async function loadEnv(col: Collection, node: SearchNode, rolloverHourOption: number | undefined): Promise<Env> {
  const now = col.clock.now();
  const utcOffset = -new Date(now).getTimezoneOffset();
  // Read together: one round trip's wait rather than two in a row.
  const [rolloverHour, decks, noteTypes] = await Promise.all([
    rolloverHourOption ?? col.rolloverHour(),
    col.db.getAll("decks"),
    col.db.getAll("notetypes"),
  ]);
  const today = dayNumber(now, rolloverHour, utcOffset);
  const env: Env = {
    decks: new Map(decks.map((d) => [d.id, d])),
    noteTypes: new Map(noteTypes.map((n) => [n.id, n])),
    today,
    nowSeconds: Math.floor(now / 1000),
    rolloverHour,
    utcOffset,
    ratedSince: new Map(),
  };
  if (usesReviewLog(node)) await loadRated(col, node, env);
  return env;
}

async function loadRated(col: Collection, node: SearchNode, env: Env): Promise<void> {
  const days = new Set<number>();
  const collect = (n: SearchNode) => {
    if (n.kind === "rated") days.add(n.days);
    if (n.kind === "and" || n.kind === "or") n.children.forEach(collect);
    if (n.kind === "not") collect(n.child);
  };
  collect(node);
  const longest = Math.max(...days);
  const since = dayStart(env.today - longest + 1, env.rolloverHour, env.utcOffset);
  const entries = await col.db.getAll("revlog", IDBKeyRange.lowerBound(since));
  for (const d of days) {
    const cutoff = dayStart(env.today - d + 1, env.rolloverHour, env.utcOffset);
    env.ratedSince.set(d, new Set(entries.filter((e) => e.id >= cutoff).map((e) => e.cardId)));
  }
}

function compile(node: SearchNode, env: Env): Predicate {
  switch (node.kind) {
    case "all":
      return () => true;
    case "and": {
      const parts = node.children.map((c) => compile(c, env));
      return (card, note) => parts.every((p) => p(card, note));
    }
    case "or": {
      const parts = node.children.map((c) => compile(c, env));
      return (card, note) => parts.some((p) => p(card, note));
    }
    case "not": {
      const inner = compile(node.child, env);
      return (card, note) => !inner(card, note);
    }
    case "text": {
      const re = wildcard(node.pattern, { whole: false });
      return (_card, note) => note.fields.some((f) => re.test(f));
    }
    case "deck": {
      if (node.pattern === "*") return () => true;
      const re = wildcard(node.pattern, { whole: true });
      const names = [...env.decks.values()].filter((d) => re.test(d.name)).map((d) => d.name);
      const ids = new Set(
        [...env.decks.values()].filter((d) => names.some((n) => isSelfOrDescendant(d.name, n))).map((d) => d.id),
      );
      return (card) => ids.has(card.deckId) || (card.odid !== 0 && ids.has(card.odid));
    }
    case "tag": {
      if (node.pattern.toLowerCase() === "none") return (_c, note) => note.tags.length === 0;
      const re = wildcard(node.pattern, { whole: true });
      return (_c, note) => note.tags.some((t) => re.test(t) || parentsOf(t).some((p) => re.test(p)));
    }
    case "notetype": {
      const re = wildcard(node.pattern, { whole: true });
      const ids = new Set([...env.noteTypes.values()].filter((n) => re.test(n.name)).map((n) => n.id));
      return (_c, note) => ids.has(note.noteTypeId);
    }
    case "template": {
      if (/^\d+$/.test(node.pattern)) {
        const ord = Number(node.pattern) - 1;
        return (card) => card.ord === ord;
      }
      const re = wildcard(node.pattern, { whole: true });
      return (card, note) => {
        const noteType = env.noteTypes.get(note.noteTypeId);
        const template = noteType?.kind === "cloze" ? undefined : noteType?.templates[card.ord];
        return template !== undefined && re.test(template.name);
      };
    }
    case "field": {
      const fieldRe = wildcard(node.field, { whole: true });
      const valueRe = wildcard(node.pattern, { whole: true });
      const indexes = new Map<number, number[]>();
      for (const noteType of env.noteTypes.values()) {
        indexes.set(
          noteType.id,
          noteType.fields.filter((f) => fieldRe.test(f.name)).map((f) => f.ord),
        );
      }
      return (_c, note) => (indexes.get(note.noteTypeId) ?? []).some((i) => valueRe.test(note.fields[i] ?? ""));
    }
    case "is":
      return stateMatcher(node.state, env);
    case "flag":
      return (card) => (card.flags & 7) === node.flag;
    case "added": {
      const cutoff = dayStart(env.today - node.days + 1, env.rolloverHour, env.utcOffset);
      return (card) => card.id >= cutoff;
    }
    case "rated": {
      const ids = env.ratedSince.get(node.days) ?? new Set<number>();
      return (card) => ids.has(card.id);
    }
    case "nid": {
      const ids = new Set(node.ids);
      return (_c, note) => ids.has(note.id);
    }
    case "cid": {
      const ids = new Set(node.ids);
      return (card) => ids.has(card.id);
    }
  }
}

function stateMatcher(state: string, env: Env): Predicate {
  switch (state) {
    case "new":
      return (c) => c.type === CardType.New;
    case "learn":
      return (c) => c.type === CardType.Learning || c.type === CardType.Relearning;
    case "review":
      return (c) => c.type === CardType.Review || c.type === CardType.Relearning;
    case "suspended":
      return (c) => c.queue === CardQueue.Suspended;
    case "buried":
      return (c) => c.queue === CardQueue.UserBuried || c.queue === CardQueue.SchedBuried;
    default:
      return (c) =>
        ((c.queue === CardQueue.Review || c.queue === CardQueue.DayLearning) && c.due <= env.today) ||
        (c.queue === CardQueue.Learning && c.due <= env.nowSeconds);
  }
}

function parentsOf(tag: string): string[] {
  const parts = tag.split("::");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("::"));
}

function sortKey(column: SortColumn, env: Env): (card: Card, note: Note) => number | string {
  switch (column) {
    case "sortField":
      return (_c, note) => {
        const index = env.noteTypes.get(note.noteTypeId)?.sortField ?? 0;
        return htmlToText(note.fields[index] ?? "").toLowerCase();
      };
    case "created":
      return (card) => card.id;
    case "modified":
      return (card, note) => Math.max(card.mtime, note.mtime);
    case "due":
      return (card) => dueOrder(card, env);
    case "deck":
      return (card) => env.decks.get(card.deckId)?.name.toLowerCase() ?? "";
    case "noteType":
      return (_c, note) => env.noteTypes.get(note.noteTypeId)?.name.toLowerCase() ?? "";
    case "template":
      return (card) => card.ord;
    case "interval":
      return (card) => card.ivl;
    case "ease":
      return (card) => card.factor;
    case "reps":
      return (card) => card.reps;
    case "lapses":
      return (card) => card.lapses;
  }
}

/** Orders cards by when they come up: learning by time, reviews by day, new cards after, by position. */
function dueOrder(card: Card, env: Env): number {
  if (card.queue === CardQueue.Learning) return (card.due - env.nowSeconds) / 86_400 + env.today;
  if (card.type === CardType.New) return 1e12 + card.due;
  return card.due;
}

/**
 * Calls `visit` for every card with its note, in key order, until it returns false. Cards are read in batches;
 * their notes are read by the id range the batch spans (notes and their cards are made together, so the range is
 * tight), and any stragglers one by one. `visit` may still be in the making (a search's predicate needs the decks
 * and note types): the first batch is read meanwhile.
 */
async function scan(
  col: Collection,
  direction: "next" | "prev",
  visitor: Promise<(card: Card, note: Note) => boolean>,
): Promise<void> {
  let after: number | null = null;
  // Small first batches serve a first page quickly; later ones grow to make full passes cheap.
  let size = 100;
  for (;;) {
    const tx = col.db.transaction(["cards", "notes"]);
    const cards = await readBatch(tx.objectStore("cards"), after, direction, size);
    if (cards.length === 0) break;
    after = cards[cards.length - 1]?.id ?? null;
    const noteIds = cards.map((c) => c.noteId);
    const min = Math.min(...noteIds);
    const max = Math.max(...noteIds);
    const notes = new Map<number, Note>();
    for (const note of await tx.objectStore("notes").getAll(IDBKeyRange.bound(min, max), size * 2)) {
      notes.set(note.id, note);
    }
    const missing = [...new Set(noteIds.filter((id) => !notes.has(id)))];
    const stragglers = await Promise.all(missing.map((id) => tx.objectStore("notes").get(id)));
    for (const note of stragglers) if (note) notes.set(note.id, note);
    const visit = await visitor;
    for (const card of cards) {
      const note = notes.get(card.noteId);
      if (note && !visit(card, note)) return;
    }
    if (cards.length < size) break;
    size = Math.min(BATCH, size * 4);
  }
  // An empty collection: the visitor's failure, if any, is still the search's.
  await visitor;
}

type CardStore = IDBPObjectStore<CollectionSchema, ArrayLike<StoreNames<CollectionSchema>>, "cards", "readonly">;

/** The next batch of cards after a key: getAll going forwards, a cursor going backwards. */
async function readBatch(
  store: CardStore,
  after: number | null,
  direction: "next" | "prev",
  size: number,
): Promise<Card[]> {
  if (direction === "next") {
    return store.getAll(after === null ? null : IDBKeyRange.lowerBound(after, true), size);
  }
  const cards: Card[] = [];
  let cursor = await store.openCursor(after === null ? null : IDBKeyRange.upperBound(after, true), "prev");
  while (cursor && cards.length < size) {
    cards.push(cursor.value);
    cursor = await cursor.continue();
  }
  return cards;
}

async function buildRows(col: Collection, env: Env, ids: number[], mode: "cards" | "notes"): Promise<BrowseRow[]> {
  const tx = col.db.transaction(["cards", "notes"]);
  const cardStore = tx.objectStore("cards");
  const noteStore = tx.objectStore("notes");
  // All reads are issued at once: one transaction serves them in order without a round trip each.
  const pairs = await Promise.all(
    ids.map(async (id): Promise<[Card | undefined, Note | undefined, number]> => {
      if (mode === "notes") {
        const [note, cards] = await Promise.all([noteStore.get(id), cardStore.index("noteId").getAll(id)]);
        return [cards.sort((a, b) => a.ord - b.ord)[0], note, cards.length];
      }
      const card = await cardStore.get(id);
      return [card, card ? await noteStore.get(card.noteId) : undefined, 1];
    }),
  );
  return rowsOf(
    env,
    pairs.filter((p): p is [Card, Note, number] => p[0] !== undefined && p[1] !== undefined),
  );
}

/** The rows for cards (or notes, by their first card, with their number of cards) and their notes. */
function rowsOf(env: Env, pairs: [Card, Note, number][]): BrowseRow[] {
  const rows: BrowseRow[] = [];
  for (const [card, note, count] of pairs) {
    const noteType = env.noteTypes.get(note.noteTypeId);
    rows.push({
      cardId: card.id,
      noteId: note.id,
      sortField: htmlToText(note.fields[noteType?.sortField ?? 0] ?? "").slice(0, 200),
      deck: env.decks.get(card.deckId)?.name ?? "(missing deck)",
      noteType: noteType?.name ?? "(missing note type)",
      template:
        noteType?.kind === "cloze"
          ? `Cloze ${card.ord + 1}`
          : (noteType?.templates[card.ord]?.name ?? `Card ${card.ord + 1}`),
      due: describeDue(card, env),
      interval: card.ivl,
      ease: card.factor,
      reps: card.reps,
      lapses: card.lapses,
      tags: note.tags,
      created: card.id,
      modified: Math.max(card.mtime, note.mtime),
      flag: card.flags & 7,
      queue: card.queue,
      cards: count,
    });
  }
  return rows;
}

function describeDue(card: Card, env: Env): string {
  if (card.type === CardType.New) return `New #${card.due}`;
  if (card.queue === CardQueue.Learning) return new Date(card.due * 1000).toLocaleString();
  const start = dayStart(card.due, env.rolloverHour, env.utcOffset);
  const text = new Date(start).toISOString().slice(0, 10);
  return card.queue < 0 ? `(${text})` : text;
}
