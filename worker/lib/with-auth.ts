import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import { findSession, touchSession } from "../db/accounts";
import { hashToken, TOKEN_PATTERN } from "./tokens";

/** A session that has not been used for this long stops working; the person signs in again. */
export const SESSION_IDLE_LIMIT_MS = 180 * 24 * 60 * 60 * 1000;
// last_used_at is written at most this often, so that reads do not each cost a write.
const TOUCH_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface AuthedRequest extends IRequest {
  user: { id: number; username: string };
  tokenHash: string;
}

/** Middleware: resolves the bearer token to its user, or answers 401 with what is wrong. */
export async function withAuth(request: IRequest, env: Env): Promise<void> {
  const header = request.headers.get("authorization");
  if (!header) throw unauthorized("sign in first: this request needs an Authorization: Bearer <token> header");
  const match = /^Bearer (\S+)$/.exec(header);
  if (!match?.[1] || !TOKEN_PATTERN.test(match[1])) {
    throw unauthorized("the Authorization header must be 'Bearer ' followed by the token the relay gave at sign-in");
  }
  const tokenHash = await hashToken(match[1]);
  const session = await findSession(env.DB, tokenHash);
  if (!session) throw unauthorized("this token is not valid (signed out, revoked or never issued); sign in again");
  const now = Date.now();
  if (now - session.lastUsedAt > SESSION_IDLE_LIMIT_MS) {
    throw unauthorized("this session has expired after a long time unused; sign in again");
  }
  if (now - session.lastUsedAt > TOUCH_INTERVAL_MS) await touchSession(env.DB, tokenHash, now);
  const authed = request as AuthedRequest;
  authed.user = { id: session.userId, username: session.username };
  authed.tokenHash = tokenHash;
}

function unauthorized(message: string): StatusError {
  const error = new StatusError(401, message);
  error.authenticate = true;
  return error;
}
