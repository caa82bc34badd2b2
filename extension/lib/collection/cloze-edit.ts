// Anki's cloze shortcuts in the editor: Ctrl+Shift+C wraps the selection in the next cloze number, and
// Ctrl+Shift+Alt+C in the highest one already in the note (so that several gaps show on one card).
import { clozeNumbers } from "../../../shared/template/parse";

/** The number the shortcut gives: one past the highest cloze in any field, or that highest one when `same`. */
export function clozeNumberFor(fields: readonly string[], same: boolean): number {
  let highest = 0;
  for (const field of fields) for (const n of clozeNumbers(field)) highest = Math.max(highest, n);
  return same ? Math.max(1, highest) : highest + 1;
}

/** The field with text[start, end) wrapped as cloze `n`, and where the cursor goes (after the wrapped text). */
export function wrapCloze(text: string, start: number, end: number, n: number): { text: string; cursor: number } {
  const open = `{{c${n}::`;
  const inner = text.slice(start, end);
  return {
    text: `${text.slice(0, start)}${open}${inner}}}${text.slice(end)}`,
    cursor: start + open.length + inner.length,
  };
}
