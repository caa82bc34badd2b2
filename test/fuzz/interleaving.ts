// A seeded scheduler for concurrent operations, so that a fuzz seed fixes every interleaving and replays exactly.
//
// Operations run as tasks of a group (`all`). A task stops at a turn: before each request to the relay, and at
// the start of an operation on a device (so that an answer can fall between two requests of that device's sync).
// The scheduler lets one waiting turn go at a time, drawn from the seed, and only once nothing else can move:
// no fake-indexeddb task is queued and no request is in flight. The work of a turn (a request to the relay, its
// answer read whole) runs while every other task waits, so the relay sees requests in the seeded order, and the
// time a request takes changes nothing.
//
// fake-indexeddb queues its work with `setImmediate` when there is one, which is how queued work is counted here.

type Immediate = (callback: () => void) => unknown;

const realTimeout = globalThis.setTimeout.bind(globalThis);
const realImmediate: Immediate =
  (globalThis as { setImmediate?: Immediate }).setImmediate?.bind(globalThis) ??
  ((callback: () => void) => realTimeout(callback, 0));

let queued = 0;
(globalThis as { setImmediate?: unknown }).setImmediate = (
  callback: (...args: unknown[]) => void,
  ...args: unknown[]
) => {
  queued += 1;
  return realImmediate(() => {
    queued -= 1;
    callback(...args);
  });
};

const macrotask = () => new Promise<void>((resolve) => realImmediate(resolve));

interface Waiting {
  label: string;
  go: () => void;
}

export class Interleaving {
  private waiting: Waiting[] = [];
  /** The work of the turn let go last, while it runs. */
  private inFlight: Promise<void> | null = null;
  private running = 0;
  /** Every turn let go, in order: two runs of one seed must give the same list. */
  readonly trace: string[] = [];

  constructor(private readonly random: () => number) {}

  /**
   * Runs `work` at a turn of the current group, or at once outside a group. `label` names the turn in the trace
   * (a device and a request), so that a replay can be compared with the run it replays.
   */
  async turn<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (this.running === 0) return work();
    await new Promise<void>((go) => this.waiting.push({ label, go }));
    this.trace.push(label);
    const running = work();
    this.inFlight = running.then(
      () => {},
      () => {},
    );
    try {
      return await running;
    } finally {
      this.inFlight = null;
    }
  }

  /** Runs the tasks as one group: they advance one turn at a time, in an order drawn from the seed. */
  async all<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
    if (this.running > 0) throw new Error("groups of concurrent tasks do not nest");
    // Work left running by what came before (a backup's clean-up, say) ends first, and each task starts at a turn
    // of its own: otherwise tasks would race to their first turns, and the order would hang on how much work each
    // does before it.
    await this.idle();
    this.running = tasks.length;
    const settled = tasks.map((task, index) =>
      this.turn(`task ${index} starts`, async () => {})
        .then(task)
        .finally(() => {
          this.running -= 1;
        }),
    );
    // Failures are kept until the group ends, so that no task is left waiting at a turn.
    const outcomes = Promise.allSettled(settled);
    while (this.running > 0) {
      await this.idle();
      if (this.running === 0) break;
      if (this.waiting.length === 0) throw new Error(`${this.running} concurrent tasks wait on something else`);
      const [next] = this.waiting.splice(Math.floor(this.random() * this.waiting.length), 1);
      next?.go();
    }
    this.running = 0;
    const results = await outcomes;
    return results.map((result) => {
      if (result.status === "rejected") throw result.reason;
      return result.value;
    });
  }

  /** Resolves once nothing can move: no queued fake-indexeddb work and no request in flight, twice in a row. */
  private async idle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      if (this.inFlight) {
        await this.inFlight;
        quiet = 0;
        continue;
      }
      await macrotask();
      quiet = queued === 0 && this.inFlight === null ? quiet + 1 : 0;
    }
  }
}
