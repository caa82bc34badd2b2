// Anki's own sync protocol (the one Anki desktop and AnkiDroid speak to a "custom sync server"): POST
// /sync/<method> with a JSON header "anki-sync" ({ v: protocol version, k: the key from hostKey, c: client, s:
// session }) and a zstd body; answers are zstd with their size in "anki-original-size". docs/anki-protocol.md.
// Served so far: the log-in (hostKey), and meta, which answers that the collection sync is not served yet, in
// words that Anki's apps show as they are (a "server message"); the other methods answer 501.
import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import { z } from "zod";
import { usernameKey } from "../../shared/protocol/accounts";
import { findSession, findUserByKey, insertSession } from "../db/accounts";
import { verifyPasswordOrDummy } from "../lib/password";
import { claimLoginAttempt, settleLoginAttempt } from "../lib/rate-limit";
import { clientAddress, readBytes } from "../lib/request";
import { hashToken, newToken, TOKEN_PATTERN } from "../lib/tokens";
import { unzstd, zstdStored } from "./zstd";

/** Anki's sync versions 8 to 11 are the ones its current apps and server speak. */
const VERSIONS = { min: 8, max: 11 };
/** Most bytes of a request's data once expanded (the log-in is a few dozen). */
const HOST_KEY_LIMIT = 16 * 1024;

const NOT_YET =
  "This Flashcard Relay signs Anki in, but does not sync a collection with Anki's apps yet: keep using the " +
  "browser extension for this collection for now.";

const SyncHeader = z.object({
  v: z.number().int(),
  k: z.string().max(200),
  c: z.string().max(200),
  s: z.string().max(200),
});
const HostKeyRequest = z.object({ u: z.string().min(1).max(500), p: z.string().min(1).max(1000) });

/** POST /sync/:method: Anki's sync, dispatched by method. */
export async function ankiSync(request: IRequest, env: Env): Promise<Response> {
  const header = readHeader(request);
  if (header.v < VERSIONS.min || header.v > VERSIONS.max) {
    return plain(400, `unsupported sync version: ${header.v}`);
  }
  const method = String(request.params.method ?? "");
  if (method === "hostKey") return hostKey(request, env);
  if (!(await sessionOf(env, header.k))) return plain(403, "Forbidden");
  if (method === "meta") {
    return zstdJson({
      mod: 0,
      scm: 0,
      usn: 0,
      ts: Math.floor(Date.now() / 1000),
      msg: NOT_YET,
      cont: false,
      hostNum: 0,
      empty: true,
      media_usn: 0,
    });
  }
  return plain(501, `${NOT_YET} (${method.slice(0, 40)})`);
}

function readHeader(request: IRequest): z.output<typeof SyncHeader> {
  const raw = request.headers.get("anki-sync");
  if (!raw) throw new StatusError(400, "the anki-sync header is missing");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new StatusError(400, "the anki-sync header is not JSON");
  }
  const checked = SyncHeader.safeParse(parsed);
  if (!checked.success) throw new StatusError(400, "the anki-sync header is not what Anki sends");
  return checked.data;
}

/** The account a key from hostKey belongs to (a session of the relay), or null. */
async function sessionOf(env: Env, key: string) {
  if (!TOKEN_PATTERN.test(key)) return null;
  return findSession(env.DB, await hashToken(key));
}

/** hostKey: Anki's log-in. The key it answers is a session of the account, as a log-in in the extension makes. */
async function hostKey(request: IRequest, env: Env): Promise<Response> {
  const compressed = await readBytes(request, HOST_KEY_LIMIT).catch(() => null);
  if (!compressed) return plain(413, "the log-in is larger than any log-in");
  const data = unzstd(compressed, HOST_KEY_LIMIT);
  if (!data) return plain(400, "the body is not a zstd frame of a log-in");
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return plain(400, "the log-in is not JSON");
  }
  const credentials = HostKeyRequest.safeParse(body);
  if (!credentials.success) return plain(400, "the log-in needs a username (u) and a password (p)");
  const { u: username, p: password } = credentials.data;
  const who = { usernameKey: usernameKey(username.normalize("NFKC").trim()), address: clientAddress(request) };
  const now = Date.now();
  await claimLoginAttempt(env.DB, who, now);
  const user = await findUserByKey(env.DB, who.usernameKey);
  const valid = await verifyPasswordOrDummy(password.normalize("NFC"), user?.password ?? null);
  await settleLoginAttempt(env.DB, who, now, Boolean(user && valid));
  // Anki's apps take 403 for a wrong username or password, and say so.
  if (!user || !valid) return plain(403, "Forbidden");
  const token = newToken();
  await insertSession(env.DB, await hashToken(token), user.id, now);
  return zstdJson({ key: token });
}

/** An answer as Anki's apps read it: zstd, with the size of the data in anki-original-size. */
function zstdJson(value: unknown): Response {
  const data = new TextEncoder().encode(JSON.stringify(value));
  return new Response(zstdStored(data), {
    headers: { "content-type": "application/octet-stream", "anki-original-size": String(data.length) },
  });
}

/** An error as Anki's own server answers it: the status and a line of text (Anki's apps show the status). */
function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
