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
});
