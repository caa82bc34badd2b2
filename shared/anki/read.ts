// Reads an Anki collection database (schema 11, with note types, decks and presets as JSON in the `col` row, or
// schema 15 to 18, with their own tables and protobuf blobs) into this project's records, each validated with the
// shared zod schemas. Times become milliseconds; nothing is written anywhere.
import type { Database } from "sql.js";
import type { z } from "zod";
import { returnedHome } from "../card-queue";
import { CardQueue, DEFAULT_CONFIG_ID, DEFAULT_DECK_ID, type DeckFilter } from "../model";
import { check } from "../protocol/validate";
import { Card, ConfigEntry, Deck, DeckConfig, Note, NoteType, RevlogEntry, Tag } from "../schemas";
import { fail } from "./errors";
import { deckConfigJson, deckExtra, fieldExtra, jsonExtra, notetypeExtra, templateExtra } from "./legacy-json";
import {
  readDeckCommon,
  readDeckConfig,
  readDeckKind,
  readFieldConfig,
  readNotetypeConfig,
  readTemplateConfig,
} from "./protobuf";
import { rows, tableExists } from "./sqlite";

export const OLDEST_SCHEMA = 11;
export const NEWEST_SCHEMA = 18;

/** A deck as read: a filtered deck has `filter`, and its cards keep their home deck in `odid`. */
export type AnkiDeck = Deck;

/** A deck as a reader gives it: a filtered deck's searches as written, checked afterwards. */
export type ReadDeck = Omit<Deck, "filter"> & { filter?: { terms: RawTerm[]; reschedule: boolean } };
interface RawTerm {
  search: string;
  limit: number;
  order: number;
}

export interface AnkiCollection {
  schema: number;
  /** Anki's collection creation time (seconds): review cards are due on days counted from it. */
  crt: number;
  noteTypes: NoteType[];
  decks: AnkiDeck[];
  deckConfigs: DeckConfig[];
  notes: Note[];
  cards: Card[];
  revlog: RevlogEntry[];
  tags: Tag[];
  config: ConfigEntry[];
  /** What was mended in the file's own data (duplicate ids and guids), in words for the import's summary. */
  repairs: string[];
}

type Json = Record<string, unknown>;

const num = (value: unknown, fallback = 0): number => {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : fallback;
};
const int = (value: unknown, fallback = 0) => Math.trunc(num(value, fallback));
const str = (value: unknown, fallback = ""): string => (typeof value === "string" ? value : fallback);
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
/** Anki stores most times in seconds; the model keeps milliseconds. */
const ms = (seconds: unknown) => Math.max(0, int(seconds)) * 1000;

function validated<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = check(schema, input);
  if (!result.ok) fail(`${what} in the package is not valid (${result.error}), so nothing was imported.`);
  return result.value;
}

