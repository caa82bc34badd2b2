// The relay answers Anki's apps in zstd frames of stored blocks: any zstd decoder reads back the same bytes,
// across the 128 KiB block boundary and for nothing at all.
import { decompress } from "fzstd";
import { describe, expect, it } from "vitest";
import { unzstd, zstdStored } from "../../worker/anki/zstd";

describe("zstd frames of stored blocks", () => {
  it("read back the same bytes for empty, small and multi-block data", () => {
    for (const size of [0, 1, 1000, 128 * 1024, 128 * 1024 + 1, 300_000]) {
      const data = new Uint8Array(size).map((_, i) => (i * 31 + 7) % 251);
      // Compared as buffers: a deep equality over 300,000 elements takes seconds.
      expect(Buffer.from(decompress(zstdStored(data))).equals(Buffer.from(data)), `${size} bytes`).toBe(true);
      const read = unzstd(zstdStored(data), size);
      expect(read && Buffer.from(read).equals(Buffer.from(data))).toBe(true);
    }
  });

  it("a body that is not zstd, or that expands past the limit, is refused", () => {
    expect(unzstd(new TextEncoder().encode('{"u":"a"}'), 1000)).toBeNull();
    expect(unzstd(zstdStored(new Uint8Array(2000)), 1000)).toBeNull();
  });

  it("a tiny frame declaring a huge size or window, or repeating one byte for gigabytes, is refused before it expands", () => {
    const magic = [0x28, 0xb5, 0x2f, 0xfd];
    // Single segment, an 8-byte content size of 100 MB, then one empty raw block.
    const size = [0, 0xe1, 0xf5, 0x05, 0, 0, 0, 0];
    const declared = new Uint8Array([...magic, 0xe0, ...size, 0x01, 0, 0]);
    expect(unzstd(declared, 16 * 1024)).toBeNull();
    // No content size, a window of 2 GiB.
    expect(unzstd(new Uint8Array([...magic, 0x00, 0xa8, 0x01, 0, 0]), 16 * 1024)).toBeNull();
    // A 128 KiB window and 4,000 RLE blocks of 128 KiB each (about 500 MiB from 16 KB): stopped at the limit.
    const rle: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const header = (i === 3999 ? 1 : 0) | (1 << 1) | ((128 * 1024) << 3);
      rle.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x41);
    }
    expect(unzstd(new Uint8Array([...magic, 0x00, 0x38, ...rle]), 16 * 1024)).toBeNull();
  });
});
