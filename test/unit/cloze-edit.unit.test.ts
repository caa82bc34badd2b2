import { describe, expect, it } from "vitest";
import { clozeNumberFor, wrapCloze } from "../../extension/lib/collection/cloze-edit";

describe("the cloze shortcuts", () => {
  it("Ctrl+Shift+C takes one past the highest cloze in any field; with Alt, the highest (at least 1)", () => {
    expect(clozeNumberFor(["", ""], false)).toBe(1);
    expect(clozeNumberFor(["", ""], true)).toBe(1);
    const fields = ["{{c1::Paris}} is the capital of {{c3::France}}", "{{c2::Europe}}"];
    expect(clozeNumberFor(fields, false)).toBe(4);
    expect(clozeNumberFor(fields, true)).toBe(3);
  });

  it("wraps the selection, or puts an empty cloze at the cursor, and says where the cursor goes", () => {
    expect(wrapCloze("Paris is in France", 12, 18, 2)).toEqual({ text: "Paris is in {{c2::France}}", cursor: 24 });
    expect(wrapCloze("ab", 1, 1, 1)).toEqual({ text: "a{{c1::}}b", cursor: 7 });
  });
});
