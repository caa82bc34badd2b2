// Anki's sync protocol compresses every body with zstd. Requests are read with fzstd; answers are written as zstd
// frames of raw (stored) blocks: valid zstd that every decoder reads, without a compressor in the Worker. They are
// no smaller than the data, which the relay's answers to Anki's apps (JSON, and collection files) can afford.
import { Decompress } from "fzstd";

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Window_Descriptor for a 128 KiB window (exponent 7): blocks of up to 128 KiB. */
const WINDOW_128_KIB = 7 << 3;
const BLOCK = 128 * 1024;

/** A zstd frame holding `data` in raw blocks. */
export function zstdStored(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const blocks = Math.max(1, Math.ceil(data.length / BLOCK));
  const out = new Uint8Array(new ArrayBuffer(4 + 2 + blocks * 3 + data.length));
  out.set(MAGIC, 0);
  // Frame_Header_Descriptor: no content size, no checksum, no dictionary; then the window.
  out[4] = 0;
  out[5] = WINDOW_128_KIB;
  let at = 6;
  for (let i = 0; i < blocks; i++) {
    const part = data.subarray(i * BLOCK, (i + 1) * BLOCK);
    const last = i === blocks - 1 ? 1 : 0;
    // Block_Header, 3 bytes little-endian: Last_Block, Block_Type 0 (raw), Block_Size.
    const header = last | (0 << 1) | (part.length << 3);
    out[at] = header & 0xff;
    out[at + 1] = (header >> 8) & 0xff;
    out[at + 2] = (header >> 16) & 0xff;
    out.set(part, at + 3);
    at += 3 + part.length;
  }
  return out;
}

/** The largest window a request's frame may ask for: a decoder keeps a buffer of that size. */
const MAX_WINDOW = 8 * 1024 * 1024;

/**
 * The data of a zstd body, or null when it is not zstd or would expand past `limit` bytes. The frame header is read
 * first, so that a frame declaring a huge size or window is refused before a decoder allocates for it, and the
 * data is counted while it expands (a few bytes of repeated blocks can stand for gigabytes).
 */
export function unzstd(body: Uint8Array, limit: number): Uint8Array | null {
  const data = expand(body, limit);
  return typeof data === "string" ? null : data;
}

/** As unzstd, saying why there is no data: the body is no zstd frame, or expands past `limit`. */
export function expand(body: Uint8Array, limit: number): Uint8Array | "invalid" | "too-large" {
  const header = headerWithin(body, limit);
  if (header !== "ok") return header;
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new Decompress((chunk) => {
      total += chunk.length;
      if (total > limit) throw new RangeError("too large");
      parts.push(chunk);
    });
    stream.push(body, true);
  } catch {
    return total > limit ? "too-large" : "invalid";
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Whether a zstd frame's header keeps its declared size within `limit` and its window within MAX_WINDOW. */
function headerWithin(body: Uint8Array, limit: number): "ok" | "invalid" | "too-large" {
  if (body.length < 6 || MAGIC.some((byte, i) => body[i] !== byte)) return "invalid";
  const descriptor = body[4] ?? 0;
  const sizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  let at = 5;
  if (!singleSegment) {
    const window = body[at] ?? 0;
    const base = 2 ** (10 + (window >> 3));
    if (base + (base / 8) * (window & 7) > MAX_WINDOW) return "too-large";
    at++;
  }
  at += [0, 1, 2, 4][descriptor & 3] ?? 0;
  const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag] ?? 0;
  if (sizeBytes === 0) return "ok";
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + (body[at + i] ?? 0);
  if (sizeBytes === 2) size += 256;
  return size <= limit ? "ok" : "too-large";
}
