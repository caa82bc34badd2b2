import { describe, expect, it } from "vitest";
import { mediaNameProblem, mediaVersionWins, sameMediaContent, utf8Length } from "../../shared/media";

const A = "a".repeat(40);
const B = "b".repeat(40);

describe("the media merge rule", () => {
  it("the later version wins; at equal times a file beats a deletion, then the greater hash; both sides agree", () => {
    expect(mediaVersionWins({ sha1: A, mtime: 2 }, { sha1: B, mtime: 1 })).toBe(true);
    expect(mediaVersionWins({ sha1: null, mtime: 2 }, { sha1: B, mtime: 1 })).toBe(true);
    expect(mediaVersionWins({ sha1: null, mtime: 1 }, { sha1: A, mtime: 1 })).toBe(false);
    expect(mediaVersionWins({ sha1: A, mtime: 1 }, { sha1: null, mtime: 1 })).toBe(true);
    expect(mediaVersionWins({ sha1: B, mtime: 1 }, { sha1: A, mtime: 1 })).toBe(true);
    // Whichever side looks, exactly one of two different versions wins.
    for (const [x, y] of [
      [
        { sha1: A, mtime: 5 },
        { sha1: B, mtime: 5 },
      ],
      [
        { sha1: null, mtime: 5 },
        { sha1: A, mtime: 5 },
      ],
      [
        { sha1: A, mtime: 4 },
        { sha1: null, mtime: 9 },
      ],
    ] as const) {
      expect(mediaVersionWins(x, y)).toBe(!mediaVersionWins(y, x));
    }
    expect(sameMediaContent({ sha1: null, mtime: 1 }, { sha1: null, mtime: 7 })).toBe(true);
  });

  it("names: UTF-8 bytes are counted, and 120 is the most", () => {
    expect(utf8Length("aé日😀")).toBe(1 + 2 + 3 + 4);
    expect(mediaNameProblem(`${"日".repeat(40)}`)).toBeNull();
    expect(mediaNameProblem(`${"日".repeat(40)}x`)).toContain("121 bytes");
    expect(mediaNameProblem(" padded.png")).toContain("spaces");
  });
});
