import type { Ref } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { type KeyPress, type ReplaySounds, readFrameMessage, type ShowCard } from "../../lib/card-frame-protocol";

export interface FrameEvents {
  onTyped: (text: string) => void;
  onShown: () => void;
  /** A study key pressed while the focus was inside the card. */
  onKey: (press: KeyPress, cardId: number | null) => void;
  /** The card was stopped: its script ran too long, or it tried to load another page into the frame. */
  onStopped: (why: "stuck" | "left") => void;
}

/** The card page: Chrome's manifest sandbox page, or Firefox's page for a sandboxed iframe. */
const CARD_PAGE = (import.meta.env.FIREFOX ? "/card-page.html" : "/card.html") as "/card.html";

/** How long a card may take to show (its scripts included) before its frame is replaced. */
export const SHOW_TIMEOUT_MS = 5000;
const REMOUNT_DELAY_MS = 1500;

/** What a study screen needs of the card frame the page holds: show content, hear its events, take focus back. */
export interface FrameHost {
  show(content: FrameContent | null): void;
  events: { current: FrameEvents };
  focusHome(): void;
  /** Plays the sounds of the side shown again. */
  replay(): void;
}

export interface FrameContent {
  /** The card shown: each card gets a frame of its own, so nothing a card's script leaves running reaches the next. */
  cardId: number;
  html: string;
  css: string;
  ordinal: number;
  media: ShowCard["media"];
  autoplay: boolean;
  focusTypeBox: boolean;
}

/**
 * The sandboxed frame a card is shown in (card.html, a manifest sandbox page; in Firefox, which has none, the
 * ordinary page card-page.html, which the iframe's sandbox attribute gives an opaque origin). It is sent each side to show and
 * may only ask to show the answer with what was typed; focus comes back to the study screen so that the keyboard
 * keeps working, except while the person types an answer.
 */
export function CardFrame({
  content,
  events,
  hidden,
  frameRef,
}: {
  content: FrameContent | null;
  events: { current: FrameEvents };
  hidden: boolean;
  frameRef: Ref<HTMLIFrameElement>;
}) {
  const frame = useRef<HTMLIFrameElement | null>(null);
  const [ready, setReady] = useState(false);
  const handlers = events;
  // A frame that is stuck or no longer the card page is thrown away for a fresh one (a new element, so a busy
  // document cannot hold it), and the card that broke it is not sent again; nothing is posted to the old one.
  const [generation, setGeneration] = useState(0);
  const [mounted, setMounted] = useState(true);
  // What was sent and not yet shown, oldest first: the frame shows in order, so the oldest is the one stuck.
  const waiting = useRef<FrameContent[]>([]);
  const stopped = useRef<FrameContent | null>(null);
  const loads = useRef(0);
  // The card the current frame has shown; another card gets a fresh frame (loaded from the browser's cache).
  const frameCard = useRef<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Forgets the frame shown: what it was sent, its loads and its card; a fresh one is then made. */
  const forgetFrame = () => {
    clearTimeout(timer.current);
    waiting.current = [];
    loads.current = 0;
    frameCard.current = null;
    setReady(false);
  };
  const replace = (why: "stuck" | "left") => {
    stopped.current = waiting.current[0] ?? content;
    forgetFrame();
    // The old frame goes first, and the new one comes a moment later: a frame whose script never returns holds its
    // process, and a new frame made while that process lives would be placed in it and never load.
    setMounted(false);
    timer.current = setTimeout(() => {
      setGeneration((g) => g + 1);
      setMounted(true);
    }, REMOUNT_DELAY_MS);
    handlers.current.onStopped(why);
  };
  const armTimer = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => replaceRef.current("stuck"), SHOW_TIMEOUT_MS);
  };
  const replaceRef = useRef(replace);
  replaceRef.current = replace;
  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    const listener = (event: MessageEvent) => {
      if (event.source !== frame.current?.contentWindow) return;
      const message = readFrameMessage(event.data);
      if (message?.type === "ready") setReady(true);
      else if (message?.type === "received" && waiting.current.length > 0) armTimer();
      else if (message?.type === "shown") {
        clearTimeout(timer.current);
        waiting.current.shift();
        if (waiting.current.length > 0) armTimer();
        handlers.current.onShown();
      } else if (message?.type === "typed") handlers.current.onTyped(message.text);
      else if (message?.type === "key") handlers.current.onKey(message, frameCard.current);
    };
    window.addEventListener("message", listener);
    return () => window.removeEventListener("message", listener);
  }, []);

  useEffect(() => {
    if (!ready || !content || content === stopped.current || !frame.current?.contentWindow) return;
    if (frameCard.current !== null && frameCard.current !== content.cardId) {
      forgetFrame();
      setGeneration((g) => g + 1);
      return;
    }
    frameCard.current = content.cardId;
    const night = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const message: ShowCard = {
      type: "show",
      html: content.html,
      css: content.css,
      bodyClass: `card card${content.ordinal}${night ? " nightMode night_mode" : ""}`,
      media: content.media,
      autoplay: content.autoplay,
      focusTypeBox: content.focusTypeBox,
    };
    frame.current.contentWindow.postMessage(message, "*");
    waiting.current.push(content);
    if (waiting.current.length === 1) armTimer();
  }, [ready, content]);

  if (!mounted) return null;
  return (
    <iframe
      key={generation}
      onLoad={() => {
        // The first load is the card page; any later one means the card sent its frame elsewhere.
        loads.current += 1;
        if (loads.current > 1) replaceRef.current("left");
      }}
      ref={(element) => {
        frame.current = element;
        if (typeof frameRef === "function") frameRef(element);
        else if (frameRef) frameRef.current = element;
      }}
      class="card-frame"
      hidden={hidden}
      title="Card"
      src={browser.runtime.getURL(CARD_PAGE)}
      sandbox="allow-scripts"
      data-testid="card-frame"
    />
  );
}

/** Asks the frame to play the sounds of the side it shows again. */
export function replayInFrame(frame: HTMLIFrameElement | null): void {
  const message: ReplaySounds = { type: "replay" };
  frame?.contentWindow?.postMessage(message, "*");
}
