import { StatusError } from "itty-router";
import { mediaNameProblem } from "../../shared/media";
import { MediaCommitRequest, type MediaCommitResponse } from "../../shared/protocol/media";
import { completedResponse } from "../db/collections";
import {
  commitMediaStatements,
  mediaEntries,
  mediaRequestKey,
  mediaUsn,
  missingBlobs,
  sweepBlobs,
  toEntries,
} from "../db/media";
import { deleteBlobs } from "../lib/media-bucket";
import { readBody } from "../lib/request";
import type { AuthedRequest } from "../lib/with-auth";

/** Enough for the largest commit: 500 changes with names of 120 bytes, escaped. */
const BODY_LIMIT = 512 * 1024;

/**
 * POST /v1/media/commit with { requestId, changes }: records new, edited and deleted names in one D1 batch, each by
 * the merge rule, and answers how every name stands afterwards. Live changes must name files already uploaded.
 * A repeated request id changes nothing and gets the names' current state.
 */
export async function commitMedia(request: AuthedRequest, env: Env): Promise<Response> {
  const { requestId, changes } = await readBody(request, MediaCommitRequest, BODY_LIMIT);
  const userId = request.user.id;
  const seen = new Set<string>();
  for (const [index, change] of changes.entries()) {
    const problem = mediaNameProblem(change.name);
    if (problem) throw new StatusError(400, `change ${index + 1}: ${problem}`);
    if (seen.has(change.name)) throw new StatusError(400, `change ${index + 1}: "${change.name}" appears twice`);
    seen.add(change.name);
  }
  const names = changes.map((c) => c.name);
  if (await completedResponse(env.DB, userId, mediaRequestKey(requestId))) {
    const usn = await mediaUsn(env.DB, userId);
    const body: MediaCommitResponse = { usn, previousUsn: -1, entries: await mediaEntries(env.DB, userId, names) };
    return Response.json(body);
  }
  const now = Date.now();
  let results: D1Result[];
  try {
    results = await env.DB.batch(commitMediaStatements(env.DB, userId, requestId, changes, now));
  } catch (error) {
    const wanted = [...new Set(changes.flatMap((c) => (c.sha1 ? [c.sha1] : [])))];
    const missing = wanted.length > 0 ? await missingBlobs(env.DB, userId, wanted, now) : [];
    if (missing.length === 0) throw error;
    const refusal = new StatusError(
      409,
      `upload these files before recording them: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`,
    );
    refusal.code = "missing-files";
    throw refusal;
  }
  const released = ((results[2]?.results ?? []) as { sha1: string }[]).map((r) => r.sha1);
  const previousUsn = (results[3]?.results?.[0] as { usn: number } | undefined)?.usn ?? 0;
  const usn = (results[7]?.results?.[0] as { usn: number } | undefined)?.usn ?? previousUsn;
  const body: MediaCommitResponse = { usn, previousUsn, entries: toEntries(results[8]?.results ?? []) };
  // Files no name uses any more leave R2. The commit stands whatever happens here: at worst unused bytes stay in R2.
  try {
    const unused = await sweepBlobs(env.DB, userId, released, now);
    if (unused.length > 0) await deleteBlobs(env.MEDIA, userId, unused);
  } catch (error) {
    console.error(`relay: clearing unused media failed (${error instanceof Error ? error.name : typeof error})`);
  }
  return Response.json(body);
}
