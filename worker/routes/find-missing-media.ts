import { MediaMissingRequest } from "../../shared/protocol/media";
import { missingBlobs } from "../db/media";
import { readBody } from "../lib/request";
import type { AuthedRequest } from "../lib/with-auth";

const BODY_LIMIT = 64 * 1024;

/**
 * POST /v1/media/missing with { sha1s }: the hashes of files the account does not hold yet, so that a device
 * uploads only those (and an interrupted sync does not send finished files again).
 */
export async function findMissingMedia(request: AuthedRequest, env: Env): Promise<Response> {
  const { sha1s } = await readBody(request, MediaMissingRequest, BODY_LIMIT);
  const missing = sha1s.length === 0 ? [] : await missingBlobs(env.DB, request.user.id, sha1s, Date.now());
  return Response.json({ missing });
}
