// Writes records into a new schema-11 Anki database (note types, decks and presets as JSON in the `col` row): the
// legacy-compatible collection.anki21 that every Anki since 2.1 imports. Times go back to Anki's units (seconds
// for most, milliseconds for the collection's own stamps).
import type { Database, SqlJsStatic } from "sql.js";
import type { Card, ConfigEntry, Deck, DeckConfig, Note, NoteType, RevlogEntry } from "../model";
import { fieldChecksum, stripHtmlKeepingMedia } from "./text";

const SCHEMA_11 = `
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, scm integer not null,
  ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null,
  models text not null, decks text not null, dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, mod integer not null,
  usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null,
  flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, ord integer not null,
  mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null,
  ivl integer not null, factor integer not null, reps integer not null, lapses integer not null,
  left integer not null, odue integer not null, odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null,
  ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null,
  type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
`;

export interface AnkiExport {
  crt: number;
  /** The collection's own stamps (ms) and usn; an export takes now and 0, a sync server's download its own. */
  mod?: number;
  scm?: number;
  usn?: number;
  created: number;
  noteTypes: NoteType[];
  decks: Deck[];
  deckConfigs: DeckConfig[];
  notes: Note[];
  cards: Card[];
  revlog: RevlogEntry[];
  tags: string[];
  config: ConfigEntry[];
}

const secs = (ms: number) => Math.floor(ms / 1000);

/** Fields a template's front uses: Anki's legacy card requirements ("any" of them makes the card). */
function requirements(noteType: NoteType): unknown[] {
  if (noteType.kind === "cloze") return [];
  return noteType.templates.map((t) => {
    const used = noteType.fields.filter((f) => t.qfmt.includes(f.name)).map((f) => f.ord);
    return [t.ord, "any", used.length > 0 ? used : [0]];
  });
}

/** A card as a row of Anki's cards table, which is also how Anki's sync carries it. */
export function ankiCardRow(c: Card, usn: number): (number | string)[] {
  return [
    c.id,
    c.noteId,
    c.deckId,
    c.ord,
    secs(c.mtime),
    usn,
    c.type,
    c.queue,
    c.due,
    c.ivl,
    c.factor,
    c.reps,
    c.lapses,
    c.left,
    c.odue,
    c.odid,
    c.flags,
    c.data,
  ];
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};

/** The extras Anki kept for a field or template (`anki.flds`, `anki.tmpls`): by name, else at the same place. */
function extraOf(list: unknown, name: string, index: number): Json {
  const items = Array.isArray(list) ? list.map(object) : [];
  return items.find((item) => item.name === name) ?? object(items[index]);
}

/**
 * A record as Anki's schema-11 JSON, in three layers: Anki's defaults for what the record never had, what Anki kept
 * of it (`anki`, see shared/schemas.ts), and the model's own fields over both, so that an edit made here wins.
 */
export function legacyNoteType(n: NoteType): Json {
  const extra = object(n.anki);
  return {
    did: 1,
    latexsvg: false,
    tags: [],
    vers: [],
    ...extra,
    id: n.id,
    name: n.name,
    type: n.kind === "cloze" ? 1 : 0,
    mod: secs(n.mtime),
    usn: 0,
    sortf: n.sortField,
    tmpls: n.templates.map((t, i) => ({
      bfont: "",
      bsize: 0,
      ...extraOf(extra.tmpls, t.name, i),
      name: t.name,
      ord: t.ord,
      qfmt: t.qfmt,
      afmt: t.afmt,
      bqfmt: t.bqfmt,
      bafmt: t.bafmt,
      did: t.deckOverride,
    })),
    flds: n.fields.map((f, i) => ({
      plainText: false,
      collapsed: false,
      excludeFromSearch: false,
      media: [],
      ...extraOf(extra.flds, f.name, i),
      name: f.name,
      ord: f.ord,
      sticky: f.sticky,
      rtl: f.rtl,
      font: f.font,
      size: f.size,
      description: f.description,
    })),
    css: n.css,
    latexPre: n.latexPre,
    latexPost: n.latexPost,
    req: requirements(n),
  };
}

export function legacyDeck(d: Deck): Json {
  const defaults = {
    lrnToday: [0, 0],
    revToday: [0, 0],
    newToday: [0, 0],
    timeToday: [0, 0],
    browserCollapsed: false,
  };
  const own = { id: d.id, name: d.name, mod: secs(d.mtime), usn: 0, collapsed: d.collapsed, desc: d.description };
  const extra = object(d.anki);
  if (d.filter) {
    // A filtered deck as Anki's legacy JSON has it: `terms` as [search, limit, order] triples, `resched`, and the
    // keys older versions expect (`separate`, `return`, `delays`; `previewDelay` in minutes).
    return {
      ...defaults,
      separate: true,
      return: true,
      delays: null,
      previewDelay: 10,
      ...extra,
      ...own,
      dyn: 1,
      terms: d.filter.terms.map((t) => [t.search, t.limit, t.order]),
      resched: d.filter.reschedule,
    };
  }
  return { ...defaults, extendNew: 0, extendRev: 0, ...extra, ...own, dyn: 0, conf: d.configId };
}

