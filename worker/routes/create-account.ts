import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import { type SessionCreated, SignUpRequest, usernameKey } from "../../shared/protocol/accounts";
import { insertUserWithSession } from "../db/accounts";
import { hashPassword } from "../lib/password";
import { claimSignUp, SIGNUPS_PER_ADDRESS } from "../lib/rate-limit";
import { clientAddress, readBody } from "../lib/request";
import { hashToken, newToken, sameSecret } from "../lib/tokens";

/** What the relay's owner set: SIGNUP ("open", "invitation" or "closed") and the secret SIGNUP_INVITATION. */
interface SignUpSettings {
  SIGNUP?: string;
  SIGNUP_INVITATION?: string;
  SIGNUPS_PER_ADDRESS_PER_DAY?: string;
}

/**
 * POST /v1/accounts: sign up, and be signed in at once. The relay's owner may close sign-up or require an
 * invitation code; each address may create a few accounts a day.
 */
export async function createAccount(request: IRequest, env: Env): Promise<Response> {
  // The generated Env types the values of wrangler.toml; a deployment may set any of them.
  const settings = env as unknown as SignUpSettings & { DB: D1Database };
  const mode = settings.SIGNUP ?? "open";
  if (mode === "closed") {
    throw new StatusError(403, "this relay does not take new accounts; its owner has closed sign-up");
  }
  const { username, password, invitation } = await readBody(request, SignUpRequest);
  const now = Date.now();
  const limit = Number(settings.SIGNUPS_PER_ADDRESS_PER_DAY ?? SIGNUPS_PER_ADDRESS) || SIGNUPS_PER_ADDRESS;
  const takeBack = await claimSignUp(env.DB, clientAddress(request), now, limit);
  if (mode === "invitation") {
    const expected = settings.SIGNUP_INVITATION ?? "";
    if (!invitation) {
      await takeBack();
      throw new StatusError(403, "this relay takes new accounts only with an invitation code; ask its owner for one");
    }
    // A wrong code stays counted against the address: codes cannot be guessed faster than accounts are made.
    if (expected === "" || !(await sameSecret(invitation, expected))) {
      throw new StatusError(403, "the invitation code is not right; ask the relay's owner for one");
    }
  } else if (mode !== "open") {
    throw new StatusError(500, `the relay's SIGNUP setting is "${mode}"; it must be open, invitation or closed`);
  }
  const token = newToken();
  const id = await insertUserWithSession(
    env.DB,
    { username, usernameKey: usernameKey(username), password: await hashPassword(password), now },
    await hashToken(token),
  );
  if (id === null) {
    await takeBack();
    throw new StatusError(409, `the username "${username}" is already taken`);
  }
  const body: SessionCreated = { token, username };
  return Response.json(body, { status: 201 });
}
