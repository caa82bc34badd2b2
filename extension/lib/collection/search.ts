// Searching the collection for the browser: a parsed search compiled to a test of cards, of notes or of both, run
// over the cards (in notes mode, the notes) in batches; the other side is read only when the search or the order
// looks at it. Only ids and sort keys of matches are kept, never the whole collection (in creation order, the page's
// own records, as they were read); the page's rows are built last. A card without its note, or a note without cards
// (which a consistent collection never has), may be counted without a row.

import type { IDBPObjectStore, IDBPTransaction, StoreNames, StoreValue } from "idb";
import { dayNumber, dayStart } from "../../../shared/days";
import { isSelfOrDescendant } from "../../../shared/deck-names";
import { cardDue } from "../../../shared/due";
import { htmlToText } from "../../../shared/html";
import { type Card, CardQueue, CardType, type Deck, type Note, type NoteType } from "../../../shared/model";
import { memoryState, retrievability } from "../../../shared/scheduling";
import {
  type Comparison,
  parseSearch,
  type SearchNode,
  usesReviewLog,
  wildcard,
  withoutCombining,
} from "../../../shared/search/parse";
import { type Collection, done, type Outcome, refuse } from "./collection";
import { revlogSince } from "./revlog";
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

/** A search's test of a card with its note. */
type Predicate = (card: Card, note: Note) => boolean;
/** A search's test of a card alone, for searches that do not look at notes (see readsNotes). */
type CardTest = (card: Card) => boolean;
/** A search's test of a note alone, for searches that do not look at cards (see readsCards). */
type NoteTest = (note: Note) => boolean;
/** A card (or a note, by its first card, with its number of cards) and its note: what a row shows. */
type RowSource = [Card, Note, number];
/** A match of a search that needs a full pass: its id and its sort key. */
type Match = { id: number; key: number | string };

const BATCH = 2000;

/** Runs a search and returns one page of rows and the number of matches, or the search's error in words. */
export async function search(
  col: Collection,
  query: string,
  options: SearchOptions = {},
): Promise<Outcome<SearchResult>> {
  const parsed = parseSearch(query);
  if (!parsed.ok) return refuse(parsed.error);
  const node = parsed.value;
  const page: Paging = {
    sort: options.sort ?? "created",
    descending: options.descending ?? false,
    offset: Math.max(0, options.offset ?? 0),
    limit: Math.max(1, Math.min(options.limit ?? 50, 1000)),
    countTotal: options.countTotal ?? true,
  };
  // The decks and note types are read while the first cards (or notes) are.
  const ready = loadEnv(col, node, options.rolloverHour);
  const named = await namedCards(col, node);
  if (named) return done(await searchAmong(col, node, ready, page, options.mode === "notes", named));
  if (options.mode === "notes") return done(await searchNotes(col, node, ready, page));
  if (page.sort === "created") return done(await cardsByCreation(col, node, ready, page));
  return done(await cardsSorted(col, node, ready, page));
}

interface Paging {
  sort: SortColumn;
  descending: boolean;
  offset: number;
  limit: number;
  countTotal: boolean;
}

/**
 * Cards in creation order, which is their key order: streamed, keeping only the page (its cards and notes, as read),
 * stopping early when not counting. A search that looks at cards alone reads no notes but the page's.
 */
async function cardsByCreation(col: Collection, node: SearchNode, ready: Promise<Env>, page: Paging) {
  const picked: RowSource[] = [];
  const found: Card[] = [];
  let matched = 0;
  const everything = node.kind === "all";
  const direction = page.descending ? "prev" : "next";
  // Counts a match: true when it belongs on the page.
  const onPage = () => ++matched > page.offset && picked.length + found.length < page.limit;
  // Whether to go on: until the page is full, or to the end when counting.
  const more = () => picked.length + found.length < page.limit || (page.countTotal && !everything);
  if (readsNotes(node)) {
    const visit = ready.then((env) => {
      const predicate = compile(node, env);
      return (card: Card, note: Note) => {
        if (predicate(card, note) && onPage()) picked.push([card, note, 1]);
        return more();
      };
    });
    await scan(col, direction, visit);
  } else {
    const visit = ready.then((env) => {
      const test = compileCards(node, env);
      return (card: Card) => {
        if (test(card) && onPage()) found.push(card);
        return more();
      };
    });
    await scanCards(col, direction, visit);
    const notes = await notesOf(col.db.transaction("notes").store, found);
    for (const card of found) {
      const note = notes.get(card.noteId);
      if (note) picked.push([card, note, 1]);
    }
  }
  const total = !page.countTotal ? null : everything ? await col.db.count("cards") : matched;
  return { rows: rowsOf(await ready, picked), total };
}

