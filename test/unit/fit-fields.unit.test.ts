import { describe, expect, it } from "vitest";
import { fitFields } from "../../shared/model";

describe("fitting a note's fields to its note type", () => {
  it("adds missing fields empty", () => {
    expect(fitFields(["front", "back"], 4)).toEqual(["front", "back", "", ""]);
  });

  it("keeps the text of fields beyond the last in the last one, so nothing typed is lost", () => {
    expect(fitFields(["front", "back", "", "extra"], 2)).toEqual(["front", "back; extra"]);
    expect(fitFields(["front", "", "extra"], 2)).toEqual(["front", "extra"]);
    expect(fitFields(["only", "", ""], 1)).toEqual(["only"]);
  });

  it("leaves fields that already fit as they are, in a new list", () => {
    const fields = ["a", "b"];
    const fitted = fitFields(fields, 2);
    expect(fitted).toEqual(fields);
    expect(fitted).not.toBe(fields);
  });
});
