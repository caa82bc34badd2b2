import { digestAt } from "../db/collections";
import type { AuthedRequest } from "../lib/with-auth";

/**
 * GET /v1/sync/digest: the collection's usn and identity, and counts and mtime sums of every kind at that usn, for
 * the check after a sync and for a device whose commit came too late to learn what happened meanwhile.
 */
export async function getDigest(request: AuthedRequest, env: Env): Promise<Response> {
  const { collection, digest } = await digestAt(env.DB, request.user.id);
  return Response.json({
    usn: collection?.usn ?? 0,
    collectionId: collection?.collectionId ?? null,
    scm: collection?.scm ?? null,
    digest,
  });
}
