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

/**
 * True when two reviews are one answer that points at different cards: every field but the card equal, the id (the
 * time of the answer, to the millisecond) and the time taken included. That happens when a card moved to a new id on
 * one device (its id was another note's) while another device still holds it at the old one.
 */
export function sameAnswer(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonical({ ...a, cardId: null }) === canonical({ ...b, cardId: null });
}

/** How far a record moved off a clashing id may go: ids are creation times (ms), a review's the time of the answer. */
const MOVE_SPREAD = { revlog: 1_000, other: 1_000_000 } as const;

/**
 * Where a record moves when another record holds its id: the same place on every device that moves it, so that
 * two devices moving one record (two devices of a collection merged into another, or changes a merge itself makes
 * on every device) move it to one id rather than making two copies. The place is drawn from what identifies the
 * record (a note's guid, a card's note and template, a review's content), a little past the old id; `attempt`
 * counts the places found taken, each of which moves it one further.
 */
export function movedId(kind: string, oldId: number, body: Record<string, unknown>, attempt = 0): number {
  return oldId + moveDistance(kind, body) + attempt;
}

/** The id a record at `id` moved off (by movedId, after `attempt` places found taken), were it a moved record. */
export function movedFrom(kind: string, id: number, body: Record<string, unknown>, attempt = 0): number {
  return id - moveDistance(kind, body) - attempt;
}

function moveDistance(kind: string, body: Record<string, unknown>): number {
  const key =
    kind === "note"
      ? String(body.guid)
      : kind === "card"
        ? `${String(body.noteId)}/${String(body.ord)}`
        : canonical({ ...body, id: null, usn: null });
  const spread = kind === "revlog" ? MOVE_SPREAD.revlog : MOVE_SPREAD.other;
  return 1 + (fnv1a(`${kind}:${key}`) % spread);
}

/** FNV-1a, 32 bits: a small, stable hash of a text. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
