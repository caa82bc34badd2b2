// Renders Anki card templates: {{Field}}, {{FrontSide}}, sections, special fields, and the filters text:, hint:,
// type:, cloze:, cloze-only:, furigana:, kana:, kanji:, chained right to left. The result is untrusted HTML: it is
// shown only inside the sandboxed card frame.
import { escapeHtml, htmlToText } from "../html";
import { parseTemplate, type TemplateNode } from "./parse";
import { compareTypedAnswer } from "./type-answer";

export interface RenderContext {
  /** Field name → HTML. */
  fields: Record<string, string>;
  tags: string[];
  noteType: string;
  deck: string;
  /** The card type's name (Card 1, Cloze 2, …). */
  card: string;
  /** Cloze number of this card (ord + 1), for cloze note types. */
  clozeOrd?: number;
  flag: number;
  /** The rendered question, available on the answer side as {{FrontSide}}. */
  frontSide?: string;
  /** What the person typed into the answer box, compared on the answer side. */
  typed?: string;
  side: "question" | "answer";
}

export type Rendered = { ok: true; html: string } | { ok: false; error: string };

/** Renders a template for one side of a card; a broken template says what is wrong, as Anki does. */
export function renderTemplate(source: string, context: RenderContext): Rendered {
  const parsed = parseTemplate(source);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, html: renderNodes(parsed.nodes, context) };
}

function renderNodes(nodes: TemplateNode[], context: RenderContext): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += node.text;
    else if (node.type === "section") {
      const value = fieldValue(node.name, context);
      const present = value !== undefined && htmlToText(value) !== "";
      if (present !== node.negated) out += renderNodes(node.children, context);
    } else out += renderField(node.name, node.filters, context);
  }
  return out;
}

function fieldValue(name: string, context: RenderContext): string | undefined {
  switch (name) {
    case "FrontSide":
      return context.frontSide ?? "";
    case "Tags":
      return context.tags.join(" ");
    case "Type":
      return context.noteType;
    case "Deck":
      return context.deck;
    case "Subdeck":
      return context.deck.split("::").pop() ?? context.deck;
    case "Card":
      return context.card;
    case "CardFlag":
      return context.flag ? `flag${context.flag}` : "";
    default:
      return context.fields[name];
  }
}

function renderField(name: string, filters: string[], context: RenderContext): string {
  const value = fieldValue(name, context);
  if (value === undefined) return `<span class="template-error">{{${escapeHtml(name)}}}: there is no such field</span>`;
  // {{type:Field}} and {{type:cloze:Text}} compare against the field's text (for clozes, this card's deletions).
  if (filters[0]?.trim() === "type") {
    const expected = filters.some((f) => f.trim() === "cloze") ? clozeOnly(value, context.clozeOrd ?? 1) : value;
    return typeAnswer(expected, context);
  }
  // Filters apply from the one nearest the field name outwards: {{text:cloze:Text}} runs cloze, then text.
  let result = value;
  for (const filter of [...filters].reverse()) result = applyFilter(filter, result, name, context);
  return result;
}

function applyFilter(filter: string, value: string, fieldName: string, context: RenderContext): string {
  switch (filter.trim()) {
    case "text":
      return escapeHtml(htmlToText(value));
    case "hint":
      return htmlToText(value) === ""
        ? ""
        : `<a class="hint" href="#" onclick="this.style.display='none';this.nextElementSibling.style.display='inline';return false;">Show ${escapeHtml(fieldName)}</a><span class="hint" style="display:none">${value}</span>`;
    case "cloze":
      return renderCloze(value, context.clozeOrd ?? 1, context.side, false);
    case "cloze-only":
      return clozeOnly(value, context.clozeOrd ?? 1);
    case "furigana":
      return furigana(value, "both");
    case "kana":
      return furigana(value, "kana");
    case "kanji":
      return furigana(value, "kanji");
    default:
      // Filters Anki adds through add-ons, or unknown ones, leave the text as it is.
      return value;
  }
}

/** The answer box on the question; on the answer, what was typed compared with the field's text. */
function typeAnswer(value: string, context: RenderContext): string {
  if (context.side === "question")
    return `<input type="text" id="typeans" autocomplete="off" aria-label="Type the answer">`;
  return compareTypedAnswer(context.typed ?? "", htmlToText(value));
}

const CLOZE = /\{\{c(\d+)::([\s\S]*?)(?:::([\s\S]*?))?\}\}/g;

/**
 * Anki's cloze filter: on the question, this card's deletions become [...] (or [hint]) and the others show their
 * text; on the answer, this card's deletions are shown highlighted. Nested clozes are handled inside out.
 */
export function renderCloze(text: string, ord: number, side: "question" | "answer", onlyActive: boolean): string {
  let current = text;
  for (let guard = 0; guard < 50; guard++) {
    let changed = false;
    current = current.replace(innermostCloze(), (_whole, n: string, content: string, hint: string | undefined) => {
      changed = true;
      const active = Number(n) === ord;
      if (!active) return onlyActive ? "" : content;
      if (side === "question") {
        return `<span class="cloze" data-cloze="${escapeHtml(content)}">[${hint === undefined ? "..." : hint}]</span>`;
      }
      return `<span class="cloze">${content}</span>`;
    });
    if (!changed) break;
  }
  return current;
}

/** A cloze deletion that contains no other: replacing these first handles nesting. */
function innermostCloze(): RegExp {
  return /\{\{c(\d+)::((?:(?!\{\{c\d+::)[\s\S])*?)(?:::((?:(?!\{\{c\d+::)[\s\S])*?))?\}\}/g;
}

function clozeOnly(text: string, ord: number): string {
  const parts: string[] = [];
  for (const match of text.matchAll(CLOZE)) if (Number(match[1]) === ord) parts.push(match[2] ?? "");
  return parts.join(", ");
}

/** Anki's furigana markup: "漢字[かんじ]" → ruby, or only the kana, or only the kanji. */
function furigana(text: string, mode: "both" | "kana" | "kanji"): string {
  return text.replace(/ ?([^ >[]+?)\[(.+?)\]/g, (_whole, base: string, reading: string) => {
    if (reading.startsWith("sound:")) return _whole;
    if (mode === "kana") return reading;
    if (mode === "kanji") return base;
    return `<ruby><rb>${base}</rb><rt>${reading}</rt></ruby>`;
  });
}

/** [sound:name.mp3] becomes a play button, which the card page wires to the media the extension hands it. */
export function soundTags(html: string): string {
  return html.replace(
    /\[sound:([^\]]+)\]/g,
    (_whole, file: string) =>
      `<button type="button" class="replay-button" data-sound="${escapeHtml(file)}" aria-label="Play ${escapeHtml(file)}">▶</button>`,
  );
}
