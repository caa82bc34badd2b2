import { describe, expect, it } from "vitest";
import { type RenderContext, renderCloze, renderTemplate, soundTags } from "../../shared/template/render";

const context = (overrides: Partial<RenderContext> = {}): RenderContext => ({
  fields: {
    Front: "perro",
    Back: "<b>dog</b>",
    Extra: "",
    Text: "{{c1::Paris}} is in {{c2::France::country}}",
    Reading: "日本[にほん]語[ご]",
  },
  tags: ["animals", "es::vocab"],
  noteType: "Basic",
  deck: "Languages::Spanish",
  card: "Card 1",
  flag: 0,
  side: "question",
  ...overrides,
});

const render = (source: string, overrides: Partial<RenderContext> = {}) => {
  const result = renderTemplate(source, context(overrides));
  if (!result.ok) throw new Error(result.error);
  return result.html;
};

describe("rendering templates", () => {
  it.each([
    ["{{Front}}", "perro"],
    ["{{Back}}", "<b>dog</b>"],
    ["{{text:Back}}", "dog"],
    ["{{#Back}}has back{{/Back}}", "has back"],
    ["{{#Extra}}has extra{{/Extra}}", ""],
    ["{{^Extra}}no extra{{/Extra}}", "no extra"],
    ["{{Tags}}", "animals es::vocab"],
    ["{{Type}} / {{Deck}} / {{Subdeck}} / {{Card}}", "Basic / Languages::Spanish / Spanish / Card 1"],
    ["{{kana:Reading}}", "にほんご"],
    ["{{kanji:Reading}}", "日本語"],
    ["{{furigana:Reading}}", "<ruby><rb>日本</rb><rt>にほん</rt></ruby><ruby><rb>語</rb><rt>ご</rt></ruby>"],
    ["{{Missing}}", '<span class="template-error">{{Missing}}: there is no such field</span>'],
    ["\\(x^2\\) {{Front}}", "\\(x^2\\) perro"],
  ])("%s", (source, html) => {
    expect(render(source)).toBe(html);
  });

  it("{{FrontSide}} on the answer shows the rendered question", () => {
    expect(render("{{FrontSide}}<hr id=answer>{{Back}}", { side: "answer", frontSide: "perro" })).toBe(
      "perro<hr id=answer><b>dog</b>",
    );
  });

  it("hint: hides the field behind a link; an empty field gives nothing", () => {
    expect(render("{{hint:Back}}")).toMatch(
      /Show Back<\/a><span class="hint" style="display:none"><b>dog<\/b><\/span>/,
    );
    expect(render("{{hint:Extra}}")).toBe("");
  });

  it("type: gives an answer box on the question and the comparison on the back", () => {
    expect(render("{{type:Back}}")).toContain('<input type="text" id="typeans"');
    // Nothing typed: the expected answer alone.
    expect(render("{{type:Back}}", { side: "answer" })).toBe('<code id="typeans">dog</code>');
    expect(render("{{type:Back}}", { side: "answer", typed: "dog" })).toBe(
      '<code id="typeans"><span class="typeGood">dog</span></code>',
    );
    expect(render("{{type:Back}}", { side: "answer", typed: "dig" })).toBe(
      '<code id="typeans"><span class="typeGood">d</span><span class="typeBad">i</span><span class="typeGood">g</span>' +
        '<br><span id="typearrow">&darr;</span><br>' +
        '<span class="typeGood">d</span><span class="typeMissed">o</span><span class="typeGood">g</span></code>',
    );
  });

  it("type:cloze: expects this card's deletions, and what was typed is escaped", () => {
    const answer = render("{{type:cloze:Text}}", { clozeOrd: 1, side: "answer", typed: "<b>Pari" });
    expect(answer).toContain('<span class="typeBad">&lt;b&gt;</span><span class="typeGood">Pari</span>');
    expect(answer).not.toContain("<b>");
    expect(answer).toContain('<span class="typeGood">Pari</span><span class="typeMissed">s</span>');
    expect(answer).not.toContain("France");
  });

  it("chained filters run from the field outwards", () => {
    expect(render("{{text:cloze:Text}}", { clozeOrd: 1, side: "answer" })).toBe("Paris is in France");
  });

  it("a broken template says what is wrong", () => {
    expect(renderTemplate("{{#Front}}x", context())).toEqual({ ok: false, error: "Missing {{/Front}}." });
  });
});

describe("clozes", () => {
  it.each([
    [
      "{{c1::Paris}} is in {{c2::France::country}}",
      1,
      "question",
      '<span class="cloze" data-cloze="Paris">[...]</span> is in France',
    ],
    [
      "{{c1::Paris}} is in {{c2::France::country}}",
      2,
      "question",
      'Paris is in <span class="cloze" data-cloze="France">[country]</span>',
    ],
    ["{{c1::Paris}} is in {{c2::France::country}}", 2, "answer", 'Paris is in <span class="cloze">France</span>'],
    ["{{c1::a}} {{c1::b}}", 1, "answer", '<span class="cloze">a</span> <span class="cloze">b</span>'],
    [
      "{{c1::outer {{c2::inner}} text}}",
      2,
      "question",
      'outer <span class="cloze" data-cloze="inner">[...]</span> text',
    ],
    [
      "{{c1::outer {{c2::inner}} text}}",
      1,
      "question",
      '<span class="cloze" data-cloze="outer inner text">[...]</span>',
    ],
    ["{{c1::outer {{c2::inner}} text}}", 1, "answer", '<span class="cloze">outer inner text</span>'],
    ["no clozes", 1, "question", "no clozes"],
  ] as const)("%s (card %i, %s)", (text, ord, side, html) => {
    expect(renderCloze(text, ord, side, false)).toBe(html);
  });

  it("cloze-only: gives just this card's deletions", () => {
    expect(render("{{cloze-only:Text}}", { clozeOrd: 2 })).toBe("France");
  });
});

describe("sounds", () => {
  it("turn into play buttons that name the file, with the name escaped", () => {
    expect(soundTags('a [sound:hola.mp3] b [sound:x"y.ogg]')).toBe(
      'a <button type="button" class="replay-button" data-sound="hola.mp3" aria-label="Play hola.mp3">▶</button> b ' +
        '<button type="button" class="replay-button" data-sound="x&quot;y.ogg" aria-label="Play x&quot;y.ogg">▶</button>',
    );
  });
});