/** Cards in another order: a full pass keeps the id and sort key of every match, then sorts them. */
async function cardsSorted(col: Collection, node: SearchNode, ready: Promise<Env>, page: Paging) {
  const matches: Match[] = [];
  const column = page.sort;
  if (readsNotes(node) || !isCardColumn(column)) {
    const visit = ready.then((env) => {
      const predicate = compile(node, env);
      const key = sortKey(column, env);
      return (card: Card, note: Note) => {
        if (predicate(card, note)) matches.push({ id: card.id, key: key(card, note) });
        return true;
      };
    });
    await scan(col, "next", visit);
  } else {
    // Neither the search nor the order looks at notes: the pass reads cards alone.
    const visit = ready.then((env) => {
      const test = compileCards(node, env);
      const key = cardSortKey(column, env);
      return (card: Card) => {
        if (test(card)) matches.push({ id: card.id, key: key(card) });
        return true;
      };
    });
    await scanCards(col, "next", visit);
  }
  const env = await ready;
  const ids = pageOf(matches, page).map((m) => m.id);
  return { rows: await buildRows(col, env, ids, "cards"), total: matches.length };
}

/**
 * Notes, in key order (creation); a note matches when one of its cards does, and a search that looks at notes alone
 * reads no cards but the page's. In creation order the first page comes without a full pass; in another order a
 * note sorts by its first matching card (or by itself, for the sort field and the note type).
 */
async function searchNotes(col: Collection, node: SearchNode, ready: Promise<Env>, page: Paging) {
  const withCards = readsCards(node);
  const column = page.sort;
  if (column === "created") {
    // A search on cards alone is counted by a pass over the cards, which costs less than one over notes and cards.
    const countByCards = page.countTotal && !readsNotes(node);
    const picked: RowSource[] = [];
    const found: Note[] = [];
    let matched = 0;
    const onPage = () => ++matched > page.offset && picked.length + found.length < page.limit;
    const more = () => picked.length + found.length < page.limit || (page.countTotal && !countByCards);
    const direction = page.descending ? "prev" : "next";
    if (withCards) {
      const visit = ready.then((env) => {
        const predicate = compile(node, env);
        return (note: Note, cards: Card[]) => {
          if (cards.some((card) => predicate(card, note)) && onPage()) picked.push(firstCardOf(note, cards));
          return more();
        };
      });
      await scanNotesWithCards(col, direction, visit);
    } else {
      const visit = ready.then((env) => {
        const test = compileNotes(node, env);
        return (note: Note) => {
          if (test(note) && onPage()) found.push(note);
          return more();
        };
      });
      await scanNotes(col, direction, visit);
    }
    const env = await ready;
    const rows = withCards
      ? rowsOf(env, picked)
      : await buildRows(
          col,
          env,
          found.map((n) => n.id),
          "notes",
        );
    const total = !page.countTotal
      ? null
      : countByCards
        ? (await notesOfMatchingCards(col, node, ready)).size
        : matched;
    return { rows, total };
  }
  const matches: Match[] = [];
  if (!readsNotes(node) && isCardColumn(column)) {
    // Cards alone: a note sorts by its first matching card, the first of its cards a pass in key order meets.
    const seen = new Set<number>();
    const visit = ready.then((env) => {
      const test = compileCards(node, env);
      const key = cardSortKey(column, env);
      return (card: Card) => {
        if (!test(card) || seen.has(card.noteId)) return true;
        seen.add(card.noteId);
        matches.push({ id: card.noteId, key: key(card) });
        return true;
      };
    });
    await scanCards(col, "next", visit);
  } else if (!withCards && isNoteColumn(column)) {
    const visit = ready.then((env) => {
      const test = compileNotes(node, env);
      const key = noteSortKey(column, env);
      return (note: Note) => {
        if (test(note)) matches.push({ id: note.id, key: key(note) });
        return true;
      };
    });
    await scanNotes(col, "next", visit);
  } else {
    const visit = ready.then((env) => {
      const predicate = compile(node, env);
      const key = sortKey(column, env);
      return (note: Note, cards: Card[]) => {
        const card = cards.find((c) => predicate(c, note));
        if (card) matches.push({ id: note.id, key: key(card, note) });
        return true;
      };
    });
    await scanNotesWithCards(col, "next", visit);
  }
  const env = await ready;
  const ids = pageOf(matches, page).map((m) => m.id);
  return { rows: await buildRows(col, env, ids, "notes"), total: matches.length };
}

