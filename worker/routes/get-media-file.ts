import { StatusError } from "itty-router";
import { blobKey } from "../lib/media-bucket";
import { sha1Param } from "../lib/media-input";
import type { AuthedRequest } from "../lib/with-auth";

/** GET /v1/media/files/:sha1: the bytes of one of the account's files. Other accounts' files cannot be named. */
export async function getMediaFile(request: AuthedRequest, env: Env): Promise<Response> {
  const sha1 = sha1Param(request);
  const object = await env.MEDIA.get(blobKey(request.user.id, sha1));
  if (!object) throw new StatusError(404, `this account holds no file with SHA-1 ${sha1}`);
  return new Response(object.body, {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(object.size),
      etag: `"${sha1}"`,
      "cache-control": "private, no-store",
    },
  });
}
