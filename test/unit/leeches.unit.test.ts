// Leeches as in Anki: at the preset's threshold of lapses, and every half of it after, the note gets the "leech"
// tag and, by the preset's leech action, the card is suspended or only tagged; undo takes both back.
import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { updatePreset } from "../../extension/lib/collection/presets";
import { searchIds } from "../../extension/lib/collection/search";
import { answerCard, leechThresholdMet, undoAnswer } from "../../extension/lib/collection/study";
import { CardQueue, CardType } from "../../shared/model";
import { freshCollection, noteTypeByName } from "./factories";

const DAY = 86_400_000;

/** A review card that has lapsed `lapses` times, due now. */
async function reviewCardWithLapses(lapses: number, leechAction: "tag" | "suspend") {
  const { col, clock } = await freshCollection();
  expect((await updatePreset(col, 1, { leechThreshold: 8, leechAction })).ok).toBe(true);
  const basic = await noteTypeByName(col, "Basic");
  const note = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["hard word", "x"], tags: "spanish" });
  if (!note.ok) throw new Error(note.error);
  const [card] = await col.db.getAllFromIndex("cards", "noteId", note.value.id);
  if (!card) throw new Error("no card");
  const today = Math.floor((clock.now() - 4 * 3_600_000) / DAY);
  await col.db.put("cards", {
    ...card,
    type: CardType.Review,
    queue: CardQueue.Review,
    due: today - 1,
    ivl: 3,
    lapses,
  });
  return { col, clock, card, note: note.value };
}

describe("leeches", () => {
  it("the threshold's lapse, and every half of it after, as Anki counts", () => {
    const at = (threshold: number) =>
      Array.from({ length: 20 }, (_, i) => i + 1).filter((lapses) => leechThresholdMet(lapses, threshold));
    expect(at(8)).toEqual([8, 12, 16, 20]);
    expect(at(5)).toEqual([5, 8, 11, 14, 17, 20]);
    expect(at(1)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("the eighth lapse tags the note leech and, with the action Suspend, suspends the card; undo takes both back", async () => {
    const { col, card, note } = await reviewCardWithLapses(7, "suspend");
    const answered = await answerCard(col, card.id, 1, { fuzz: false });
    if (!answered.ok) throw new Error(answered.error);
    expect(answered.value.leech).toBe("suspended");
    expect(answered.value.card).toMatchObject({ lapses: 8, queue: CardQueue.Suspended });
    expect((await col.db.get("notes", note.id))?.tags).toEqual(["spanish", "leech"]);
    expect(await searchIds(col, "tag:leech")).toEqual({ ok: true, value: [card.id] });

    // A tag added since (another device's, say) stays; only the leech tag goes.
    const tagged = await col.db.get("notes", note.id);
    if (tagged) await col.db.put("notes", { ...tagged, tags: [...tagged.tags, "verbs"] });
    expect((await undoAnswer(col, answered.value)).ok).toBe(true);
    expect((await col.db.get("notes", note.id))?.tags).toEqual(["spanish", "verbs"]);
    expect(await col.db.get("cards", card.id)).toMatchObject({ lapses: 7, queue: CardQueue.Review });
    col.close();
  });

  it("with the action Tag only (Anki's default), the card stays in the queue, tagged once", async () => {
    const { col, card, note } = await reviewCardWithLapses(11, "tag");
    const answered = await answerCard(col, card.id, 1, { fuzz: false });
    if (!answered.ok) throw new Error(answered.error);
    expect(answered.value.leech).toBe("tagged");
    expect(answered.value.card.queue).not.toBe(CardQueue.Suspended);
    expect((await col.db.get("notes", note.id))?.tags).toEqual(["spanish", "leech"]);
    col.close();
  });

  it("a lapse below the threshold, or between its repeats, is no leech", async () => {
    const { col, card, note } = await reviewCardWithLapses(8, "suspend");
    const answered = await answerCard(col, card.id, 1, { fuzz: false });
    if (!answered.ok) throw new Error(answered.error);
    expect(answered.value.leech).toBeNull();
    expect(answered.value.card.queue).not.toBe(CardQueue.Suspended);
    expect((await col.db.get("notes", note.id))?.tags).toEqual(["spanish"]);
    col.close();
  });
});
