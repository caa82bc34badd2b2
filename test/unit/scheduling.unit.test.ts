import { describe, expect, it } from "vitest";
import { defaultDeckConfig } from "../../extension/lib/collection/defaults";
import { addNote, deleteNotes, newCard } from "../../extension/lib/collection/notes";
import { readRevlog, readRevlogEntry, writeRevlog } from "../../extension/lib/collection/revlog";
import { answerCard, answerLabels, undoAnswer } from "../../extension/lib/collection/study";
import { dayNumber } from "../../shared/days";
import type { RevlogEntry } from "../../shared/model";
import { CardQueue, CardType, PENDING } from "../../shared/model";
import { answer, describeInterval, memoryFromHistory, memoryState, scheduledLabels } from "../../shared/scheduling";
import { freshCollection, noteTypeByName } from "./factories";

const preset = defaultDeckConfig(1, "Default", 0, PENDING);
const day = { rolloverHour: 4, utcOffsetMinutes: 0 };
const start = Date.UTC(2026, 2, 10, 10, 0, 0);
const fresh = () => newCard(1, 1, 1, 0, 1, 0, PENDING);

describe("scheduling with FSRS", () => {
  it("a new card answered Good goes through the learning steps (1m, 10m), then becomes a review card", () => {
    const first = answer(fresh(), 3, preset, start, day, { fuzz: false });
    expect(first.card).toMatchObject({ type: CardType.Learning, queue: CardQueue.Learning, reps: 1 });
    expect(first.card.due * 1000 - start).toBe(10 * 60_000);
    expect(first.log).toMatchObject({ ease: 3, type: 0, ivl: -600, lastIvl: 0 });
    const second = answer(first.card, 3, preset, start + 10 * 60_000, day, { fuzz: false });
    expect(second.card).toMatchObject({ type: CardType.Review, queue: CardQueue.Review, reps: 2 });
    expect(second.card.ivl).toBeGreaterThanOrEqual(1);
    expect(second.card.due).toBe(dayNumber(start, 4, 0) + second.card.ivl);
    expect(memoryState(second.card)).toMatchObject({ stability: expect.any(Number), difficulty: expect.any(Number) });
  });

  it("Again on a review card is a lapse: it relearns with the relearning steps", () => {
    let card = answer(fresh(), 4, preset, start, day, { fuzz: false }).card;
    expect(card.type).toBe(CardType.Review);
    const lapse = answer(card, 1, preset, start + card.ivl * 86_400_000, day, { fuzz: false });
    card = lapse.card;
    expect(card).toMatchObject({ type: CardType.Relearning, queue: CardQueue.Learning, lapses: 1 });
    expect(lapse.log.type).toBe(1);
  });

  it("keeps intervals within the maximum interval, and fuzz within a few percent", () => {
    const short = { ...preset, maxInterval: 10 };
    let card = answer(fresh(), 4, short, start, day, { fuzz: false }).card;
    let now = start;
    for (let i = 0; i < 8; i++) {
      now += card.ivl * 86_400_000;
      card = answer(card, 4, short, now, day, { fuzz: false }).card;
      expect(card.ivl).toBeLessThanOrEqual(10);
    }
    const base = answer(fresh(), 4, preset, start, day, { fuzz: false }).card;
    const later = start + base.ivl * 86_400_000;
    const plain = answer(base, 3, preset, later, day, { fuzz: false }).card.ivl;
    for (let i = 0; i < 20; i++) {
      const fuzzed = answer({ ...base, id: 1000 + i }, 3, preset, later, day, { fuzz: true }).card.ivl;
      expect(Math.abs(fuzzed - plain)).toBeLessThanOrEqual(Math.max(2, Math.ceil(plain * 0.1)));
    }
  });

  it("cards with SM-2 history but no memory state get one from their interval and ease", () => {
    const sm2 = {
      ...fresh(),
      type: CardType.Review,
      queue: CardQueue.Review,
      ivl: 30,
      factor: 2300,
      reps: 8,
      due: dayNumber(start, 4, 0),
    };
    const result = answer(sm2, 3, preset, start, day, { fuzz: false });
    expect(result.card.ivl).toBeGreaterThan(30);
    expect(memoryState(result.card)?.stability).toBeGreaterThan(0);
  });

  it("replays SM-2 review history into a memory state: good answers give long stability, lapses less", () => {
    const DAY = 86_400_000;
    const log = (daysAfterStart: number, ease: number, type = 1): RevlogEntry => ({
      id: start + daysAfterStart * DAY,
      cardId: 1,
      usn: 0,
      ease,
      ivl: 1,
      lastIvl: 0,
      factor: 2500,
      time: 5000,
      type,
    });
    const steady = [log(0, 3, 0), log(1, 3), log(4, 3), log(12, 3), log(40, 3)];
    const shaky = [log(0, 3, 0), log(1, 1), log(2, 3, 2), log(4, 1), log(5, 3, 2), log(8, 3)];
    const good = memoryFromHistory(steady, preset);
    const bad = memoryFromHistory(shaky, preset);
    expect(good?.stability).toBeGreaterThan(20);
    expect(bad?.stability).toBeLessThan(good?.stability ?? 0);
    expect(bad?.difficulty).toBeGreaterThan(good?.difficulty ?? 10);
    // A "Forget" (manual entry with interval 0) starts the history over; manual entries alone give nothing.
    const forgotten = memoryFromHistory([...steady, { ...log(41, 0, 4), ivl: 0 }, log(42, 3, 0)], preset);
    expect(forgotten?.stability).toBeLessThan(good?.stability ?? 0);
    expect(memoryFromHistory([{ ...log(0, 0, 4), ivl: 0 }], preset)).toBeNull();
    // Answering with that history schedules from it, not from the bare interval.
    const sm2 = { ...fresh(), type: CardType.Review, queue: CardQueue.Review, ivl: 28, factor: 2500, reps: 5 };
    const due = { ...sm2, due: dayNumber(start + 68 * DAY, 4, 0) };
    const withHistory = answer(due, 3, preset, start + 68 * DAY, day, { fuzz: false, history: good });
    expect(memoryState(withHistory.card)?.stability).toBeGreaterThan(good?.stability ?? 0);
  });

  it("shows the next interval of each button in Anki's words", () => {
    const intervals = scheduledLabels(fresh(), preset, start, day);
    expect(intervals[1]).toBe("1m");
    expect(intervals[3]).toBe("10m");
    expect(describeInterval(3 * 86_400_000)).toBe("3d");
    expect(describeInterval(90 * 86_400_000)).toBe("3mo");
  });
});