export function legacyDeckConfig(c: DeckConfig): Json {
  const extra = object(c.anki);
  return {
    maxTaken: 60,
    autoplay: true,
    timer: 0,
    replayq: true,
    dyn: false,
    newMix: 0,
    newPerDayMinimum: 0,
    interdayLearningMix: 0,
    reviewOrder: 0,
    newSortOrder: 0,
    newGatherPriority: 0,
    buryInterdayLearning: false,
    ...extra,
    id: c.id,
    name: c.name,
    mod: secs(c.mtime),
    usn: 0,
    new: {
      initialFactor: 2500,
      order: 1,
      separate: true,
      ...object(extra.new),
      bury: c.buryNew,
      delays: c.learnSteps,
      ints: [c.graduatingInterval, c.easyInterval, 0],
      perDay: c.newPerDay,
    },
    rev: {
      ease4: 1.3,
      ivlFct: 1,
      hardFactor: 1.2,
      fuzz: 0.05,
      minSpace: 1,
      ...object(extra.rev),
      bury: c.buryReviews,
      maxIvl: c.maxInterval,
      perDay: c.reviewsPerDay,
    },
    lapse: {
      minInt: 1,
      mult: 0,
      ...object(extra.lapse),
      delays: c.relearnSteps,
      leechAction: c.leechAction === "suspend" ? 0 : 1,
      leechFails: c.leechThreshold,
    },
    desiredRetention: c.desiredRetention,
  };
}

/**
 * Settings Anki expects in every collection, under the collection's own ones (`config`): also what Anki's apps get
 * as the whole of their settings when the relay's collection is the newer in a normal sync.
 */
export function ankiSettings(
  config: readonly { key: string; value: unknown }[],
  curModel: number | null,
  nextPos: number,
): Record<string, unknown> {
  const own = Object.fromEntries(config.map((c) => [c.key, c.value]));
  return {
    activeDecks: [1],
    curDeck: 1,
    newSpread: 0,
    collapseTime: 1200,
    timeLim: 0,
    estTimes: true,
    dueCounts: true,
    curModel,
    sortType: "noteFld",
    sortBackwards: false,
    addToCur: true,
    dayLearnFirst: false,
    schedVer: 2,
    sched2021: true,
    creationOffset: 0,
    ...own,
    nextPos: Math.max(nextPos, typeof own.nextPos === "number" ? own.nextPos : 0),
  };
}

const obj = <T extends { id: number }>(list: T[], map: (item: T) => unknown) =>
  JSON.stringify(Object.fromEntries(list.map((item) => [String(item.id), map(item)])));

export async function writeAnkiCollection(
  SQL: SqlJsStatic,
  data: AnkiExport,
  progress: (fraction: number) => void,
): Promise<Uint8Array> {
  const db: Database = new SQL.Database();
  try {
    db.exec(SCHEMA_11);
    // A new card borrowed by a filtered deck has its position in its home deck in `odue`.
    const nextPos = data.cards
      .filter((c) => c.type === 0)
      .reduce((max, c) => Math.max(max, (c.odid !== 0 ? c.odue : c.due) + 1), 1);
    const mod = data.mod ?? Date.now();
    db.run("INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, ?, ?, ?, ?, ?, ?, ?)", [
      data.crt,
      mod,
      data.scm ?? Date.now(),
      data.usn ?? 0,
      data.mod ?? 0,
      JSON.stringify(ankiSettings(data.config, data.noteTypes[0]?.id ?? null, nextPos)),
      obj(data.noteTypes, legacyNoteType),
      obj(data.decks, legacyDeck),
      obj(data.deckConfigs, legacyDeckConfig),
      JSON.stringify(Object.fromEntries(data.tags.map((t) => [t, 0]))),
    ]);
    db.exec("BEGIN");
    const sortField = new Map(data.noteTypes.map((n) => [n.id, n.sortField]));
    const note = db.prepare("INSERT INTO notes VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, 0, '')");
    for (const [i, n] of data.notes.entries()) {
      const sort = stripHtmlKeepingMedia(n.fields[sortField.get(n.noteTypeId) ?? 0] ?? "");
      const tags = n.tags.length > 0 ? ` ${n.tags.join(" ")} ` : "";
      const csum = await fieldChecksum(n.fields[0] ?? "");
      note.run([n.id, n.guid, n.noteTypeId, secs(n.mtime), tags, n.fields.join("\u001f"), sort, csum]);
      if (i % 5000 === 0) progress((0.5 * i) / Math.max(1, data.notes.length));
    }
    note.free();
    const card = db.prepare(`INSERT INTO cards VALUES (${Array(18).fill("?").join(", ")})`);
    for (const c of data.cards) card.run(ankiCardRow(c, 0));
    card.free();
    progress(0.75);
    const revlog = db.prepare("INSERT INTO revlog VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)");
    for (const r of data.revlog) revlog.run([r.id, r.cardId, r.ease, r.ivl, r.lastIvl, r.factor, r.time, r.type]);
    revlog.free();
    db.exec("COMMIT");
    progress(1);
    return db.export();
  } finally {
    db.close();
  }
}