/**
 * The cards a search can only match among, when it names them (nid:… or cid:…, alone or with more terms after "and"),
 * read by id; null for any other search.
 */
async function namedCards(col: Collection, node: SearchNode): Promise<Card[] | null> {
  const named = namedIn(node);
  if (!named) return null;
  const store = col.db.transaction("cards").store;
  if (named.kind === "nid") return (await Promise.all(named.ids.map((id) => store.index("noteId").getAll(id)))).flat();
  return (await Promise.all(named.ids.map((id) => store.get(id)))).filter((card) => card !== undefined);
}

function namedIn(node: SearchNode): Extract<SearchNode, { kind: "nid" | "cid" }> | null {
  if (node.kind === "nid" || node.kind === "cid") return node;
  if (node.kind !== "and") return null;
  for (const child of node.children) {
    const named = namedIn(child);
    if (named) return named;
  }
  return null;
}

/** The named cards (with their notes) that match the whole search, in key order. */
async function matchAmong(col: Collection, node: SearchNode, ready: Promise<Env>, cards: Card[]) {
  const notes = await notesOf(col.db.transaction("notes").store, cards);
  const predicate = compile(node, await ready);
  const matches: RowSource[] = [];
  for (const card of cards.sort((a, b) => a.id - b.id)) {
    const note = notes.get(card.noteId);
    if (note && predicate(card, note)) matches.push([card, note, 1]);
  }
  return matches;
}

/** A search among named cards: every match is at hand, so any order and the count come at once. */
async function searchAmong(
  col: Collection,
  node: SearchNode,
  ready: Promise<Env>,
  page: Paging,
  notesMode: boolean,
  cards: Card[],
): Promise<SearchResult> {
  const matching = await matchAmong(col, node, ready, cards);
  const env = await ready;
  if (!notesMode) {
    const key = sortKey(page.sort, env);
    const byId = new Map(matching.map((m) => [m[0].id, m]));
    const ordered = pageOf(
      matching.map(([card, note]) => ({ id: card.id, key: key(card, note) })),
      page,
    );
    const rows = ordered.map((m) => byId.get(m.id)).filter((m): m is RowSource => m !== undefined);
    return { rows: rowsOf(env, rows), total: matching.length };
  }
  // Notes: each by its first matching card (or by itself, in creation order).
  const key = page.sort === "created" ? (_card: Card, note: Note) => note.id : sortKey(page.sort, env);
  const matches = new Map<number, Match>();
  for (const [card, note] of matching) {
    if (!matches.has(note.id)) matches.set(note.id, { id: note.id, key: key(card, note) });
  }
  const ids = pageOf([...matches.values()], page).map((m) => m.id);
  return { rows: await buildRows(col, env, ids, "notes"), total: matches.size };
}

/** The notes of the cards a search on cards alone matches: one pass over the cards, keeping note ids. */
async function notesOfMatchingCards(col: Collection, node: SearchNode, ready: Promise<Env>): Promise<Set<number>> {
  const ids = new Set<number>();
  const visit = ready.then((env) => {
    const test = compileCards(node, env);
    return (card: Card) => {
      if (test(card)) ids.add(card.noteId);
      return true;
    };
  });
  await scanCards(col, "next", visit);
  return ids;
}

/** A note's row: its first card (by card type), the note, and its number of cards. */
function firstCardOf(note: Note, cards: Card[]): RowSource {
  const first = cards.reduce((a, b) => (b.ord < a.ord ? b : a));
  return [first, note, cards.length];
}

