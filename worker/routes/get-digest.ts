import { digest, findCollection } from "../db/collections";
import type { AuthedRequest } from "../lib/with-auth";

/**
 * GET /v1/sync/digest: the collection's usn and identity, and counts and mtime sums of every kind, for the check
 * after a sync and for a device whose commit came too late to learn what happened meanwhile.
 */
export async function getDigest(request: AuthedRequest, env: Env): Promise<Response> {
  const relay = await findCollection(env.DB, request.user.id);
  return Response.json({
    usn: relay?.usn ?? 0,
    collectionId: relay?.collectionId ?? null,
    scm: relay?.scm ?? null,
    digest: await digest(env.DB, request.user.id),
  });
}
