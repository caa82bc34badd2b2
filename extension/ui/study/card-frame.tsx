import type { Ref } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { type KeyPress, type ReplaySounds, readFrameMessage, type ShowCard } from "../../lib/card-frame-protocol";

export interface FrameEvents {
  onTyped: (text: string) => void;
  onShown: () => void;
  /** A study key pressed while the focus was inside the card. */
  onKey: (press: KeyPress) => void;
}

/** What a study screen needs of the card frame the page holds: show content, hear its events, take focus back. */
export interface FrameHost {
  show(content: FrameContent | null): void;
  events: { current: FrameEvents };
  focusHome(): void;
  /** Plays the sounds of the side shown again. */
  replay(): void;
}

export interface FrameContent {
  html: string;
  css: string;
  ordinal: number;
  media: ShowCard["media"];
  autoplay: boolean;
  focusTypeBox: boolean;
}

/**
 * The sandboxed frame a card is shown in (card.html, a manifest sandbox page). It is sent each side to show and
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

  useEffect(() => {
    const listener = (event: MessageEvent) => {
      if (event.source !== frame.current?.contentWindow) return;
      const message = readFrameMessage(event.data);
      if (message?.type === "ready") setReady(true);
      else if (message?.type === "shown") handlers.current.onShown();
      else if (message?.type === "typed") handlers.current.onTyped(message.text);
      else if (message?.type === "key") handlers.current.onKey(message);
    };
    window.addEventListener("message", listener);
    return () => window.removeEventListener("message", listener);
  }, []);

  useEffect(() => {
    if (!ready || !content || !frame.current?.contentWindow) return;
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
  }, [ready, content]);

  return (
    <iframe
      ref={(element) => {
        frame.current = element;
        if (typeof frameRef === "function") frameRef(element);
        else if (frameRef) frameRef.current = element;
      }}
      class="card-frame"
      hidden={hidden}
      title="Card"
      src={browser.runtime.getURL("/card.html")}
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
