import { StatusError } from "itty-router";
import { MAX_MEDIA_BYTES } from "../../shared/media";
import type { MediaUploaded } from "../../shared/protocol/media";
import { dropReservation, findBlob, markBlobReady, mediaUsage, reserveBlob } from "../db/media";
import { blobKey } from "../lib/media-bucket";
import { mebibytes, sha1Param } from "../lib/media-input";
import type { AuthedRequest } from "../lib/with-auth";

/**
 * PUT /v1/media/files/:sha1 with the file's bytes: stores a file, once per account and content. R2 checks the bytes
 * against the SHA-1 in the path and stores nothing when they differ. The room is reserved against the account's
 * quota before the bytes are read. Sending a file the account already holds changes nothing.
 */
export async function putMediaFile(request: AuthedRequest, env: Env): Promise<Response> {
  const sha1 = sha1Param(request);
  const userId = request.user.id;
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/octet-stream\s*(;|$)/i.test(type)) {
    throw new StatusError(415, "send the file's bytes with Content-Type: application/octet-stream");
  }
  const lengthHeader = request.headers.get("content-length");
  if (lengthHeader === null || !/^\d{1,12}$/.test(lengthHeader)) {
    throw new StatusError(411, "send the file with a Content-Length header giving its size in bytes");
  }
  const size = Number(lengthHeader);
  if (size > MAX_MEDIA_BYTES) {
    throw new StatusError(
      413,
      `the file is ${mebibytes(size)}; files of at most ${mebibytes(MAX_MEDIA_BYTES)} are accepted`,
    );
  }
  const uploaded: MediaUploaded = { sha1, size };
  const now = Date.now();
  if (!(await reserveBlob(env.DB, userId, sha1, size, now))) {
    // Nothing reserved: the account holds this file already, or it would not fit.
    const existing = await findBlob(env.DB, userId, sha1);
    if (existing?.ready) return Response.json({ ...uploaded, size: existing.size });
    const usage = await mediaUsage(env.DB, userId);
    const error = new StatusError(
      413,
      `this account's media would exceed its quota of ${mebibytes(usage.quota)} (${mebibytes(usage.bytes)} used, ` +
        `this file ${mebibytes(size)}); delete unused files with Check Media, or ask the relay's owner for more room`,
    );
    error.code = "quota";
    throw error;
  }
  try {
    // The stream must deliver exactly the declared length, or the upload fails and nothing is stored.
    const { readable, writable } = new FixedLengthStream(size);
    const piped = (request.body ?? new Blob([]).stream()).pipeTo(writable).catch(() => {});
    await env.MEDIA.put(blobKey(userId, sha1), readable, { sha1 });
    await piped;
  } catch (error) {
    await dropReservation(env.DB, userId, sha1);
    const message = String((error as Error).message ?? "");
    if (/sha-?1|checksum|digest|10037/i.test(message)) {
      throw new StatusError(400, `the bytes sent do not have the SHA-1 ${sha1}; the file was not stored`);
    }
    if (/length|stream|closed|10004/i.test(message)) {
      throw new StatusError(400, `the body ended before the ${size} bytes its Content-Length announced`);
    }
    throw error;
  }
  await markBlobReady(env.DB, userId, sha1, now);
  return Response.json(uploaded, { status: 201 });
}
