// The merge rule every side applies to two versions of one record. The relay applies the same rule in SQL
// (worker/db/objects.ts); a test checks that the two agree.
import type { WireObject } from "./protocol";

/** A canonical text of a body: keys sorted, so that equal records compare equal on every side. */
export function canonical(body: unknown): string {
  if (body === null || typeof body !== "object") return JSON.stringify(body) ?? "null";
  if (Array.isArray(body)) return `[${body.map(canonical).join(",")}]`;
  const entries = Object.keys(body as Record<string, unknown>)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical((body as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}

type Version = Pick<WireObject, "kind" | "mtime" | "deleted" | "body">;

/**
 * True when `incoming` should replace `current`. A deletion beats any edit; the review log never changes once
 * written; otherwise the later mtime wins, and on equal mtimes the greater canonical body, so that every side
 * picks the same winner.
 */
export function incomingWins(current: Version, incoming: Version): boolean {
  if (current.deleted) return false;
  if (incoming.deleted) return true;
  if (incoming.kind === "revlog") return false;
  if (incoming.mtime !== current.mtime) return incoming.mtime > current.mtime;
  return compareCodePoints(canonical(incoming.body), canonical(current.body)) > 0;
}

/** Compares by Unicode code points, which is the order of UTF-8 bytes: the order SQLite compares text in. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * True when two records that share a kind and an id are the same record. Anki's ids are millisecond timestamps,
 * so two devices (or two collections being merged) can make different notes, cards or reviews with one id; such
 * a clash must not let one overwrite the other.
 */
export function sameIdentity(kind: string, a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (kind === "note") return a.guid === b.guid;
  if (kind === "card") return a.noteId === b.noteId && a.ord === b.ord;
  if (kind === "revlog") return canonical(a) === canonical(b);
  return true;
}