/** The page of matches in the order asked for (ties by id). */
function pageOf(matches: Match[], page: Paging): Match[] {
  const direction = page.descending ? -1 : 1;
  matches.sort((a, b) => (a.key < b.key ? -direction : a.key > b.key ? direction : a.id - b.id));
  return matches.slice(page.offset, page.offset + page.limit);
}

/**
 * The ids of every match (card ids, or note ids in notes mode), in no particular order: what "select all" and an
 * action on all matches use. One pass keeps only ids: over the cards, with their notes when the search looks at
 * notes (in notes mode, over the notes alone when it looks at nothing else).
 */
export async function searchIds(
  col: Collection,
  query: string,
  options: Pick<SearchOptions, "mode" | "rolloverHour"> = {},
): Promise<Outcome<number[]>> {
  const parsed = parseSearch(query);
  if (!parsed.ok) return refuse(parsed.error);
  const node = parsed.value;
  const notes = options.mode === "notes";
  const ready = loadEnv(col, node, options.rolloverHour);
  const named = await namedCards(col, node);
  if (named) {
    const matching = await matchAmong(col, node, ready, named);
    return done([...new Set(matching.map(([card, note]) => (notes ? note.id : card.id)))]);
  }
  if (!readsNotes(node)) {
    if (notes) return done([...(await notesOfMatchingCards(col, node, ready))]);
    const ids: number[] = [];
    const visit = ready.then((env) => {
      const test = compileCards(node, env);
      return (card: Card) => {
        if (test(card)) ids.push(card.id);
        return true;
      };
    });
    await scanCards(col, "next", visit);
    return done(ids);
  }
  const ids = new Set<number>();
  if (notes && !readsCards(node)) {
    const visit = ready.then((env) => {
      const test = compileNotes(node, env);
      return (note: Note) => {
        if (test(note)) ids.add(note.id);
        return true;
      };
    });
    await scanNotes(col, "next", visit);
  } else {
    const visit = ready.then((env) => {
      const predicate = compile(node, env);
      return (card: Card, note: Note) => {
        if (predicate(card, note)) ids.add(notes ? note.id : card.id);
        return true;
      };
    });
    await scan(col, "next", visit);
  }
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
  const entries = await revlogSince(col.db.transaction("revlogBlocks").store, since);
  for (const d of days) {
    const cutoff = dayStart(env.today - d + 1, env.rolloverHour, env.utcOffset);
    env.ratedSince.set(d, new Set(entries.filter((e) => e.id >= cutoff).map((e) => e.cardId)));
  }
}

/** Whether a search looks at notes (their fields, tags or note type), or only at cards. */
function readsNotes(node: SearchNode): boolean {
  switch (node.kind) {
    case "and":
    case "or":
      return node.children.some(readsNotes);
    case "not":
      return readsNotes(node.child);
    case "text":
    case "nc":
    case "tag":
    case "notetype":
    case "field":
      return true;
    case "template":
      return !/^\d+$/.test(node.pattern);
    default:
      return false;
  }
}

/** Whether a search looks at cards (deck, state, flag, card type, history), or only at notes. */
function readsCards(node: SearchNode): boolean {
  switch (node.kind) {
    case "and":
    case "or":
      return node.children.some(readsCards);
    case "not":
      return readsCards(node.child);
    case "deck":
    case "template":
    case "is":
    case "flag":
    case "added":
    case "rated":
    case "cid":
    case "prop":
      return true;
    default:
      return false;
  }
}

function compile(node: SearchNode, env: Env): Predicate {
  if (!readsNotes(node)) return compileCards(node, env);
  if (!readsCards(node)) {
    const test = compileNotes(node, env);
    return (_card, note) => test(note);
  }
  switch (node.kind) {
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
    case "template": {
      // By name: the card's type in its note's note type.
      const re = wildcard(node.pattern, { whole: true });
      return (card, note) => {
        const noteType = env.noteTypes.get(note.noteTypeId);
        const template = noteType?.kind === "cloze" ? undefined : noteType?.templates[card.ord];
        return template !== undefined && re.test(template.name);
      };
    }
    default:
      throw new Error(`a search on ${node.kind} looks at cards or at notes alone`);
  }
}