function parseJson(text: unknown, what: string): Json {
  try {
    const value = JSON.parse(str(text, "{}"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Json;
  } catch {
    // Reported below.
  }
  return fail(`The ${what} in the package's collection is not readable JSON, so nothing was imported.`);
}

/** Reads a whole collection, refusing schemas this project does not know. */
export function readAnkiCollection(db: Database): AnkiCollection {
  if (!tableExists(db, "col")) fail("This file is not an Anki collection: it has no collection table.");
  const [col] = rows(db, "SELECT ver, crt FROM col LIMIT 1");
  if (!col) fail("This file is not an Anki collection: its collection table is empty.");
  const schema = int(col[0]);
  if (schema < OLDEST_SCHEMA) {
    fail(
      `This collection uses schema version ${schema}, from a pre-release of Anki 2.0; only versions ` +
        `${OLDEST_SCHEMA} to ${NEWEST_SCHEMA} can be imported. Open it in Anki first, which upgrades it.`,
    );
  }
  if (schema > NEWEST_SCHEMA) {
    fail(
      `This collection uses schema version ${schema}, newer than this extension knows (${OLDEST_SCHEMA} to ` +
        `${NEWEST_SCHEMA}). Export it from Anki with "Support older Anki versions" ticked.`,
    );
  }
  const separate = schema >= 15;
  const { decks, ...structure } = separate ? readSeparateTables(db) : readJsonColumns(db);
  const out: AnkiCollection = {
    schema,
    crt: int(col[1]),
    ...structure,
    ...filteredDecks(decks, readCards(db)),
    notes: readNotes(db),
    revlog: readRevlog(db),
    repairs: [],
  };
  out.repairs = mendDuplicates(out);
  return out;
}

/**
 * A package from Anki never repeats an id, a guid or a card's template within a note, but a crafted or damaged
 * one can, and storing both would make two cards of one template. Mended as Anki's Check Database does, losing no
 * review: a repeated note or card id keeps its first row; a guid used by a second note gets a new guid for it; of
 * two cards of one note and template, the one with more reviews stays and the other's reviews move to it.
 */
function mendDuplicates(collection: AnkiCollection): string[] {
  const repairs: string[] = [];
  const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

  const noteIds = new Set<number>();
  const notes = collection.notes.filter((n) => !noteIds.has(n.id) && noteIds.add(n.id));
  if (notes.length < collection.notes.length) {
    repairs.push(
      `${plural(collection.notes.length - notes.length, "note")} repeated an id already in the file and ${collection.notes.length - notes.length === 1 ? "was" : "were"} left out.`,
    );
  }
  const guids = new Set<string>();
  let renamed = 0;
  collection.notes = notes.map((note) => {
    if (!guids.has(note.guid)) {
      guids.add(note.guid);
      return note;
    }
    renamed++;
    // Shortened first, so that the suffix survives the guid's limit of 100 characters.
    const base = `${note.guid.slice(0, 80)}-${note.id.toString(36)}`;
    let guid = base;
    for (let n = 2; guids.has(guid); n++) guid = `${base}-${n}`;
    guids.add(guid);
    return { ...note, guid };
  });
  if (renamed) {
    repairs.push(
      `${plural(renamed, "note")} shared a guid with another note in the file and ${renamed === 1 ? "was" : "were"} given a new one, as Anki's Check Database does.`,
    );
  }

  const cardIds = new Set<number>();
  const cards = collection.cards.filter((c) => !cardIds.has(c.id) && cardIds.add(c.id));
  if (cards.length < collection.cards.length) {
    repairs.push(
      `${plural(collection.cards.length - cards.length, "card")} repeated an id already in the file and ${collection.cards.length - cards.length === 1 ? "was" : "were"} left out.`,
    );
  }
  const byTemplate = new Map<string, Card>();
  const movedTo = new Map<number, number>();
  for (const card of cards) {
    const key = `${card.noteId}:${card.ord}`;
    const other = byTemplate.get(key);
    if (!other) {
      byTemplate.set(key, card);
      continue;
    }
    const [kept, dropped] = card.reps > other.reps ? [card, other] : [other, card];
    byTemplate.set(key, kept);
    movedTo.set(dropped.id, kept.id);
  }
  collection.cards = cards.filter((c) => !movedTo.has(c.id));
  if (movedTo.size) {
    // A card dropped in favour of one that was dropped later still sends its reviews to the one kept.
    const keeper = (id: number): number => {
      let at = id;
      for (let hops = 0; movedTo.has(at) && hops < 1000; hops++) at = movedTo.get(at) ?? at;
      return at;
    };
    collection.revlog = collection.revlog.map((r) => (movedTo.has(r.cardId) ? { ...r, cardId: keeper(r.cardId) } : r));
    repairs.push(
      `${plural(movedTo.size, "card")} repeated a card of the same note and template; the copy with more reviews was kept, with the reviews of both.`,
    );
  }
  return repairs;
}

type Structure = Pick<AnkiCollection, "noteTypes" | "deckConfigs" | "tags" | "config"> & { decks: ReadDeck[] };

/** Anki's bounds on a filtered deck's searches: at most two, each with a search, 1 to 99,999 cards, orders 0 to 8. */
export function checkedFilter(raw: { terms: RawTerm[]; reschedule: boolean }): DeckFilter | null {
  const terms = raw.terms
    .map((t) => ({ search: t.search.trim(), limit: clamp(t.limit, 1, 99_999), order: clamp(t.order, 0, 8) }))
    // A search longer than the model allows cannot be kept as written: it is left out, as an empty one is.
    .filter((t) => t.search !== "" && t.search.length <= 10_000)
    .slice(0, 2);
  return terms.length > 0 ? { terms, reschedule: raw.reschedule } : null;
}

/**
 * Filtered decks and the cards they borrow, made consistent: a filtered deck without a usable search, or with
 * sub-decks (which Anki does not allow either), becomes a normal deck with the default options, its cards kept in
 * it as normal cards (as Anki does with a filtered deck it cannot keep). A card that names a home deck but is not
 * in a filtered deck goes home; a card in a filtered deck without a home deck (or with a filtered one) gets the
 * Default deck as its home. A borrowed card in Anki's preview queue is in the learning queue, as previews are here.
 */
function filteredDecks(read: ReadDeck[], cards: Card[]): Pick<AnkiCollection, "decks" | "cards"> {
  const names = read.map((d) => d.name.toLowerCase());
  const decks: Deck[] = read.map(({ filter: raw, ...deck }) => {
    if (!raw) return deck;
    const filter = checkedFilter(raw);
    const prefix = `${deck.name.toLowerCase()}::`;
    if (!filter || names.some((n) => n.startsWith(prefix))) return { ...deck, configId: DEFAULT_CONFIG_ID };
    return { ...deck, configId: DEFAULT_CONFIG_ID, filter };
  });
  const filtered = new Set(decks.filter((d) => d.filter).map((d) => d.id));
  const wasFiltered = new Set(read.filter((d) => d.filter && !filtered.has(d.id)).map((d) => d.id));
  return {
    decks,
    cards: cards.map((card) => {
      if (filtered.has(card.deckId)) {
        const odid = card.odid === 0 || filtered.has(card.odid) ? DEFAULT_DECK_ID : card.odid;
        // Anki's preview queue (4, due at a time in seconds) is the learning queue here, as a previewed card's.
        const queue = card.queue === CardQueue.Preview ? CardQueue.Learning : card.queue;
        return { ...card, odid, queue };
      }
      // A deck that stopped being filtered keeps its cards, as normal cards.
      if (wasFiltered.has(card.deckId)) return returnedHome({ ...card, odid: card.deckId });
      return card.odid !== 0 ? returnedHome(card) : card;
    }),
  };
}

/** Schema 11: note types, decks, presets, tags and settings are JSON in the single `col` row. */
function readJsonColumns(db: Database): Structure {
  const [row] = rows(db, "SELECT models, decks, dconf, tags, conf FROM col LIMIT 1");
  const models = parseJson(row?.[0], "note types");
  const decks = parseJson(row?.[1], "decks");
  const dconf = parseJson(row?.[2], "deck options");
  const tags = parseJson(row?.[3], "tags");
  const conf = parseJson(row?.[4], "settings");
  return {
    noteTypes: Object.values(models).map((m) => legacyNoteType(m as Json)),
    decks: Object.values(decks).map((d) => legacyDeck(d as Json)),
    deckConfigs: Object.values(dconf).map((c) => legacyDeckConfig(c as Json)),
    tags: Object.keys(tags)
      .filter((name) => name.trim() !== "")
      .map((name) => validated(Tag, { name, collapsed: false, mtime: 0, usn: 0 }, `The tag "${name}"`)),
    config: Object.entries(conf).map(([key, value]) =>
      validated(ConfigEntry, { key, value: value ?? null, mtime: 0, usn: 0 }, `The setting "${key}"`),
    ),
  };
}

export function legacyNoteType(m: Json): NoteType {
  const fields = Array.isArray(m.flds) ? (m.flds as Json[]) : [];
  const templates = Array.isArray(m.tmpls) ? (m.tmpls as Json[]) : [];
  return validated(
    NoteType,
    {
      id: int(m.id),
      name: str(m.name, "Unnamed"),
      kind: int(m.type) === 1 ? "cloze" : "standard",
      fields: fields.map((f, i) => ({
        name: str(f.name, `Field ${i + 1}`),
        ord: i,
        sticky: Boolean(f.sticky),
        rtl: Boolean(f.rtl),
        font: str(f.font, "Arial") || "Arial",
        size: clamp(int(f.size, 20), 1, 200),
        description: str(f.description),
      })),
      templates: templates.map((t, i) => ({
        name: str(t.name, `Card ${i + 1}`),
        ord: i,
        qfmt: str(t.qfmt),
        afmt: str(t.afmt),
        bqfmt: str(t.bqfmt),
        bafmt: str(t.bafmt),
        deckOverride: int(t.did) > 0 ? int(t.did) : null,
      })),
      css: str(m.css),
      sortField: clamp(int(m.sortf), 0, Math.max(0, fields.length - 1)),
      latexPre: str(m.latexPre),
      latexPost: str(m.latexPost),
      mtime: ms(m.mod),
      anki: jsonExtra("notetype", m),
      usn: 0,
    },
    `The note type "${str(m.name).slice(0, 80)}"`,
  );
}

export function legacyDeck(d: Json): ReadDeck {
  const deck = validated(
    Deck,
    {
      id: int(d.id),
      name: deckName(str(d.name, "Unnamed")),
      configId: int(d.conf, 1) || 1,
      description: str(d.desc),
      collapsed: Boolean(d.collapsed),
      mtime: ms(d.mod),
      anki: jsonExtra("deck", d),
      usn: 0,
    },
    `The deck "${str(d.name).slice(0, 80)}"`,
  );
  // Anki has written `dyn` as a number and, in some versions, as a boolean.
  if (!(d.dyn === true || int(d.dyn) === 1)) return deck;
  const terms = Array.isArray(d.terms) ? (d.terms as unknown[]) : [];
  return {
    ...deck,
    filter: {
      terms: terms.map((t) => {
        const [search, limit, order] = Array.isArray(t) ? t : [];
        return { search: str(search), limit: int(limit), order: int(order) };
      }),
      reschedule: truthy(d.resched),
    },
  };
}

/** Anki reads a filtered deck's `resched` from a boolean, a number or a string. */
function truthy(value: unknown): boolean {
  if (typeof value === "string") return value === "true" || value === "1";
  return Boolean(value);
}

export function legacyDeckConfig(c: Json): DeckConfig {
  const news = (c.new ?? {}) as Json;
  const rev = (c.rev ?? {}) as Json;
  const lapse = (c.lapse ?? {}) as Json;
  const ints = Array.isArray(news.ints) ? news.ints : [];
  return presetRecord(int(c.id), str(c.name, "Options"), ms(c.mod), jsonExtra("deckconfig", c), {
    learnSteps: Array.isArray(news.delays) ? news.delays.map((s) => num(s)) : [1, 10],
    relearnSteps: Array.isArray(lapse.delays) ? lapse.delays.map((s) => num(s)) : [10],
    newPerDay: int(news.perDay, 20),
    reviewsPerDay: int(rev.perDay, 200),
    maxInterval: int(rev.maxIvl, 36_500),
    graduatingInterval: int(ints[0], 1),
    easyInterval: int(ints[1], 4),
    leechThreshold: int(lapse.leechFails, 8),
    leechAction: int(lapse.leechAction, 1),
    buryNew: Boolean(news.bury),
    buryReviews: Boolean(rev.bury),
    desiredRetention: num(c.desiredRetention, 0.9),
  });
}

/** A preset from Anki's values, brought into the ranges the model allows (Anki allows a few more). */
function presetRecord(
  id: number,
  name: string,
  mtime: number,
  anki: Record<string, unknown>,
  v: ReturnType<typeof readDeckConfig>,
): DeckConfig {
  const steps = (list: number[]) =>
    list
      .filter((s) => s > 0)
      .map((s) => Math.min(s, 525_600))
      .slice(0, 50);
  return validated(
    DeckConfig,
    {
      id,
      name: name.trim() || "Options",
      newPerDay: clamp(v.newPerDay, 0, 100_000),
      reviewsPerDay: clamp(v.reviewsPerDay, 0, 1_000_000),
      learnSteps: steps(v.learnSteps),
      relearnSteps: steps(v.relearnSteps),
      desiredRetention: clamp(Math.round(v.desiredRetention * 1000) / 1000 || 0.9, 0.7, 0.99),
      maxInterval: clamp(v.maxInterval || 36_500, 1, 36_500),
      graduatingInterval: clamp(v.graduatingInterval || 1, 1, 36_500),
      easyInterval: clamp(v.easyInterval || 4, 1, 36_500),
      leechThreshold: clamp(v.leechThreshold || 8, 1, 1000),
      leechAction: v.leechAction === 0 ? "suspend" : "tag",
      buryNew: v.buryNew,
      buryReviews: v.buryReviews,
      mtime,
      anki,
      usn: 0,
    },
    `The options preset "${name.slice(0, 80)}"`,
  );
}

/** Schema 15 and later: one table per kind, with protobuf blobs; deck names nest with \x1f instead of "::". */
function readSeparateTables(db: Database): Structure {
  const fieldsOf = new Map<number, unknown[][]>();
  for (const row of rows(db, "SELECT ntid, ord, name, config FROM fields")) {
    const list = fieldsOf.get(int(row[0])) ?? [];
    list.push(row);
    fieldsOf.set(int(row[0]), list);
  }
  const templatesOf = new Map<number, unknown[][]>();
  for (const row of rows(db, "SELECT ntid, ord, name, config FROM templates")) {
    const list = templatesOf.get(int(row[0])) ?? [];
    list.push(row);
    templatesOf.set(int(row[0]), list);
  }
  const byOrd = (a: unknown[], b: unknown[]) => int(a[1]) - int(b[1]);
  const noteTypes = rows(db, "SELECT id, name, mtime_secs, config FROM notetypes").map((row) => {
    const id = int(row[0]);
    const config = readNotetypeConfig(blob(row[3]));
    const fields = (fieldsOf.get(id) ?? []).sort(byOrd);
    const templates = (templatesOf.get(id) ?? []).sort(byOrd);
    return validated(
      NoteType,
      {
        id,
        name: str(row[1], "Unnamed"),
        kind: config.cloze ? "cloze" : "standard",
        fields: fields.map((f, ord) => {
          const c = readFieldConfig(blob(f[3]));
          return {
            name: str(f[2]),
            ord,
            sticky: c.sticky,
            rtl: c.rtl,
            font: c.font,
            size: clamp(c.size, 1, 200),
            description: c.description,
          };
        }),
        templates: templates.map((t, ord) => {
          const c = readTemplateConfig(blob(t[3]));
          return {
            name: str(t[2]),
            ord,
            qfmt: c.qfmt,
            afmt: c.afmt,
            bqfmt: c.bqfmt,
            bafmt: c.bafmt,
            deckOverride: c.deckId > 0 ? c.deckId : null,
          };
        }),
        css: config.css,
        sortField: clamp(config.sortField, 0, Math.max(0, fields.length - 1)),
        latexPre: config.latexPre,
        latexPost: config.latexPost,
        mtime: ms(row[2]),
        anki: {
          ...notetypeExtra(blob(row[3])),
          flds: fields.map((f) => ({ name: str(f[2]), ...fieldExtra(blob(f[3])) })),
          tmpls: templates.map((t) => ({ name: str(t[2]), ...templateExtra(blob(t[3])) })),
        },
        usn: 0,
      },
      `The note type "${str(row[1]).slice(0, 80)}"`,
    );
  });
  const decks = rows(db, "SELECT id, name, mtime_secs, common, kind FROM decks").map((row) => {
    const kind = readDeckKind(blob(row[4]));
    const common = readDeckCommon(blob(row[3]));
    const name = str(row[1]).replace(/\u001f/g, "::");
    const deck = validated(
      Deck,
      {
        id: int(row[0]),
        name: deckName(name),
        configId: kind.configId || 1,
        description: kind.description,
        collapsed: common.collapsed,
        mtime: ms(row[2]),
        anki: deckExtra(blob(row[3]), blob(row[4])),
        usn: 0,
      },
      `The deck "${name.slice(0, 80)}"`,
    );
    return kind.filter ? { ...deck, filter: kind.filter } : deck;
  });
  const deckConfigs = rows(db, "SELECT id, name, mtime_secs, config FROM deck_config").map((row) =>
    presetRecord(int(row[0]), str(row[1]), ms(row[2]), deckConfigJson(blob(row[3])), readDeckConfig(blob(row[3]))),
  );
  const hasCollapsed = rows(db, "SELECT 1 FROM pragma_table_info('tags') WHERE name = 'collapsed'").length > 0;
  const tags = rows(db, `SELECT tag, ${hasCollapsed ? "collapsed" : "0"} FROM tags`)
    .filter((row) => str(row[0]).trim() !== "")
    .map((row) =>
      validated(Tag, { name: str(row[0]), collapsed: Boolean(row[1]), mtime: 0, usn: 0 }, `The tag "${str(row[0])}"`),
    );
  const config = rows(db, "SELECT KEY, mtime_secs, val FROM config").flatMap((row) => {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(blob(row[2])));
    } catch {
      return [];
    }
    return [
      validated(ConfigEntry, { key: str(row[0]), value, mtime: ms(row[1]), usn: 0 }, `The setting "${str(row[0])}"`),
    ];
  });
  return { noteTypes, decks, deckConfigs, tags, config };
}

