// `npm run load`: many simulated devices syncing at once against a local relay (wrangler dev on 127.0.0.1), with
// the extension's own collection and sync code over fake-indexeddb. Prints requests per second, latency
// percentiles and errors, then checks that nothing was lost: both devices of every account hold the same
// collection, with every note added and every review made. `--restart` stops the relay in the middle of a round
// and starts it again on the same state: every device must complete on retry.
// Bounded: LOAD_DEVICES (default 16, two per account) × LOAD_ROUNDS (default 4), loopback only.
import "fake-indexeddb/auto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { Collection } from "../extension/lib/collection/collection";
import { addNotes } from "../extension/lib/collection/notes";
import { readRevlog } from "../extension/lib/collection/revlog";
import { answerCard } from "../extension/lib/collection/study";
import { nextCard } from "../extension/lib/collection/study-queue";
import { RelayClient } from "../extension/lib/relay-client";
import { fullDownload, fullUpload, type SyncOutcome, sync } from "../extension/lib/sync/engine";
import { localDigest } from "../extension/lib/sync/local";
import { percentiles } from "../test/bench/stats";
import { freePort, ROOT, type RunningRelay, startRelay } from "./relay-process";

const DEVICES = Math.max(2, Number(process.env.LOAD_DEVICES ?? 16));
const ROUNDS = Math.max(1, Number(process.env.LOAD_ROUNDS ?? 4));
const NOTES_PER_ROUND = 3;
const ANSWERS_PER_ROUND = 5;
const restart = process.argv.includes("--restart");

const folder = path.join(ROOT, ".tmp/load");
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
const port = await freePort();
// Every simulated account signs up from 127.0.0.1: the relay's daily limit per address is raised for this run.
const relayOptions = {
  stateDir: path.join(folder, "state"),
  tmpDir: path.join(folder, "tmp"),
  port,
  vars: { SIGNUPS_PER_ADDRESS_PER_DAY: String(DEVICES + 10) },
};
let relay: RunningRelay = await startRelay(relayOptions);

const timings: number[] = [];
const failures = new Map<string, number>();
/** Every request, timed; a request that cannot reach the relay counts as an error by its message. */
const timedFetch: typeof fetch = async (input, init) => {
  const start = performance.now();
  try {
    const response = await fetch(input, init);
    timings.push(performance.now() - start);
    if (response.status >= 500)
      failures.set(`HTTP ${response.status}`, (failures.get(`HTTP ${response.status}`) ?? 0) + 1);
    return response;
  } catch (error) {
    const key = `no answer (${(error as Error).message})`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
    throw error;
  }
};

interface Device {
  name: string;
  col: Collection;
  client: RelayClient;
  notesAdded: number;
  answers: number;
  /** Every note added here (by guid) and every answer made here (by its time taken, unique in its account). */
  guids: string[];
  markers: number[];
}

/** Answers of one account are told apart by their time taken, which no two of them share. */
const markerOf = new Map<string, () => number>();

async function makeAccount(index: number): Promise<Device[]> {
  const username = `load-${index}-${Date.now().toString(36)}`;
  const signedUp = await new RelayClient(relay.url, null, timedFetch).signUp(username, "a long password");
  if (!signedUp.ok) throw new Error(`sign-up failed: ${signedUp.error}`);
  const devices: Device[] = [];
  for (const [side, skew] of [
    ["a", 0],
    ["b", 1],
  ] as const) {
    // Each device has its own clock, a second apart per device: review-log and note ids are times in ms, so that
    // the two devices of an account make records with the same id whenever they act exactly a second apart.
    const offset = (index * 2 + skew) * 1000;
    const col = await Collection.open(`load-${index}-${side}`, { now: () => Date.now() + offset });
    const client = new RelayClient(relay.url, signedUp.value.token, timedFetch);
    devices.push({ name: `${username}/${side}`, col, client, notesAdded: 0, answers: 0, guids: [], markers: [] });
  }
  let next = 0;
  markerOf.set(username, () => ++next);
  return devices;
}

async function addSome(device: Device, round: number): Promise<void> {
  const basic = (await device.col.db.getAll("notetypes")).find((t) => t.name === "Basic");
  if (!basic) throw new Error("no Basic note type");
  const result = await addNotes(
    device.col,
    Array.from({ length: NOTES_PER_ROUND }, (_, i) => ({
      noteTypeId: basic.id,
      deckId: 1,
      fields: [`${device.name} round ${round} note ${i}`, "back"],
      tags: "load",
    })),
  );
  device.notesAdded += result.added.length;
  for (const note of result.added) device.guids.push(note.guid);
}

async function studySome(device: Device): Promise<void> {
  for (let i = 0; i < ANSWERS_PER_ROUND; i++) {
    const next = await nextCard(device.col, 1, { position: i });
    if (!next.card) return;
    const marker = markerOf.get(device.name.split("/")[0] ?? "")?.() ?? 0;
    const answered = await answerCard(device.col, next.card.id, ((i % 4) + 1) as 1 | 2 | 3 | 4, {
      timeTakenMs: marker,
    });
    if (answered.ok) {
      device.answers++;
      device.markers.push(marker);
    }
  }
}