describe("the answer buttons", () => {
  it("show the interval the answer schedules, for imported review cards with history and no memory state", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const DAY = 86_400_000;
    const checked: string[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    for (let i = 0; i < 40; i++) {
      clock.advance(1000);
      const note = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: [`imported ${i}`, "a"], tags: "" });
      if (!note.ok) throw new Error(note.error);
      const [card] = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
      if (!card) throw new Error("no card");
      // A history of good answers (some lapses), each at the interval then due, as Anki's SM-2 left it.
      const history: RevlogEntry[] = [];
      let at = clock.time - 400 * DAY;
      let ivl = 1;
      for (let r = 0; r < 3 + Math.floor(random() * 6); r++) {
        const lapse = random() < 0.15;
        history.push({
          id: at,
          cardId: card.id,
          usn: 0,
          ease: lapse ? 1 : 3,
          ivl,
          lastIvl: 0,
          factor: 2500,
          time: 4000,
          type: r === 0 ? 0 : 1,
        });
        ivl = lapse ? 1 : Math.ceil(ivl * (2 + random()));
        at += ivl * DAY;
      }
      const today = dayNumber(clock.time, 4, -new Date(clock.time).getTimezoneOffset());
      await writeRevlog(col.db, history);
      await col.db.put("cards", {
        ...card,
        type: CardType.Review,
        queue: CardQueue.Review,
        ivl,
        due: today - Math.floor(random() * 5),
        factor: 2500,
        reps: history.length,
        data: "",
      });
      const stored = await col.db.get("cards", card.id);
      if (!stored) throw new Error("no card");
      const labels = await answerLabels(col, stored);
      for (const ease of [1, 2, 3, 4] as const) {
        const answered = await answerCard(col, card.id, ease, { fuzz: false });
        if (!answered.ok) throw new Error(answered.error);
        const next = answered.value.card;
        const ms =
          next.queue === CardQueue.Learning
            ? next.due * 1000 - clock.time
            : next.queue === CardQueue.Review
              ? next.ivl * DAY
              : (next.due - today) * DAY;
        expect(labels[ease], `card ${i}, answer ${ease}`).toBe(describeInterval(ms));
        expect((await undoAnswer(col, answered.value)).ok).toBe(true);
        // With the random spread Anki adds (at most a day and 15 % of the interval), it stays close to the label's.
        const fuzzed = await answerCard(col, card.id, ease, { fuzz: true });
        if (!fuzzed.ok) throw new Error(fuzzed.error);
        if (next.queue === CardQueue.Review) {
          expect(
            Math.abs(fuzzed.value.card.ivl - next.ivl),
            `${next.ivl} and ${fuzzed.value.card.ivl}`,
          ).toBeLessThanOrEqual(Math.ceil(1 + next.ivl * 0.15));
        }
        expect((await undoAnswer(col, fuzzed.value)).ok).toBe(true);
        checked.push(labels[ease]);
      }
    }
    expect(checked.length).toBe(160);
    // Long intervals were among them: the labels are not all learning steps.
    expect(checked.some((label) => /d|mo|y/.test(label))).toBe(true);
  });
});

