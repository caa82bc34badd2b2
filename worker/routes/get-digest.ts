import { digest, findCollection } from "../db/collections";
import type { AuthedRequest } from "../lib/with-auth";

/** GET /v1/sync/digest: counts and mtime sums of every kind, for the check after a sync. */
export async function getDigest(request: AuthedRequest, env: Env): Promise<Response> {
  const relay = await findCollection(env.DB, request.user.id);
  return Response.json({ usn: relay?.usn ?? 0, digest: await digest(env.DB, request.user.id) });
}
