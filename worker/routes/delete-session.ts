import { deleteSession as removeSession } from "../db/accounts";
import type { AuthedRequest } from "../lib/with-auth";

/** DELETE /v1/sessions/current: log out; the token stops working at once. */
export async function deleteSession(request: AuthedRequest, env: Env): Promise<Response> {
  await removeSession(env.DB, request.tokenHash);
  return new Response(null, { status: 204 });
}
