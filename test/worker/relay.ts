// Small helpers for talking to the relay under test, as a client on the network would.
import { env, SELF } from "cloudflare:test";
import type { CollectionDigest, SyncKind } from "../../shared/sync/protocol";

export const BASE = "https://relay.test";

export interface Call {
  method?: string;
  path: string;
  body?: unknown;
  raw?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
}

export async function call({ method = "GET", path, body, raw, token, headers = {} }: Call) {
  const all: Record<string, string> = { ...headers };
  if (body !== undefined && !("content-type" in all)) all["content-type"] = "application/json";
  if (token) all.authorization = `Bearer ${token}`;
  const response = await SELF.fetch(`${BASE}${path}`, {
    method,
    headers: all,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json: json as Record<string, unknown> | null };
}

let counter = 0;
/** A username unique within this test file, so that tests sharing the file's database do not collide. */
export function uniqueName(prefix = "user"): string {
  counter += 1;
  return `${prefix}${counter}`;
}

export async function signUp(username = uniqueName(), password = "correct horse battery") {
  const response = await call({ method: "POST", path: "/v1/accounts", body: { username, password } });
  if (response.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(response.json)}`);
  return { username, password, token: String(response.json?.token) };
}

/** The digest counted from every row of `objects`: what the relay's kept counts (object_counts) must equal. */
export async function recountedDigest(userId: number): Promise<CollectionDigest> {
  const { results } = await env.DB.prepare(
    `SELECT kind, SUM(deleted = 0) AS live, SUM(deleted = 1) AS deleted,
            SUM(CASE WHEN deleted = 0 THEN mtime % 1000003 ELSE 0 END) AS mtimeSum
     FROM objects WHERE user_id = ?1 GROUP BY kind`,
  )
    .bind(userId)
    .all<{ kind: SyncKind; live: number; deleted: number; mtimeSum: number }>();
  return Object.fromEntries(results.map(({ kind, ...counts }) => [kind, counts]));
}

/** Deletes an account as its owner does (DELETE /v1/accounts/current with the password). */
export function deleteAccount(account: { token: string; password: string }) {
  return call({
    method: "DELETE",
    path: "/v1/accounts/current",
    token: account.token,
    body: { password: account.password },
  });
}

/** How many rows a table holds for a user. */
export async function rowsOf(table: string, userId: number | undefined): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?1`)
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
