// Deck names: nesting is written with "::"; every part must hold something.
import type { Checked } from "./protocol/validate";

export const DECK_SEPARATOR = "::";

/** Normalises a deck name typed by a person (parts trimmed, NFC), or says what is wrong with it. */
export function parseDeckName(input: string): Checked<string> {
  const parts = input
    .normalize("NFC")
    .split(DECK_SEPARATOR)
    .map((part) => part.trim());
  if (parts.every((part) => part === "")) return { ok: false, error: "The deck needs a name." };
  if (parts.some((part) => part === "")) {
    return { ok: false, error: `"${input}" has an empty part between "::" separators.` };
  }
  if (parts.some((part) => /[\u0000-\u001f"]/.test(part))) {
    return { ok: false, error: "A deck name cannot contain control characters or double quotes." };
  }
  const name = parts.join(DECK_SEPARATOR);
  if (name.length > 1000) return { ok: false, error: "The deck name is longer than 1000 characters." };
  return { ok: true, value: name };
}

/** "A::B::C" → ["A", "A::B"]: the decks that must exist above it. */
export function parentNames(name: string): string[] {
  const parts = name.split(DECK_SEPARATOR);
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join(DECK_SEPARATOR));
}

/** True when `name` is `ancestor` itself or nested below it. */
export function isSelfOrDescendant(name: string, ancestor: string): boolean {
  return name === ancestor || name.startsWith(ancestor + DECK_SEPARATOR);
}

/** The last part of a deck name, as shown in a tree. */
export function leafName(name: string): string {
  return name.split(DECK_SEPARATOR).pop() ?? name;
}

/** Tags hold no spaces; Anki treats them case-insensitively and nests them with "::". */
export function parseTags(input: string): string[] {
  const seen = new Map<string, string>();
  for (const raw of input.normalize("NFC").split(/[\s\u3000]+/)) {
    const tag = raw.replace(/[\u0000-\u001f"]/g, "").trim();
    if (tag && !seen.has(tag.toLowerCase())) seen.set(tag.toLowerCase(), tag);
  }
  return [...seen.values()];
}
