import { StatusError } from "itty-router";
import { ObjectBatch } from "../../shared/sync/protocol";
import {
  ABANDONED,
  abandoned,
  clearIdleSessions,
  completedResponse,
  IDLE_SESSION_MS,
  MAX_OPEN_SESSIONS,
  MAX_STAGED_BYTES,
  openSession,
  requireSessionKind,
  type StagedRow,
  stageChunk,
  stagedUsage,
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

/**
 * Refuses a chunk that would open more sessions than an account may have under way (429; sessions idle for an
 * hour give way first) or stage more than it may hold (413), in words.
 */
async function assertRoomToStage(db: D1Database, userId: number, session: string, chunk: number, rows: StagedRow[]) {
  let usage = await stagedUsage(db, userId, session, chunk);
  if (!usage.open && usage.sessions >= MAX_OPEN_SESSIONS) {
    await db.batch(clearIdleSessions(db, userId, Date.now() - IDLE_SESSION_MS));
    usage = await stagedUsage(db, userId, session, chunk);
    if (usage.sessions >= MAX_OPEN_SESSIONS) {
      const error = new StatusError(
        429,
        `this account has ${usage.sessions} syncs under way, the most at once; finish or cancel one, or try again within an hour`,
      );
      error.retryAfter = 60;
      throw error;
    }
  }
  const bytes = rows.reduce((sum, row) => sum + row.body.length + row.id.length, 0);
  if (usage.bytes + bytes > MAX_STAGED_BYTES) {
    throw new StatusError(
      413,
      `this account has ${Math.round(usage.bytes / 1024 / 1024)} MiB of sync data waiting to be committed; with this chunk it would pass the most, ${MAX_STAGED_BYTES / 1024 / 1024} MiB; commit or cancel the syncs under way`,
    );
  }
}
