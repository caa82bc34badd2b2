// The messages between the study screen and the sandboxed card frame. The frame runs the card's own HTML and
// scripts, so the study screen treats everything it sends as untrusted: it can ask to show the answer with what
// was typed, and pass on a study key pressed while the focus was in the card, and nothing else. (A card's script can
// send those too; what they do, a person can do with the keyboard, and Anki's own card scripts may answer as well.)

/** The study screen → the frame: show this side of a card. */
export interface ShowCard {
  type: "show";
  html: string;
  css: string;
  /** Anki's body classes: card, cardN, and nightMode night_mode in the dark. */
  bodyClass: string;
  /** The media files the card refers to, by name. */
  media: Record<string, { bytes: ArrayBuffer; type: string }>;
  /** Play the card's sounds when shown, as Anki does by default. */
  autoplay: boolean;
  /** Put the cursor in the answer box. */
  focusTypeBox: boolean;
}

/** The study screen → the frame: play the sounds of the side shown again (Anki's R and F5). */
export interface ReplaySounds {
  type: "replay";
}

/** A key as the study screen reads it. */
export interface KeyPress {
  key: string;
  ctrl: boolean;
  meta: boolean;
  alt: boolean;
}

/** The frame → the study screen. */
export type FrameMessage =
  | { type: "ready" }
  /** A side arrived, with its media: the card's own work (its HTML and scripts) begins. */
  | { type: "received" }
  | { type: "shown" }
  /** Enter in the answer box: show the answer, comparing what was typed. */
  | { type: "typed"; text: string }
  /** A study key pressed while the focus was inside the card. */
  | ({ type: "key" } & KeyPress);

const PLAIN_KEYS = new Set([" ", "Enter", "Escape", "1", "2", "3", "4", "u", "-", "@", "e", "r", "F5"]);

/**
 * The keys of the study screen, as in Anki's reviewer: Space or Enter, 1–4, Esc, u and Ctrl+Z (undo), - (bury),
 * @ (suspend), e (edit), r and F5 (replay the sounds), Ctrl+0…7 (flags). The card frame passes these on whatever
 * has the focus inside the card, so that a card's own script cannot take the keyboard away.
 */
export function isStudyKey({ key, ctrl, meta, alt }: KeyPress): boolean {
  if (alt) return false;
  if (ctrl && /^[0-7]$/.test(key)) return true;
  if ((ctrl || meta) && key.toLowerCase() === "z") return true;
  return !ctrl && !meta && PLAIN_KEYS.has(key);
}

/** Checks a message from the frame; anything else is ignored. */
export function readFrameMessage(data: unknown): FrameMessage | null {
  if (typeof data !== "object" || data === null) return null;
  const message = data as Record<string, unknown>;
  if (message.type === "ready" || message.type === "received" || message.type === "shown") {
    return { type: message.type };
  }
  if (message.type === "typed" && typeof message.text === "string") {
    return { type: "typed", text: message.text.slice(0, 10_000) };
  }
  if (message.type === "key" && typeof message.key === "string") {
    const press = {
      key: message.key,
      ctrl: message.ctrl === true,
      meta: message.meta === true,
      alt: message.alt === true,
    };
    if (isStudyKey(press)) return { type: "key", ...press };
  }
  return null;
}
