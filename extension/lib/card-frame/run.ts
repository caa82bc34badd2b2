// The card frame: a sandboxed page (its own opaque origin, no extension APIs, no IndexedDB, no network by its
// content security policy) where a card's untrusted HTML, CSS and scripts run. Chrome loads it as a manifest
// sandbox page (entrypoints/card.sandbox), Firefox as an ordinary page in a sandboxed iframe
// (entrypoints/card-page.ts and public/card-page.html). The study screen sends each side
// to show, with the media it needs as bytes; the frame answers only "ready", "shown", "typed" and the study keys
// pressed while the focus is inside it.
import { type FrameMessage, isStudyKey, type ReplaySounds, type ShowCard } from "../card-frame-protocol";
import css from "./card.css?inline";

/** Runs the card frame in this document: call once, before anything else runs in it. */
export function runCardFrame(): void {
  // The frame's own defaults, before the note type's CSS (which comes later and wins).
  const defaults = document.createElement("style");
  defaults.textContent = css;
  document.head.prepend(defaults);

  // WebRTC reaches the network past the content security policy (STUN over UDP), so a card gets none: every RTC…
  // name is taken off this window for good before any card's script runs. A nested frame would bring a fresh set, so
  // cards get no nested frames: an <iframe>, <frame> or <object> is disarmed and removed as it loads (for an empty
  // frame that is during its insertion, before the script that inserted it goes on), and whatever a frame is, it is
  // taken out of the page as soon as it appears.
  disarmWebRtc(window);
  const frames = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (isFrameElement(node)) dropFrame(node);
        if (node instanceof Element)
          for (const inner of node.querySelectorAll("iframe, frame, object, embed")) dropFrame(inner);
      }
    }
  });
  watchFrames(document);
  // A shadow root hides its frames' load events and insertions from the document, so each is watched as well; HTML
  // parsed with declarative shadow roots (setHTMLUnsafe, parseHTMLUnsafe) would make roots unseen, so it is not offered.
  const attachShadow = Element.prototype.attachShadow;
  lock(Element.prototype, "attachShadow", function (this: Element, init: ShadowRootInit) {
    const root = attachShadow.call(this, init);
    watchFrames(root);
    return root;
  });
  lock(Element.prototype, "setHTMLUnsafe", undefined);
  lock(ShadowRoot.prototype, "setHTMLUnsafe", undefined);
  lock(Document, "parseHTMLUnsafe", undefined);

  function watchFrames(root: Document | ShadowRoot): void {
    root.addEventListener(
      "load",
      (event) => {
        if (isFrameElement(event.target)) dropFrame(event.target);
      },
      true,
    );
    frames.observe(root, { childList: true, subtree: true });
  }

  function lock(target: object, name: string, value: unknown): void {
    Object.defineProperty(target, name, { value, writable: false, configurable: false });
  }

  function disarmWebRtc(win: Window): void {
    for (const name of Object.getOwnPropertyNames(win)) {
      if (!/^(webkit)?RTC/.test(name)) continue;
      try {
        lock(win, name, undefined);
      } catch {
        // Already fixed by an earlier pass.
      }
    }
  }

  function isFrameElement(node: unknown): node is Element {
    return (
      node instanceof HTMLIFrameElement ||
      node instanceof HTMLFrameElement ||
      node instanceof HTMLObjectElement ||
      node instanceof HTMLEmbedElement
    );
  }

  function dropFrame(element: Element): void {
    try {
      const inner = (element as HTMLIFrameElement).contentWindow;
      if (inner) disarmWebRtc(inner);
    } catch {
      // A frame of another origin: nothing of it is reachable from here.
    }
    element.remove();
  }

  const qa = document.getElementById("qa") as HTMLElement;
  const style = document.createElement("style");
  document.head.append(style);
  let urls: string[] = [];
  let sounds = new Map<string, string>();

  function send(message: FrameMessage): void {
    // The parent's origin is the extension's; this frame's is opaque, so the target cannot be named.
    window.parent.postMessage(message, "*");
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const message = event.data as ShowCard | ReplaySounds;
    if (message?.type === "show") {
      // Before any of the card's own work: the study screen times the card from here, not from the copying of its
      // media, which can take long for a large video on a slow machine.
      send({ type: "received" });
      setTimeout(() => show(message), 0);
    } else if (message?.type === "replay") play([...sounds.keys()]);
  });

  // Fields the person clicked into to type: keys there are theirs. Anything else that holds the focus (a field the
  // card's script focused, a sound button just clicked) passes the study keys on, so they work whatever the card does.
  let typingIn = new WeakSet<EventTarget>();
  // Once the person clicks outside the card, a field that takes the focus back is the card's doing, not theirs.
  window.addEventListener("blur", () => {
    typingIn = new WeakSet();
  });
  window.addEventListener(
    "pointerdown",
    (event) => {
      if (event.isTrusted && event.target instanceof Element && isEditable(event.target)) typingIn.add(event.target);
    },
    true,
  );
  window.addEventListener(
    "keydown",
    (event) => {
      const target = event.target;
      if (target instanceof HTMLElement && (target.id === "typeans" || typingIn.has(target))) return;
      const press = { key: event.key, ctrl: event.ctrlKey, meta: event.metaKey, alt: event.altKey };
      if (!event.isTrusted || !isStudyKey(press)) return;
      event.preventDefault();
      send({ type: "key", ...press });
    },
    true,
  );

  function isEditable(element: Element): boolean {
    return (
      element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement ||
      element instanceof HTMLSelectElement ||
      (element instanceof HTMLElement && element.isContentEditable)
    );
  }

  function show(message: ShowCard): void {
    for (const url of urls) URL.revokeObjectURL(url);
    urls = [];
    sounds = new Map();
    const media = new Map<string, string>();
    for (const [name, file] of Object.entries(message.media ?? {})) {
      const url = URL.createObjectURL(new Blob([file.bytes], { type: file.type }));
      urls.push(url);
      media.set(name, url);
    }
    style.textContent = message.css;
    document.body.className = message.bodyClass;
    qa.innerHTML = message.html;
    for (const element of qa.querySelectorAll<HTMLElement>("img[src], audio[src], video[src], source[src]")) {
      const url = media.get(element.getAttribute("src") ?? "");
      if (url) element.setAttribute("src", url);
    }
    for (const button of qa.querySelectorAll<HTMLElement>("[data-sound]")) {
      const name = button.dataset.sound ?? "";
      const url = media.get(name);
      if (url) sounds.set(name, url);
      else button.classList.add("missing");
      button.addEventListener("click", () => play([name]));
    }
    runScripts(qa);
    const box = qa.querySelector<HTMLInputElement>("#typeans");
    if (box) {
      box.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          send({ type: "typed", text: box.value });
        }
      });
      if (message.focusTypeBox) box.focus();
    }
    if (message.autoplay) play([...sounds.keys()]);
    window.scrollTo(0, 0);
    send({ type: "shown" });
  }

  let player: HTMLAudioElement | null = null;

  /** Plays sounds one after another, as Anki does. */
  function play(names: string[]): void {
    player?.pause();
    const queue = names.map((n) => sounds.get(n)).filter((u): u is string => Boolean(u));
    const next = () => {
      const url = queue.shift();
      if (!url) return;
      player = new Audio(url);
      player.onended = next;
      player.play().catch(next);
    };
    next();
  }

  /** Scripts set through innerHTML do not run; Anki's cards rely on them, so each is replaced by a live copy. */
  function runScripts(root: HTMLElement): void {
    for (const old of root.querySelectorAll("script")) {
      const script = document.createElement("script");
      for (const attribute of old.attributes) script.setAttribute(attribute.name, attribute.value);
      script.textContent = old.textContent;
      old.replaceWith(script);
    }
  }

  send({ type: "ready" });
}