/** The test of a search that looks at notes alone (see readsCards). */
function compileNotes(node: SearchNode, env: Env): NoteTest {
  switch (node.kind) {
    case "all":
      return () => true;
    case "and": {
      const parts = node.children.map((c) => compileNotes(c, env));
      return (note) => parts.every((p) => p(note));
    }
    case "or": {
      const parts = node.children.map((c) => compileNotes(c, env));
      return (note) => parts.some((p) => p(note));
    }
    case "not": {
      const inner = compileNotes(node.child, env);
      return (note) => !inner(note);
    }
    case "text": {
      const re = wildcard(node.pattern, { whole: false });
      return (note) => note.fields.some((f) => re.test(f));
    }
    case "nc": {
      // Accents and other combining marks count for nothing, in the search and in the fields.
      const re = wildcard(withoutCombining(node.pattern), { whole: false });
      return (note) => note.fields.some((f) => re.test(withoutCombining(f)));
    }
    case "tag": {
      if (node.pattern.toLowerCase() === "none") return (note) => note.tags.length === 0;
      const re = wildcard(node.pattern, { whole: true });
      return (note) => note.tags.some((t) => re.test(t) || parentsOf(t).some((p) => re.test(p)));
    }
    case "notetype": {
      const re = wildcard(node.pattern, { whole: true });
      const ids = new Set([...env.noteTypes.values()].filter((n) => re.test(n.name)).map((n) => n.id));
      return (note) => ids.has(note.noteTypeId);
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
      return (note) => (indexes.get(note.noteTypeId) ?? []).some((i) => valueRe.test(note.fields[i] ?? ""));
    }
    case "nid": {
      const ids = new Set(node.ids);
      return (note) => ids.has(note.id);
    }
    default:
      throw new Error(`a search on ${node.kind} looks at cards`);
  }
}

/** The test of a search that looks at cards alone (see readsNotes). */
function compileCards(node: SearchNode, env: Env): CardTest {
  switch (node.kind) {
    case "all":
      return () => true;
    case "and": {
      const parts = node.children.map((c) => compileCards(c, env));
      return (card) => parts.every((p) => p(card));
    }
    case "or": {
      const parts = node.children.map((c) => compileCards(c, env));
      return (card) => parts.some((p) => p(card));
    }
    case "not": {
      const inner = compileCards(node.child, env);
      return (card) => !inner(card);
    }
    case "deck": {
      if (node.pattern === "*") return () => true;
      // Anki's "deck:filtered": the cards that filtered decks borrowed.
      if (node.pattern.toLowerCase() === "filtered") return (card) => card.odid !== 0;
      const re = wildcard(node.pattern, { whole: true });
      const names = [...env.decks.values()].filter((d) => re.test(d.name)).map((d) => d.name);
      const ids = new Set(
        [...env.decks.values()].filter((d) => names.some((n) => isSelfOrDescendant(d.name, n))).map((d) => d.id),
      );
      return (card) => ids.has(card.deckId) || (card.odid !== 0 && ids.has(card.odid));
    }
    case "template": {
      const ord = Number(node.pattern) - 1;
      return (card) => card.ord === ord;
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
      return (card) => ids.has(card.noteId);
    }
    case "cid": {
      const ids = new Set(node.ids);
      return (card) => ids.has(card.id);
    }
    case "prop":
      return propertyMatcher(node, env);
    default:
      throw new Error(`a search on ${node.kind} looks at notes`);
  }
}

const COMPARE: Record<Comparison, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  ">": (a, b) => a > b,
  "<=": (a, b) => a <= b,
  ">=": (a, b) => a >= b,
  "=": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

/**
 * prop: as Anki reads it: ivl, reps and lapses as they are; ease as a factor (2.5); due in days from today for
 * cards due on a day or at a time (not new cards); pos for new cards; s, d and r from the FSRS memory state, for
 * cards that have one. A card without the property does not match.
 */
