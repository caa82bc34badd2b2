// Anki's card template language, parsed into a tree: text, {{Field}} replacements with filters, and
// {{#Field}}…{{/Field}} / {{^Field}}…{{/Field}} sections.

export type TemplateNode =
  | { type: "text"; text: string }
  | { type: "field"; name: string; filters: string[] }
  | { type: "section"; name: string; negated: boolean; children: TemplateNode[] };

export type ParsedTemplate = { ok: true; nodes: TemplateNode[] } | { ok: false; error: string };

/** Fields whose values Anki supplies itself: they are never the user's fields. */
export const SPECIAL_FIELDS = new Set(["FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"]);

/** Parses a template; a mismatched section is an error in words, as Anki shows on the card. */
export function parseTemplate(source: string): ParsedTemplate {
  const root: TemplateNode[] = [];
  const stack: { name: string; children: TemplateNode[] }[] = [];
  let current = root;
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf("{{", position);
    if (open === -1) {
      current.push({ type: "text", text: source.slice(position) });
      break;
    }
    const close = source.indexOf("}}", open + 2);
    if (close === -1) {
      current.push({ type: "text", text: source.slice(position) });
      break;
    }
    if (open > position) current.push({ type: "text", text: source.slice(position, open) });
    const tag = source.slice(open + 2, close).trim();
    position = close + 2;
    const sigil = tag.charAt(0);
    if (sigil === "#" || sigil === "^") {
      const section = { type: "section" as const, name: tag.slice(1).trim(), negated: sigil === "^", children: [] };
      current.push(section);
      stack.push({ name: section.name, children: current });
      current = section.children;
    } else if (sigil === "/") {
      const name = tag.slice(1).trim();
      const top = stack.pop();
      if (!top) return { ok: false, error: `Found {{/${name}}}, but no section was opened.` };
      if (top.name !== name) {
        return { ok: false, error: `Found {{/${name}}}, but expected {{/${top.name}}}.` };
      }
      current = top.children;
    } else if (tag !== "") {
      const parts = tag.split(":");
      const name = (parts.pop() ?? "").trim();
      current.push({ type: "field", name, filters: parts.map((p) => p.trim()) });
    }
  }
  const unclosed = stack.pop();
  if (unclosed) return { ok: false, error: `Missing {{/${unclosed.name}}}.` };
  return { ok: true, nodes: root };
}

/**
 * True when the template shows something of the note's own fields given which fields are non-empty: Anki's rule
 * for whether a card exists. Special fields and plain text do not count.
 */
export function rendersNonEmpty(nodes: TemplateNode[], nonEmpty: ReadonlySet<string>): boolean {
  for (const node of nodes) {
    if (node.type === "field") {
      if (!SPECIAL_FIELDS.has(node.name) && nonEmpty.has(node.name)) return true;
    } else if (node.type === "section") {
      const shown = nonEmpty.has(node.name) !== node.negated;
      if (shown && rendersNonEmpty(node.children, nonEmpty)) return true;
    }
  }
  return false;
}

/** Names of the fields that `{{cloze:…}}` replacements in the template take their clozes from. */
export function clozeFieldNames(nodes: TemplateNode[]): string[] {
  const names: string[] = [];
  for (const node of nodes) {
    if (node.type === "field" && node.filters.includes("cloze")) names.push(node.name);
    if (node.type === "section") names.push(...clozeFieldNames(node.children));
  }
  return names;
}

/** The cloze numbers ({{c1::…}} → 1) that occur in a field's text. */
export function clozeNumbers(text: string): Set<number> {
  const numbers = new Set<number>();
  for (const match of text.matchAll(/\{\{c(\d+)::/g)) {
    const n = Number(match[1]);
    if (n > 0 && n <= 10_000) numbers.add(n);
  }
  return numbers;
}
