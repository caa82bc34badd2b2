// A card as the study screen shows it: its question and answer rendered from the note type's templates, the
// note type's CSS, and the media files it refers to. The HTML is untrusted and is shown only in the sandboxed
// card frame.
import { htmlToText } from "../../../shared/html";
import type { Card } from "../../../shared/model";
import { type RenderContext, renderTemplate, soundTags } from "../../../shared/template/render";
import type { Collection } from "./collection";

export interface CardView {
  question: string;
  answer: string;
  css: string;
  /** Anki's card classes: the template number (card1, card2, …). */
  ordinal: number;
  /** Media file names the card refers to (images, sounds), for the frame to be handed. */
  media: string[];
  /** True when the question has an answer box ({{type:…}}). */
  typeAnswer: boolean;
}

/** Renders a card; `typed` is what the person typed into the answer box, compared on the answer side. */
export async function renderCard(col: Collection, card: Card, typed?: string): Promise<CardView | { error: string }> {
  const tx = col.db.transaction(["notes", "notetypes", "decks"]);
  const note = await tx.objectStore("notes").get(card.noteId);
  if (!note) return { error: "This card's note is missing." };
  const noteType = await tx.objectStore("notetypes").get(note.noteTypeId);
  if (!noteType) return { error: "This card's note type is missing." };
  const deck = await tx.objectStore("decks").get(card.odid || card.deckId);
  const cloze = noteType.kind === "cloze";
  const template = cloze ? noteType.templates[0] : noteType.templates[card.ord];
  if (!template) return { error: `The note type "${noteType.name}" has no card type ${card.ord + 1}.` };
  const fields: Record<string, string> = {};
  noteType.fields.forEach((field, i) => {
    fields[field.name] = note.fields[i] ?? "";
  });
  const context: RenderContext = {
    fields,
    tags: note.tags,
    noteType: noteType.name,
    deck: deck?.name ?? "",
    card: cloze ? `Cloze ${card.ord + 1}` : template.name,
    flag: card.flags & 7,
    side: "question",
    ...(cloze ? { clozeOrd: card.ord + 1 } : {}),
  };
  const question = renderTemplate(template.qfmt, context);
  const questionHtml = question.ok ? question.html : templateError(question.error);
  // {{FrontSide}} on the back shows the question without its answer box, as in Anki.
  const frontSide = questionHtml.replace(/<input type="text" id="typeans"[^>]*>/g, "");
  const answer = renderTemplate(template.afmt, {
    ...context,
    side: "answer",
    frontSide,
    ...(typed === undefined ? {} : { typed }),
  });
  const answerHtml = answer.ok ? answer.html : templateError(answer.error);
  const empty = cloze && htmlToText(questionHtml) === "";
  return {
    question: soundTags(
      empty
        ? `${questionHtml}<p class="template-error">This cloze card has no deletion ${card.ord + 1}.</p>`
        : questionHtml,
    ),
    answer: soundTags(answerHtml),
    css: noteType.css,
    ordinal: card.ord + 1,
    media: mediaNames(`${questionHtml}${answerHtml}`),
    typeAnswer: questionHtml.includes('id="typeans"'),
  };
}

function templateError(message: string): string {
  const escaped = message.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<p class="template-error">The card template has a problem: ${escaped}</p>`;
}

/** Names of local files an HTML fragment refers to: img/audio/video/source src attributes and [sound:…] tags. */
export function mediaNames(html: string): string[] {
  const names = new Set<string>();
  for (const match of html.matchAll(
    /<(?:img|audio|video|source)\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi,
  )) {
    const name = decodeEntities(match[1] ?? match[2] ?? match[3] ?? "");
    if (name && !/^[a-z][a-z0-9+.-]*:/i.test(name) && !name.startsWith("//")) names.add(name);
  }
  for (const match of html.matchAll(/\[sound:([^\]]+)\]/g)) if (match[1]) names.add(decodeEntities(match[1]));
  return [...names];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
