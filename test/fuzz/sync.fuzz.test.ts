// The proof of "never loses a review": seeded random histories of several devices adding, editing, reviewing
// and deleting, changing the schema, and syncing through the real relay with requests dropped before or after
// the relay handled them, duplicated, and devices syncing at the same time. Every run must converge, and every
// review and surviving note must be everywhere, except what the simulated person threw away by choosing a
// one-way sync. A failure names its seed: `npm run fuzz -- --seed S` replays it.
import { env } from "cloudflare:test";
import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { addDeck } from "../../extension/lib/collection/decks";
import { deleteNotes, updateNote } from "../../extension/lib/collection/notes";
import { addField } from "../../extension/lib/collection/notetypes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import type { SyncOutcome } from "../../extension/lib/sync/engine";
import { digest } from "../../worker/db/collections";
import { Device } from "../worker/devices";
import { recountedDigest, signUp } from "../worker/relay";

const bindings = env as unknown as { FUZZ_SEEDS: string; FUZZ_FIRST: string; FUZZ_SEED: string; FUZZ_STEPS: string };
const STEPS = Number(bindings.FUZZ_STEPS || 60);
const seeds = bindings.FUZZ_SEED
  ? [Number(bindings.FUZZ_SEED)]
  : Array.from(
      { length: Number(bindings.FUZZ_SEEDS || 6) },
      (_, i) => 1000 + (Number(bindings.FUZZ_FIRST || 0) + i) * 7919,
    );

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

async function relaySet(userId: number, kind: "revlog" | "note"): Promise<Set<string>> {
  const { results } = await env.DB.prepare("SELECT body FROM objects WHERE user_id = ?1 AND kind = ?2 AND deleted = 0")
    .bind(userId, kind)
    .all<{ body: string }>();
  return new Set(results.map((r) => marker(kind, JSON.parse(r.body))));
}

/** What identifies a review or a note through any change of id: the review's unique time taken, the note's guid. */
function marker(kind: "revlog" | "note", record: Record<string, unknown>): string {
  return kind === "revlog" ? String(record.time) : String(record.guid);
}

async function deviceSet(device: Device, kind: "revlog" | "note"): Promise<Set<string>> {
  const records = kind === "revlog" ? await readRevlog(device.col.db) : await device.col.db.getAll("notes");
  return new Set((records as unknown as Record<string, unknown>[]).map((r) => marker(kind, r)));
}

