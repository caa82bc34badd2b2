// The proof of "never loses a review": seeded random histories of three devices of one account adding, editing,
// answering, undoing and deleting with the product's own operations, changing the schema, and syncing through the
// real relay with requests dropped before or after the relay handled them, sent twice, and several devices syncing
// at once while others answer. Clocks collide on purpose, so that two devices make reviews and notes in the same
// millisecond. The seed fixes every choice and every interleaving (interleaving.ts), so that a failing seed replays
// exactly: `npm run fuzz -- --seed S`.
//
// At the end every device and the relay hold the same collection, and every device's review log is exactly the
// answers made (none twice, none missing) and its notes exactly the notes added and not deleted, except what a
// one-way sync chosen by the simulated person threw away.
import { env } from "cloudflare:test";
import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { addDeck } from "../../extension/lib/collection/decks";
import { addNote, deleteNotes, updateNote } from "../../extension/lib/collection/notes";
import { addField } from "../../extension/lib/collection/notetypes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { type Answered, answerCard, undoAnswer } from "../../extension/lib/collection/study";
import type { SyncOutcome } from "../../extension/lib/sync/engine";
import { digest } from "../../worker/db/collections";
import { Device } from "../worker/devices";
import { recountedDigest, signUp } from "../worker/relay";
import { Interleaving } from "./interleaving";

const bindings = env as unknown as {
  FUZZ_SEEDS: string;
  FUZZ_FIRST: string;
  FUZZ_SEED: string;
  FUZZ_STEPS: string;
  FUZZ_WATCH: string;
  FUZZ_TRACE: string;
};
/**
 * A review's marker (or "note:" and a note's guid, or "cards:" and a note id) whose rows on every device the log shows before each step, the log
 * then printed (FUZZ_WATCH=M).
 */
const WATCH = bindings.FUZZ_WATCH || "";
const STEPS = Number(bindings.FUZZ_STEPS || 60);
const seeds = bindings.FUZZ_SEED
  ? [Number(bindings.FUZZ_SEED)]
  : Array.from(
      { length: Number(bindings.FUZZ_SEEDS || 6) },
      (_, i) => 1000 + (Number(bindings.FUZZ_FIRST || 0) + i) * 7919,
    );

const realRandomValues = crypto.getRandomValues.bind(crypto);

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many times each marker occurs: reviews by their time taken (unique per answer), notes by guid. */
class Counts extends Map<string, number> {
  add(marker: string, n = 1): void {
    const next = (this.get(marker) ?? 0) + n;
    if (next === 0) this.delete(marker);
    else this.set(marker, next);
  }
  static of(markers: Iterable<string>): Counts {
    const counts = new Counts();
    for (const m of markers) counts.add(m);
    return counts;
  }
}

type Kind = "revlog" | "note";

function marker(kind: Kind, record: Record<string, unknown>): string {
  return kind === "revlog" ? String(record.time) : String(record.guid);
}

async function relayCounts(userId: number, kind: Kind): Promise<Counts> {
  const { results } = await env.DB.prepare("SELECT body FROM objects WHERE user_id = ?1 AND kind = ?2 AND deleted = 0")
    .bind(userId, kind)
    .all<{ body: string }>();
  return Counts.of(results.map((r) => marker(kind, JSON.parse(r.body))));
}

async function deviceCounts(device: Device, kind: Kind): Promise<Counts> {
  const records = kind === "revlog" ? await readRevlog(device.col.db) : await device.col.db.getAll("notes");
  return Counts.of((records as unknown as Record<string, unknown>[]).map((r) => marker(kind, r)));
}

