import { useEffect, useRef, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { readFrameMessage, type ShowCard } from "../../lib/card-frame-protocol";

/** What a study screen needs of the card frame the page holds: show content, hear its events, take focus back. */
export interface FrameHost {
  show(content: FrameContent | null): void;
  events: { current: { onTyped: (text: string) => void; onShown: () => void } };
  focusHome(): void;
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
  onTyped,
  onShown,
  hidden,
}: {
  content: FrameContent | null;
  onTyped: (text: string) => void;
  onShown: () => void;
  hidden: boolean;
}) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [ready, setReady] = useState(false);
  const handlers = useRef({ onTyped, onShown });
  handlers.current = { onTyped, onShown };

  useEffect(() => {
    const listener = (event: MessageEvent) => {
      if (event.source !== frame.current?.contentWindow) return;
      const message = readFrameMessage(event.data);
      if (message?.type === "ready") setReady(true);
      else if (message?.type === "shown") handlers.current.onShown();
      else if (message?.type === "typed") handlers.current.onTyped(message.text);
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
      ref={frame}
      class="card-frame"
      hidden={hidden}
      title="Card"
      src={browser.runtime.getURL("/card.html")}
      sandbox="allow-scripts"
      data-testid="card-frame"
    />
  );
}
