// The messages between the study screen and the sandboxed card frame. The frame runs the card's own HTML and
// scripts, so the study screen treats everything it sends as untrusted: it can ask to show the answer with what
// was typed, and report its content's height, and nothing else.

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

/** The frame → the study screen. */
export type FrameMessage =
  | { type: "ready" }
  | { type: "shown" }
  /** Enter in the answer box: show the answer, comparing what was typed. */
  | { type: "typed"; text: string };

/** Checks a message from the frame; anything else is ignored. */
export function readFrameMessage(data: unknown): FrameMessage | null {
  if (typeof data !== "object" || data === null) return null;
  const message = data as Record<string, unknown>;
  if (message.type === "ready" || message.type === "shown") return { type: message.type };
  if (message.type === "typed" && typeof message.text === "string") {
    return { type: "typed", text: message.text.slice(0, 10_000) };
  }
  return null;
}
