import { StatusError } from "itty-router";
import type { MediaChangesPage, MediaEntry } from "../../shared/protocol/media";
import { mediaChangesPage, mediaUsn } from "../db/media";
import { queryNumber } from "../lib/sync-input";
import type { AuthedRequest } from "../lib/with-auth";

const PAGE_LIMIT = 1000;

function readCursor(request: AuthedRequest): { usn: number; name: string } | null {
  const raw = request.query.after;
  if (raw === undefined) return null;
  try {
    const parsed = JSON.parse(atob(String(raw))) as { usn: unknown; name: unknown };
    if (typeof parsed.usn === "number" && typeof parsed.name === "string")
      return { usn: parsed.usn, name: parsed.name };
  } catch {
    // Falls through to the error below.
  }
  throw new StatusError(400, "after must be the value of next from the previous page");
}

function nextCursor(entries: MediaEntry[], limit: number): string | null {
  const last = entries[entries.length - 1];
  if (entries.length < limit || !last) return null;
  // UTF-8 first, so that names in any script survive btoa.
  const json = JSON.stringify({ usn: last.usn, name: last.name });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)));
}

/**
 * GET /v1/media/changes?since=U[&upto=S][&after=C]: names whose media usn is in (U, S], a page at a time. Without
 * `upto`, the relay's current media usn; the answer gives it, to pass with the further pages.
 */
export async function getMediaChanges(request: AuthedRequest, env: Env): Promise<Response> {
  const since = queryNumber(request, "since", 0, Number.MAX_SAFE_INTEGER);
  const usn = await mediaUsn(env.DB, request.user.id);
  const upto = Math.min(usn, queryNumber(request, "upto", usn, Number.MAX_SAFE_INTEGER));
  const limit = Math.max(1, queryNumber(request, "limit", PAGE_LIMIT, PAGE_LIMIT));
  const entries =
    since >= upto ? [] : await mediaChangesPage(env.DB, request.user.id, since, upto, readCursor(request), limit);
  const page: MediaChangesPage = { usn: upto, entries, next: nextCursor(entries, limit) };
  return Response.json(page);
}
