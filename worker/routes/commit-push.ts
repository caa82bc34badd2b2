import { StatusError } from "itty-router";
import { CommitRequest, type CommitResponse } from "../../shared/sync/protocol";
import {
  ABANDONED,
  abandoned,
  applicableCount,
  assertRoomToStage,
  cascadedDeletions,
  cascadedObject,
  cleanupStatements,
  clearSession,
  commitOrAbandoned,
  commitPushStatements,
  completedResponse,
  digestAt,
  findCollection,
  findOrphan,
  losingRecords,
  openSession,
  requireSessionKind,
  stageChunk,
  stagedChunks,
} from "../db/collections";
import { readBody } from "../lib/request";

// At most this many losing records go back with a commit; beyond it the device runs a full check instead.
const LOST_LIMIT = 500;

import { SYNC_BODY_LIMIT, sessionParam, toStagedRows } from "../lib/sync-input";
import type { AuthedRequest } from "../lib/with-auth";

/**
 * POST /v1/sync/pushes/:session/commit: merges everything staged in the session (and the records sent with this
 * request) into the collection in one step. The session id is the request id: a retry after a lost answer gets
 * the same answer and changes nothing.
 */
export async function commitPush(request: AuthedRequest, env: Env): Promise<Response> {
  const session = sessionParam(request);
  const body = await readBody(request, CommitRequest, SYNC_BODY_LIMIT);
  const userId = request.user.id;
  const done = await completedResponse(env.DB, userId, session);
  if (done === ABANDONED) throw abandoned();
  if (done) return answer(env, userId, JSON.parse(done) as Remembered);
  const relay = await findCollection(env.DB, userId);
  if (!relay) throw new StatusError(409, "this account holds no collection yet; a full upload must come first");
  if (relay.usn !== body.baseUsn) throw stale();
  const rows = toStagedRows(body.objects);
  await requireSessionKind(env.DB, userId, session, "push");
  // The records sent with the commit are staged too, within the same bounds as a chunk's.
  if (rows.length > 0) await assertRoomToStage(env.DB, userId, session, body.chunks, rows);
  if (rows.length > 0) {
    await env.DB.batch([
      openSession(env.DB, userId, session, "push", Date.now()),
      ...stageChunk(env.DB, userId, session, body.chunks, rows),
    ]);
  }
  const expected = body.chunks + (rows.length > 0 ? 1 : 0);
  const present = await stagedChunks(env.DB, userId, session);
  if (present.length !== expected || present.some((c, i) => c !== i)) {
    throw new StatusError(
      400,
      `expected chunks 0 to ${expected - 1} to be staged, but the relay has ${present.length}`,
    );
  }
  const orphan = await findOrphan(env.DB, userId, session, false);
  if (orphan) {
    await env.DB.batch(clearSession(env.DB, userId, session));
    const parent = orphan.kind === "note" ? "note type" : "note";
    throw new StatusError(
      422,
      `${orphan.kind} ${orphan.id} refers to ${parent} ${orphan.ref}, which the relay does not have; nothing was changed`,
    );
  }
  // What the relay keeps instead of a pushed record goes back in the answer (and in the remembered answer), and so
  // does what the push's deletions take with them that the device did not send (another device's new card of a
  // deleted note): the device applies both.
  const lost = await losingRecords(env.DB, userId, session, LOST_LIMIT + 1);
  const cascaded = await cascadedDeletions(env.DB, userId, session);
  const back = [...lost, ...cascaded.map((record) => cascadedObject(record, body.baseUsn + 1))];
  const applied = await applicableCount(env.DB, userId, session);
  const changes = applied > 0 || cascaded.length > 0;
  const outcome = { applied, lost: back.slice(0, LOST_LIMIT), lostTruncated: back.length > LOST_LIMIT };
  const now = Date.now();
  const results = await commitOrAbandoned(env.DB, userId, session, [
    ...commitPushStatements(env.DB, userId, session, body.baseUsn, now, outcome, cascaded, changes),
    ...cleanupStatements(env.DB, userId, now),
  ]);
  // The usn moved on (or, for a push that changes nothing, the answer was recorded) only at the base usn.
  if ((results[changes ? 3 : 0]?.meta.changes ?? 0) !== 1) throw stale();
  return answer(env, userId, { usn: body.baseUsn + (changes ? 1 : 0), ...outcome });
}

function stale(): StatusError {
  const error = new StatusError(409, "another device synced first; pull its changes and commit again");
  error.code = "stale";
  return error;
}

type Remembered = Pick<CommitResponse, "usn" | "lost" | "lostTruncated"> & { applied?: number };

/** The answer to a commit, the same whenever it is asked for again; only the digest is read anew. */
async function answer(env: Env, userId: number, committed: Remembered): Promise<Response> {
  // Another device may have committed since: the digest says at which usn it was taken.
  const now = await digestAt(env.DB, userId);
  const body: CommitResponse = {
    usn: committed.usn,
    applied: committed.applied ?? -1,
    lost: committed.lost ?? [],
    lostTruncated: committed.lostTruncated ?? false,
    digest: now.digest,
    digestUsn: now.collection?.usn ?? committed.usn,
  };
  return Response.json(body);
}
