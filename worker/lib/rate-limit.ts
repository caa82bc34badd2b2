import { StatusError } from "itty-router";
import { clearFailures, readFailures, recordFailure } from "../db/accounts";

// Failed password checks allowed per window, per username and per client address.
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const FAILURES_PER_USERNAME = 10;
export const FAILURES_PER_ADDRESS = 30;

export interface LoginKeys {
  usernameKey: string;
  address: string;
}

function keys({ usernameKey, address }: LoginKeys): [string, number][] {
  return [
    [`user:${usernameKey}`, FAILURES_PER_USERNAME],
    [`addr:${address}`, FAILURES_PER_ADDRESS],
  ];
}

/** Throws 429 with Retry-After when either key has used up its failures in the current window. */
export async function assertLoginAllowed(db: D1Database, who: LoginKeys, now: number): Promise<void> {
  for (const [key, limit] of keys(who)) {
    const row = await readFailures(db, key, now - LOGIN_WINDOW_MS);
    if (row && row.count >= limit) {
      const retryAfter = Math.max(1, Math.ceil((row.windowStart + LOGIN_WINDOW_MS - now) / 1000));
      const error = new StatusError(
        429,
        `too many failed sign-in attempts; try again in ${Math.ceil(retryAfter / 60)} minute(s)`,
      );
      error.retryAfter = retryAfter;
      throw error;
    }
  }
}

export async function noteLoginFailure(db: D1Database, who: LoginKeys, now: number): Promise<void> {
  await db.batch(keys(who).map(([key]) => recordFailure(db, key, now, now - LOGIN_WINDOW_MS)));
}

export async function noteLoginSuccess(db: D1Database, who: LoginKeys): Promise<void> {
  await clearFailures(db, `user:${who.usernameKey}`);
}
