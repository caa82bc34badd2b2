// Anki's search syntax for the common cases, parsed into a tree. Words and "phrases" match any field;
// -x negates; "or" and parentheses group; deck:, tag:, note:, card:, field:value, is:, flag:, added:, rated:,
// prop:, nc:, nid: and cid: filter. Errors are sentences, also for Anki's searches that are not supported here.
import type { Checked } from "../protocol/validate";

export type CardState = "new" | "learn" | "review" | "due" | "suspended" | "buried";

export type SearchNode =
  | { kind: "all" }
  | { kind: "and"; children: SearchNode[] }
  | { kind: "or"; children: SearchNode[] }
  | { kind: "not"; child: SearchNode }
  | { kind: "text"; pattern: string }
  | { kind: "deck"; pattern: string }
  | { kind: "tag"; pattern: string }
  | { kind: "notetype"; pattern: string }
  | { kind: "template"; pattern: string }
  | { kind: "field"; field: string; pattern: string }
  | { kind: "is"; state: CardState }
  | { kind: "flag"; flag: number }
  | { kind: "added"; days: number }
  | { kind: "rated"; days: number }
  | { kind: "nid"; ids: number[] }
  | { kind: "cid"; ids: number[] }
  | { kind: "prop"; prop: CardProperty; op: Comparison; value: number }
  | { kind: "nc"; pattern: string };

/** What prop: compares, as Anki names them: interval, due (days from today), reviews, lapses, ease, new position,
 * and FSRS's stability (days), difficulty (0 to 1) and retrievability (0 to 1). */
export type CardProperty = "ivl" | "due" | "reps" | "lapses" | "ease" | "pos" | "s" | "d" | "r";
export type Comparison = "<" | ">" | "<=" | ">=" | "=" | "!=";
const PROPERTIES: CardProperty[] = ["ivl", "due", "reps", "lapses", "ease", "pos", "s", "d", "r"];

/** Anki's search keys that this extension does not support yet: a search with one says so instead of matching none. */
const UNSUPPORTED = ["re", "w", "dupe", "preset", "resched", "introduced", "edited", "mid", "did", "sc"];

/** Removes accents and other combining marks (Anki's nc:, "no combining"), for comparing text. */
export function withoutCombining(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").normalize("NFC");
}

const STATES: CardState[] = ["new", "learn", "review", "due", "suspended", "buried"];

type Token =
  | { type: "open" }
  | { type: "close" }
  | { type: "or" }
  | { type: "term"; text: string; quoted: boolean; negated: boolean };

function tokenize(input: string): Checked<Token[]> {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(") {
      tokens.push({ type: "open" });
      i++;
      continue;
    }
    if (c === ")") {
      tokens.push({ type: "close" });
      i++;
      continue;
    }
    let negated = false;
    if (c === "-" && i + 1 < input.length && !/\s/.test(input.charAt(i + 1))) {
      negated = true;
      i++;
    }
    let text = "";
    let quoted = false;
    while (i < input.length) {
      const ch = input.charAt(i);
      if (ch === '"') {
        const end = input.indexOf('"', i + 1);
        if (end === -1) return { ok: false, error: "A quotation mark is not closed." };
        text += input.slice(i + 1, end);
        quoted = true;
        i = end + 1;
        continue;
      }
      if (/\s/.test(ch) || ch === "(" || ch === ")") break;
      text += ch;
      i++;
    }
    if (!quoted && !negated && text.toLowerCase() === "or") tokens.push({ type: "or" });
    else if (!quoted && !negated && text.toLowerCase() === "and") continue;
    else tokens.push({ type: "term", text, quoted, negated });
  }
  return { ok: true, value: tokens };
}

/** Parses a search typed by a person. An empty search matches everything. */
export function parseSearch(input: string): Checked<SearchNode> {
  const tokens = tokenize(input.normalize("NFC"));
  if (!tokens.ok) return tokens;
  let position = 0;
  const list = tokens.value;

  const parseOr = (): Checked<SearchNode> => {
    const alternatives: SearchNode[] = [];
    for (;;) {
      const and = parseAnd();
      if (!and.ok) return and;
      alternatives.push(and.value);
      if (list[position]?.type !== "or") break;
      position++;
    }
    return {
      ok: true,
      value: alternatives.length === 1 ? (alternatives[0] as SearchNode) : { kind: "or", children: alternatives },
    };
  };

  const parseAnd = (): Checked<SearchNode> => {
    const parts: SearchNode[] = [];
    while (position < list.length) {
      const token = list[position] as Token;
      if (token.type === "close" || token.type === "or") break;
      position++;
      if (token.type === "open") {
        const inner = parseOr();
        if (!inner.ok) return inner;
        if (list[position]?.type !== "close") return { ok: false, error: "A parenthesis is not closed." };
        position++;
        parts.push(inner.value);
        continue;
      }
      const term = parseTerm(token.text, token.quoted);
      if (!term.ok) return term;
      parts.push(token.negated ? { kind: "not", child: term.value } : term.value);
    }
    if (parts.length === 0) {
      const next = list[position];
      if (next?.type === "or") return { ok: false, error: '"or" needs something to search for on both sides.' };
      if (next?.type === "close" || position < list.length)
        return { ok: false, error: "There is a ) without a matching (." };
      return { ok: true, value: { kind: "all" } };
    }
    return { ok: true, value: parts.length === 1 ? (parts[0] as SearchNode) : { kind: "and", children: parts } };
  };

  const result = parseOr();
  if (!result.ok) return result;
  if (position < list.length) return { ok: false, error: "There is a ) without a matching (." };
  return result;
}

