// Normal syncs of Anki's own apps with the relay, and through it with the extension: after one full sync each, a
// desktop, a phone and a browser sync only their changes, and every note, edit, deletion and review reaches the
// others, with cards due on the same days everywhere.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { Collection } from "../../extension/lib/collection/collection";
import { addNotes, updateNote } from "../../extension/lib/collection/notes";
import { addField } from "../../extension/lib/collection/notetypes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { answerCard } from "../../extension/lib/collection/study";
import { nextCard } from "../../extension/lib/collection/study-queue";
import { RelayClient } from "../../extension/lib/relay-client";
import { fullDownload, fullUpload, sync } from "../../extension/lib/sync/engine";
import { dayNumber } from "../../shared/days";
import { Required, relayForFile } from "./anki-profile";

const relay = relayForFile("anki-normal-sync");

const inAnki = relay.inAnki;

/** Python that syncs normally and records what Anki's client said it needs afterwards. */
const SYNC = `result["required"] = col.sync_collection(auth, False).required`;

describe("normal syncs with Anki's apps", () => {
  it("a desktop, a phone and the extension share one collection: notes, edits, deletions and reviews go everywhere", async () => {
    const username = "three.devices";
    const token = await relay.signUp(username);
    const browser = await Collection.open("three-devices", { now: () => Date.now() });
    const client = new RelayClient(relay.url, token);
    const basic = (await browser.db.getAll("notetypes")).find((t) => t.name === "Basic");
    if (!basic) throw new Error("no Basic note type");
    const words = ["un", "deux", "trois", "quatre"];
    await addNotes(
      browser,
      words.map((word) => ({ noteTypeId: basic.id, deckId: 1, fields: [word, "back"], tags: "fr" })),
    );
    expect((await fullUpload(browser, client)).kind).toBe("synced");

    // Both of Anki's apps start from the extension's collection.
    for (const profile of ["desktop", "phone"]) {
      const first = await inAnki(
        profile,
        username,
        `${SYNC}\nfull(False)\nresult["again"] = col.sync_collection(auth, False).required`,
      );
      expect(first.required).toBe(Required.FULL_DOWNLOAD);
      expect(first.again).toBe(Required.NO_CHANGES);
      expect(first.notes).toBe(4);
    }

    // The desktop adds a note, answers a card, edits "un" and deletes "deux", then syncs normally.
    const desktop = await inAnki(
      "desktop",
      username,
      `
n = col.new_note(col.models.by_name("Basic"))
n["Front"] = "cinq"
n["Back"] = "from the desktop"
col.add_note(n, 1)
col.sched.answerCard(col.sched.getCard(), 3)
note = col.get_note(col.find_notes('"un"')[0])
note["Back"] = "edited on the desktop"
col.update_note(note)
col.remove_notes(col.find_notes('"deux"'))
${SYNC}
`,
    );
    expect(desktop.required).toBe(Required.NO_CHANGES);
    expect(desktop.notes).toBe(4);
    expect(desktop.revlog).toHaveLength(1);

    // The extension syncs normally and has all of it; it answers a card of its own and syncs again.
    expect((await sync(browser, client)).kind).toBe("synced");
    const notes = await browser.db.getAll("notes");
    expect(notes.map((n) => n.fields[0]).sort()).toEqual(["cinq", "quatre", "trois", "un"]);
    expect(notes.find((n) => n.fields[0] === "un")?.fields[1]).toBe("edited on the desktop");
    expect((await readRevlog(browser.db)).map((r) => r.id)).toEqual(desktop.revlog);
    const next = await nextCard(browser, 1, { position: 0 });
    if (!next.card) throw new Error("nothing to study in the extension");
    expect((await answerCard(browser, next.card.id, 4, { timeTakenMs: 3000 })).ok).toBe(true);
    expect((await sync(browser, client)).kind).toBe("synced");
    const answered = await browser.db.get("cards", next.card.id);
    const today = dayNumber(Date.now(), 4, -new Date().getTimezoneOffset());

    // The phone, which has seen none of it, syncs once and has everything, the extension's review due alike.
    const phone = await inAnki("phone", username, SYNC);
    expect(phone.required).toBe(Required.NO_CHANGES);
    expect(phone.notes).toBe(4);
    const revlog = (await readRevlog(browser.db)).map((r) => r.id).sort((a, b) => a - b);
    expect(revlog).toHaveLength(2);
    expect(phone.revlog).toEqual(revlog);
    const card = phone.cards.find((c) => c.id === next.card?.id);
    expect(card).toMatchObject({ type: 2, queue: 2, ivl: answered?.ivl });
    expect((card?.due ?? 0) - phone.today).toBe((answered?.due ?? 0) - today);
    expect(phone.cards.map((c) => c.front).sort()).toEqual(["cinq", "quatre", "trois", "un"]);

    // The desktop syncs last, and all three hold the same reviews.
    const last = await inAnki("desktop", username, SYNC);
    expect(last.revlog).toEqual(revlog);
    expect(last.notes).toBe(4);
    browser.close();
  });

  it("a change made in Anki and one made in the extension to the same note: the later one is kept on every side", async () => {
    const username = "same.note";
    const token = await relay.signUp(username);
    const browser = await Collection.open("same-note", { now: () => Date.now() });
    const client = new RelayClient(relay.url, token);
    const basic = (await browser.db.getAll("notetypes")).find((t) => t.name === "Basic");
    if (!basic) throw new Error("no Basic note type");
    await addNotes(browser, [{ noteTypeId: basic.id, deckId: 1, fields: ["shared", "first"], tags: "" }]);
    expect((await fullUpload(browser, client)).kind).toBe("synced");
    await inAnki("laptop", username, `${SYNC}\nfull(False)`);
    // The extension edits first, Anki two seconds later; the extension syncs first.
    const [note] = await browser.db.getAll("notes");
    if (!note) throw new Error("no note");
    expect((await updateNote(browser, note.id, { fields: ["shared", "from the extension"], tags: "" })).ok).toBe(true);
    expect((await sync(browser, client)).kind).toBe("synced");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const anki = await inAnki(
      "laptop",
      username,
      `
note = col.get_note(col.find_notes('"shared"')[0])
note["Back"] = "from Anki"
col.update_note(note)
${SYNC}
result["back"] = col.get_note(col.find_notes('"shared"')[0])["Back"]
`,
    );
    expect(anki.required).toBe(Required.NO_CHANGES);
    expect((anki as unknown as { back: string }).back).toBe("from Anki");
    expect((await sync(browser, client)).kind).toBe("synced");
    expect((await browser.db.getAll("notes"))[0]?.fields[1]).toBe("from Anki");
    browser.close();
  });

  it("the same card answered in Anki and in the extension before either syncs: both reviews are kept, the later answer's schedule wins", async () => {
    const username = "same.card";
    const token = await relay.signUp(username);
    const browser = await Collection.open("same-card", { now: () => Date.now() });
    const client = new RelayClient(relay.url, token);
    const basic = (await browser.db.getAll("notetypes")).find((t) => t.name === "Basic");
    if (!basic) throw new Error("no Basic note type");
    await addNotes(browser, [{ noteTypeId: basic.id, deckId: 1, fields: ["answered twice", "back"], tags: "" }]);
    expect((await fullUpload(browser, client)).kind).toBe("synced");
    await inAnki("tablet", username, `${SYNC}\nfull(False)`);
    const [card] = await browser.db.getAll("cards");
    if (!card) throw new Error("no card");
    expect((await answerCard(browser, card.id, 3, { timeTakenMs: 2000 })).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Anki answers Easy two seconds later, then the extension syncs first and Anki second.
    await inAnki("tablet", username, `c = col.get_card(${card.id})\nc.start_timer()\ncol.sched.answerCard(c, 4)`);
    expect((await sync(browser, client)).kind).toBe("synced");
    const anki = await inAnki("tablet", username, SYNC);
    expect((await sync(browser, client)).kind).toBe("synced");
    const revlog = (await readRevlog(browser.db)).map((r) => r.id).sort((a, b) => a - b);
    expect(revlog).toHaveLength(2);
    expect(anki.revlog).toEqual(revlog);
    const kept = await browser.db.get("cards", card.id);
    const ankiCard = anki.cards.find((c) => c.id === card.id);
    const today = dayNumber(Date.now(), 4, -new Date().getTimezoneOffset());
    // Easy in Anki graduates the card further than Good did here; that schedule is the one both keep.
    expect(ankiCard?.type).toBe(2);
    expect(kept?.ivl).toBe(ankiCard?.ivl);
    expect((kept?.due ?? 0) - today).toBe((ankiCard?.due ?? 0) - anki.today);
    browser.close();
  });

  it("a schema change on either side makes the other side choose a one-way sync, in Anki's dialog and the extension's prompt", async () => {
    const username = "schema.change";
    const token = await relay.signUp(username);
    const browser = await Collection.open("schema-change", { now: () => Date.now() });
    const client = new RelayClient(relay.url, token);
    const basic = (await browser.db.getAll("notetypes")).find((t) => t.name === "Basic");
    if (!basic) throw new Error("no Basic note type");
    await addNotes(browser, [{ noteTypeId: basic.id, deckId: 1, fields: ["schema", "back"], tags: "" }]);
    expect((await fullUpload(browser, client)).kind).toBe("synced");
    await inAnki("studio", username, `${SYNC}\nfull(False)`);
    // The extension adds a field (a schema change) and uploads: Anki, which has cards too, must choose.
    expect((await addField(browser, basic.id, "Extra", { confirmSchemaChange: true })).ok).toBe(true);
    expect((await sync(browser, client)).kind).toBe("needs-choice");
    expect((await fullUpload(browser, client)).kind).toBe("synced");
    const asked = await inAnki(
      "studio",
      username,
      `${SYNC}\nfull(False)\nresult["fields"] = col.models.field_names(col.models.by_name("Basic"))`,
    );
    expect(asked.required).toBe(Required.FULL_SYNC);
    expect((asked as unknown as { fields: string[] }).fields).toEqual(["Front", "Back", "Extra"]);
    // Anki adds a field in turn and uploads: the extension is asked to choose.
    const uploaded = await inAnki(
      "studio",
      username,
      `
m = col.models.by_name("Basic")
col.models.add_field(m, col.models.new_field("Anki field"))
col.models.update_dict(m)
${SYNC}
full(True)
`,
    );
    expect(uploaded.required).toBe(Required.FULL_SYNC);
    expect((await sync(browser, client)).kind).toBe("needs-choice");
    expect((await fullDownload(browser, client)).kind).toBe("synced");
    const fields = (await browser.db.get("notetypes", basic.id))?.fields.map((f) => f.name);
    expect(fields).toEqual(["Front", "Back", "Extra", "Anki field"]);
    browser.close();
  });
});
