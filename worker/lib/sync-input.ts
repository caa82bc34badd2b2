import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import type { WireObject } from "../../shared/sync/protocol";
import { checkWireObject } from "../../shared/sync/records";
import type { StagedRow } from "../db/collections";

/** Largest body of a sync request that carries records. */
export const SYNC_BODY_LIMIT = 1024 * 1024;

const SESSION_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function sessionParam(request: IRequest): string {
  const id = String(request.params.session ?? "");
  if (!SESSION_PATTERN.test(id)) {
    throw new StatusError(400, "the session id must be 16 to 64 letters, digits, - or _");
  }
  return id;
}

/** The highest chunk number: 10,000 chunks of up to 2,000 records hold any collection a person keeps. */
export const MAX_CHUNK = 9999;

export function chunkParam(request: IRequest): number {
  const text = String(request.params.chunk ?? "");
  const chunk = Number(text);
  if (!/^\d{1,4}$/.test(text)) {
    throw new StatusError(400, `the chunk number must be a whole number from 0 to ${MAX_CHUNK}`);
  }
  return chunk;
}

/** Validates every record against its kind's schema; the first bad one is named in the error. */
export function toStagedRows(objects: WireObject[]): StagedRow[] {
  const seen = new Set<string>();
  return objects.map((object, index) => {
    const checked = checkWireObject(object, index);
    if (!checked.ok) throw new StatusError(400, checked.error);
    if (object.kind === "revlog" && object.deleted) {
      throw new StatusError(
        400,
        `record ${index + 1} deletes review ${object.id}: the review log only grows, and no review is ever deleted`,
      );
    }
    const key = `${object.kind}\u0000${object.id}`;
    if (seen.has(key)) throw new StatusError(400, `record ${index + 1} (${object.kind} ${object.id}) appears twice`);
    seen.add(key);
    return {
      kind: object.kind,
      id: object.id,
      mtime: object.mtime,
      deleted: object.deleted,
      ref: checked.ref,
      body: checked.text,
    };
  });
}

/** A number from the query string, within bounds. */
export function queryNumber(request: IRequest, name: string, fallback: number, max: number): number {
  const raw = request.query[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  if (!/^\d{1,16}$/.test(text) || Number(text) > max) {
    throw new StatusError(400, `${name} must be a whole number from 0 to ${max}`);
  }
  return Number(text);
}
