// Filtered decks in packages, as Anki handles them: read from legacy JSON (`dyn`) and schema-18 protobuf decks; kept
// on import with the cards they borrow when the file has scheduling and every home deck, otherwise turned into normal
// decks that keep those cards as normal cards (and the summary says so); renamed when a deck of the other kind has
// their name; kept as they are by a .colpkg; written as Anki's legacy dyn decks by a whole export with scheduling,
// and left out (every card at home) by a deck's export or one without scheduling.
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { Collection } from "../../extension/lib/collection/collection";
import { addDeck } from "../../extension/lib/collection/decks";
import { defaultDeckConfig } from "../../extension/lib/collection/defaults";
import { addFilteredDeck, emptyFilteredDeck } from "../../extension/lib/collection/filtered";
import { newCard } from "../../extension/lib/collection/notes";
import { answerCard } from "../../extension/lib/collection/study";
import { type AnkiExport, writeAnkiCollection } from "../../extension/lib/packages/anki-write";
import { unzstd } from "../../extension/lib/packages/archive";
import { ankiToday, localToday } from "../../extension/lib/packages/due";
import { exportPackage } from "../../extension/lib/packages/export";
import { importPackage } from "../../extension/lib/packages/import";
import { openPackage } from "../../extension/lib/packages/package";
import { openAnkiDatabase, sqlite } from "../../extension/lib/packages/sqlite";
import { readDeckKind } from "../../shared/anki/protobuf";
import { checkedFilter } from "../../shared/anki/read";
import { type Card, CardQueue, type Deck, type DeckFilter } from "../../shared/model";
import { stockNoteTypes } from "../../shared/stock-notetypes";
import { FakeClock, freshCollection } from "./factories";
import { fixture, HAVE_FIXTURES, MemoryMedia, snapshot } from "./packages-helpers";

const TEMPLATES = "ankidroid-templates.apkg";
const ANATOMY = "1-TEMPLATES::Anatomy";
const BAD_TEMPLATE = "1-TEMPLATES::Anatomy::BadTemplate";
const BAD_ORDER = "1-TEMPLATES::Anatomy::BadOrderSections";

async function imported(name: string, bytes: Uint8Array, options: Parameters<typeof importPackage>[3] = {}) {
  const { col, clock } = await freshCollection();
  const result = await importPackage(col, bytes, name, { media: new MemoryMedia(), ...options });
  if (!result.ok) throw new Error(result.error);
  return { col, clock, summary: result.value };
}

