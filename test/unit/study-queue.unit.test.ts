import { describe, expect, it } from "vitest";
import { renderCard } from "../../extension/lib/collection/card-view";
import { setBuried } from "../../extension/lib/collection/cards";
import { addDeck, setDeckPreset } from "../../extension/lib/collection/decks";
import { addNote, addNotes } from "../../extension/lib/collection/notes";
import { addPreset, setRolloverHour, updatePreset } from "../../extension/lib/collection/presets";
import { answerCard, undoAnswer } from "../../extension/lib/collection/study";
import { nextCard, unburyOnNewDay } from "../../extension/lib/collection/study-queue";
import { dayNumber } from "../../shared/days";
import { type Card, CardQueue, CardType } from "../../shared/model";
import { freshCollection, noteTypeByName } from "./factories";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function world(perDeck = { parent: 3, child: 3 }) {
  const { col, clock } = await freshCollection();
  const basic = await noteTypeByName(col, "Basic");
  const parent = await addDeck(col, "Lang");
  const child = await addDeck(col, "Lang::Spanish");
  if (!parent.ok || !child.ok) throw new Error("decks");
  const add = async (deckId: number, n: number, prefix: string) => {
    clock.advance();
    await addNotes(
      col,
      Array.from({ length: n }, (_, i) => ({ noteTypeId: basic.id, deckId, fields: [`${prefix}${i}`, "a"], tags: "" })),
    );
  };
  await add(parent.value.id, perDeck.parent, "p");
  await add(child.value.id, perDeck.child, "c");
  return { col, clock, basic, parent: parent.value, child: child.value };
}

/** Makes a card a review card due on a given day, as if studied before. */
async function makeReview(col: Awaited<ReturnType<typeof world>>["col"], card: Card, due: number, ivl = 5) {
  await col.db.put("cards", { ...card, type: CardType.Review, queue: CardQueue.Review, due, ivl, reps: 3 });
}

async function front(col: Awaited<ReturnType<typeof world>>["col"], card: Card | null) {
  if (!card) return null;
  return (await col.db.get("notes", card.noteId))?.fields[0] ?? null;
}

