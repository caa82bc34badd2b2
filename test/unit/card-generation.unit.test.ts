import { describe, expect, it } from "vitest";
import { cardOrdinals, isBlank } from "../../shared/card-generation";
import type { NoteType } from "../../shared/model";
import { stockNoteTypes } from "../../shared/stock-notetypes";
import { clozeNumbers, parseTemplate, rendersNonEmpty } from "../../shared/template/parse";

const [basic, reversed, optional, typeIn, cloze] = stockNoteTypes(1, 0) as [
  NoteType,
  NoteType,
  NoteType,
  NoteType,
  NoteType,
];

describe("template parsing", () => {
  it("reads fields, filters and sections", () => {
    expect(parseTemplate("a {{Front}} {{#Back}}<i>{{text:Back}}</i>{{/Back}}{{^Extra}}none{{/Extra}}")).toEqual({
      ok: true,
      nodes: [
        { type: "text", text: "a " },
        { type: "field", name: "Front", filters: [] },
        { type: "text", text: " " },
        {
          type: "section",
          name: "Back",
          negated: false,
          children: [
            { type: "text", text: "<i>" },
            { type: "field", name: "Back", filters: ["text"] },
            { type: "text", text: "</i>" },
          ],
        },
        { type: "section", name: "Extra", negated: true, children: [{ type: "text", text: "none" }] },
      ],
    });
  });

  it.each([
    ["{{#A}}x", "Missing {{/A}}."],
    ["{{/A}}", "Found {{/A}}, but no section was opened."],
    ["{{#A}}{{/B}}", "Found {{/B}}, but expected {{/A}}."],
  ])("says what is wrong with %j", (source, error) => {
    expect(parseTemplate(source)).toEqual({ ok: false, error });
  });

  it("a front shows something only through the note's own non-empty fields", () => {
    const nodes = (s: string) => {
      const p = parseTemplate(s);
      if (!p.ok) throw new Error(p.error);
      return p.nodes;
    };
    expect(rendersNonEmpty(nodes("static text {{Tags}} {{Deck}}"), new Set(["A"]))).toBe(false);
    expect(rendersNonEmpty(nodes("{{#A}}{{B}}{{/A}}"), new Set(["B"]))).toBe(false);
    expect(rendersNonEmpty(nodes("{{#A}}{{B}}{{/A}}"), new Set(["A", "B"]))).toBe(true);
    expect(rendersNonEmpty(nodes("{{^A}}{{B}}{{/A}}"), new Set(["B"]))).toBe(true);
  });

  it("finds cloze numbers", () => {
    expect([...clozeNumbers("{{c1::a}} {{c12::b::hint}} {{c1::c}} {c3::no}")].sort()).toEqual([1, 12]);
  });
});

describe("card generation", () => {
  it.each([
    ["Basic", basic, ["q", "a"], [0]],
    ["Basic with an empty front", basic, ["", "a"], []],
    ["Basic with only markup in front", basic, ["<div><br></div>&nbsp;", "a"], []],
    ["Basic with an image front", basic, ['<img src="a.png">', ""], [0]],
    ["reversed", reversed, ["q", "a"], [0, 1]],
    ["reversed with an empty back", reversed, ["q", ""], [0]],
    ["optional reverse, not asked", optional, ["q", "a", ""], [0]],
    ["optional reverse, asked", optional, ["q", "a", "y"], [0, 1]],
    ["type in the answer", typeIn, ["q", "a"], [0]],
    ["cloze", cloze, ["{{c2::x}} {{c5::y}}", ""], [1, 4]],
    ["cloze without clozes", cloze, ["plain", "{{c1::in the wrong field}}"], []],
  ])("%s", (_name, noteType, fields, ords) => {
    expect(cardOrdinals(noteType, fields as string[])).toEqual(ords);
  });

  it("blank means nothing visible", () => {
    expect(isBlank(" <br/> &nbsp; <div></div>")).toBe(true);
    expect(isBlank("<b>x</b>")).toBe(false);
  });
});
