import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import type { z } from "zod";
import { check } from "../../shared/protocol/validate";

/** Largest body accepted by the account endpoints. */
export const SMALL_BODY_LIMIT = 16 * 1024;

/**
 * Reads a JSON body of at most `limit` bytes and validates it with `schema`. Every way the body can be wrong
 * becomes a StatusError with a sentence that says what to fix.
 */
export async function readBody<S extends z.ZodType>(
  request: IRequest,
  schema: S,
  limit = SMALL_BODY_LIMIT,
): Promise<z.output<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new StatusError(415, "send the body as JSON with Content-Type: application/json");
  }
  const text = await readText(request, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StatusError(400, "the body is not valid JSON");
  }
  const result = check(schema, parsed);
  if (!result.ok) throw new StatusError(400, result.error);
  return result.value;
}

/** The body's bytes, at most `limit` of them (413 past that, whether declared or streamed without a length). */
export async function readBytes(request: IRequest, limit: number): Promise<Uint8Array> {
  if (Number(request.headers.get("content-length") ?? "0") > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function readText(request: IRequest, limit: number): Promise<string> {
  const bytes = await readBytes(request, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new StatusError(400, "the body is not valid UTF-8");
  }
}

function tooLarge(limit: number): StatusError {
  return new StatusError(413, `the body is larger than the limit of ${limit} bytes`);
}

/** The client's address as Cloudflare reports it; requests that reach workerd directly share one bucket. */
export function clientAddress(request: IRequest): string {
  return request.headers.get("cf-connecting-ip") ?? "unknown";
}