describe("the study queue", () => {
  it("gives new cards in the order they were added, sub-decks included, within the day's limit", async () => {
    const { col, parent, child } = await world();
    const small = await addPreset(col, "Two a day");
    if (!small.ok) throw new Error();
    await updatePreset(col, small.value.id, { newPerDay: 2 });
    await setDeckPreset(col, child.id, small.value.id);
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const next = await nextCard(col, parent.id, { position: i });
      if (!next.card) break;
      seen.push((await front(col, next.card)) ?? "");
      // Answered Easy, so it leaves today's queue.
      expect((await answerCard(col, next.card.id, 4, { fuzz: false })).ok).toBe(true);
    }
    // Three from the parent deck, and only two of the sub-deck's three: its own limit holds inside the parent.
    expect(seen).toEqual(["p0", "p1", "p2", "c0", "c1"]);
    const done = await nextCard(col, child.id);
    expect(done.card).toBeNull();
    expect(done.counts).toEqual({ newCount: 0, learnCount: 0, reviewCount: 0 });
  });

  it("shows a learning card when it is due, before anything else, and learns ahead when nothing else is left", async () => {
    const { col, clock, child } = await world({ parent: 0, child: 2 });
    const first = await nextCard(col, child.id);
    if (!first.card) throw new Error();
    await answerCard(col, first.card.id, 1, { fuzz: false }); // Again: back in one minute.
    const second = await nextCard(col, child.id, { position: 1 });
    expect(await front(col, second.card)).toBe("c1");
    expect(second.counts).toEqual({ newCount: 1, learnCount: 1, reviewCount: 0 });
    clock.advance(61_000);
    const due = await nextCard(col, child.id, { position: 1 });
    expect(due.kind).toBe("learning");
    expect(await front(col, due.card)).toBe("c0");
    // Answer both: c0 Good (10 min), c1 Again (1 min). Nothing is due now, but learning cards within 20 minutes
    // are shown rather than stopping.
    await answerCard(col, first.card.id, 3, { fuzz: false });
    if (second.card) await answerCard(col, second.card.id, 1, { fuzz: false });
    const ahead = await nextCard(col, child.id, { position: 3 });
    expect(await front(col, ahead.card)).toBe("c1");
  });

  it("mixes reviews with new cards, and stops reviews at the day's review limit", async () => {
    const { col, clock, parent } = await world({ parent: 12, child: 0 });
    const today = dayNumber(clock.now(), 4, -new Date(clock.now()).getTimezoneOffset());
    const cards = (await col.db.getAll("cards")).sort((a, b) => a.id - b.id);
    for (const card of cards.slice(0, 8)) await makeReview(col, card, today - 1);
    const preset = await addPreset(col, "Limits");
    if (!preset.ok) throw new Error();
    await updatePreset(col, preset.value.id, { reviewsPerDay: 6, newPerDay: 2 });
    await setDeckPreset(col, parent.id, preset.value.id);
    const kinds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const next = await nextCard(col, parent.id, { position: i });
      if (!next.card) break;
      kinds.push(next.kind);
      await answerCard(col, next.card.id, 4, { fuzz: false });
    }
    expect(kinds.filter((k) => k === "review")).toHaveLength(6);
    expect(kinds.filter((k) => k === "new")).toHaveLength(2);
    // New cards are spread among the reviews, not all at the start or the end.
    expect(kinds[0]).toBe("review");
    expect(kinds[kinds.length - 1]).toBe("review");
  });

  it("a card due before the rollover hour belongs to yesterday's day, and counts from 4 am", async () => {
    const { col, clock, parent } = await world({ parent: 1, child: 0 });
    const offset = -new Date(clock.now()).getTimezoneOffset();
    // 3 am local time: still the previous day in Anki's terms.
    const day = dayNumber(clock.now(), 4, offset);
    clock.time = day * DAY + 3 * HOUR - offset * 60_000 + DAY;
    expect(dayNumber(clock.now(), 4, offset)).toBe(day);
    const [card] = await col.db.getAll("cards");
    if (!card) throw new Error();
    await makeReview(col, card, day + 1);
    expect((await nextCard(col, parent.id)).card).toBeNull();
    clock.advance(HOUR + 1000); // 4 am: the new day has begun.
    expect((await nextCard(col, parent.id)).card?.id).toBe(card.id);
  });

  it("the collection's own rollover hour decides when a new day begins, and a bad hour is refused", async () => {
    const { col, clock, parent } = await world({ parent: 1, child: 0 });
    const offset = -new Date(clock.now()).getTimezoneOffset();
    const day = dayNumber(clock.now(), 4, offset);
    // 2 am local time on the next calendar day: with the default 4 am it is still "today".
    clock.time = (day + 1) * DAY + 2 * HOUR - offset * 60_000;
    const [card] = await col.db.getAll("cards");
    if (!card) throw new Error();
    await makeReview(col, card, day + 1);
    expect((await nextCard(col, parent.id)).card).toBeNull();
    expect((await setRolloverHour(col, 1)).ok).toBe(true);
    expect(await col.rolloverHour()).toBe(1);
    expect((await col.db.get("config", "rollover"))?.usn).toBe(-1);
    expect((await nextCard(col, parent.id)).card?.id).toBe(card.id);
    const refused = await setRolloverHour(col, 24);
    expect(refused).toEqual({ ok: false, error: "The next day starts at a whole hour from 0 (midnight) to 23." });
    expect(await col.rolloverHour()).toBe(1);
  });

  it("says when the next card is due when the deck is done", async () => {
    const { col, clock, child } = await world({ parent: 0, child: 1 });
    const first = await nextCard(col, child.id);
    if (!first.card) throw new Error();
    await answerCard(col, first.card.id, 3, { fuzz: false }); // Good: 10 minutes.
    clock.advance(30 * 60_000); // Past the learn-ahead window? No: due 10 min after the answer, now 30 min later.
    const due = await nextCard(col, child.id);
    expect(due.kind).toBe("learning");
    await answerCard(col, first.card.id, 3, { fuzz: false }); // Graduates to a review in a day or more.
    const done = await nextCard(col, child.id);
    expect(done.card).toBeNull();
    if (done.card === null) {
      expect(done.nextDue).toBeGreaterThan(clock.now());
      expect(done.nextDue ?? 0).toBeLessThan(clock.now() + 40 * DAY);
    }
  });

  it("buried cards wait for the next day, then come back by themselves", async () => {
    const { col, clock, parent } = await world({ parent: 2, child: 0 });
    const [first] = (await col.db.getAll("cards")).sort((a, b) => a.id - b.id);
    if (!first) throw new Error();
    await setBuried(col, [first.id], true);
    expect(await front(col, (await nextCard(col, parent.id)).card)).toBe("p1");
    expect(await unburyOnNewDay(col)).toBe(1); // First time today: unburies.
    await setBuried(col, [first.id], true);
    expect(await unburyOnNewDay(col)).toBe(0); // Already done today: the card stays buried.
    clock.advance(DAY);
    expect(await unburyOnNewDay(col)).toBe(1);
    const card = await col.db.get("cards", first.id);
    expect(card?.queue).toBe(CardQueue.New);
    expect(card?.usn).toBe(-1);
  });

  it("answering buries the note's other cards when the preset says so, and undo brings them back", async () => {
    const { col, parent } = await world({ parent: 0, child: 0 });
    const reversed = await noteTypeByName(col, "Basic (and reversed card)");
    const note = await addNote(col, {
      noteTypeId: reversed.id,
      deckId: parent.id,
      fields: ["hola", "hello"],
      tags: "",
    });
    if (!note.ok) throw new Error();
    const preset = await addPreset(col, "Bury");
    if (!preset.ok) throw new Error();
    await updatePreset(col, preset.value.id, { buryNew: true });
    await setDeckPreset(col, parent.id, preset.value.id);
    const next = await nextCard(col, parent.id);
    if (!next.card) throw new Error();
    const answered = await answerCard(col, next.card.id, 3, { fuzz: false });
    if (!answered.ok) throw new Error();
    const sibling = (await col.db.getAllFromIndex("cards", "noteId", note.value.id)).find(
      (c) => c.id !== next.card?.id,
    );
    expect(sibling?.queue).toBe(CardQueue.SchedBuried);
    expect((await undoAnswer(col, answered.value)).ok).toBe(true);
    expect((await col.db.get("cards", sibling?.id ?? 0))?.queue).toBe(CardQueue.New);
  });
});

