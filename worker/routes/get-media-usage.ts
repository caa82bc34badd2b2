import type { MediaUsage } from "../../shared/protocol/media";
import { mediaUsage, mediaUsn } from "../db/media";
import type { AuthedRequest } from "../lib/with-auth";

/** GET /v1/media/usage: the media usn, how many files and bytes the account stores, and its quota. */
export async function getMediaUsage(request: AuthedRequest, env: Env): Promise<Response> {
  const usage = await mediaUsage(env.DB, request.user.id);
  const body: MediaUsage = { usn: await mediaUsn(env.DB, request.user.id), ...usage };
  return Response.json(body);
}
