// Simulated devices for sync scenarios: each is the extension's real collection and sync code over
// fake-indexeddb, talking to the real relay in this workerd through SELF.
import "fake-indexeddb/auto";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { Collection } from "../../extension/lib/collection/collection";
import { addNote } from "../../extension/lib/collection/notes";
import { pendingUsn, pendingUsnOf, pendingUsns, syncedGenOf } from "../../extension/lib/collection/pending";
import { RevlogRows, readRevlog } from "../../extension/lib/collection/revlog";
import type { StoreName } from "../../extension/lib/collection/schema";
import { RelayClient } from "../../extension/lib/relay-client";
import { fullDownload, fullMerge, fullUpload, type SyncOutcome, sync } from "../../extension/lib/sync/engine";
import { CardQueue, CardType } from "../../shared/model";
import worker from "../../worker/index";
import { BASE, signUp } from "./relay";

export class DeviceClock {
  constructor(public time: number) {}
  now = () => this.time;
  tick(ms = 1000) {
    this.time += ms;
    return this.time;
  }
}

/** Runs a request at a turn of a seeded scheduler (test/fuzz/interleaving.ts), so that concurrent syncs replay. */
export interface Turns {
  turn<T>(label: string, work: () => Promise<T>): Promise<T>;
}

/** A fetch that reaches the relay under test, and can be told to fail around a request. */
export class Network {
  /** When set, every request waits for its turn and its answer is read whole within it. */
  turns: Turns | null = null;
  /** Names this device's requests in a scheduler's trace. */
  label = "";
  /** Called (and awaited) before each request; throwing there drops the request before the relay sees it. */
  before: ((url: string, init: RequestInit) => void | Promise<void>) | null = null;
  /** Called after the relay answered; throwing there loses the answer. */
  after: ((url: string, response: Response) => void) | null = null;
  /** When it returns true, the request reaches the relay twice (a retry by the network) and the second answer counts. */
  duplicate: ((url: string, init: RequestInit) => boolean) | null = null;
  requests: { method: string; url: string; bytes: number }[] = [];

  fetch = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = String(input);
    if (!this.turns) return this.send(url, init);
    // Session ids are random: the trace names the request without them.
    const path = new URL(url).pathname.replace(/\/(pushes|uploads)\/[^/]+/, "/$1/*");
    return this.turns.turn(`${this.label} ${init.method ?? "GET"} ${path}`, async () => {
      const response = await this.send(url, init);
      return buffered(response, await response.arrayBuffer());
    });
  };

  private send = async (url: string, init: RequestInit): Promise<Response> => {
    await this.before?.(url, init);
    this.requests.push({
      method: init.method ?? "GET",
      url,
      bytes: typeof init.body === "string" ? init.body.length : 0,
    });
    // The relay answers at once here: a timeout would only keep a timer (and the request) alive for a minute.
    const { signal: _signal, ...request } = init;
    if (this.duplicate?.(url, request)) await (await relayFetch(url, request)).arrayBuffer();
    const response = await relayFetch(url, request);
    this.after?.(url, response);
    return response;
  };
}

/**
 * A request handed to the relay's fetch handler in this isolate. SELF.fetch would do the same, but its cost grows
 * with every request made before in the process (2 ms at first, 160 ms after a few thousand), which made a long
 * fuzz run crawl.
 */