function propertyMatcher(node: Extract<SearchNode, { kind: "prop" }>, env: Env): CardTest {
  const holds = COMPARE[node.op];
  const day = { rolloverHour: env.rolloverHour, utcOffsetMinutes: env.utcOffset };
  const now = env.nowSeconds * 1000;
  const value = (card: Card): number | null => {
    switch (node.prop) {
      case "ivl":
        return card.type === CardType.New ? null : card.ivl;
      case "reps":
        return card.reps;
      case "lapses":
        return card.lapses;
      case "ease":
        return card.type === CardType.New ? null : card.factor / 1000;
      case "pos": {
        const { due, kind } = cardDue(card);
        return kind === "position" ? due : null;
      }
      case "due": {
        const { due, kind } = cardDue(card);
        if (kind === "day") return due - env.today;
        return kind === "time" ? Math.floor((due - env.nowSeconds) / 86_400) : null;
      }
      case "s":
        return memoryState(card)?.stability ?? null;
      case "d": {
        const difficulty = memoryState(card)?.difficulty;
        return difficulty === undefined ? null : (difficulty - 1) / 9;
      }
      case "r":
        return retrievability(card, now, day);
    }
  };
  // Anki's "=" on a fraction matches to two decimals (prop:ease=2.5 finds 2500).
  const rounded = (n: number) => Math.round(n * 100) / 100;
  return (card) => {
    const v = value(card);
    return v !== null && holds(rounded(v), node.value);
  };
}

