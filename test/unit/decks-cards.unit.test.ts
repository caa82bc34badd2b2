import { describe, expect, it } from "vitest";
import { setBuried, setCardsDeck, setFlag, setSuspended } from "../../extension/lib/collection/cards";
import { addDeck, deleteDeck, renameDeck, setDeckPreset } from "../../extension/lib/collection/decks";
import { addNote } from "../../extension/lib/collection/notes";
import { addPreset, deletePreset, updatePreset } from "../../extension/lib/collection/presets";
import { CardQueue, PENDING } from "../../shared/model";
import { type FakeClock, freshCollection, noteTypeByName } from "./factories";

async function names(col: Awaited<ReturnType<typeof freshCollection>>["col"]) {
  return (await col.db.getAll("decks")).map((d) => d.name).sort();
}

async function addBasic(col: Awaited<ReturnType<typeof freshCollection>>["col"], deckId: number, front = "q") {
  const basic = await noteTypeByName(col, "Basic");
  const r = await addNote(col, { noteTypeId: basic.id, deckId, fields: [front, "a"], tags: "" });
  if (!r.ok) throw new Error(r.error);
  const [card] = await col.db.getAllFromIndex("cards", "noteId", r.value.id);
  if (!card) throw new Error("no card");
  return { note: r.value, card };
}

describe("decks", () => {
  it("a nested name creates its missing parents, and adding it twice returns the same deck", async () => {
    const { col } = await freshCollection();
    const a = await addDeck(col, " Languages :: Spanish::Verbs ");
    expect(a.ok && a.value.name).toBe("Languages::Spanish::Verbs");
    expect(await names(col)).toEqual(["Default", "Languages", "Languages::Spanish", "Languages::Spanish::Verbs"]);
    const again = await addDeck(col, "languages::spanish::verbs");
    expect(again.ok && a.ok && again.value.id === a.value.id).toBe(true);
    expect(await col.db.count("decks")).toBe(4);
  });

  it("refuses names with empty parts, in words", async () => {
    const { col } = await freshCollection();
    expect(await addDeck(col, "A::::B")).toEqual({ ok: false, error: expect.stringMatching(/empty part/) });
    expect(await addDeck(col, "  ")).toEqual({ ok: false, error: "The deck needs a name." });
  });

  it("renaming moves the deck with its sub-decks, and refuses moving a deck inside itself or onto another", async () => {
    const { col, clock } = await freshCollection();
    const spanish = await addDeck(col, "Languages::Spanish::Verbs");
    await addDeck(col, "Other");
    if (!spanish.ok) throw new Error();
    const parent = (await col.db.getAll("decks")).find((d) => d.name === "Languages::Spanish");
    if (!parent) throw new Error();
    clock.advance();
    const moved = await renameDeck(col, parent.id, "Studies::Español");
    expect(moved.ok).toBe(true);
    expect(await names(col)).toEqual([
      "Default",
      "Languages",
      "Other",
      "Studies",
      "Studies::Español",
      "Studies::Español::Verbs",
    ]);
    const verbs = await col.db.get("decks", spanish.value.id);
    expect(verbs).toMatchObject({ name: "Studies::Español::Verbs", usn: PENDING, mtime: clock.time });
    expect(await renameDeck(col, parent.id, "Studies::Español::Verbs::Deeper")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/inside itself/),
    });
    expect(await renameDeck(col, parent.id, "other")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/exists already/),
    });
  });

  it("deleting a deck can move its cards elsewhere", async () => {
    const { col } = await freshCollection();
    const deck = await addDeck(col, "Temp::Sub");
    if (!deck.ok) throw new Error();
    const { card } = await addBasic(col, deck.value.id);
    const temp = (await col.db.getAll("decks")).find((d) => d.name === "Temp");
    const result = await deleteDeck(col, temp?.id ?? 0, { cards: "move", toDeckId: 1 });
    expect(result).toEqual({ ok: true, value: { decks: 2, cards: 1, notes: 0 } });
    expect((await col.db.get("cards", card.id))?.deckId).toBe(1);
    const graves = (await col.db.getAll("graves")).map((g) => g.kind);
    expect(graves).toEqual(["deck", "deck"]);
  });

  it("deleting a deck with its cards deletes notes left without cards and writes graves", async () => {
    const { col } = await freshCollection();
    const deck = await addDeck(col, "Doomed");
    if (!deck.ok) throw new Error();
    const { note, card } = await addBasic(col, deck.value.id);
    const result = await deleteDeck(col, deck.value.id, { cards: "delete" });
    expect(result).toEqual({ ok: true, value: { decks: 1, cards: 1, notes: 1 } });
    expect(await col.db.get("notes", note.id)).toBeUndefined();
    const keys = (await col.db.getAll("graves")).map((g) => `${g.kind}:${g.id}`).sort();
    expect(keys).toEqual([`card:${card.id}`, `deck:${deck.value.id}`, `note:${note.id}`].sort());
  });

  it("the Default deck cannot be deleted", async () => {
    const { col } = await freshCollection();
    expect((await deleteDeck(col, 1, { cards: "delete" })).ok).toBe(false);
  });
});

