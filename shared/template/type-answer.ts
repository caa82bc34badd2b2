// Anki's "type in the answer" comparison: what was typed against what was expected, character by character.
// Correct characters are green, wrong ones red, and missing ones shown in the expected line, as Anki does.
import { escapeHtml } from "../html";

/** Longer answers are compared only up to this many characters, which keeps the comparison quick. */
const LIMIT = 2000;

type Piece = { kind: "good" | "bad" | "missed"; text: string };

/**
 * The comparison's HTML: the typed answer with each run marked good or bad, then, when they differ, an arrow and
 * the expected answer with the characters the typed one lacked marked missed. Both strings are plain text.
 */
export function compareTypedAnswer(typed: string, expected: string): string {
  const a = [...typed.normalize("NFC").trim()].slice(0, LIMIT);
  const b = [...expected.normalize("NFC").trim()].slice(0, LIMIT);
  if (a.join("") === b.join("")) return `<code id="typeans">${spans([{ kind: "good", text: b.join("") }])}</code>`;
  if (a.length === 0) return `<code id="typeans">${escapeHtml(b.join(""))}</code>`;
  const { typedPieces, expectedPieces } = align(a, b);
  return `<code id="typeans">${spans(typedPieces)}<br><span id="typearrow">&darr;</span><br>${spans(expectedPieces)}</code>`;
}

function spans(pieces: Piece[]): string {
  const cls = { good: "typeGood", bad: "typeBad", missed: "typeMissed" } as const;
  return pieces.map((p) => `<span class="${cls[p.kind]}">${escapeHtml(p.text)}</span>`).join("");
}

/** A longest-common-subsequence alignment: characters in it are good; the rest are bad (typed) or missed. */
function align(a: string[], b: string[]): { typedPieces: Piece[]; expectedPieces: Piece[] } {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table = new Uint16Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * cols + j] =
        a[i] === b[j]
          ? (table[(i + 1) * cols + j + 1] ?? 0) + 1
          : Math.max(table[(i + 1) * cols + j] ?? 0, table[i * cols + j + 1] ?? 0);
    }
  }
  const typedPieces: Piece[] = [];
  const expectedPieces: Piece[] = [];
  const push = (list: Piece[], kind: Piece["kind"], text: string) => {
    const last = list[list.length - 1];
    if (last && last.kind === kind) last.text += text;
    else list.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const ai = a[i];
    const bj = b[j];
    if (ai !== undefined && bj !== undefined && ai === bj) {
      push(typedPieces, "good", ai);
      push(expectedPieces, "good", bj);
      i++;
      j++;
    } else if (
      bj === undefined ||
      (ai !== undefined && (table[(i + 1) * cols + j] ?? 0) >= (table[i * cols + j + 1] ?? 0))
    ) {
      push(typedPieces, "bad", ai ?? "");
      i++;
    } else {
      push(expectedPieces, "missed", bj);
      j++;
    }
  }
  return { typedPieces, expectedPieces };
}
