import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import { Credentials, type SessionCreated, usernameKey } from "../../shared/protocol/accounts";
import { findUserByKey, insertSession } from "../db/accounts";
import { verifyPasswordOrDummy } from "../lib/password";
import { claimLoginAttempt, settleLoginAttempt } from "../lib/rate-limit";
import { clientAddress, readBody } from "../lib/request";
import { hashToken, newToken } from "../lib/tokens";

/** POST /v1/sessions: log in with username and password, receiving a new bearer token. */
export async function createSession(request: IRequest, env: Env): Promise<Response> {
  const { username, password } = await readBody(request, Credentials);
  const who = { usernameKey: usernameKey(username), address: clientAddress(request) };
  const now = Date.now();
  await claimLoginAttempt(env.DB, who, now);
  const user = await findUserByKey(env.DB, who.usernameKey);
  const valid = await verifyPasswordOrDummy(password, user?.password ?? null);
  await settleLoginAttempt(env.DB, who, now, Boolean(user && valid));
  if (!user || !valid) throw new StatusError(401, "wrong username or password");
  const token = newToken();
  await insertSession(env.DB, await hashToken(token), user.id, now);
  const body: SessionCreated = { token, username: user.username };
  return Response.json(body);
}