describe("answering in the collection", () => {
  it("writes the card and its review-log row together, both pending sync; undo takes both back", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const note = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["q", "a"], tags: "" });
    if (!note.ok) throw new Error(note.error);
    const [card] = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
    if (!card) throw new Error();
    clock.advance(5000);
    const answered = await answerCard(col, card.id, 3, { timeTakenMs: 4200 });
    if (!answered.ok) throw new Error(answered.error);
    expect(await col.db.get("cards", card.id)).toMatchObject({
      type: CardType.Learning,
      usn: PENDING,
      mtime: clock.time,
    });
    expect(await readRevlogEntry(col.db, clock.time)).toMatchObject({
      cardId: card.id,
      ease: 3,
      time: 4200,
      usn: PENDING,
    });

    clock.advance(1000);
    const undone = await undoAnswer(col, answered.value);
    expect(undone.ok).toBe(true);
    expect((await readRevlog(col.db)).length).toBe(0);
    expect(await col.db.get("cards", card.id)).toMatchObject({
      type: CardType.New,
      queue: CardQueue.New,
      usn: PENDING,
    });
  });

  it("undoing an answer whose note was deleted since leaves the card deleted", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const note = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["q", "a"], tags: "" });
    if (!note.ok) throw new Error(note.error);
    const [card] = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
    if (!card) throw new Error();
    clock.advance(5000);
    const answered = await answerCard(col, card.id, 3);
    if (!answered.ok) throw new Error(answered.error);
    await deleteNotes(col, [note.value.id]);
    expect(await undoAnswer(col, answered.value)).toEqual({ ok: false, error: expect.stringMatching(/deleted/) });
    // A card brought back beside its deletion made every later sync fail ("appears twice").
    expect(await col.db.get("cards", card.id)).toBeUndefined();
    expect(await col.db.get("graves", ["card", String(card.id)])).toBeDefined();
  });

  it("two answers in one millisecond both stay in the review log", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic (and reversed card)");
    const note = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["q", "a"], tags: "" });
    if (!note.ok) throw new Error(note.error);
    const cards = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
    for (const card of cards) expect((await answerCard(col, card.id, 3)).ok).toBe(true);
    expect((await readRevlog(col.db)).length).toBe(2);
  });

  it("an answer that already synced cannot be undone, and says why", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    const note = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["q", "a"], tags: "" });
    if (!note.ok) throw new Error(note.error);
    const [card] = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
    const answered = await answerCard(col, card?.id ?? 0, 4);
    if (!answered.ok) throw new Error(answered.error);
    const log = await readRevlogEntry(col.db, answered.value.revlogId);
    if (log) await writeRevlog(col.db, [{ ...log, usn: 12 }]);
    expect(await undoAnswer(col, answered.value)).toEqual({
      ok: false,
      error: expect.stringMatching(/already synced/),
    });
    expect((await readRevlog(col.db)).length).toBe(1);
    expect(await answerCard(col, 999, 3)).toEqual({ ok: false, error: expect.stringMatching(/no card with id 999/) });
  });
});

describe("the answer buttons of a new card", () => {
  it("say 1m and 10m for the learning steps whatever the milliseconds of the clock", () => {
    for (const ms of [0, 1, 400, 999]) {
      const labels = scheduledLabels(fresh(), preset, start + ms, day);
      expect([labels[1], labels[3]], `at ${ms} ms`).toEqual(["1m", "10m"]);
    }
  });
});

