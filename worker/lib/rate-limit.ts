import { StatusError } from "itty-router";

// Failed password checks, counted in fixed windows of 15 minutes. The threat model is in docs/security.md.
// - One address and one account: 10. Whoever guesses from one address stops there.
// - One address, any accounts: 30. Guessing many accounts from one address stops there.
// - One account, any addresses: 50, so an account can be guessed at most 50 times in 15 minutes (200 an hour,
//   4,800 a day) however many addresses guess. An address from which the account signed in successfully in the last
//   30 days is held for that account only by the first limit: strangers, elsewhere or behind the same address,
//   cannot lock the owner out of where they sign in, and the owner's signed-in browsers never need a password.
// Each attempt is counted before the password is checked, in one statement per key run as one batch, so parallel
// attempts cannot slip past the limit. An attempt that is refused, or whose password is right, is taken back, so
// the counts hold the passwords actually checked and found wrong (a refused burst does not spend the account's
// limit for everyone).
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const FAILURES_PER_PAIR = 10;
export const FAILURES_PER_ADDRESS = 30;
export const FAILURES_PER_ACCOUNT = 50;
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60 * 1000;

export interface LoginKeys {
  usernameKey: string;
  address: string;
}

interface Counted {
  key: string;
  limit: number;
}

function keys({ usernameKey, address }: LoginKeys): Counted[] {
  return [
    { key: `pair:${usernameKey} ${address}`, limit: FAILURES_PER_PAIR },
    { key: `addr:${address}`, limit: FAILURES_PER_ADDRESS },
    { key: `user:${usernameKey}`, limit: FAILURES_PER_ACCOUNT },
  ];
}

const knownKey = ({ usernameKey, address }: LoginKeys) => `${usernameKey} ${address}`;

/**
 * Counts this attempt against each limit; throws 429 with Retry-After when one is spent (the account's own limit
 * does not stop an address the account signed in from). Call `settleLoginAttempt` after checking the password.
 */
export async function claimLoginAttempt(db: D1Database, who: LoginKeys, now: number): Promise<void> {
  const counted = keys(who);
  const cutoff = now - LOGIN_WINDOW_MS;
  const results = await db.batch<{ count: number; window_start: number }>([
    ...counted.map(({ key }) => countStatement(db, key, now, cutoff)),
    db
      .prepare("SELECT last_success AS count, 0 AS window_start FROM login_known WHERE key = ?1 AND last_success > ?2")
      .bind(knownKey(who), now - KNOWN_ADDRESS_MS),
  ]);
  const known = (results[counted.length]?.results.length ?? 0) > 0;
  for (const [index, { key, limit }] of counted.entries()) {
    const row = results[index]?.results[0];
    if (!row || row.count <= limit) continue;
    // An address the account signed in from is held only by the limit of that account there.
    if (known && !key.startsWith("pair:")) continue;
    await takeBack(db, counted);
    const retryAfter = Math.max(1, Math.ceil((row.window_start + LOGIN_WINDOW_MS - now) / 1000));
    const error = new StatusError(
      429,
      `too many failed sign-in attempts; try again in ${Math.ceil(retryAfter / 60)} minute(s)`,
    );
    error.retryAfter = retryAfter;
    throw error;
  }
}

/**
 * After the password check: a failure stays counted; a success is taken back from every count, clears the
 * failures of this address for this account, and remembers the address as one the account signs in from.
 */
export async function settleLoginAttempt(db: D1Database, who: LoginKeys, now: number, ok: boolean): Promise<void> {
  if (!ok) return;
  const [pair, ...others] = keys(who);
  await db.batch([
    db.prepare("DELETE FROM login_failures WHERE key = ?1").bind(pair?.key),
    ...takeBackStatements(db, others),
    db
      .prepare(
        `INSERT INTO login_known (key, last_success) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET last_success = ?2`,
      )
      .bind(knownKey(who), now),
  ]);
}

/** Counts one more in the key's window; a window that began at or before `cutoff` starts again at one. */
function countStatement(db: D1Database, key: string, now: number, cutoff: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO login_failures (key, window_start, count) VALUES (?1, ?2, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN window_start <= ?3 THEN 1 ELSE count + 1 END,
         window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END
       RETURNING count, window_start`,
    )
    .bind(key, now, cutoff);
}

function takeBackStatements(db: D1Database, counted: Counted[]): D1PreparedStatement[] {
  return counted.map(({ key }) =>
    db.prepare("UPDATE login_failures SET count = max(0, count - 1) WHERE key = ?1").bind(key),
  );
}

async function takeBack(db: D1Database, counted: Counted[]): Promise<void> {
  await db.batch(takeBackStatements(db, counted));
}

/** Accounts one address may create in a day, unless the relay's owner sets SIGNUPS_PER_ADDRESS_PER_DAY. */
export const SIGNUPS_PER_ADDRESS = 10;
export const SIGNUP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Counts a sign-up from this address; throws 429 when the address has created its share of accounts today. A
 * request without the client's address (never the case behind Cloudflare) is not counted. Returns the take-back for
 * a sign-up that then creates nothing.
 */
export async function claimSignUp(
  db: D1Database,
  address: string,
  now: number,
  limit: number,
): Promise<() => Promise<void>> {
  if (address === "unknown") return async () => undefined;
  const counted = [{ key: `signup:${address}`, limit }];
  const [row] =
    (
      await db.batch<{ count: number; window_start: number }>([
        countStatement(db, counted[0]?.key ?? "", now, now - SIGNUP_WINDOW_MS),
      ])
    )[0]?.results ?? [];
  if (row && row.count > limit) {
    await takeBack(db, counted);
    const retryAfter = Math.max(1, Math.ceil((row.window_start + SIGNUP_WINDOW_MS - now) / 1000));
    const error = new StatusError(
      429,
      `this address has created ${limit} accounts today, the most a day; try again in ${Math.ceil(retryAfter / 3600)} hour(s)`,
    );
    error.retryAfter = retryAfter;
    throw error;
  }
  return () => takeBack(db, counted);
}