async function runSeed(seed: number): Promise<void> {
  // A fresh IndexedDB per seed, so that seeds do not slow each other down.
  (globalThis as { indexedDB: IDBFactory }).indexedDB = new FakeIDBFactory();
  const random = prng(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)];
  const account = await signUp(`fuzz${seed}`);
  const user = await env.DB.prepare("SELECT id FROM users WHERE username = ?1")
    .bind(account.username)
    .first<{ id: number }>();
  const userId = user?.id ?? -1;

  const start = Date.UTC(2026, 5, 1, 9);
  const devices = [
    await Device.create("A", account.token, start),
    await Device.create("B", account.token, start + 137),
    await Device.create("C", account.token, start - 2_000),
  ];
  const [first] = devices;
  if (!first) throw new Error();
  await first.addBasic("seed");
  expect(await first.upload()).toMatchObject({ kind: "synced" });
  for (const d of devices.slice(1)) expect(await d.download()).toMatchObject({ kind: "synced" });

  const reviews = new Set<string>();
  const notes = new Set<string>();
  const deleted = new Set<string>();
  const excused = { revlog: new Set<string>(), note: new Set<string>() };
  let reviewCounter = 0;
  const log: string[] = [];
  const repairs: string[] = [];

  const excuse = async (lost: Device | "relay", kept: Device | "relay") => {
    for (const kind of ["revlog", "note"] as const) {
      const from = lost === "relay" ? await relaySet(userId, kind) : await deviceSet(lost, kind);
      const to = kept === "relay" ? await relaySet(userId, kind) : await deviceSet(kept, kind);
      for (const m of from) if (!to.has(m)) excused[kind].add(m);
    }
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
      if (outcome.kind !== "needs-choice") return outcome;
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
        return device.download();
      }
      if (choice === "upload") {
        await excuse("relay", device);
        return device.upload(true);
      }
      return device.merge();
    } finally {
      device.network.before = null;
      device.network.after = null;
      device.network.duplicate = null;
    }
  };

  for (let step = 0; step < STEPS; step++) {
    const device = pick(devices) as Device;
    device.clock.tick(Math.floor(random() * 5_000));
    const roll = random();
    const noteIds = (await device.col.db.getAllKeys("notes")) as number[];
    if (roll < 0.3) {
      const id = await device.addBasic(`n${seed}-${step}`, "back", chance(0.5) ? `t${step % 4}` : "");
      const note = await device.col.db.get("notes", id);
      if (note) notes.add(note.guid);
      log.push(`${device.name} adds a note`);
    } else if (roll < 0.42 && noteIds.length > 0) {
      const id = pick(noteIds) as number;
      const note = await device.col.db.get("notes", id);
      if (note) await updateNote(device.col, id, { fields: note.fields.map((f, i) => (i === 1 ? `edit ${step}` : f)) });
      log.push(`${device.name} edits a note`);
    } else if (roll < 0.65) {
      const cards = (await device.col.db.getAllKeys("cards")) as number[];
      const cardId = pick(cards);
      if (cardId !== undefined) {
        reviewCounter += 1;
        // Unique per review and within the review log's bounds for time taken (one day in ms).
        const marker = 1_000_000 + (seed % 5000) * 10_000 + reviewCounter;
        await device.review(cardId, pick([1, 2, 3, 4] as const) ?? 3, 1 + Math.floor(random() * 30), marker);
        reviews.add(String(marker));
        log.push(`${device.name} reviews`);
      }
    } else if (roll < 0.69 && noteIds.length > 1) {
      const id = pick(noteIds) as number;
      const note = await device.col.db.get("notes", id);
      if (note) deleted.add(note.guid);
      await deleteNotes(device.col, [id]);
      log.push(`${device.name} deletes a note`);
    } else if (roll < 0.71) {
      await addDeck(device.col, `Deck ${step % 3}`);
      log.push(`${device.name} adds a deck`);
    } else if (roll < 0.73) {
      const basic = await device.noteTypeId();
      await addField(device.col, basic, `Extra ${step}`, { confirmSchemaChange: true });
      log.push(`${device.name} changes the schema`);
    } else if (roll < 0.8) {
      const other = pick(devices.filter((d) => d !== device)) as Device;
      log.push(`${device.name} and ${other.name} sync at once`);
      await Promise.all([syncDevice(device, true), syncDevice(other, true)]);
    } else {
      log.push(`${device.name} syncs`);
      await syncDevice(device, true);
    }
  }

  // Quiet network: everyone syncs until nothing moves.
  for (let round = 0; round < 3; round++) {
    for (const device of devices) {
      const outcome = await syncDevice(device, false);
      expect(
        outcome.kind,
        `seed ${seed}: ${device.name} round ${round}: ${JSON.stringify(outcome)}\n${log.join("\n")}`,
      ).not.toBe("failed");
    }
  }
  expect(repairs, `seed ${seed}: syncs that needed a repair\n${log.join("\n")}`).toEqual([]);
  const reference = await devices[0]?.snapshot();
  for (const device of devices.slice(1)) {
    expect(await device.snapshot(), `seed ${seed}: ${device.name} converged with A\n${log.join("\n")}`).toEqual(
      reference,
    );
  }
  for (const device of devices) {
    const have = await deviceSet(device, "revlog");
    const missing = [...reviews].filter((r) => !have.has(r) && !excused.revlog.has(r));
    expect(missing, `seed ${seed}: reviews lost on ${device.name}\n${log.join("\n")}`).toEqual([]);
    const haveNotes = await deviceSet(device, "note");
    const lostNotes = [...notes].filter((n) => !deleted.has(n) && !haveNotes.has(n) && !excused.note.has(n));
    expect(lostNotes, `seed ${seed}: notes lost on ${device.name}\n${log.join("\n")}`).toEqual([]);
  }
  // The digest the relay keeps up to date as rows change equals one counted from every row.
  expect(await digest(env.DB, userId)).toEqual(await recountedDigest(userId));
  const relayReviews = await relaySet(userId, "revlog");
  expect([...(await deviceSet(devices[0] as Device, "revlog"))].sort()).toEqual([...relayReviews].sort());
  for (const device of devices) device.col.close();
}

describe("sync under random histories and faults", () => {
  it.each(seeds)("seed %i converges and loses no review", async (seed) => {
    await runSeed(seed);
  });
});