/** Syncs until it succeeds, as the extension's retries would; a restarting relay refuses for a moment. */
async function syncWithRetry(device: Device, work = () => sync(device.col, device.client)): Promise<SyncOutcome> {
  let outcome: SyncOutcome = { kind: "failed", error: "not tried", status: null };
  for (let attempt = 0; attempt < 40; attempt++) {
    outcome = await work();
    if (outcome.kind !== "failed") return outcome;
    await new Promise((resolve) => setTimeout(resolve, 250 + attempt * 100));
  }
  throw new Error(`${device.name} could not sync: ${(outcome as { error?: string }).error}`);
}

try {
  const accounts = await Promise.all(Array.from({ length: DEVICES / 2 }, (_, i) => makeAccount(i)));
  const devices = accounts.flat();
  // First sync: each account's first device uploads its new collection, the second downloads it.
  for (const [a, b] of accounts as [Device, Device][]) {
    await addSome(a, 0);
    await syncWithRetry(a, () => fullUpload(a.col, a.client));
    await syncWithRetry(b, () => fullDownload(b.col, b.client));
  }
  timings.length = 0;
  const started = performance.now();
  let restarted = false;
  for (let round = 1; round <= ROUNDS; round++) {
    await Promise.all(
      devices.map(async (d) => {
        await addSome(d, round);
        await studySome(d);
      }),
    );
    const syncs = Promise.all(devices.map((d) => syncWithRetry(d)));
    if (restart && !restarted && round === Math.ceil(ROUNDS / 2)) {
      // In the middle of the round's syncs: the relay goes away and comes back on the same state.
      await new Promise((resolve) => setTimeout(resolve, 150));
      await relay.stop();
      relay = await startRelay(relayOptions);
      restarted = true;
      console.log(`Round ${round}: the relay was stopped during the syncs and started again.`);
    }
    await syncs;
  }
  const seconds = (performance.now() - started) / 1000;
  // Each device syncs twice more, so that the last changes of every device reached its twin.
  for (let i = 0; i < 2; i++) for (const d of devices) await syncWithRetry(d);

  const { median, p95 } = percentiles(timings);
  const p99 = [...timings].sort((x, y) => x - y)[Math.floor(timings.length * 0.99)] ?? Number.NaN;
  console.log(
    `${DEVICES} devices (${DEVICES / 2} accounts), ${ROUNDS} rounds of ${NOTES_PER_ROUND} notes and up to ` +
      `${ANSWERS_PER_ROUND} answers per device, every device syncing at once in each round:`,
  );
  console.log(
    `  ${timings.length} requests in ${seconds.toFixed(1)} s: ${(timings.length / seconds).toFixed(1)} requests/s; ` +
      `latency median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
  );
  console.log(
    `  errors: ${failures.size === 0 ? "none" : [...failures].map(([k, n]) => `${n} × ${k}`).join(", ")}` +
      (restart ? " (expected while the relay restarted)" : ""),
  );

  // Nothing lost and nothing doubled: both devices of each account hold the same collection, whose review log is
  // exactly the answers made on either (each once) and whose notes are exactly the notes added (each once).
  let problems = 0;
  const sorted = (values: Iterable<string | number>) => [...values].map(String).sort();
  for (const [a, b] of accounts as [Device, Device][]) {
    const [da, db] = [await localDigest(a.col, { full: true }), await localDigest(b.col, { full: true })];
    if (JSON.stringify(da) !== JSON.stringify(db)) {
      problems++;
      console.log(`  ${a.name}: the two devices differ after syncing`);
    }
    const madeReviews = sorted([...a.markers, ...b.markers]);
    const madeNotes = sorted([...a.guids, ...b.guids]);
    for (const device of [a, b]) {
      const reviews = sorted((await readRevlog(device.col.db)).map((row) => row.time));
      const notes = sorted((await device.col.db.getAll("notes")).map((note) => note.guid));
      if (
        JSON.stringify(reviews) !== JSON.stringify(madeReviews) ||
        JSON.stringify(notes) !== JSON.stringify(madeNotes)
      ) {
        problems++;
        const doubled = reviews.filter((r, i) => reviews[i - 1] === r).length;
        console.log(
          `  ${device.name}: ${notes.length}/${madeNotes.length} notes, ${reviews.length}/${madeReviews.length} reviews` +
            ` (${madeReviews.filter((r) => !reviews.includes(r)).length} missing, ${doubled} doubled)`,
        );
      }
    }
  }
  const reviews = devices.reduce((n, d) => n + d.answers, 0);
  const notes = devices.reduce((n, d) => n + d.notesAdded, 0);
  console.log(
    problems === 0
      ? `  nothing lost or doubled: ${notes} notes and ${reviews} reviews, each exactly once, every account's two devices identical`
      : `  ${problems} problems`,
  );
  for (const d of devices) d.col.close();
  if (problems > 0) process.exitCode = 1;
} finally {
  await relay.stop();
}