function stateMatcher(state: string, env: Env): CardTest {
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

/** The columns that cards alone give; the others (sort field, note type, modified) need the notes. */
type CardColumn = Exclude<SortColumn, "sortField" | "noteType" | "modified">;
/** The columns that notes alone give. */
type NoteColumn = "sortField" | "noteType";

function isCardColumn(column: SortColumn): column is CardColumn {
  return column !== "sortField" && column !== "noteType" && column !== "modified";
}

function isNoteColumn(column: SortColumn): column is NoteColumn {
  return column === "sortField" || column === "noteType";
}

function sortKey(column: SortColumn, env: Env): (card: Card, note: Note) => number | string {
  if (isCardColumn(column)) return cardSortKey(column, env);
  if (isNoteColumn(column)) {
    const key = noteSortKey(column, env);
    return (_card, note) => key(note);
  }
  return (card, note) => Math.max(card.mtime, note.mtime);
}

function noteSortKey(column: NoteColumn, env: Env): (note: Note) => string {
  if (column === "noteType") return (note) => env.noteTypes.get(note.noteTypeId)?.name.toLowerCase() ?? "";
  return (note) => {
    const index = env.noteTypes.get(note.noteTypeId)?.sortField ?? 0;
    return htmlToText(note.fields[index] ?? "").toLowerCase();
  };
}

function cardSortKey(column: CardColumn, env: Env): (card: Card) => number | string {
  switch (column) {
    case "created":
      return (card) => card.id;
    case "due":
      return (card) => dueOrder(card, env);
    case "deck":
      return (card) => env.decks.get(card.deckId)?.name.toLowerCase() ?? "";
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
  const { due, kind } = cardDue(card);
  if (kind === "time") return (due - env.nowSeconds) / 86_400 + env.today;
  if (kind === "position") return 1e12 + due;
  return due;
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
  await inBatches(col, "cards", direction, async (cards, tx) => {
    const notes = await notesOf(tx.objectStore("notes"), cards);
    const visit = await visitor;
    for (const card of cards) {
      const note = notes.get(card.noteId);
      if (note && !visit(card, note)) return false;
    }
    return true;
  });
  // An empty collection: the visitor's failure, if any, is still the search's.
  await visitor;
}

/** As scan, for a search that looks at cards alone: no notes are read. */
async function scanCards(
  col: Collection,
  direction: "next" | "prev",
  visitor: Promise<(card: Card) => boolean>,
): Promise<void> {
  await inBatches(col, "cards", direction, async (cards) => {
    const visit = await visitor;
    return cards.every(visit);
  });
  await visitor;
}

/** Calls `visit` for every note, in key order, until it returns false; no cards are read. */
async function scanNotes(
  col: Collection,
  direction: "next" | "prev",
  visitor: Promise<(note: Note) => boolean>,
): Promise<void> {
  await inBatches(col, "notes", direction, async (notes) => {
    const visit = await visitor;
    return notes.every(visit);
  });
  await visitor;
}

/**
 * Calls `visit` for every note with its cards (in key order), in the notes' key order, until it returns false.
 * Notes are read in batches, and their cards with one read of the cards' note id index over the batch's range.
 */
async function scanNotesWithCards(
  col: Collection,
  direction: "next" | "prev",
  visitor: Promise<(note: Note, cards: Card[]) => boolean>,
): Promise<void> {
  await inBatches(col, "notes", direction, async (notes, tx) => {
    const ids = notes.map((n) => n.id);
    const range = IDBKeyRange.bound(Math.min(...ids), Math.max(...ids));
    const cards = new Map<number, Card[]>();
    for (const card of await tx.objectStore("cards").index("noteId").getAll(range)) {
      const list = cards.get(card.noteId);
      if (list) list.push(card);
      else cards.set(card.noteId, [card]);
    }
    const visit = await visitor;
    return notes.every((note) => visit(note, cards.get(note.id) ?? []));
  });
  await visitor;
}

type ScanTransaction = IDBPTransaction<CollectionSchema, ["cards", "notes"], "readonly">;

/**
 * Reads a store (cards or notes) in key order, a batch at a time, and hands each batch with its transaction to
 * `visit` until it returns false. Small first batches serve a first page quickly; later ones grow to make full
 * passes cheap.
 */
async function inBatches<S extends "cards" | "notes">(
  col: Collection,
  storeName: S,
  direction: "next" | "prev",
  visit: (batch: StoreValue<CollectionSchema, S>[], tx: ScanTransaction) => Promise<boolean>,
): Promise<void> {
  let after: number | null = null;
  let size = 100;
  for (;;) {
    const tx = col.db.transaction(["cards", "notes"]);
    const batch: StoreValue<CollectionSchema, S>[] = await readBatch(tx.objectStore(storeName), after, direction, size);
    if (batch.length === 0 || !(await visit(batch, tx)) || batch.length < size) return;
    after = batch[batch.length - 1]?.id ?? null;
    size = Math.min(BATCH, size * 4);
  }
}

type ScanStore<S extends "cards" | "notes"> = IDBPObjectStore<CollectionSchema, ["cards", "notes"], S, "readonly">;

/** The next batch of records after a key: getAll going forwards, a cursor going backwards. */
async function readBatch<S extends "cards" | "notes">(
  store: ScanStore<S>,
  after: number | null,
  direction: "next" | "prev",
  size: number,
): Promise<StoreValue<CollectionSchema, S>[]> {
  if (direction === "next") {
    return store.getAll(after === null ? null : IDBKeyRange.lowerBound(after, true), size);
  }
  const records: StoreValue<CollectionSchema, S>[] = [];
  let cursor = await store.openCursor(after === null ? null : IDBKeyRange.upperBound(after, true), "prev");
  while (cursor && records.length < size) {
    records.push(cursor.value);
    cursor = await cursor.continue();
  }
  return records;
}

/**
 * The notes of some cards, by id: read by the id range the cards span (at most two notes a card), and any
 * stragglers one by one.
 */
async function notesOf(
  store: IDBPObjectStore<CollectionSchema, ArrayLike<StoreNames<CollectionSchema>>, "notes", "readonly">,
  cards: Card[],
): Promise<Map<number, Note>> {
  const notes = new Map<number, Note>();
  if (cards.length === 0) return notes;
  const noteIds = cards.map((c) => c.noteId);
  const range = IDBKeyRange.bound(Math.min(...noteIds), Math.max(...noteIds));
  for (const note of await store.getAll(range, cards.length * 2)) notes.set(note.id, note);
  const missing = [...new Set(noteIds.filter((id) => !notes.has(id)))];
  for (const note of await Promise.all(missing.map((id) => store.get(id)))) if (note) notes.set(note.id, note);
  return notes;
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

/** The Due column, as Anki's Browse shows it: in parentheses while the card is suspended or buried. */
function describeDue(card: Card, env: Env): string {
  const { due, kind } = cardDue(card);
  const text =
    kind === "position"
      ? `New #${due}`
      : kind === "time"
        ? new Date(due * 1000).toLocaleString()
        : new Date(dayStart(due, env.rolloverHour, env.utcOffset)).toISOString().slice(0, 10);
  return card.queue < 0 ? `(${text})` : text;
}
