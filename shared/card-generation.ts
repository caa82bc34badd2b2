// Which cards a note has: one per template whose front shows a non-empty field, or one per cloze number.
import type { NoteType } from "./model";
import { clozeFieldNames, clozeNumbers, parseTemplate, rendersNonEmpty } from "./template/parse";

/** The fields that hold something other than whitespace and empty HTML. */
export function nonEmptyFieldNames(noteType: NoteType, fields: readonly string[]): Set<string> {
  const names = new Set<string>();
  noteType.fields.forEach((field, index) => {
    if (!isBlank(fields[index] ?? "")) names.add(field.name);
  });
  return names;
}

/** True for text that shows nothing: whitespace, &nbsp; and empty tags such as <br> or <div></div>. */
export function isBlank(html: string): boolean {
  return (
    html
      .replace(/<(?!img|audio|video|object|embed|iframe)[^>]*>/gi, "")
      .replace(/&nbsp;/gi, " ")
      .trim() === ""
  );
}

/** The card ordinals a note with these fields should have, in ascending order. */
export function cardOrdinals(noteType: NoteType, fields: readonly string[]): number[] {
  if (noteType.kind === "cloze") return clozeOrdinals(noteType, fields);
  const nonEmpty = nonEmptyFieldNames(noteType, fields);
  const ords: number[] = [];
  for (const template of noteType.templates) {
    const parsed = parseTemplate(template.qfmt);
    if (parsed.ok && rendersNonEmpty(parsed.nodes, nonEmpty)) ords.push(template.ord);
  }
  return ords.sort((a, b) => a - b);
}

function clozeOrdinals(noteType: NoteType, fields: readonly string[]): number[] {
  const template = noteType.templates[0];
  const parsed = template ? parseTemplate(template.qfmt) : null;
  if (!parsed?.ok) return [];
  const numbers = new Set<number>();
  for (const name of clozeFieldNames(parsed.nodes)) {
    const index = noteType.fields.findIndex((f) => f.name === name);
    for (const n of clozeNumbers(fields[index] ?? "")) numbers.add(n);
  }
  return [...numbers].map((n) => n - 1).sort((a, b) => a - b);
}