describe("rendering a card for study", () => {
  it("renders question and answer, with {{FrontSide}} and the note type's CSS; a cloze card per deletion", async () => {
    const { col, parent } = await world({ parent: 0, child: 0 });
    const cloze = await noteTypeByName(col, "Cloze");
    const note = await addNote(col, {
      noteTypeId: cloze.id,
      deckId: parent.id,
      fields: ['{{c1::Paris}} is in {{c2::France}} [sound:paris.mp3] <img src="map.png">', ""],
      tags: "geo",
    });
    if (!note.ok) throw new Error();
    const cards = (await col.db.getAllFromIndex("cards", "noteId", note.value.id)).sort((a, b) => a.ord - b.ord);
    expect(cards).toHaveLength(2);
    const second = await renderCard(col, cards[1] as Card);
    if ("error" in second) throw new Error(second.error);
    expect(second.question).toContain("Paris is in");
    expect(second.question).toContain('<span class="cloze" data-cloze="France">[...]</span>');
    expect(second.answer).toContain('<span class="cloze">France</span>');
    expect(second.ordinal).toBe(2);
    expect(second.css).toBe(cloze.css);
    expect(second.media.sort()).toEqual(["map.png", "paris.mp3"]);
    expect(second.question).toContain('data-sound="paris.mp3"');
  });

  it("compares what was typed on the answer side, and the front shown on the back has no answer box", async () => {
    const { col, parent } = await world({ parent: 0, child: 0 });
    const typing = await noteTypeByName(col, "Basic (type in the answer)");
    const note = await addNote(col, { noteTypeId: typing.id, deckId: parent.id, fields: ["perro", "dog"], tags: "" });
    if (!note.ok) throw new Error();
    const [card] = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
    const view = await renderCard(col, card as Card, "dgo");
    if ("error" in view) throw new Error(view.error);
    expect(view.typeAnswer).toBe(true);
    expect(view.question).toContain('id="typeans"');
    expect(view.answer).not.toContain("<input");
    expect(view.answer).toContain("typeBad");
    expect(view.answer).toContain("typeMissed");
  });
});