function parseTerm(text: string, quoted: boolean): Checked<SearchNode> {
  const colon = text.indexOf(":");
  if (colon <= 0) return { ok: true, value: { kind: "text", pattern: text } };
  const key = text.slice(0, colon).toLowerCase();
  const value = text.slice(colon + 1);
  const number = (what: string, min: number, max: number): Checked<number> => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      return { ok: false, error: `${what} takes a whole number from ${min} to ${max}, not "${value}".` };
    }
    return { ok: true, value: n };
  };
  const ids = (): Checked<number[]> => {
    const parts = value.split(",");
    if (parts.some((p) => !/^\d{1,16}$/.test(p))) return { ok: false, error: `${key}: takes ids separated by commas.` };
    return { ok: true, value: parts.map(Number) };
  };
  switch (key) {
    case "deck":
      return { ok: true, value: { kind: "deck", pattern: value } };
    case "tag":
      return { ok: true, value: { kind: "tag", pattern: value } };
    case "note":
      return { ok: true, value: { kind: "notetype", pattern: value } };
    case "card":
      return { ok: true, value: { kind: "template", pattern: value } };
    case "is": {
      const state = value.toLowerCase() as CardState;
      if (!STATES.includes(state)) {
        return { ok: false, error: `is:${value} is not known; use one of ${STATES.map((s) => `is:${s}`).join(", ")}.` };
      }
      return { ok: true, value: { kind: "is", state } };
    }
    case "flag": {
      const n = number("flag:", 0, 7);
      return n.ok ? { ok: true, value: { kind: "flag", flag: n.value } } : n;
    }
    case "added": {
      const n = number("added:", 1, 36_500);
      return n.ok ? { ok: true, value: { kind: "added", days: n.value } } : n;
    }
    case "rated": {
      const n = number("rated:", 1, 36_500);
      return n.ok ? { ok: true, value: { kind: "rated", days: n.value } } : n;
    }
    case "nid":
    case "cid": {
      const list = ids();
      return list.ok ? { ok: true, value: { kind: key, ids: list.value } } : list;
    }
    case "prop":
      return parseProperty(value);
    case "nc":
      return { ok: true, value: { kind: "nc", pattern: value } };
    default:
      if (UNSUPPORTED.includes(key)) {
        return {
          ok: false,
          error: `The search ${key}: is not supported here yet; search for words, or use prop:, is:, tag: or deck:.`,
        };
      }
      // "field:value" searches one field; a quoted "a:b" with no known key is plain text too.
      if (quoted && !text.includes(":")) return { ok: true, value: { kind: "text", pattern: text } };
      return { ok: true, value: { kind: "field", field: text.slice(0, colon), pattern: value } };
  }
}

/** prop:ivl>=10, prop:due=1, prop:ease!=2.5, prop:r<0.9 and the like. */
function parseProperty(text: string): Checked<SearchNode> {
  const match = /^([a-z]+)(<=|>=|!=|<|>|=)(-?\d+(?:\.\d+)?)$/i.exec(text);
  const prop = match?.[1]?.toLowerCase() as CardProperty | undefined;
  if (!match || !prop || !PROPERTIES.includes(prop)) {
    return {
      ok: false,
      error: `prop:${text} is not understood; write a property (${PROPERTIES.join(", ")}), a comparison (<, >, <=, >=, =, !=) and a number, as in prop:ivl>=10.`,
    };
  }
  return { ok: true, value: { kind: "prop", prop, op: match[2] as Comparison, value: Number(match[3]) } };
}

/** A matcher for Anki's wildcards: * is any run of characters, _ any one; case-insensitive. */
export function wildcard(pattern: string, { whole }: { whole: boolean }): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "_" ? "." : c.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(whole ? `^${body}$` : body, "isu");
}

/** True when the tree needs the review log (rated:). */
export function usesReviewLog(node: SearchNode): boolean {
  switch (node.kind) {
    case "rated":
      return true;
    case "and":
    case "or":
      return node.children.some(usesReviewLog);
    case "not":
      return usesReviewLog(node.child);
    default:
      return false;
  }
}
