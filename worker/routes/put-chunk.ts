import { StatusError } from "itty-router";
import { ObjectBatch } from "../../shared/sync/protocol";
import {
  ABANDONED,
  abandoned,
  assertRoomToStage,
  completedResponse,
  openSession,
  requireSessionKind,
  stageChunk,
} from "../db/collections";
import { readBody } from "../lib/request";
import { chunkParam, SYNC_BODY_LIMIT, sessionParam, toStagedRows } from "../lib/sync-input";
import type { AuthedRequest } from "../lib/with-auth";

/**
 * PUT /v1/sync/pushes/:session/chunks/:chunk and /v1/sync/uploads/:session/chunks/:chunk: stages records for a
 * later commit. Sending the same chunk again replaces it, so a retry has no double effect.
 */
export function putChunk(kind: "push" | "upload") {
  return async (request: AuthedRequest, env: Env): Promise<Response> => {
    const session = sessionParam(request);
    const chunk = chunkParam(request);
    const { objects } = await readBody(request, ObjectBatch, SYNC_BODY_LIMIT);
    const rows = toStagedRows(objects);
    const done = await completedResponse(env.DB, request.user.id, session);
    if (done === ABANDONED) throw abandoned();
    if (done)
      throw new StatusError(
        409,
        `session ${session} was committed already; send a new push or upload under a new session id`,
      );
    await requireSessionKind(env.DB, request.user.id, session, kind);
    await assertRoomToStage(env.DB, request.user.id, session, chunk, rows);
    await env.DB.batch([
      openSession(env.DB, request.user.id, session, kind, Date.now()),
      ...stageChunk(env.DB, request.user.id, session, chunk, rows),
    ]);
    return Response.json({ staged: rows.length });
  };
}
