import { StatusError } from "itty-router";
import { UploadCommitRequest } from "../../shared/sync/protocol";
import {
  ABANDONED,
  abandoned,
  cleanupStatements,
  clearSession,
  commitOrAbandoned,
  commitUploadStatements,
  completedResponse,
  countLive,
  findCollection,
  findOrphan,
  requireSessionKind,
  stagedChunks,
  stagedCounts,
} from "../db/collections";
import { readBody } from "../lib/request";
import { sessionParam } from "../lib/sync-input";
import type { AuthedRequest } from "../lib/with-auth";

/**
 * POST /v1/sync/uploads/:session/commit: replaces the account's collection with the staged upload, in one step,
 * after checking that it is complete, consistent, and not an empty collection replacing one with cards.
 */
export async function commitUpload(request: AuthedRequest, env: Env): Promise<Response> {
  const session = sessionParam(request);
  const body = await readBody(request, UploadCommitRequest);
  const userId = request.user.id;
  const done = await completedResponse(env.DB, userId, session);
  if (done === ABANDONED) throw abandoned();
  if (done) return Response.json(JSON.parse(done));
  const present = await stagedChunks(env.DB, userId, session);
  if (present.length !== body.chunks || present.some((c, i) => c !== i)) {
    throw new StatusError(
      400,
      `the upload is incomplete: expected ${body.chunks} chunks, the relay has ${present.length}`,
    );
  }
  await requireSessionKind(env.DB, userId, session, "upload");
  const counts = await stagedCounts(env.DB, userId, session);
  // Every kind the upload holds or says it holds: a kind left out of `counts` counts as none.
  const expectedCounts: Record<string, number> = body.counts;
  for (const kind of new Set([...Object.keys(expectedCounts), ...Object.keys(counts)])) {
    const expected = expectedCounts[kind] ?? 0;
    if ((counts[kind] ?? 0) !== expected) {
      throw new StatusError(
        400,
        `the upload is incomplete: it should hold ${expected} ${kind} records but holds ${counts[kind] ?? 0}; nothing was replaced`,
      );
    }
  }
  const relay = await findCollection(env.DB, userId);
  if (relay && relay.collectionId === body.collectionId && body.scm <= relay.scm) {
    // Devices tell uploads of one collection apart by scm: another upload came first with this one's or a later.
    const error = new StatusError(
      409,
      `another device uploaded this collection meanwhile (schema stamp ${relay.scm}); sync again to choose what to keep`,
    );
    error.code = "stale-upload";
    throw error;
  }
  if (relay && !body.allowEmpty && (counts.card ?? 0) === 0 && (await countLive(env.DB, userId, "card")) > 0) {
    const error = new StatusError(
      409,
      "the upload holds no cards, and it would replace a collection on the relay that has cards; nothing was replaced",
    );
    error.code = "empty-upload";
    throw error;
  }
  const orphan = await findOrphan(env.DB, userId, session, true);
  if (orphan) {
    await env.DB.batch(clearSession(env.DB, userId, session));
    throw new StatusError(422, `${orphan.kind} ${orphan.id} refers to ${orphan.ref}, which the upload does not hold`);
  }
  const usn = (relay?.usn ?? 0) + 1;
  const now = Date.now();
  await commitOrAbandoned(env.DB, userId, session, [
    ...commitUploadStatements(env.DB, userId, session, { collectionId: body.collectionId, scm: body.scm, usn }, now),
    ...cleanupStatements(env.DB, userId, now),
  ]);
  return Response.json({ usn });
}
