import { abandonStatements } from "../db/collections";
import { sessionParam } from "../lib/sync-input";
import type { AuthedRequest } from "../lib/with-auth";

/**
 * DELETE /v1/sync/pushes/:session and /v1/sync/uploads/:session: settles a commit whose answer never reached the
 * device. If it was committed, the answer is its usn; otherwise it never will be (a late commit of the session is
 * refused with 409 "abandoned") and what it staged is cleared: `{ usn: null }`. Asking again gives the same answer.
 */
export async function abandonSession(request: AuthedRequest, env: Env): Promise<Response> {
  const session = sessionParam(request);
  const results = await env.DB.batch(abandonStatements(env.DB, request.user.id, session, Date.now()));
  const row = results[1]?.results?.[0] as { response: string } | undefined;
  const answer = row ? (JSON.parse(row.response) as { usn?: number }) : {};
  return Response.json({ usn: typeof answer.usn === "number" ? answer.usn : null });
}