describe("learning steps as in Anki", () => {
  const steps = { ...preset, learnSteps: [1, 10, 60], relearnSteps: [10] };
  const seconds = (next: { card: { due: number } }, at: number) => next.card.due - Math.floor(at / 1000);

  it("Hard on a later learning step repeats that step; on the first step it waits halfway to the second", () => {
    const onFirst = fresh();
    expect(seconds(answer(onFirst, 1, steps, start, day, { fuzz: false }), start)).toBe(60);
    expect(seconds(answer(onFirst, 2, steps, start, day, { fuzz: false }), start)).toBe(330);
    expect(seconds(answer(onFirst, 3, steps, start, day, { fuzz: false }), start)).toBe(600);
    expect(scheduledLabels(onFirst, steps, start, day)).toMatchObject({ 1: "1m", 2: "6m", 3: "10m" });

    const onSecond = answer(onFirst, 3, steps, start, day, { fuzz: false }).card;
    const at = start + 600_000;
    const hard = answer(onSecond, 2, steps, at, day, { fuzz: false });
    expect(seconds(hard, at)).toBe(600);
    expect(hard.card).toMatchObject({ type: CardType.Learning, queue: CardQueue.Learning, left: onSecond.left });
    expect(hard.log.ivl).toBe(-600);
    expect(scheduledLabels(onSecond, steps, at, day)).toMatchObject({ 1: "1m", 2: "10m", 3: "1h" });
    const again = answer(onSecond, 1, steps, at, day, { fuzz: false });
    expect(seconds(again, at)).toBe(60);
    expect(again.card.left).toBe(3);

    const onLast = answer(onSecond, 3, steps, at, day, { fuzz: false }).card;
    expect(onLast.left).toBe(1);
    const later = at + 3_600_000;
    expect(seconds(answer(onLast, 2, steps, later, day, { fuzz: false }), later)).toBe(3600);
    expect(answer(onLast, 3, steps, later, day, { fuzz: false }).card).toMatchObject({
      type: CardType.Review,
      queue: CardQueue.Review,
      left: 0,
    });
    expect(answer(onSecond, 4, steps, at, day, { fuzz: false }).card.type).toBe(CardType.Review);
  });

  it("with one step, Hard waits half as long again, at most a day more", () => {
    const one = { ...preset, learnSteps: [10] };
    expect(seconds(answer(fresh(), 2, one, start, day, { fuzz: false }), start)).toBe(900);
    const long = { ...preset, learnSteps: [3 * 1440] };
    const hard = answer(fresh(), 2, long, start, day, { fuzz: false });
    const today = dayNumber(start, 4, 0);
    expect(hard.card).toMatchObject({ type: CardType.Learning, queue: CardQueue.DayLearning, due: today + 4 });
    expect(hard.log.ivl).toBe(4);
  });

  it("a step of a day or more keeps the card learning, due on that day", () => {
    const daySteps = { ...preset, learnSteps: [10, 2 * 1440] };
    const first = answer(fresh(), 3, daySteps, start, day, { fuzz: false });
    expect(first.card).toMatchObject({
      type: CardType.Learning,
      queue: CardQueue.DayLearning,
      due: dayNumber(start, 4, 0) + 2,
      left: 1,
    });
    expect(first.log.ivl).toBe(2);
  });

  it("a lapsed card follows the relearning steps by the same rules", () => {
    const review = answer(fresh(), 4, steps, start, day, { fuzz: false }).card;
    const at = start + review.ivl * 86_400_000;
    const lapse = answer(review, 1, steps, at, day, { fuzz: false });
    expect(lapse.card).toMatchObject({ type: CardType.Relearning, queue: CardQueue.Learning, left: 1, lapses: 1 });
    expect(seconds(lapse, at)).toBe(600);
    const hard = answer(lapse.card, 2, steps, at + 600_000, day, { fuzz: false });
    expect(hard.card.type).toBe(CardType.Relearning);
    expect(seconds(hard, at + 600_000)).toBe(900);
    expect(answer(lapse.card, 3, steps, at + 600_000, day, { fuzz: false }).card).toMatchObject({
      type: CardType.Review,
      queue: CardQueue.Review,
      lapses: 1,
    });
  });
});