function blob(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return new TextEncoder().encode(value);
  return new Uint8Array();
}

/** Deck names as Anki writes them, with empty parts (which Anki tolerates in old files) filled in. */
function deckName(name: string): string {
  const parts = name.split("::").map((p) => p.trim() || "blank");
  return parts.join("::").slice(0, 1000);
}

function readNotes(db: Database): Note[] {
  return rows(db, "SELECT id, guid, mid, mod, tags, flds FROM notes").map((row) =>
    validated(
      Note,
      {
        id: int(row[0]),
        guid: str(row[1]) || String(row[0]),
        noteTypeId: int(row[2]),
        fields: str(row[5]).split("\u001f"),
        tags: [
          ...new Set(
            str(row[4])
              .split(/[\s\u3000]+/)
              .filter((t) => t !== ""),
          ),
        ].map((t) => t.slice(0, 500)),
        mtime: ms(row[3]),
        usn: 0,
      },
      `Note ${int(row[0])}`,
    ),
  );
}

function readCards(db: Database): Card[] {
  return rows(
    db,
    "SELECT id, nid, did, ord, mod, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data FROM cards",
  ).map((row) =>
    validated(
      Card,
      {
        id: int(row[0]),
        noteId: int(row[1]),
        deckId: int(row[2]),
        ord: int(row[3]),
        type: int(row[5]),
        queue: int(row[6]),
        due: int(row[7]),
        ivl: int(row[8]),
        factor: Math.max(0, int(row[9])),
        reps: Math.max(0, int(row[10])),
        lapses: Math.max(0, int(row[11])),
        left: Math.max(0, int(row[12])),
        odue: int(row[13]),
        odid: int(row[14]),
        flags: clamp(int(row[15]), 0, 255),
        data: str(row[16]),
        mtime: ms(row[4]),
        usn: 0,
      },
      `Card ${int(row[0])}`,
    ),
  );
}

function readRevlog(db: Database): RevlogEntry[] {
  return rows(db, "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog").map((row) =>
    validated(
      RevlogEntry,
      {
        id: int(row[0]),
        cardId: int(row[1]),
        usn: 0,
        ease: clamp(int(row[2]), 0, 4),
        ivl: int(row[3]),
        lastIvl: int(row[4]),
        factor: clamp(int(row[5]), 0, 100_000),
        time: clamp(int(row[6]), 0, 86_400_000),
        type: clamp(int(row[7]), 0, 5),
      },
      `Review-log entry ${int(row[0])}`,
    ),
  );
}