async function relayFetch(url: string, init: RequestInit): Promise<Response> {
  const request = new Request(url, init);
  // A browser's fetch, like SELF.fetch, says how long a body of known size is; a Request made here does not.
  const body = init.body;
  const size =
    typeof body === "string"
      ? new TextEncoder().encode(body).byteLength
      : body instanceof ArrayBuffer || ArrayBuffer.isView(body)
        ? body.byteLength
        : null;
  if (size !== null && !request.headers.has("content-length")) request.headers.set("content-length", String(size));
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as never, env as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/**
 * An answer already read whole, whose body methods settle without any I/O: under a scheduler, nothing may wait on
 * the runtime once a turn is over.
 */
function buffered(response: Response, body: ArrayBuffer): Response {
  const text = () => new TextDecoder().decode(body);
  return {
    status: response.status,
    ok: response.ok,
    statusText: response.statusText,
    headers: response.headers,
    json: async () => JSON.parse(text()),
    text: async () => text(),
    arrayBuffer: async () => body,
  } as unknown as Response;
}

let counter = 0;

export class Device {
  readonly network = new Network();
  client: RelayClient;

  private constructor(
    readonly name: string,
    readonly col: Collection,
    readonly clock: DeviceClock,
    token: string,
  ) {
    this.client = new RelayClient(BASE, token, this.network.fetch);
    this.network.label = name;
  }

  static async create(name: string, token: string, start = Date.UTC(2026, 2, 1, 12)): Promise<Device> {
    counter += 1;
    const clock = new DeviceClock(start);
    const col = await Collection.open(`${name}-${counter}-${Math.random().toString(36).slice(2)}`, clock);
    return new Device(name, col, clock, token);
  }

  /** Syncs, comparing full digests every time (a real device does it weekly), so that any drift shows. */
  sync(options: { forceOneWay?: boolean } = {}): Promise<SyncOutcome> {
    this.clock.tick();
    return sync(this.col, this.client, { fullCheck: true, ...options });
  }
  upload(allowEmpty = false) {
    this.clock.tick();
    return fullUpload(this.col, this.client, { allowEmpty });
  }
  download() {
    this.clock.tick();
    return fullDownload(this.col, this.client);
  }
  merge() {
    this.clock.tick();
    return fullMerge(this.col, this.client);
  }

  async noteTypeId(name = "Basic"): Promise<number> {
    const found = (await this.col.db.getAll("notetypes")).find((n) => n.name === name);
    if (!found) throw new Error(`no note type ${name}`);
    return found.id;
  }

  async addBasic(front: string, back = "back", tags = ""): Promise<number> {
    this.clock.tick();
    const noteTypeId = await this.noteTypeId();
    const count = (await this.col.db.get("notetypes", noteTypeId))?.fields.length ?? 2;
    const fields = [front, back, ...Array<string>(Math.max(0, count - 2)).fill("")];
    const result = await addNote(this.col, { noteTypeId, deckId: 1, fields, tags });
    if (!result.ok) throw new Error(result.error);
    return result.value.id;
  }

  async cardOf(noteId: number) {
    const [card] = await this.col.db.getAllFromIndex("cards", "noteId", noteId);
    if (!card) throw new Error(`note ${noteId} has no card on ${this.name}`);
    return card;
  }

  /** The usn a change written now is stamped with (see pending.ts), for records a test writes itself. */
  async pendingUsn(): Promise<number> {
    return pendingUsnOf(await this.col.meta());
  }

  /** The records of a store that wait to sync. */
  async pendingIn(store: Exclude<StoreName, "revlogBlocks">): Promise<unknown[]> {
    const synced = syncedGenOf(await this.col.meta());
    return this.col.db.getAllFromIndex(store, "usn", pendingUsns(synced));
  }

  /** Answers a card as the study screen will: the card and its review-log row in one transaction. */
  async review(cardId: number, ease: 1 | 2 | 3 | 4, interval: number, timeTaken = 5000): Promise<number> {
    const now = this.clock.tick();
    const tx = this.col.db.transaction(["cards", "revlogBlocks", "meta"], "readwrite");
    const usn = await pendingUsn(tx.objectStore("meta"));
    const revlog = new RevlogRows(tx.objectStore("revlogBlocks"));
    const card = await tx.objectStore("cards").get(cardId);
    if (!card) throw new Error("no such card");
    await tx.objectStore("cards").put({
      ...card,
      type: CardType.Review,
      queue: CardQueue.Review,
      ivl: interval,
      due: 20_000 + interval,
      reps: card.reps + 1,
      mtime: now,
      usn,
    });
    const added = await revlog.add({
      id: now,
      cardId,
      usn,
      ease,
      ivl: interval,
      lastIvl: card.ivl,
      factor: 2500,
      time: timeTaken,
      type: 1,
    });
    if (!added) throw new Error("that review-log id is taken");
    await revlog.flush();
    await tx.done;
    return now;
  }

  /** Every record of every store, without usn: what must be equal on converged devices. */
  async snapshot(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const store of ["notetypes", "deckconfigs", "decks", "tags", "config", "notes", "cards"] as const) {
      const rows = (await this.col.db.getAll(store)) as { usn: number }[];
      out[store] = rows.map(({ usn: _usn, ...rest }) => rest);
    }
    out.revlog = (await readRevlog(this.col.db)).map(({ usn: _usn, ...rest }) => rest);
    return out;
  }
}

/** A fresh account and a device signed in to it. */
export async function accountWithDevice(name = "A") {
  const account = await signUp();
  const device = await Device.create(name, account.token);
  return { account, device };
}

/** Two devices of one account holding the same collection: A uploaded it (one note), B downloaded it. */
export async function pairedDevices() {
  const { account, device: a } = await accountWithDevice("A");
  await a.addBasic("seed", "seed");
  await a.upload();
  const b = await Device.create("B", account.token, a.clock.time + 5_000);
  await b.download();
  return { account, a, b };
}
