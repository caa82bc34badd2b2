// Anki's own sync protocol (the one Anki desktop and AnkiDroid speak to a "custom sync server"): POST
// /sync/<method> with a JSON header "anki-sync" ({ v: protocol version, k: the key from hostKey, c: client, s:
// session }) and a zstd body; answers are zstd with their size in "anki-original-size". docs/anki-protocol.md.
// The log-in (hostKey), meta, the full syncs (full-sync.ts) and the normal sync (normal-sync.ts) of the collection.
import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import { z } from "zod";
import { usernameKey } from "../../shared/protocol/accounts";
import { findSession, findUserByKey, insertSession } from "../db/accounts";
import { endAnkiSessionStatements } from "../db/anki";
import { countLive, findCollection } from "../db/collections";
import { verifyPasswordOrDummy } from "../lib/password";
import { claimLoginAttempt, settleLoginAttempt } from "../lib/rate-limit";
import { clientAddress, readBytes } from "../lib/request";
import { hashToken, newToken, TOKEN_PATTERN } from "../lib/tokens";
import { DownloadTooLarge, downloadFile, UploadRefused, uploadFile } from "./full-sync";
import { AnkiStatus, normalSync } from "./normal-sync";
import { expand, unzstd, zstdStored } from "./zstd";

/** Anki's sync versions 8 to 11 are the ones its current apps and server speak. */
const VERSIONS = { min: 8, max: 11 };
/** Most bytes of a request's data once expanded (the log-in is a few dozen). */
const HOST_KEY_LIMIT = 16 * 1024;
/**
 * Most bytes of a collection uploaded from Anki's apps, compressed or not: the Worker reads the whole file into
 * memory (128 MB an isolate) with sql.js, and the records it holds take more again (docs/scaling.md).
 */
const UPLOAD_LIMIT = 48 * 1024 * 1024;
/**
 * Most bytes of one request of a normal sync once expanded: a chunk of 250 notes is a few hundred kB in ordinary
 * use. The Worker holds the bytes, their text and the parsed records at once, within its 128 MB.
 */
const JSON_LIMIT = 8 * 1024 * 1024;
const NORMAL_METHODS = new Set([
  "start",
  "applyGraves",
  "applyChanges",
  "chunk",
  "applyChunk",
  "sanityCheck2",
  "finish",
  "abort",
]);

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
  const session = await sessionOf(env, header.k);
  if (!session) return plain(403, "Forbidden");
  const userId = session.userId;
  if (NORMAL_METHODS.has(method)) {
    const body = await readJson(request);
    if (body instanceof Response) return body;
    try {
      return zstdJson(await normalSync(method, body, { db: env.DB, userId, skey: header.s }));
    } catch (thrown) {
      if (thrown instanceof AnkiStatus) return plain(thrown.status, thrown.message);
      throw thrown;
    }
  }
  // Anki's own server ends a normal sync under way when any of these comes.
  await env.DB.batch(endAnkiSessionStatements(env.DB, userId));
  if (method === "meta") return meta(env, userId);
  if (method === "download") {
    let file: Uint8Array | null;
    try {
      file = await downloadFile(env.DB, userId);
    } catch (thrown) {
      // Anki's apps show the status of a failed download, not its words; the words are for the relay's log.
      if (thrown instanceof DownloadTooLarge) return plain(413, thrown.message);
      if (thrown instanceof UploadRefused) return plain(409, thrown.message);
      throw thrown;
    }
    if (!file) return plain(503, "the collection changed on the relay during the download; sync again");
    return zstdBytes(file);
  }
  if (method === "upload") return upload(request, env, userId);
  return plain(404, `Anki's sync has no method ${method.slice(0, 40)}`);
}

/**
 * meta: what Anki's apps decide the kind of sync from. Their usn is the next one the relay will give (the relay's
 * own is the last it gave); `mod` and `scm` are the collection's stamps; `empty` says it has no cards.
 */
async function meta(env: Env, userId: number): Promise<Response> {
  const relay = await findCollection(env.DB, userId);
  const cards = relay ? await countLive(env.DB, userId, "card") : 0;
  return zstdJson({
    mod: relay?.mtime ?? 0,
    scm: relay?.scm ?? 0,
    usn: (relay?.usn ?? 0) + 1,
    ts: Math.floor(Date.now() / 1000),
    msg: "",
    cont: true,
    hostNum: 0,
    empty: cards === 0,
    media_usn: 0,
  });
}

/** A request's body: zstd of JSON, or a Response saying what is wrong with it. */
async function readJson(request: IRequest): Promise<unknown> {
  const compressed = await readBytes(request, JSON_LIMIT).catch(() => null);
  const data = compressed ? expand(compressed, JSON_LIMIT) : "too-large";
  if (data === "too-large") return plain(413, `the request is larger than the relay takes (${JSON_LIMIT} bytes)`);
  if (data === "invalid") return plain(400, "the body is not a zstd frame");
  try {
    return data.length === 0
      ? {}
      : JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(data));
  } catch {
    return plain(400, "the body is not JSON");
  }
}

/** upload: the whole collection from Anki's apps. Anki shows any answer but "OK" to the person as it is. */
async function upload(request: IRequest, env: Env, userId: number): Promise<Response> {
  const limitText = `${UPLOAD_LIMIT / 1024 / 1024} MiB`;
  const compressed = await readBytes(request, UPLOAD_LIMIT).catch(() => null);
  const file = compressed ? expand(compressed, UPLOAD_LIMIT) : "too-large";
  if (file === "too-large") {
    return zstdText(
      `The collection is larger than this relay takes in one upload (${limitText}); nothing was changed on the relay.`,
    );
  }
  if (file === "invalid") return plain(400, "the upload is not a zstd frame");
  try {
    await uploadFile(env.DB, userId, file);
  } catch (thrown) {
    if (thrown instanceof UploadRefused) return zstdText(thrown.message);
    throw thrown;
  }
  return zstdText("OK");
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
function zstdBytes(data: Uint8Array): Response {
  return new Response(zstdStored(data), {
    headers: { "content-type": "application/octet-stream", "anki-original-size": String(data.length) },
  });
}

function zstdJson(value: unknown): Response {
  return zstdBytes(new TextEncoder().encode(JSON.stringify(value)));
}

function zstdText(text: string): Response {
  return zstdBytes(new TextEncoder().encode(text));
}

/** An error as Anki's own server answers it: the status and a line of text (Anki's apps show the status). */
function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