/** One seed's history and its checks. Returns the trace of the interleaving, for the replay test. */
async function runSeed(seed: number, steps = STEPS): Promise<string[]> {
  // A fresh IndexedDB per seed, so that seeds do not slow each other down.
  (globalThis as { indexedDB: IDBFactory }).indexedDB = new FakeIDBFactory();
  const random = prng(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
  const turns = new Interleaving(random);
  crypto.getRandomValues = realRandomValues;
  const account = await signUp(`fuzz${seed}-${Math.random().toString(36).slice(2, 8)}`);
  const user = await env.DB.prepare("SELECT id FROM users WHERE username = ?1")
    .bind(account.username)
    .first<{ id: number }>();
  const userId = user?.id ?? -1;
  // Guids and push session ids come from crypto.getRandomValues: seeded too, so that a replay makes the same ones.
  // (The account above is made with the real one: its token must differ from a replay's.)
  const bytes = prng(seed ^ 0x5bd1e995);
  crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
    if (array) {
      const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      for (let i = 0; i < view.length; i++) view[i] = Math.floor(bytes() * 256);
    }
    return array;
  }) as typeof crypto.getRandomValues;

  const start = Date.UTC(2026, 5, 1, 9);
  const devices = [
    await Device.create("A", account.token, start),
    await Device.create("B", account.token, start + 137),
    await Device.create("C", account.token, start - 2_000),
  ];
  for (const d of devices) d.network.turns = turns;
  const [first] = devices;
  if (!first) throw new Error();
  await first.addBasic("seed");
  expect(await first.upload()).toMatchObject({ kind: "synced" });
  for (const d of devices.slice(1)) expect(await d.download()).toMatchObject({ kind: "synced" });

  // What was made: every answer (by marker) and every note (by guid); what one-way syncs were allowed to drop.
  const reviews = new Counts();
  const notes = new Counts();
  const deleted = new Set<string>();
  const excused = { revlog: new Counts(), note: new Counts() };
  const undoable = new Map<Device, { answered: Answered; marker: string }>();
  const downloading = new Set<Device>();
  /** Markers of answers made alike on two devices. */
  const twins = new Set<string>();
  let reviewCounter = 0;
  const log: string[] = [];
  const repairs: string[] = [];
  const fail = (what: string) => `seed ${seed}: ${what}\n${log.join("\n")}`;

  /** What a one-way sync from `kept` over `lost` drops: markers that `lost` holds more often than `kept`. */
  const excuseNow = async (lost: Device | "relay", kept: Device | "relay") => {
    for (const kind of ["revlog", "note"] as const) {
      const from = lost === "relay" ? await relayCounts(userId, kind) : await deviceCounts(lost, kind);
      const to = kept === "relay" ? await relayCounts(userId, kind) : await deviceCounts(kept, kind);
      for (const [m, n] of from) {
        // Twins are equal in every field: the kept side's copy may be the other one, so either may be dropped.
        const kept = kind === "revlog" && twins.has(m) ? 0 : (to.get(m) ?? 0);
        if (n > kept) excused[kind].add(m, n - kept);
      }
    }
  };
  const excuse = (lost: Device | "relay", kept: Device | "relay") => turns.turn("excuse", () => excuseNow(lost, kept));

  /** Brings the device's clock to the latest of the others' now and then, so that ids of two devices collide. */
  const clash = (device: Device) => {
    if (!chance(0.35)) return;
    const other = pick(devices.filter((d) => d !== device)) as Device;
    if (other.clock.time > device.clock.time) device.clock.time = other.clock.time;
  };

  const syncDevice = async (device: Device, faults: boolean): Promise<SyncOutcome> => {
    if (faults) {
      device.network.before = () => {
        if (chance(0.06)) throw new TypeError("dropped before the relay");
      };
      device.network.after = () => {
        if (chance(0.06)) throw new TypeError("answer lost");
      };
      device.network.duplicate = (_url, init) => init.method !== "GET" && chance(0.1);
    }
    try {
      const outcome = await device.sync();
      // A repair means the two sides drifted apart: the protocol should never let that happen.
      if (outcome.kind === "synced" && outcome.repaired.length > 0) {
        repairs.push(`${device.name}: ${outcome.repaired}`);
        log.push(`${device.name}'s sync needed a repair of ${outcome.repaired}`);
      }
      if (outcome.kind !== "needs-choice") {
        log.push(
          `${device.name}'s sync: ${outcome.kind}${outcome.kind === "failed" ? ` (${outcome.status ?? outcome.error.slice(0, 40)})` : ""}`,
        );
        return outcome;
      }
      const action = outcome.start.action;
      const choice =
        action === "upload" || action === "download"
          ? action
          : faults
            ? (pick(["merge", "merge", "merge", "upload", "download"]) as string)
            : "merge";
      log.push(`${device.name} chooses ${choice} (${action})`);
      if (choice === "download") {
        await excuse(device, "relay");
        undoable.delete(device);
        // What is made here while the download runs goes to the backup it leaves, not to the collection.
        downloading.add(device);
        try {
          return await device.download();
        } finally {
          downloading.delete(device);
        }
      }
      if (choice === "upload") {
        // What the upload replaces is what the relay holds when its commit arrives (other devices may commit
        // until then), taken within that request's turn.
        const before = device.network.before;
        device.network.before = async (url, init) => {
          await before?.(url, init);
          if (url.includes("/sync/uploads/") && url.endsWith("/commit")) await excuseNow("relay", device);
        };
        try {
          return await device.upload(true);
        } finally {
          device.network.before = before;
        }
      }
      const merged = await device.merge();
      log.push(`${device.name}'s merge: ${merged.kind}`);
      return merged;
    } finally {
      if (faults) {
        device.network.before = null;
        device.network.after = null;
        device.network.duplicate = null;
      }
    }
  };

  const answer = async (device: Device, twin: Device | null) => {
    const cards = (await device.col.db.getAllKeys("cards")) as number[];
    const cardId = pick(cards);
    if (cardId === undefined) return;
    reviewCounter += 1;
    // Unique per answer, and within the review log's bounds for time taken (a minute).
    const m = String(reviewCounter % 60_000);
    const ease = pick([1, 2, 3, 4] as const) ?? 3;
    const answered = await answerCard(device.col, cardId, ease, { timeTakenMs: Number(m) });
    if (!answered.ok) throw new Error(fail(`${device.name} could not answer card ${cardId}: ${answered.error}`));
    reviews.add(m);
    if (downloading.has(device)) excused.revlog.add(m);
    undoable.set(device, { answered: answered.value, marker: m });
    log.push(`${device.name} answers card ${cardId} at ${device.clock.time} (marker ${m})`);
    // The same card answered the same way in the same millisecond on another device: when both held the card
    // alike, the two review-log rows are equal in every field, and both must still be kept.
    if (twin && (await twin.col.db.get("cards", cardId))) {
      twin.clock.time = device.clock.time;
      const again = await answerCard(twin.col, cardId, ease, { timeTakenMs: Number(m) });
      if (!again.ok) throw new Error(fail(`${twin.name} could not answer card ${cardId}: ${again.error}`));
      reviews.add(m);
      twins.add(m);
      if (downloading.has(twin)) excused.revlog.add(m);
      undoable.set(twin, { answered: again.value, marker: m });
      log.push(`${twin.name} answers card ${cardId} alike at ${twin.clock.time} (marker ${m})`);
    }
  };

  const undo = async (device: Device) => {
    const last = undoable.get(device);
    if (!last) return;
    undoable.delete(device);
    const undone = await undoAnswer(device.col, last.answered);
    if (undone.ok) reviews.add(last.marker, -1);
    log.push(`${device.name} undoes marker ${last.marker}: ${undone.ok ? "undone" : undone.error}`);
  };

  /** One change on one device, made with the product's own operations. */
  const change = async (device: Device, step: number) => {
    device.clock.tick(pick([0, 0, 1, 2, 1_000, Math.floor(random() * 5_000)]) ?? 0);
    clash(device);
    const roll = random();
    const noteIds = (await device.col.db.getAllKeys("notes")) as number[];
    if (roll < 0.3) {
      const noteTypeId = await device.noteTypeId();
      const count = (await device.col.db.get("notetypes", noteTypeId))?.fields.length ?? 2;
      const fields = [`n${seed}-${step}`, "back", ...Array<string>(Math.max(0, count - 2)).fill("")];
      const added = await addNote(device.col, {
        noteTypeId,
        deckId: 1,
        fields,
        tags: chance(0.5) ? `t${step % 4}` : "",
      });
      if (!added.ok) throw new Error(fail(`${device.name} could not add a note: ${added.error}`));
      notes.add(added.value.guid);
      if (downloading.has(device)) excused.note.add(added.value.guid);
      log.push(`${device.name} adds note ${added.value.id} (${added.value.guid}) at ${device.clock.time}`);
    } else if (roll < 0.42 && noteIds.length > 0) {
      const id = pick(noteIds) as number;
      const note = await device.col.db.get("notes", id);
      if (note) await updateNote(device.col, id, { fields: note.fields.map((f, i) => (i === 1 ? `edit ${step}` : f)) });
      log.push(`${device.name} edits note ${id}`);
    } else if (roll < 0.62) {
      await answer(device, chance(0.15) ? (pick(devices.filter((d) => d !== device)) ?? null) : null);
    } else if (roll < 0.67) {
      await undo(device);
    } else if (roll < 0.72 && noteIds.length > 1) {
      const id = pick(noteIds) as number;
      const note = await device.col.db.get("notes", id);
      if (note) deleted.add(note.guid);
      await deleteNotes(device.col, [id]);
      log.push(`${device.name} deletes note ${id} (${note?.guid})`);
    } else if (roll < 0.75) {
      await addDeck(device.col, `Deck ${step % 3}`);
      log.push(`${device.name} adds a deck`);
    } else if (roll < 0.77) {
      const basic = await device.noteTypeId();
      await addField(device.col, basic, `Extra ${step}`, { confirmSchemaChange: true });
      log.push(`${device.name} changes the schema`);
    } else {
      await answer(device, null);
    }
  };

  const watch = async () => {
    if (WATCH.startsWith("cards:")) {
      for (const d of devices) {
        const held = await d.col.db.getAllFromIndex("cards", "noteId", Number(WATCH.slice(6)));
        const note = await d.col.db.get("notes", Number(WATCH.slice(6)));
        log.push(
          `  ${d.name}: note ${note?.guid} cards ${held.map((c) => `${c.id}/${c.ord} (usn ${c.usn})`).join(", ")}`,
        );
      }
      return;
    }
    if (WATCH.startsWith("note:")) {
      for (const d of devices) {
        const held = (await d.col.db.getAll("notes")).filter((n) => n.guid === WATCH.slice(5));
        log.push(`  ${d.name} holds ${WATCH} at ${held.map((n) => `${n.id} (usn ${n.usn})`).join(", ")}`);
      }
      return;
    }
    for (const d of devices) {
      const rows = (await readRevlog(d.col.db)).filter((r) => String(r.time) === WATCH);
      const m = await d.col.meta();
      log.push(
        `  ${d.name} holds ${WATCH} at ${rows.map((r) => `${r.id} (card ${r.cardId}, usn ${r.usn})`).join(", ")}` +
          ` [left ${m.leftGen} merged ${m.mergedGens} own ${m.ownUsns} gen ${m.pendingGen} synced ${m.syncedGen} sent ${m.sentGen} doubt ${JSON.stringify(m.inDoubt)}]`,
      );
    }
  };

  for (let step = 0; step < steps; step++) {
    if (WATCH) await watch();
    const device = pick(devices) as Device;
    const roll = random();
    if (roll < 0.6) {
      await change(device, step);
    } else if (roll < 0.8) {
      // Two or three devices sync at once; some of them change something meanwhile, between two requests.
      const group = devices.filter((d) => d === device || chance(0.6));
      if (group.length === 1) group.push(pick(devices.filter((d) => d !== device)) as Device);
      log.push(`${group.map((d) => d.name).join(", ")} sync at once`);
      const tasks: (() => Promise<unknown>)[] = group.map((d) => async () => {
        const outcome = await syncDevice(d, true);
        // The extension tries again after a failure (the next automatic sync).
        if (outcome.kind === "failed" && chance(0.5)) return syncDevice(d, true);
        return outcome;
      });
      for (const d of group) {
        if (chance(0.4)) {
          tasks.push(async () => {
            await turns.turn(`${d.name} changes`, async () => {});
            await change(d, step);
          });
        }
      }
      await turns.all(tasks);
    } else {
      log.push(`${device.name} syncs`);
      await syncDevice(device, true);
    }
  }

  // Quiet network: everyone syncs until nothing moves.
  for (let round = 0; round < 3; round++) {
    for (const device of devices) {
      if (WATCH) await watch();
      const outcome = await syncDevice(device, false);
      expect(outcome.kind, fail(`${device.name} round ${round}: ${JSON.stringify(outcome)}`)).not.toBe("failed");
    }
  }
  if (WATCH) {
    await watch();
    console.log(log.join("\n"));
    if (bindings.FUZZ_TRACE) console.log(turns.trace.slice(-Number(bindings.FUZZ_TRACE)).join("\n"));
  }
  expect(repairs, fail("syncs that needed a repair")).toEqual([]);
  const reference = await devices[0]?.snapshot();
  for (const device of devices.slice(1)) {
    expect(await device.snapshot(), fail(`${device.name} converged with A`)).toEqual(reference);
  }
  const relayReviews = await relayCounts(userId, "revlog");
  for (const device of devices) {
    // Exactly the answers made: none missing unless a one-way sync dropped it, and none twice.
    const have = await deviceCounts(device, "revlog");
    const wrong: string[] = [];
    for (const m of new Set([...reviews.keys(), ...have.keys()])) {
      const made = reviews.get(m) ?? 0;
      const n = have.get(m) ?? 0;
      if (n > made || n < made - (excused.revlog.get(m) ?? 0)) {
        const rows = (await readRevlog(device.col.db)).filter((r) => String(r.time) === m);
        const { results } = await env.DB.prepare(
          "SELECT id, usn FROM objects WHERE user_id = ?1 AND kind = 'revlog' AND body ->> '$.time' = ?2",
        )
          .bind(userId, Number(m))
          .all<{ id: string; usn: number }>();
        wrong.push(
          `marker ${m}: ${n} held, ${made} made: ${rows.map((r) => `${r.id} (card ${r.cardId})`).join(", ")}; ` +
            `on the relay ${results.map((r) => `${r.id} (usn ${r.usn})`).join(", ")}`,
        );
      }
    }
    expect(wrong, fail(`reviews lost or doubled on ${device.name}`)).toEqual([]);
    expect([...have].sort(), fail(`the relay's review log equals ${device.name}'s`)).toEqual([...relayReviews].sort());
    const haveNotes = await deviceCounts(device, "note");
    const wrongNotes: string[] = [];
    for (const [guid, n] of haveNotes) if (n > 1) wrongNotes.push(`note ${guid}: ${n} held`);
    for (const guid of notes.keys()) {
      if (!haveNotes.has(guid) && !deleted.has(guid) && !excused.note.has(guid)) wrongNotes.push(`note ${guid}: lost`);
    }
    expect(wrongNotes, fail(`notes lost or doubled on ${device.name}`)).toEqual([]);
    // Every note has each of its cards once.
    const cards = await device.col.db.getAll("cards");
    const keys = cards.map((c) => `${c.noteId}/${c.ord}`);
    const doubled = keys.filter((key, i) => keys.indexOf(key) !== i);
    expect(doubled, fail(`cards doubled on ${device.name}`)).toEqual([]);
  }
  // The digest the relay keeps up to date as rows change equals one counted from every row.
  expect(await digest(env.DB, userId)).toEqual(await recountedDigest(userId));
  for (const device of devices) device.col.close();
  return turns.trace;
}

describe("sync under random histories and faults", () => {
  it.each(seeds)("seed %i converges and loses no review", async (seed) => {
    await runSeed(seed);
  });

  it("a seed replays the same interleaving of concurrent syncs", async () => {
    const seed = seeds[0] ?? 1000;
    const first = await runSeed(seed, 30);
    const second = await runSeed(seed, 30);
    expect(first.length).toBeGreaterThan(10);
    expect(second).toEqual(first);
  });
});
