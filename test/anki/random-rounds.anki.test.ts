// Two of Anki's apps and two devices of the extension change one collection and sync, in an order drawn from a
// seed, for twenty rounds: at the end all four hold the same notes and every answer made, each once, and no sync
// ever needed a one-way sync. `ANKI_ROUNDS_SEED=N npm run test:anki` replays another order.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { Collection } from "../../extension/lib/collection/collection";
import { addNotes, deleteNotes, updateNote } from "../../extension/lib/collection/notes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { answerCard } from "../../extension/lib/collection/study";
import { nextCard } from "../../extension/lib/collection/study-queue";
import { RelayClient } from "../../extension/lib/relay-client";
import { fullDownload, fullUpload, sync } from "../../extension/lib/sync/engine";
import { Required, relayForFile } from "./anki-profile";

const relay = relayForFile("anki-random-rounds");
const ROUNDS = 20;
const SEED = Number(process.env.ANKI_ROUNDS_SEED ?? 20261203);

/** A small seeded generator (mulberry32), so that a seed fixes every choice of the run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Op =
  | { kind: "answer"; ease: number }
  | { kind: "add"; front: string }
  | { kind: "edit"; front: string; back: string }
  | { kind: "delete"; front: string };

interface Outcome {
  answered?: number;
  added?: boolean;
  deleted?: boolean;
}

/** An Anki profile doing one change, then a normal sync. */
async function ankiStep(profile: string, username: string, op: Op): Promise<Outcome & { required: number }> {
  const view = await relay.inAnki(
    profile,
    username,
    `
import json
op = json.loads(${JSON.stringify(JSON.stringify(op))})
if op["kind"] == "answer":
    col.decks.select(1)
    card = col.sched.getCard()
    if card:
        before = col.db.scalar("select coalesce(max(id), 0) from revlog")
        card.start_timer()
        col.sched.answerCard(card, op["ease"])
        result["answered"] = col.db.scalar("select max(id) from revlog where id > ?", before)
elif op["kind"] == "add":
    n = col.new_note(col.models.by_name("Basic"))
    n["Front"] = op["front"]
    n["Back"] = "added in Anki"
    col.add_note(n, 1)
    result["added"] = True
else:
    found = col.find_notes('"Front:' + op["front"] + '"')
    if found and op["kind"] == "edit":
        note = col.get_note(found[0])
        note["Back"] = op["back"]
        col.update_note(note)
    elif found:
        col.remove_notes(found)
        result["deleted"] = True
result["required"] = col.sync_collection(auth, False).required
`,
  );
  return view as unknown as Outcome & { required: number };
}

/** A device of the extension doing one change, then a normal sync. */
async function extensionStep(col: Collection, client: RelayClient, op: Op): Promise<Outcome & { sync: string }> {
  const out: Outcome = {};
  const byFront = async (front: string) => (await col.db.getAll("notes")).find((n) => n.fields[0] === front);
  if (op.kind === "answer") {
    const next = await nextCard(col, 1, { position: 0 });
    if (next.card) {
      const answered = await answerCard(col, next.card.id, op.ease as 1 | 2 | 3 | 4, { timeTakenMs: 1500 });
      if (answered.ok) out.answered = answered.value.revlogId;
    }
  } else if (op.kind === "add") {
    const basic = (await col.db.getAll("notetypes")).find((t) => t.name === "Basic");
    if (!basic) throw new Error("no Basic note type");
    const added = await addNotes(col, [
      { noteTypeId: basic.id, deckId: 1, fields: [op.front, "added here"], tags: "" },
    ]);
    out.added = added.added.length === 1;
  } else {
    const note = await byFront(op.front);
    if (note && op.kind === "edit") await updateNote(col, note.id, { fields: [op.front, op.back], tags: "" });
    if (note && op.kind === "delete") out.deleted = (await deleteNotes(col, [note.id])).ok;
  }
  return { ...out, sync: (await sync(col, client)).kind };
}

