// Anki's sync protocol compresses every body with zstd. Requests are read with fzstd; answers are written as zstd
// frames of raw (stored) blocks: valid zstd that every decoder reads, without a compressor in the Worker. They are
// no smaller than the data, which the relay's answers to Anki's apps (JSON, and collection files) can afford.
import { decompress } from "fzstd";

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

/** The data of a zstd body, refusing one that expands past `limit` bytes; null when it is not zstd. */
export function unzstd(body: Uint8Array, limit: number): Uint8Array | null {
  try {
    const data = decompress(body);
    return data.length > limit ? null : data;
  } catch {
    return null;
  }
}
