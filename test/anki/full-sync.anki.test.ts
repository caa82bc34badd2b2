// Full syncs between Anki's own apps (the sync client of Anki desktop and AnkiDroid, from Anki's Python library) and
// the relay, and through it with the extension: a collection uploaded from Anki is what a second Anki profile and
// the extension download, and the extension's collection is what Anki downloads, with every note, card and review,
// and cards due on the same days.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { Collection } from "../../extension/lib/collection/collection";
import { addNotes } from "../../extension/lib/collection/notes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { answerCard } from "../../extension/lib/collection/study";
import { nextCard } from "../../extension/lib/collection/study-queue";
import { RelayClient } from "../../extension/lib/relay-client";
import { fullDownload, fullUpload, sync } from "../../extension/lib/sync/engine";
import { dayNumber } from "../../shared/days";
import { type AnkiView, Required, relayForFile } from "./anki-profile";

const relay = relayForFile("anki-full-sync");

const signUp = relay.signUp;
const inAnki = relay.inAnki;

describe("full syncs with Anki's apps", () => {
  it("a collection made in Anki uploads to the relay, and another Anki profile downloads every note, card and review, due on the same days", async () => {
    await signUp("anki.up");
    const desktop = await inAnki(
      "desktop",
      "anki.up",
      `
basic = col.models.by_name("Basic")
deck = col.decks.id("Languages::French")
for i in range(6):
    n = col.new_note(basic)
    n["Front"] = f"bonjour {i}"
    n["Back"] = f"hello {i}"
    n.tags = ["french"]
    col.add_note(n, deck)
col.decks.select(deck)
for i in range(2):
    col.sched.answerCard(col.sched.getCard(), 3)
col.sched.set_due_date(col.find_cards('"bonjour 5"'), "7")
result["required"] = col.sync_collection(auth, False).required
full(True)
result["again"] = col.sync_collection(auth, False).required
`,
    );
    expect(desktop.required).toBe(Required.FULL_UPLOAD);
    expect(desktop.again).toBe(Required.NO_CHANGES);
    expect(desktop.revlog).toHaveLength(3);

    const phone = await inAnki(
      "phone",
      "anki.up",
      `
result["required"] = col.sync_collection(auth, False).required
full(False)
result["again"] = col.sync_collection(auth, False).required
`,
    );
    expect(phone.required).toBe(Required.FULL_DOWNLOAD);
    expect(phone.again).toBe(Required.NO_CHANGES);
    expect(phone.notes).toBe(6);
    expect(phone.revlog).toEqual(desktop.revlog);
    const byId = (view: AnkiView) => [...view.cards].sort((a, b) => a.id - b.id);
    expect(byId(phone)).toEqual(byId(desktop));
    const review = phone.cards.find((c) => c.front === "bonjour 5");
    expect(review).toMatchObject({ type: 2, queue: 2, deck: "Languages::French" });
    expect((review?.due ?? 0) - phone.today).toBe(7);
  });

  it("the extension downloads a collection uploaded from Anki: its notes, reviews and a review due in 7 days, due in 7 days", async () => {
    const token = await signUp("anki.to.extension");
    await inAnki(
      "desktop2",
      "anki.to.extension",
      `
basic = col.models.by_name("Basic")
for i in range(3):
    n = col.new_note(basic)
    n["Front"] = f"desk {i}"
    n["Back"] = "back"
    col.add_note(n, 1)
col.sched.answerCard(col.sched.getCard(), 3)
col.sched.set_due_date(col.find_cards('"desk 2"'), "7")
col.sync_collection(auth, False)
full(True)
`,
    );
    const col = await Collection.open("anki-to-extension", { now: () => Date.now() });
    const client = new RelayClient(relay.url, token);
    const outcome = await sync(col, client);
    expect(outcome.kind).toBe("needs-choice");
    expect((await fullDownload(col, client)).kind).toBe("synced");
    const notes = await col.db.getAll("notes");
    expect(notes.map((n) => n.fields[0]).sort()).toEqual(["desk 0", "desk 1", "desk 2"]);
    expect((await readRevlog(col.db)).length).toBe(2);
    const review = (await col.db.getAll("cards")).find(
      (c) => c.noteId === notes.find((n) => n.fields[0] === "desk 2")?.id,
    );
    const today = dayNumber(Date.now(), 4, -new Date().getTimezoneOffset());
    expect(review?.type).toBe(2);
    expect((review?.due ?? 0) - today).toBe(7);
    col.close();
  });

  it("Anki downloads the extension's collection: its notes, cards in their decks, and reviews, due on the same days", async () => {
    const token = await signUp("extension.to.anki");
    const col = await Collection.open("extension-to-anki", { now: () => Date.now() });
    const basic = (await col.db.getAll("notetypes")).find((t) => t.name === "Basic");
    if (!basic) throw new Error("no Basic note type");
    const added = await addNotes(
      col,
      ["un", "deux", "trois"].map((word) => ({ noteTypeId: basic.id, deckId: 1, fields: [word, "back"], tags: "fr" })),
    );
    expect(added.added).toHaveLength(3);
    const first = await nextCard(col, 1, { position: 0 });
    if (!first.card) throw new Error("nothing to study");
    expect((await answerCard(col, first.card.id, 4, { timeTakenMs: 4000 })).ok).toBe(true);
    const client = new RelayClient(relay.url, token);
    expect((await fullUpload(col, client)).kind).toBe("synced");
    const reviewed = await col.db.get("cards", first.card.id);
    const today = dayNumber(Date.now(), 4, -new Date().getTimezoneOffset());

    const anki = await inAnki(
      "laptop",
      "extension.to.anki",
      `
result["required"] = col.sync_collection(auth, False).required
full(False)
result["again"] = col.sync_collection(auth, False).required
`,
    );
    expect(anki.required).toBe(Required.FULL_DOWNLOAD);
    expect(anki.again).toBe(Required.NO_CHANGES);
    expect(anki.notes).toBe(3);
    expect(anki.revlog).toEqual((await readRevlog(col.db)).map((r) => r.id).sort((a, b) => a - b));
    const card = anki.cards.find((c) => c.id === first.card?.id);
    expect(card).toMatchObject({ type: 2, queue: 2, deck: "Default", ivl: reviewed?.ivl });
    expect((card?.due ?? 0) - anki.today).toBe((reviewed?.due ?? 0) - today);
    col.close();
  });
});
