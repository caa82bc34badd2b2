import { describe, expect, it } from "vitest";
import { addDeck, setDeckPreset } from "../../extension/lib/collection/decks";
import { addNotes } from "../../extension/lib/collection/notes";
import { addPreset, updatePreset } from "../../extension/lib/collection/presets";
import { deckCounts } from "../../extension/lib/collection/queue";
import { answerCard } from "../../extension/lib/collection/study";
import { dayNumber } from "../../shared/days";
import { CardQueue, CardType } from "../../shared/model";
import { freshCollection, noteTypeByName } from "./factories";

async function world() {
  const { col, clock } = await freshCollection();
  const basic = await noteTypeByName(col, "Basic");
  const parent = await addDeck(col, "Languages");
  const child = await addDeck(col, "Languages::Spanish");
  if (!parent.ok || !child.ok) throw new Error();
  const add = (deckId: number, n: number) =>
    addNotes(
      col,
      Array.from({ length: n }, (_, i) => ({
        noteTypeId: basic.id,
        deckId,
        fields: [`q${deckId}-${i}`, "a"],
        tags: "",
      })),
    );
  await add(parent.value.id, 15);
  await add(child.value.id, 30);
  return { col, clock, parent: parent.value, child: child.value };
}

const counts = async (col: Parameters<typeof deckCounts>[0]) =>
  Object.fromEntries((await deckCounts(col)).map((c) => [c.deck.name, [c.newCount, c.learnCount, c.reviewCount]]));

describe("due counts in the deck list", () => {
  it("new cards are limited per day by each deck's options, a parent's limit covering its sub-decks", async () => {
    const { col, child } = await world();
    expect(await counts(col)).toMatchObject({
      Languages: [20, 0, 0],
      "Languages::Spanish": [20, 0, 0],
      Default: [0, 0, 0],
    });
    const small = await addPreset(col, "Small");
    if (!small.ok) throw new Error();
    await updatePreset(col, small.value.id, { newPerDay: 5 });
    await setDeckPreset(col, child.id, small.value.id);
    expect(await counts(col)).toMatchObject({ Languages: [20, 0, 0], "Languages::Spanish": [5, 0, 0] });
  });

  it("answering a new card uses up the day's limit and shows it as learning", async () => {
    const { col, clock, child } = await world();
    const [card] = await col.db.getAllFromIndex("cards", "deckId", child.id);
    if (!card) throw new Error();
    const answered = await answerCard(col, card.id, 3, { fuzz: false });
    expect(answered.ok).toBe(true);
    // The Good answer's next step is 10 minutes away: outside the 20-minute learn-ahead it would not show.
    expect(await counts(col)).toMatchObject({ "Languages::Spanish": [19, 1, 0], Languages: [19, 1, 0] });
    clock.advance(60 * 60_000);
    expect((await counts(col))["Languages::Spanish"]?.[1]).toBe(1);
  });

  it("reviews are due on their day, counted after the rollover hour, and limited per day", async () => {
    const { col, clock, child } = await world();
    const cards = await col.db.getAllFromIndex("cards", "deckId", child.id);
    const today = dayNumber(clock.time, 4, -new Date(clock.time).getTimezoneOffset());
    for (const [i, card] of cards.entries()) {
      await col.db.put("cards", {
        ...card,
        type: CardType.Review,
        queue: CardQueue.Review,
        ivl: 3,
        due: i < 10 ? today : today + 1,
      });
    }
    expect((await counts(col))["Languages::Spanish"]).toEqual([0, 0, 10]);
    await updatePreset(col, 1, { reviewsPerDay: 4 });
    expect((await counts(col))["Languages::Spanish"]).toEqual([0, 0, 4]);
    // A day later, after the rollover, tomorrow's cards are due too.
    clock.advance(24 * 60 * 60_000);
    await updatePreset(col, 1, { reviewsPerDay: 200 });
    expect((await counts(col))["Languages::Spanish"]).toEqual([0, 0, 30]);
  });
});
