// Small factories for collection tests: a fresh collection on fake-indexeddb with a controllable clock.
import "fake-indexeddb/auto";
import { Collection } from "../../extension/lib/collection/collection";

export class FakeClock {
  constructor(public time = Date.UTC(2026, 0, 15, 12, 0, 0)) {}
  now = (): number => this.time;
  advance(ms = 1000): number {
    this.time += ms;
    return this.time;
  }
}

let counter = 0;

/** A new, empty profile's collection on its own database. */
export async function freshCollection(clock = new FakeClock()): Promise<{ col: Collection; clock: FakeClock }> {
  counter += 1;
  const col = await Collection.open(`test-${counter}-${Math.random().toString(36).slice(2)}`, clock);
  return { col, clock };
}

export async function noteTypeByName(col: Collection, name: string) {
  const all = await col.db.getAll("notetypes");
  const found = all.find((n) => n.name === name);
  if (!found) throw new Error(`no note type ${name}`);
  return found;
}