async function exported(col: Collection, options: Parameters<typeof exportPackage>[1]) {
  const result = await exportPackage(col, options);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

async function deckNamed(col: Collection, name: string): Promise<Deck> {
  const deck = (await col.db.getAll("decks")).find((d) => d.name === name);
  if (!deck) throw new Error(`no deck ${name}`);
  return deck;
}

/** The filtered decks and the cards they borrow, by names rather than ids and without sync stamps. */
async function filteredView(col: Collection) {
  const decks = await col.db.getAll("decks");
  const names = new Map(decks.map((d) => [d.id, d.name]));
  return {
    decks: decks
      .filter((d) => d.filter)
      .map((d) => ({ name: d.name, filter: d.filter, configId: d.configId }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    cards: (await col.db.getAll("cards"))
      .filter((c) => c.odid !== 0)
      .map((c) => ({
        id: c.id,
        deck: names.get(c.deckId),
        home: names.get(c.odid),
        due: c.due,
        odue: c.odue,
        type: c.type,
        queue: c.queue,
        ivl: c.ivl,
      }))
      .sort((a, b) => a.id - b.id),
  };
}

/** The collection database inside an exported package: its decks' JSON and its cards. */
async function insidePackage(bytes: Uint8Array) {
  const entries = unzipSync(bytes);
  const database = entries["collection.anki21"];
  if (!database) throw new Error("no collection.anki21");
  const db = new (await sqlite()).Database(database);
  try {
    const decks = Object.values(JSON.parse(String(db.exec("SELECT decks FROM col")[0]?.values[0]?.[0]))) as Record<
      string,
      unknown
    >[];
    const cards = (db.exec("SELECT id, did, odid, odue, due, queue FROM cards")[0]?.values ?? []).map((row) => ({
      id: Number(row[0]),
      did: Number(row[1]),
      odid: Number(row[2]),
      odue: Number(row[3]),
      due: Number(row[4]),
      queue: Number(row[5]),
    }));
    return { decks, cards };
  } finally {
    db.close();
  }
}

describe.skipIf(!HAVE_FIXTURES)("filtered decks of a real Anki package", { timeout: 60_000 }, () => {
  it("ankidroid-templates.apkg keeps its two filtered decks, their searches, and the 16 cards they borrow", async () => {
    const opened = await openPackage(fixture(TEMPLATES), TEMPLATES);
    const { col, summary } = await imported(TEMPLATES, fixture(TEMPLATES));
    expect(await col.db.count("decks")).toBe(11);
    const anatomy = await deckNamed(col, ANATOMY);
    const badTemplate = await deckNamed(col, BAD_TEMPLATE);
    const badOrder = await deckNamed(col, BAD_ORDER);
    expect(anatomy.filter).toBeUndefined();
    expect(badTemplate.filter).toEqual({
      terms: [{ search: 'deck:"Anatomy" card:Picture/Name', limit: 100, order: 0 }],
      reschedule: true,
    });
    expect(badOrder.filter).toEqual({
      terms: [{ search: 'deck:"Anatomy"  card:Name/Origin', limit: 20, order: 0 }],
      reschedule: true,
    });

    const inTemplate = await col.db.getAllFromIndex("cards", "deckId", badTemplate.id);
    const inOrder = await col.db.getAllFromIndex("cards", "deckId", badOrder.id);
    expect([inTemplate.length, inOrder.length]).toEqual([12, 4]);
    // Their own dues move as every new card's position does; their places in the filtered decks stay.
    const fileCards = new Map(opened.collection.cards.map((c) => [c.id, c]));
    const shifts = new Set<number>();
    for (const card of [...inTemplate, ...inOrder]) {
      const original = fileCards.get(card.id) as Card;
      expect(original.odid).not.toBe(0);
      expect(card).toMatchObject({ odid: anatomy.id, due: original.due, type: 0, queue: original.queue });
      shifts.add(card.odue - original.odue);
    }
    const homeCards = (await col.db.getAllFromIndex("cards", "deckId", anatomy.id)).filter((c) => c.type === 0);
    for (const card of homeCards) shifts.add(card.due - (fileCards.get(card.id) as Card).due);
    expect(shifts.size).toBe(1);
    expect(summary.lines).toContain(
      "2 of them are filtered decks, holding the cards they borrow from their home decks, as in the file.",
    );
    expect(summary.lines.join(" ")).not.toMatch(/imported as normal decks/);

    // Studying one out of learning sends it home; emptying the other deck sends its cards home with their own due.
    const studied = inTemplate[0] as Card;
    const answered = await answerCard(col, studied.id, 4, { fuzz: false });
    if (!answered.ok) throw new Error(answered.error);
    expect(answered.value.card).toMatchObject({ deckId: anatomy.id, odid: 0, odue: 0, queue: CardQueue.Review });
    expect(await emptyFilteredDeck(col, badOrder.id)).toEqual({ ok: true, value: 4 });
    for (const card of inOrder) {
      expect(await col.db.get("cards", card.id)).toMatchObject({
        deckId: anatomy.id,
        odid: 0,
        odue: 0,
        due: card.odue,
        queue: CardQueue.New,
      });
    }
  });

  it("without learning progress, the file's filtered decks become normal decks holding new cards", async () => {
    const { col, summary } = await imported(TEMPLATES, fixture(TEMPLATES), { withScheduling: false });
    const badTemplate = await deckNamed(col, BAD_TEMPLATE);
    expect(badTemplate.filter).toBeUndefined();
    expect(badTemplate.configId).toBe(1);
    const cards = await col.db.getAllFromIndex("cards", "deckId", badTemplate.id);
    expect(cards).toHaveLength(12);
    for (const card of cards) expect(card).toMatchObject({ odid: 0, odue: 0, type: 0, queue: 0 });
    expect(cards.every((c) => c.due >= 0)).toBe(true);
    expect(await col.db.count("cards")).toBe(146);
    expect(summary.lines).toContain(
      "2 filtered decks in the file were imported as normal decks keeping their cards as normal cards: the file " +
        "was imported without learning progress.",
    );
  });

  it("round trip as .apkg with scheduling: the filtered decks and the borrowed cards are the same", async () => {
    const source = await imported(TEMPLATES, fixture(TEMPLATES));
    const file = await exported(source.col, { format: "apkg", withScheduling: true });
    const inside = await insidePackage(file.bytes);
    const dyn = inside.decks.filter((d) => d.dyn === 1);
    expect(dyn.map((d) => d.name).sort()).toEqual([BAD_ORDER, BAD_TEMPLATE]);
    const written = dyn.find((d) => d.name === BAD_TEMPLATE);
    // The keys Anki's schema-11 reader needs for a filtered deck, and the ones older versions expect.
    expect(written).toMatchObject({
      terms: [['deck:"Anatomy" card:Picture/Name', 100, 0]],
      resched: true,
      separate: true,
      delays: null,
      return: true,
      previewDelay: 10,
      collapsed: false,
      lrnToday: [0, 0],
    });
    expect(written).not.toHaveProperty("conf");
    expect(inside.cards.filter((c) => c.odid !== 0)).toHaveLength(16);

    const target = await imported(file.fileName, file.bytes);
    const view = await filteredView(target.col);
    expect(view.cards).toHaveLength(16);
    expect(view).toEqual(await filteredView(source.col));
  });

  it("round trip as .colpkg: the filtered decks and the borrowed cards are the same", async () => {
    const source = await imported(TEMPLATES, fixture(TEMPLATES));
    const file = await exported(source.col, { format: "colpkg" });
    expect((await insidePackage(file.bytes)).decks.filter((d) => d.dyn === 1)).toHaveLength(2);
    const target = await imported(file.fileName, file.bytes);
    expect(target.summary.mode).toBe("replace");
    expect(target.summary.lines[0]).toMatch(/11 decks \(2 of them filtered\)/);
    const view = await filteredView(target.col);
    expect(view.cards).toHaveLength(16);
    expect(view).toEqual(await filteredView(source.col));
  });

  it("a deck's export, even with scheduling, has no filtered deck and every card in its home deck", async () => {
    const source = await imported(TEMPLATES, fixture(TEMPLATES));
    const anatomy = await deckNamed(source.col, ANATOMY);
    const borrowed = (await source.col.db.getAll("cards")).filter((c) => c.odid !== 0);
    const file = await exported(source.col, { format: "apkg", deckId: anatomy.id, withScheduling: true });
    const inside = await insidePackage(file.bytes);
    expect(inside.decks.filter((d) => d.dyn !== 0)).toEqual([]);
    expect(inside.decks.map((d) => d.name)).not.toContain(BAD_TEMPLATE);
    expect(inside.cards.filter((c) => c.odid !== 0 || c.odue !== 0)).toEqual([]);
    // The borrowed cards are the deck's own: they are in the file, at home with their own due.
    const byId = new Map(inside.cards.map((c) => [c.id, c]));
    expect(borrowed).toHaveLength(16);
    for (const card of borrowed) {
      expect(byId.get(card.id)).toMatchObject({ did: anatomy.id, due: card.odue, queue: CardQueue.New });
    }
  });

  it("a filtered deck's export is the cards it borrows, in their home deck", async () => {
    const source = await imported(TEMPLATES, fixture(TEMPLATES));
    const anatomy = await deckNamed(source.col, ANATOMY);
    const badOrder = await deckNamed(source.col, BAD_ORDER);
    const borrowed = await source.col.db.getAllFromIndex("cards", "deckId", badOrder.id);
    const file = await exported(source.col, { format: "apkg", deckId: badOrder.id, withScheduling: true });
    expect(file.cards).toBe(4);
    const inside = await insidePackage(file.bytes);
    expect(inside.decks.filter((d) => d.dyn !== 0)).toEqual([]);
    expect(inside.cards.map((c) => c.id).sort()).toEqual(borrowed.map((c) => c.id).sort());
    for (const card of inside.cards) expect(card).toMatchObject({ did: anatomy.id, odid: 0, odue: 0 });
  });

  it("an export without scheduling has no filtered deck and no borrowed card", async () => {
    const source = await imported(TEMPLATES, fixture(TEMPLATES));
    const anatomy = await deckNamed(source.col, ANATOMY);
    const file = await exported(source.col, { format: "apkg", withScheduling: false });
    const inside = await insidePackage(file.bytes);
    expect(inside.decks.filter((d) => d.dyn !== 0)).toEqual([]);
    expect(inside.cards).toHaveLength(146);
    expect(inside.cards.filter((c) => c.odid !== 0 || c.odue !== 0)).toEqual([]);
    const target = await imported(file.fileName, file.bytes);
    expect((await target.col.db.getAll("decks")).filter((d) => d.filter)).toEqual([]);
    const home = await deckNamed(target.col, ANATOMY);
    expect(home.id).toBe(anatomy.id);
    const borrowedBefore = (await source.col.db.getAll("cards")).filter((c) => c.odid !== 0).map((c) => c.id);
    for (const id of borrowedBefore) expect((await target.col.db.get("cards", id))?.deckId).toBe(anatomy.id);
  });
});

// A small package of our own: decks "Home" (two notes' cards) and a filtered deck "Cram" that borrows them.
const PACKAGE_TIME = Date.UTC(2025, 0, 1);
const HOME = 1_600_000_000_001;
const CRAM = 1_600_000_000_002;
const CRAM_FILTER: DeckFilter = { terms: [{ search: "deck:Home", limit: 50, order: 6 }], reschedule: true };

interface Options {
  /** A review log entry and an options preset (Anki's "scheduling"); without, the filtered deck cannot be kept. */
  scheduling?: boolean;
  /** The borrowed new card's home deck is one the file does not hold. */
  homeMissing?: boolean;
  homeName?: string;
  cramName?: string;
}

async function smallPackage({
  scheduling = true,
  homeMissing = false,
  homeName = "Home",
  cramName = "Cram",
}: Options = {}): Promise<Uint8Array> {
  const now = PACKAGE_TIME;
  const [basic] = stockNoteTypes(now, now);
  if (!basic) throw new Error("no stock note type");
  const deck = (id: number, name: string, filter?: DeckFilter): Deck => ({
    id,
    name,
    configId: 1,
    description: "",
    collapsed: false,
    ...(filter ? { filter } : {}),
    mtime: now,
    usn: 0,
  });
  const notes = [1, 2, 3].map((i) => ({
    id: now + i,
    guid: `filtered-${i}`,
    noteTypeId: basic.id,
    fields: [`front ${i}`, `back ${i}`],
    tags: [],
    mtime: now,
    usn: 0,
  }));
  const card = (i: number, rest: Partial<Card>): Card => ({
    ...newCard(now + 100 + i, now + i, HOME, 0, 0, now, 0),
    ...rest,
  });
  const cards = [
    // A new card borrowed at place 0, whose own position is 7.
    card(1, { deckId: CRAM, odid: homeMissing ? 999 : HOME, odue: 7, due: -100_000 }),
    // A review card borrowed at place 1, due on day 30 of the file's collection.
    card(2, { deckId: CRAM, odid: HOME, odue: 30, due: -99_999, type: 2, queue: 2, ivl: 10, factor: 2500, reps: 4 }),
    // A new card at home at position 8.
    card(3, { due: 8 }),
  ];
  const [preset] = scheduling ? [defaultDeckConfig(1, "Default", now, 0)] : [];
  const data: AnkiExport = {
    crt: Math.floor(now / 1000),
    created: now,
    noteTypes: [basic],
    decks: [deck(1, "Default"), deck(HOME, homeName), deck(CRAM, cramName, CRAM_FILTER)],
    deckConfigs: preset ? [preset] : [],
    notes,
    cards,
    revlog: scheduling
      ? [{ id: now + 500, cardId: now + 102, usn: 0, ease: 3, ivl: 10, lastIvl: 4, factor: 2500, time: 5000, type: 1 }]
      : [],
    tags: [],
    config: [],
  };
  const database = await writeAnkiCollection(data, () => {});
  return zipSync({ "collection.anki21": database, meta: new Uint8Array([0x08, 0x02]), media: strToU8("{}") });
}

const cardId = (i: number) => PACKAGE_TIME + 100 + i;

describe("filtered decks in packages made for the purpose", { timeout: 30_000 }, () => {
  it("kept: the filtered deck and its borrowed cards, with the home deck remapped and the review's own due moved", async () => {
    const { col, clock, summary } = await imported("small.apkg", await smallPackage());
    const home = await deckNamed(col, "Home");
    const cram = await deckNamed(col, "Cram");
    expect(cram.filter).toEqual(CRAM_FILTER);
    const atHome = await col.db.get("cards", cardId(3));
    const dayShift = localToday(clock.now()) - ankiToday(clock.now(), Math.floor(PACKAGE_TIME / 1000));
    expect(await col.db.get("cards", cardId(1))).toMatchObject({
      deckId: cram.id,
      odid: home.id,
      due: -100_000,
      odue: (atHome?.due ?? 0) - 1,
    });
    expect(await col.db.get("cards", cardId(2))).toMatchObject({
      deckId: cram.id,
      odid: home.id,
      due: -99_999,
      odue: 30 + dayShift,
      queue: 2,
    });
    expect(summary.lines).toContain(
      "One of them is a filtered deck, holding the cards it borrows from their home decks, as in the file.",
    );
    // Importing it again changes nothing: the filtered deck of the same name is the file's.
    const before = await snapshot(col);
    const again = await importPackage(col, await smallPackage(), "small.apkg");
    expect(again.ok && again.value.lines[0]).toBe(
      "Nothing changed: everything in the file is already in the collection.",
    );
    expect(await snapshot(col)).toEqual(before);
  });

  const notKept: [string, Options, string][] = [
    [
      "no review log and no deck options",
      { scheduling: false },
      "the file has no scheduling (no review history and no deck options)",
    ],
    [
      "a borrowed card's home deck missing from the file",
      { homeMissing: true },
      "the file does not hold the home decks of all the cards they borrow",
    ],
  ];
  for (const [what, options, reason] of notKept) {
    it(`not kept (${what}): a normal deck holding those cards as normal cards, and the summary says why`, async () => {
      const { col, clock, summary } = await imported("small.apkg", await smallPackage(options));
      const cram = await deckNamed(col, "Cram");
      expect(cram.filter).toBeUndefined();
      expect(cram.configId).toBe(1);
      expect((await col.db.getAll("decks")).filter((d) => d.filter)).toEqual([]);
      const atHome = await col.db.get("cards", cardId(3));
      const dayShift = localToday(clock.now()) - ankiToday(clock.now(), Math.floor(PACKAGE_TIME / 1000));
      // In the deck that was filtered, with their own due: the new card at its position, the review on its day.
      expect(await col.db.get("cards", cardId(1))).toMatchObject({
        deckId: cram.id,
        odid: 0,
        odue: 0,
        queue: CardQueue.New,
        due: (atHome?.due ?? 0) - 1,
      });
      expect(await col.db.get("cards", cardId(2))).toMatchObject({
        deckId: cram.id,
        odid: 0,
        odue: 0,
        queue: CardQueue.Review,
        due: 30 + dayShift,
        ivl: 10,
      });
      expect(summary.lines).toContain(
        `1 filtered deck in the file was imported as a normal deck keeping its cards as normal cards: ${reason}.`,
      );
      // Again: nothing more to say, nothing changes.
      const before = await snapshot(col);
      const again = await importPackage(col, await smallPackage(options), "small.apkg");
      expect(again.ok && again.value.lines).toEqual([
        "Nothing changed: everything in the file is already in the collection.",
        "3 notes skipped, as up-to-date copies are already in the collection.",
      ]);
      expect(await snapshot(col)).toEqual(before);
    });
  }

  it("a name clash with a normal deck: the filtered deck comes in under a unique name", async () => {
    const clock = new FakeClock();
    const { col } = await freshCollection(clock);
    const mine = await addDeck(col, "Cram");
    if (!mine.ok) throw new Error(mine.error);
    const result = await importPackage(col, await smallPackage(), "small.apkg");
    if (!result.ok) throw new Error(result.error);
    const unique = `Cram ${Math.floor(clock.now() / 1000)}`;
    const renamed = await deckNamed(col, unique);
    expect(renamed.filter).toEqual(CRAM_FILTER);
    expect(await col.db.get("decks", mine.value.id)).toEqual(mine.value);
    const home = await deckNamed(col, "Home");
    for (const i of [1, 2]) {
      expect(await col.db.get("cards", cardId(i))).toMatchObject({ deckId: renamed.id, odid: home.id });
    }
    expect(await col.db.countFromIndex("cards", "deckId", mine.value.id)).toBe(0);
    expect(result.value.lines).toContain(
      `The file's deck "Cram" was added as "${unique}", as the collection's "Cram" is a deck of the other kind ` +
        "(filtered or normal).",
    );
  });

  it("a name clash with a filtered deck: the file's normal deck and its sub-decks come in under a unique name", async () => {
    const clock = new FakeClock();
    const { col } = await freshCollection(clock);
    const mine = await addFilteredDeck(col, {
      name: "Home",
      terms: [{ search: "is:due", limit: 10, order: 0 }],
      reschedule: true,
    });
    if (!mine.ok) throw new Error(mine.error);
    const result = await importPackage(col, await smallPackage({ cramName: "Home::Cram" }), "small.apkg");
    if (!result.ok) throw new Error(result.error);
    const unique = `Home ${Math.floor(clock.now() / 1000)}`;
    const home = await deckNamed(col, unique);
    const cram = await deckNamed(col, `${unique}::Cram`);
    expect(home.filter).toBeUndefined();
    expect(cram.filter).toEqual(CRAM_FILTER);
    expect(await col.db.get("decks", mine.value.deck.id)).toEqual(mine.value.deck);
    expect(await col.db.get("cards", cardId(3))).toMatchObject({ deckId: home.id });
    expect(await col.db.get("cards", cardId(1))).toMatchObject({ deckId: cram.id, odid: home.id });
  });

  it("a deck that would go under a collection's filtered deck goes under a normal namesake instead", async () => {
    const clock = new FakeClock();
    const { col } = await freshCollection(clock);
    const top = await addFilteredDeck(col, {
      name: "Top",
      terms: [{ search: "is:due", limit: 10, order: 0 }],
      reschedule: false,
    });
    if (!top.ok) throw new Error(top.error);
    const result = await importPackage(col, await smallPackage({ homeName: "Top::Home" }), "small.apkg");
    if (!result.ok) throw new Error(result.error);
    const unique = `Top ${Math.floor(clock.now() / 1000)}`;
    const holder = await deckNamed(col, unique);
    expect(holder.filter).toBeUndefined();
    const home = await deckNamed(col, `${unique}::Home`);
    expect(await col.db.get("cards", cardId(3))).toMatchObject({ deckId: home.id });
    expect(await col.db.get("cards", cardId(1))).toMatchObject({ odid: home.id });
    expect((await col.db.getAll("decks")).filter((d) => d.name.startsWith("Top::"))).toEqual([]);
    expect(result.value.lines).toContain(
      `"${unique}" was added to hold the file's decks that go under "Top", which is a filtered deck and cannot ` +
        "have sub-decks.",
    );
  });
});

describe("reading filtered decks", () => {
  it("checks a filter as Anki bounds it: two searches at most, none empty, limits 1 to 99,999, orders 0 to 8", () => {
    expect(
      checkedFilter({
        terms: [
          { search: "  ", limit: 5, order: 1 },
          { search: " is:due ", limit: 150_000, order: 12 },
          { search: "is:new", limit: 0, order: -2 },
          { search: "tag:x", limit: 3, order: 2 },
        ],
        reschedule: false,
      }),
    ).toEqual({
      terms: [
        { search: "is:due", limit: 99_999, order: 8 },
        { search: "is:new", limit: 1, order: 0 },
      ],
      reschedule: false,
    });
    expect(checkedFilter({ terms: [{ search: "", limit: 5, order: 1 }], reschedule: true })).toBeNull();
  });

  it("reads a schema-18 filtered deck from its protobuf kind", () => {
    const term = (search: string, limit: number, order: number) =>
      new BinaryWriter()
        .tag(1, WireType.LengthDelimited)
        .string(search)
        .tag(2, WireType.Varint)
        .uint32(limit)
        .tag(3, WireType.Varint)
        .int32(order)
        .finish();
    const filtered = new BinaryWriter()
      .tag(1, WireType.Varint)
      .bool(true)
      .tag(2, WireType.LengthDelimited)
      .bytes(term("deck:Spanish", 30, 5))
      .tag(2, WireType.LengthDelimited)
      .bytes(term("is:due", 200, 6))
      // delays, a field this reader skips
      .tag(3, WireType.LengthDelimited)
      .bytes(new Uint8Array([0, 0, 128, 63]))
      .finish();
    const kind = new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(filtered).finish();
    expect(readDeckKind(kind)).toMatchObject({
      filtered: true,
      filter: {
        reschedule: true,
        terms: [
          { search: "deck:Spanish", limit: 30, order: 5 },
          { search: "is:due", limit: 200, order: 6 },
        ],
      },
    });
    const normal = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .bytes(new BinaryWriter().tag(1, WireType.Varint).int64(7).finish())
      .finish();
    expect(readDeckKind(normal)).toMatchObject({ filtered: false, configId: 7, filter: null });
  });

  it("reads legacy JSON with `dyn` as a boolean and a limit as a string; a deck with no usable search is normal", async () => {
    const bytes = await smallPackage();
    const database = unzipSync(bytes)["collection.anki21"] as Uint8Array;
    const db = new (await sqlite()).Database(database);
    const decks = JSON.parse(String(db.exec("SELECT decks FROM col")[0]?.values[0]?.[0]));
    decks[CRAM] = { ...decks[CRAM], dyn: true, terms: [["deck:Home", "12", 3]], resched: 0 };
    db.run("UPDATE col SET decks = ?", [JSON.stringify(decks)]);
    // The review card is in Anki's preview queue, due at a time in seconds.
    db.run(`UPDATE cards SET queue = 4, due = 1735700000 WHERE id = ${cardId(2)}`);
    const edited = db.export();
    decks[CRAM] = { ...decks[CRAM], dyn: 1, terms: [["   ", 5, 0]] };
    db.run("UPDATE col SET decks = ?", [JSON.stringify(decks)]);
    const empty = db.export();
    db.close();
    const pack = (collection: Uint8Array) => zipSync({ "collection.anki21": collection, media: strToU8("{}") });

    const read = (await openPackage(pack(edited), "x.apkg")).collection;
    expect(read.decks.find((d) => d.id === CRAM)?.filter).toEqual({
      terms: [{ search: "deck:Home", limit: 12, order: 3 }],
      reschedule: false,
    });
    expect(read.cards.find((c) => c.id === cardId(1))).toMatchObject({ deckId: CRAM, odid: HOME, odue: 7 });
    expect(read.cards.find((c) => c.id === cardId(2))).toMatchObject({ queue: CardQueue.Learning, due: 1735700000 });

    const plain = (await openPackage(pack(empty), "x.apkg")).collection;
    expect(plain.decks.find((d) => d.id === CRAM)?.filter).toBeUndefined();
    expect(plain.cards.find((c) => c.id === cardId(1))).toMatchObject({ deckId: CRAM, odid: 0, odue: 0, due: 7 });
    expect(plain.cards.find((c) => c.id === cardId(2))).toMatchObject({ deckId: CRAM, odid: 0, due: 30, queue: 2 });
    expect(plain.cards.find((c) => c.id === cardId(3))).toMatchObject({ deckId: HOME, odid: 0, due: 8 });
  });
});

describe.skipIf(!HAVE_FIXTURES)("a schema-18 collection with filtered decks", { timeout: 60_000 }, () => {
  it("replaces the collection keeping its filtered deck and borrowed card; one without a search becomes normal", async () => {
    // Anki 25.9's collection, with two filtered decks added as Anki stores them (protobuf kinds).
    const zip = unzipSync(fixture("neoanki-25.9.4-current-stable.colpkg"));
    const db = await openAnkiDatabase(unzstd(zip["collection.anki21b"] as Uint8Array, 64 * 1024 * 1024, "test"));
    const [home] =
      db.exec("SELECT id FROM decks WHERE name = 'Migration Corpus' || char(31) || 'Core'")[0]?.values ?? [];
    const homeId = Number(home?.[0]);
    const cards = db.exec(`SELECT id, due FROM cards WHERE did = ${homeId} AND queue = 0 ORDER BY id`)[0]?.values;
    const [first, second] = (cards ?? []).map((row) => ({ id: Number(row[0]), due: Number(row[1]) }));
    if (!first || !second) throw new Error("expected two new cards in Migration Corpus::Core");
    const filteredKind = (search: string) => {
      const term = new BinaryWriter()
        .tag(1, WireType.LengthDelimited)
        .string(search)
        .tag(2, WireType.Varint)
        .uint32(40)
        .tag(3, WireType.Varint)
        .int32(1)
        .finish();
      const filtered = new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(term).finish();
      return new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(filtered).finish();
    };
    db.run("INSERT INTO decks VALUES (?, ?, 1700000000, 0, x'', ?)", [900, "Cram", filteredKind("is:new")]);
    db.run("INSERT INTO decks VALUES (?, ?, 1700000000, 0, x'', ?)", [901, "Blank", filteredKind("")]);
    db.run(`UPDATE cards SET did = 900, odid = did, odue = due, due = -100000 WHERE id = ${first.id}`);
    db.run(`UPDATE cards SET did = 901, odid = did, odue = due, due = -100000 WHERE id = ${second.id}`);
    const bytes = db.export();
    db.close();

    const { col, summary } = await imported("collection.anki2", bytes);
    expect(summary.mode).toBe("replace");
    expect(await col.db.get("decks", 900)).toMatchObject({
      name: "Cram",
      filter: { terms: [{ search: "is:new", limit: 40, order: 1 }], reschedule: false },
    });
    expect(await col.db.get("cards", first.id)).toMatchObject({ deckId: 900, odid: homeId, odue: first.due });
    const blank = await col.db.get("decks", 901);
    expect(blank?.name).toBe("Blank");
    expect(blank?.filter).toBeUndefined();
    expect(await col.db.get("cards", second.id)).toMatchObject({
      deckId: 901,
      odid: 0,
      odue: 0,
      due: second.due,
      queue: 0,
    });
    expect(await emptyFilteredDeck(col, 900)).toEqual({ ok: true, value: 1 });
    expect(await col.db.get("cards", first.id)).toMatchObject({ deckId: homeId, odid: 0, due: first.due });
  });
});
