// Anki's stock note types, as a new Anki profile has them.
import type { FieldDef, NoteType, NoteTypeKind, TemplateDef } from "./model";

const CARD_CSS = `.card {
  font-family: arial;
  font-size: 20px;
  text-align: center;
  color: black;
  background-color: white;
}
`;

const CLOZE_CSS = `${CARD_CSS}
.cloze {
  font-weight: bold;
  color: blue;
}
.nightMode .cloze {
  color: lightblue;
}
`;

export function fieldDef(name: string, ord: number): FieldDef {
  return { name, ord, sticky: false, rtl: false, font: "Arial", size: 20, description: "" };
}

export function templateDef(name: string, ord: number, qfmt: string, afmt: string): TemplateDef {
  return { name, ord, qfmt, afmt, bqfmt: "", bafmt: "", deckOverride: null };
}

interface Stock {
  name: string;
  kind: NoteTypeKind;
  fields: string[];
  templates: [string, string, string][];
}

const STOCK: Stock[] = [
  {
    name: "Basic",
    kind: "standard",
    fields: ["Front", "Back"],
    templates: [["Card 1", "{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"]],
  },
  {
    name: "Basic (and reversed card)",
    kind: "standard",
    fields: ["Front", "Back"],
    templates: [
      ["Card 1", "{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"],
      ["Card 2", "{{Back}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}"],
    ],
  },
  {
    name: "Basic (optional reversed card)",
    kind: "standard",
    fields: ["Front", "Back", "Add Reverse"],
    templates: [
      ["Card 1", "{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"],
      ["Card 2", "{{#Add Reverse}}{{Back}}{{/Add Reverse}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}"],
    ],
  },
  {
    name: "Basic (type in the answer)",
    kind: "standard",
    fields: ["Front", "Back"],
    templates: [["Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"]],
  },
  {
    name: "Cloze",
    kind: "cloze",
    fields: ["Text", "Back Extra"],
    templates: [["Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}"]],
  },
];

/** The stock note types, given ids and a time of creation. */
export function stockNoteTypes(firstId: number, now: number): NoteType[] {
  return STOCK.map((stock, index) => ({
    id: firstId + index,
    name: stock.name,
    kind: stock.kind,
    fields: stock.fields.map(fieldDef),
    templates: stock.templates.map(([name, qfmt, afmt], ord) => templateDef(name, ord, qfmt, afmt)),
    css: stock.kind === "cloze" ? CLOZE_CSS : CARD_CSS,
    sortField: 0,
    latexPre: "",
    latexPost: "",
    mtime: now,
    usn: -1,
  }));
}
