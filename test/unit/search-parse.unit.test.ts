import { describe, expect, it } from "vitest";
import { parseSearch, wildcard } from "../../shared/search/parse";

describe("parsing searches", () => {
  it.each([
    ["", { kind: "all" }],
    ["dog", { kind: "text", pattern: "dog" }],
    ['"a dog"', { kind: "text", pattern: "a dog" }],
    [
      "dog cat",
      {
        kind: "and",
        children: [
          { kind: "text", pattern: "dog" },
          { kind: "text", pattern: "cat" },
        ],
      },
    ],
    [
      "dog and cat",
      {
        kind: "and",
        children: [
          { kind: "text", pattern: "dog" },
          { kind: "text", pattern: "cat" },
        ],
      },
    ],
    [
      "dog or cat",
      {
        kind: "or",
        children: [
          { kind: "text", pattern: "dog" },
          { kind: "text", pattern: "cat" },
        ],
      },
    ],
    ["-dog", { kind: "not", child: { kind: "text", pattern: "dog" } }],
    [
      "- dog",
      {
        kind: "and",
        children: [
          { kind: "text", pattern: "-" },
          { kind: "text", pattern: "dog" },
        ],
      },
    ],
    ['deck:"Lang::Spanish verbs"', { kind: "deck", pattern: "Lang::Spanish verbs" }],
    ["tag:verb*", { kind: "tag", pattern: "verb*" }],
    ["note:Basic", { kind: "notetype", pattern: "Basic" }],
    ["card:2", { kind: "template", pattern: "2" }],
    ["front:dog", { kind: "field", field: "front", pattern: "dog" }],
    ['"back:a dog"', { kind: "field", field: "back", pattern: "a dog" }],
    ["is:due", { kind: "is", state: "due" }],
    ["flag:1", { kind: "flag", flag: 1 }],
    ["added:7", { kind: "added", days: 7 }],
    ["rated:1", { kind: "rated", days: 1 }],
    ["nid:1,2", { kind: "nid", ids: [1, 2] }],
    [
      "(a or b) -tag:x",
      {
        kind: "and",
        children: [
          {
            kind: "or",
            children: [
              { kind: "text", pattern: "a" },
              { kind: "text", pattern: "b" },
            ],
          },
          { kind: "not", child: { kind: "tag", pattern: "x" } },
        ],
      },
    ],
    [
      "a or b c",
      {
        kind: "or",
        children: [
          { kind: "text", pattern: "a" },
          {
            kind: "and",
            children: [
              { kind: "text", pattern: "b" },
              { kind: "text", pattern: "c" },
            ],
          },
        ],
      },
    ],
  ])("%j", (input, tree) => {
    expect(parseSearch(input)).toEqual({ ok: true, value: tree });
  });

  it.each([
    ["(dog", /parenthesis is not closed/],
    ["dog)", /\) without a matching \(/],
    ['"dog', /quotation mark is not closed/],
    ["is:sleepy", /is:sleepy is not known; use one of is:new/],
    ["flag:9", /flag: takes a whole number from 0 to 7/],
    ["added:x", /added: takes a whole number/],
    ["or dog", /"or" needs something/],
    ["nid:abc", /nid: takes ids/],
  ])("refuses %j in words", (input, words) => {
    const result = parseSearch(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(words);
  });

  it("wildcards: * any run, _ one character, case-insensitive, regex characters literal", () => {
    expect(wildcard("d*g", { whole: true }).test("Doing")).toBe(true);
    expect(wildcard("d_g", { whole: true }).test("dig")).toBe(true);
    expect(wildcard("d_g", { whole: true }).test("drag")).toBe(false);
    expect(wildcard("a.b", { whole: false }).test("axb")).toBe(false);
    expect(wildcard("(x)", { whole: false }).test("f(x)")).toBe(true);
  });
});
