import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import { Credentials, type SessionCreated, usernameKey } from "../../shared/protocol/accounts";
import { insertUserWithSession } from "../db/accounts";
import { hashPassword } from "../lib/password";
import { readBody } from "../lib/request";
import { hashToken, newToken } from "../lib/tokens";

/** POST /v1/accounts: sign up, and be signed in at once. */
export async function createAccount(request: IRequest, env: Env): Promise<Response> {
  const { username, password } = await readBody(request, Credentials);
  const token = newToken();
  const id = await insertUserWithSession(
    env.DB,
    { username, usernameKey: usernameKey(username), password: await hashPassword(password), now: Date.now() },
    await hashToken(token),
  );
  if (id === null) throw new StatusError(409, `the username "${username}" is already taken`);
  const body: SessionCreated = { token, username };
  return Response.json(body, { status: 201 });
}