describe("Anki's apps and the extension in random order", () => {
  it(`two Anki apps and two extension devices over ${ROUNDS} rounds end with the same notes and every answer once, never needing a one-way sync`, async () => {
    const username = "random.rounds";
    const token = await relay.signUp(username);
    const next = random(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const browsers = await Promise.all(
      ["e1", "e2"].map((name) => Collection.open(`random-${name}`, { now: () => Date.now() })),
    );
    const client = new RelayClient(relay.url, token);
    const [first, second] = browsers as [Collection, Collection];
    const basic = (await first.db.getAll("notetypes")).find((t) => t.name === "Basic");
    if (!basic) throw new Error("no Basic note type");
    const alive = new Set(["seed 0", "seed 1", "seed 2", "seed 3", "seed 4", "seed 5"]);
    await addNotes(
      first,
      [...alive].map((front) => ({ noteTypeId: basic.id, deckId: 1, fields: [front, "back"], tags: "" })),
    );
    expect((await fullUpload(first, client)).kind).toBe("synced");
    expect((await fullDownload(second, client)).kind).toBe("synced");
    for (const profile of ["anki1", "anki2"]) {
      const first = await relay.inAnki(
        profile,
        username,
        `col.sync_collection(auth, False)\nfull(False)\nresult["required"] = col.sync_collection(auth, False).required`,
      );
      expect(first.required).toBe(Required.NO_CHANGES);
    }

    const answers: number[] = [];
    let made = 0;
    const devices = ["e1", "e2", "anki1", "anki2"] as const;
    for (let round = 0; round < ROUNDS; round++) {
      const order = [...devices].sort(() => next() - 0.5);
      for (const device of order) {
        const roll = next();
        const op: Op =
          roll < 0.5
            ? { kind: "answer", ease: 1 + Math.floor(next() * 4) }
            : roll < 0.7
              ? { kind: "add", front: `${device} note ${made++}` }
              : roll < 0.93
                ? { kind: "edit", front: pick([...alive]), back: `edited by ${device} in round ${round}` }
                : { kind: "delete", front: pick([...alive]) };
        const outcome = device.startsWith("anki")
          ? await ankiStep(device, username, op)
          : await extensionStep(device === "e1" ? first : second, client, op);
        if ("required" in outcome) expect(outcome.required, `${device} round ${round}`).toBe(Required.NO_CHANGES);
        if ("sync" in outcome) expect(["synced", "none"], `${device} round ${round}`).toContain(outcome.sync);
        if (outcome.answered) answers.push(outcome.answered);
        if (outcome.added && op.kind === "add") alive.add(op.front);
        if (outcome.deleted && op.kind === "delete") alive.delete(op.front);
      }
    }

    // Everyone syncs twice more, and all four hold the same.
    const finals: Record<string, { notes: string[]; revlog: number[] }> = {};
    for (let pass = 0; pass < 2; pass++) {
      for (const device of devices) {
        if (device.startsWith("anki")) {
          const view = await relay.inAnki(
            device,
            username,
            `result["required"] = col.sync_collection(auth, False).required\nresult["fronts"] = sorted(col.get_note(n)["Front"] for n in col.find_notes(""))`,
          );
          expect(view.required).toBe(Required.NO_CHANGES);
          finals[device] = { notes: (view as unknown as { fronts: string[] }).fronts, revlog: view.revlog };
        } else {
          const col = device === "e1" ? first : second;
          expect(["synced", "none"]).toContain((await sync(col, client)).kind);
          finals[device] = {
            notes: (await col.db.getAll("notes")).map((n) => n.fields[0] ?? "").sort(),
            revlog: (await readRevlog(col.db)).map((r) => r.id).sort((a, b) => a - b),
          };
        }
      }
    }
    const expected = { notes: [...alive].sort(), revlog: [...answers].sort((a, b) => a - b) };
    expect(answers.length).toBeGreaterThan(10);
    for (const device of devices) expect(finals[device], device).toEqual(expected);
    for (const col of browsers) col.close();
  }, 600_000);
});
