// Records and their wire form: the id each kind is known by, and the body without the usn.

import { canonical } from "./merge";
import type { RelayObject, SyncKind, WireObject } from "./protocol";
import { BODY_SCHEMAS, parentOf } from "./protocol";

/** The id a record of a kind is known by on the wire. */
export function wireId(kind: SyncKind, record: Record<string, unknown>): string {
  if (kind === "tag") return String(record.name);
  if (kind === "config") return String(record.key);
  return String(record.id);
}

/** A deletion as it goes on the wire: a note's or card's names the note's guid when it is known. */
export function graveToWire(grave: { kind: string; id: string; mtime: number; guid?: string }): WireObject {
  const named = grave.guid !== undefined && (grave.kind === "note" || grave.kind === "card");
  return {
    kind: grave.kind as SyncKind,
    id: String(grave.id),
    mtime: Number(grave.mtime),
    deleted: true,
    body: named ? { guid: grave.guid } : null,
  };
}

/** The guid a deletion from the wire names, if any. */
export function graveGuid(object: WireObject): string | undefined {
  const guid = object.deleted ? (object.body as { guid?: unknown } | null)?.guid : undefined;
  return typeof guid === "string" ? guid : undefined;
}

/** A record as it goes on the wire: the body is the record without its usn. */
export function toWire(kind: SyncKind, record: { usn: number; mtime?: number } & Record<string, unknown>): WireObject {
  const { usn: _usn, ...body } = record;
  const mtime = kind === "revlog" ? Number(record.id) : Number(record.mtime);
  return { kind, id: wireId(kind, record), mtime, deleted: false, body };
}

/** A record from the wire, stamped with the usn the relay gave it. */
export function fromWire(object: RelayObject): Record<string, unknown> {
  return { ...(object.body ?? {}), usn: object.usn };
}

export type CheckedObject =
  | { ok: true; object: WireObject; ref: string | null; text: string }
  | { ok: false; error: string };

/** Checks one incoming record against its kind's schema and its own id; gives its canonical body text. */
export function checkWireObject(object: WireObject, index: number): CheckedObject {
  const where = `record ${index + 1} (${object.kind} ${JSON.stringify(object.id).slice(0, 60)})`;
  if (object.deleted) {
    if (object.body === null) return { ok: true, object, ref: null, text: "null" };
    const guid = (object.body as { guid?: unknown }).guid;
    const named =
      (object.kind === "note" || object.kind === "card") &&
      Object.keys(object.body).length === 1 &&
      typeof guid === "string" &&
      guid.length > 0 &&
      guid.length <= 200;
    if (!named) {
      return {
        ok: false,
        error: `${where}: a deletion's body is null, or for a note or card { "guid": the note's guid }`,
      };
    }
    return { ok: true, object, ref: null, text: canonical({ guid }) };
  }
  if (object.body === null) return { ok: false, error: `${where}: a record that is not deleted needs a body` };
  const parsed = BODY_SCHEMAS[object.kind].safeParse(object.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${where}: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}` };
  }
  const body = parsed.data as Record<string, unknown>;
  if (wireId(object.kind, body) !== object.id) return { ok: false, error: `${where}: the id does not match the body` };
  const mtime = object.kind === "revlog" ? Number(body.id) : Number(body.mtime);
  if (mtime !== object.mtime) return { ok: false, error: `${where}: mtime does not match the body` };
  const parent = parentOf(object.kind, body);
  return { ok: true, object: { ...object, body }, ref: parent?.id ?? null, text: canonical(body) };
}
