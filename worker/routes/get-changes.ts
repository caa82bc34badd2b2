import { StatusError } from "itty-router";
import type { ChangesPage, CollectionPage } from "../../shared/sync/protocol";
import { type Cursor, changesPage, findCollection } from "../db/collections";
import { queryNumber } from "../lib/sync-input";
import type { AuthedRequest } from "../lib/with-auth";

const PAGE_LIMIT = 2000;

function readCursor(request: AuthedRequest): Cursor | null {
  const raw = request.query.after;
  if (raw === undefined) return null;
  try {
    const bytes = Uint8Array.from(atob(String(raw)), (c) => c.charCodeAt(0));
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes)) as Cursor;
    if (typeof parsed.usn === "number" && typeof parsed.kind === "string" && typeof parsed.id === "string")
      return parsed;
  } catch {
    // Falls through to the error below.
  }
  throw new StatusError(400, "after must be the value of next from the previous page");
}

/** The cursor after a full page: its last record's place, as base64 of UTF-8 JSON (ids may be tags in any script). */
function nextCursor(objects: { usn: number; kind: string; id: string }[], limit: number): string | null {
  const last = objects[objects.length - 1];
  if (objects.length < limit || !last) return null;
  const bytes = new TextEncoder().encode(JSON.stringify({ usn: last.usn, kind: last.kind, id: last.id }));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** GET /v1/sync/changes?since=U&upto=S: records that changed on the relay after usn U, up to S, a page at a time. */
export async function getChanges(request: AuthedRequest, env: Env): Promise<Response> {
  const since = queryNumber(request, "since", 0, Number.MAX_SAFE_INTEGER);
  const upto = queryNumber(request, "upto", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const limit = Math.max(1, queryNumber(request, "limit", PAGE_LIMIT, PAGE_LIMIT));
  const objects = await changesPage(
    env.DB,
    request.user.id,
    { since, upto, liveOnly: false },
    readCursor(request),
    limit,
  );
  const page: ChangesPage = { objects, next: nextCursor(objects, limit) };
  return Response.json(page);
}

/**
 * GET /v1/sync/collection?upto=S: the whole collection a page at a time, for a full download or merge. Graves come
 * too, so that the device knows what was deleted and never brings it back.
 */
export async function getCollection(request: AuthedRequest, env: Env): Promise<Response> {
  const relay = await findCollection(env.DB, request.user.id);
  if (!relay) throw new StatusError(404, "this account holds no collection yet; upload one first");
  const upto = queryNumber(request, "upto", relay.usn, Number.MAX_SAFE_INTEGER);
  if (upto !== relay.usn) {
    throw new StatusError(409, "the collection changed on the relay during the download; start again");
  }
  const limit = Math.max(1, queryNumber(request, "limit", PAGE_LIMIT, PAGE_LIMIT));
  const objects = await changesPage(
    env.DB,
    request.user.id,
    { since: -1, upto, liveOnly: false },
    readCursor(request),
    limit,
  );
  const page: CollectionPage = { ...relay, objects, next: nextCursor(objects, limit) };
  return Response.json(page);
}
