import { StatusError } from "itty-router";
import type { AccountInfo } from "../../shared/protocol/accounts";
import { findUserById } from "../db/accounts";
import type { AuthedRequest } from "../lib/with-auth";

/** GET /v1/accounts/current: who this token belongs to. */
export async function getAccount(request: AuthedRequest, env: Env): Promise<Response> {
  const user = await findUserById(env.DB, request.user.id);
  if (!user) throw new StatusError(401, "this account no longer exists; sign up again");
  const body: AccountInfo = { username: user.username, createdAt: user.createdAt };
  return Response.json(body);
}