describe("cards", () => {
  async function syncedCard(col: Awaited<ReturnType<typeof freshCollection>>["col"], clock: FakeClock) {
    const { card } = await addBasic(col, 1);
    await col.db.put("cards", { ...card, usn: 3 });
    clock.advance();
    return card;
  }

  it("suspending and unsuspending stamps the card and restores its queue", async () => {
    const { col, clock } = await freshCollection();
    const card = await syncedCard(col, clock);
    expect(await setSuspended(col, [card.id], true)).toEqual({ ok: true, value: 1 });
    expect(await col.db.get("cards", card.id)).toMatchObject({
      queue: CardQueue.Suspended,
      usn: PENDING,
      mtime: clock.time,
    });
    expect(await setSuspended(col, [card.id], true)).toEqual({ ok: true, value: 0 });
    await setSuspended(col, [card.id], false);
    expect((await col.db.get("cards", card.id))?.queue).toBe(CardQueue.New);
  });

  it("burying, flagging and moving cards", async () => {
    const { col, clock } = await freshCollection();
    const card = await syncedCard(col, clock);
    await setBuried(col, [card.id], true);
    expect((await col.db.get("cards", card.id))?.queue).toBe(CardQueue.UserBuried);
    await setBuried(col, [card.id], false);
    expect((await col.db.get("cards", card.id))?.queue).toBe(CardQueue.New);
    await setFlag(col, [card.id], 3);
    expect((await col.db.get("cards", card.id))?.flags).toBe(3);
    expect(await setFlag(col, [card.id], 9)).toMatchObject({ ok: false });
    const deck = await addDeck(col, "Elsewhere");
    if (!deck.ok) throw new Error();
    await setCardsDeck(col, [card.id], deck.value.id);
    expect((await col.db.get("cards", card.id))?.deckId).toBe(deck.value.id);
  });
});

describe("options presets", () => {
  it("are added, edited with checked values, and chosen per deck", async () => {
    const { col } = await freshCollection();
    const preset = await addPreset(col, "Intense", 1);
    if (!preset.ok) throw new Error(preset.error);
    const edited = await updatePreset(col, preset.value.id, {
      newPerDay: 50,
      learnSteps: [1, 5, 15],
      desiredRetention: 0.85,
    });
    expect(edited).toMatchObject({
      ok: true,
      value: { newPerDay: 50, learnSteps: [1, 5, 15], desiredRetention: 0.85, usn: PENDING },
    });
    expect(await updatePreset(col, preset.value.id, { desiredRetention: 1.5 })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Desired retention: /),
    });
    expect(await updatePreset(col, preset.value.id, { newPerDay: -1 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/New cards per day/),
    });
    const deck = await addDeck(col, "Hard stuff");
    if (!deck.ok) throw new Error();
    await setDeckPreset(col, deck.value.id, preset.value.id);
    expect((await col.db.get("decks", deck.value.id))?.configId).toBe(preset.value.id);
    // Deleting the preset sends its decks back to the default one, and is a schema change.
    const scmBefore = (await col.meta()).scm;
    expect(await deletePreset(col, preset.value.id)).toEqual({ ok: true, value: 1 });
    expect((await col.db.get("decks", deck.value.id))?.configId).toBe(1);
    expect((await col.meta()).scm).toBeGreaterThan(scmBefore);
    expect((await deletePreset(col, 1)).ok).toBe(false);
  });
});
