// The media benchmark's side in the page: many files added to one profile, synced up, synced again with nothing
// new (which must send no file), and synced down to a second profile. Used by test/bench/media.bench.ts.
import { Collection } from "../../lib/collection/collection";
import { MediaClient } from "../../lib/media/client";
import { addMedia } from "../../lib/media/store";
import { type MediaSyncOutcome, syncMedia } from "../../lib/media/sync";
import { RelayClient } from "../../lib/relay-client";

function heapMiB(): number {
  return ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 2 ** 20;
}

/** A fetch that counts requests, bytes each way and file uploads. */
function countingFetch() {
  const stats = { requests: 0, sent: 0, received: 0, uploads: 0, downloads: 0 };
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = init?.body;
    const size = typeof body === "string" ? body.length : body instanceof ArrayBuffer ? body.byteLength : 0;
    stats.requests++;
    stats.sent += size;
    const url = String(input);
    if (url.includes("/v1/media/files/")) {
      if (init?.method === "PUT") stats.uploads++;
      else stats.downloads++;
    }
    const response = await fetch(input, init);
    const bytes = await response.arrayBuffer();
    stats.received += bytes.byteLength;
    return new Response(bytes, { status: response.status, headers: response.headers });
  };
  return { stats, impl: impl as typeof fetch };
}

async function benchMedia(relayUrl: string, files: number, size: number) {
  const signUp = await new RelayClient(relayUrl).signUp(`media${Date.now().toString(36)}`, "benchmark password");
  if (!signUp.ok) throw new Error(signUp.error);
  const token = signUp.value.token;
  const a = await Collection.open(`media-a-${Date.now()}`);
  const b = await Collection.open(`media-b-${Date.now()}`);
  const report: Record<string, unknown> = {};

  const started = performance.now();
  for (let i = 0; i < files; i++) {
    const bytes = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += 65536) {
      crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
    }
    const added = await addMedia(a, `picture-${String(i).padStart(4, "0")}.jpg`, bytes);
    if (!added.ok) throw new Error(added.error);
  }
  report[`add ${files} files to the store`] = { ms: performance.now() - started, requests: 0, sent: 0, received: 0 };

  const run = async (name: string, col: Collection) => {
    const counter = countingFetch();
    const before = heapMiB();
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, heapMiB());
    }, 50);
    const start = performance.now();
    let outcome: MediaSyncOutcome;
    try {
      outcome = await syncMedia(col, new MediaClient(relayUrl, token, counter.impl));
    } finally {
      clearInterval(timer);
    }
    if (outcome.kind === "failed") throw new Error(`${name}: ${outcome.error}`);
    report[name] = { ms: performance.now() - start, ...counter.stats, beforeMiB: before, peakMiB: peak };
  };
  await run(`upload ${files} new files`, a);
  await run("again, with nothing new", a);
  await run(`second profile downloads ${files}`, b);
  await run("second profile again, nothing new", b);
  a.close();
  b.close();
  return report;
}

export const mediaBench = { benchMedia };
