import { useEffect, useRef, useState } from "preact/hooks";
import type { Card } from "../../../shared/model";
import type { Ease } from "../../../shared/scheduling";
import type { KeyPress } from "../../lib/card-frame-protocol";
import { type CardView, renderCard } from "../../lib/collection/card-view";
import { setBuried, setFlag, setSuspended } from "../../lib/collection/cards";
import type { Collection } from "../../lib/collection/collection";
import { errorInWords } from "../../lib/collection/storage-full";
import { type Answered, answerCard, answerLabels, undoAnswer } from "../../lib/collection/study";
import {
  type CardKind,
  type NextCard,
  nextCard,
  type StudyCounts,
  unburyOnNewDay,
} from "../../lib/collection/study-queue";
import { readMedia } from "../../lib/media/store";
import type { FrameContent, FrameHost } from "./card-frame";
import { Congratulations } from "./congratulations";

const BUTTONS: { ease: Ease; label: string; key: string }[] = [
  { ease: 1, label: "Again", key: "1" },
  { ease: 2, label: "Hard", key: "2" },
  { ease: 3, label: "Good", key: "3" },
  { ease: 4, label: "Easy", key: "4" },
];

interface Showing {
  card: Card;
  kind: CardKind;
  view: CardView;
  side: "question" | "answer";
  intervals: Record<Ease, string> | null;
  shownAt: number;
}

/**
 * Studying a deck: the card's question, then its answer and the four buttons with their next intervals; undo,
 * bury, suspend, flag and edit; and the congratulations screen when the deck is done. Keyboard first, as in Anki.
 */
export function StudyView({
  col,
  deckId,
  deckName,
  onExit,
  changed,
  onEdit,
  host,
}: {
  col: Collection;
  deckId: number;
  deckName: string;
  onExit: () => void;
  changed: () => void;
  onEdit: (noteId: number) => void;
  /** The card frame, which the page keeps loaded from the start so that the first card shows without waiting. */
  host: FrameHost;
}) {
  const [showing, setShowing] = useState<Showing | null>(null);
  const [counts, setCounts] = useState<StudyCounts | null>(null);
  const [finished, setFinished] = useState<Extract<NextCard, { card: null }> | null>(null);
  const frame = useRef<FrameContent | null>(null);
  const setFrame = (content: FrameContent | null) => {
    frame.current = content;
    host.show(content);
  };
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Actions run one after another, each on the state the previous one left: a quick "Space, 3" is two steps in order.
  const showingRef = useRef<Showing | null>(null);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const pendingActions = useRef(0);
  const show = (next: Showing | null) => {
    showingRef.current = next;
    setShowing(next);
  };
  const history = useRef<Answered[]>([]);
  const position = useRef(0);
  const media = useRef(new Map<string, FrameContent["media"][string]>());

  /** Loads the media a card needs from the store, once per file for the session. */
  const mediaFor = async (names: string[]): Promise<FrameContent["media"]> => {
    const out: FrameContent["media"] = {};
    for (const name of names) {
      let file = media.current.get(name);
      if (!file) {
        // A reference may be URL-encoded ("my%20photo.jpg") while the file is stored under its plain name.
        const stored =
          (await readMedia(col, name).catch(() => undefined)) ??
          (await readMedia(col, decodeName(name)).catch(() => undefined));
        if (!stored) continue;
        file = { bytes: stored.bytes.slice().buffer, type: stored.type };
        media.current.set(name, file);
      }
      // Each frame message transfers a copy, so the cached bytes stay usable for the next side.
      out[name] = { bytes: file.bytes.slice(0), type: file.type };
    }
    return out;
  };

  const present = async (card: Card, kind: CardKind, side: "question" | "answer", typed?: string) => {
    const view = await renderCard(col, card, typed);
    if ("error" in view) {
      setMessage(view.error);
      return;
    }
    const now = col.clock.now();
    show({
      card,
      kind,
      view,
      side,
      intervals: side === "answer" ? await answerLabels(col, card) : null,
      shownAt: side === "question" ? now : (showingRef.current?.shownAt ?? now),
    });
    setFrame({
      cardId: card.id,
      html: side === "question" ? view.question : view.answer,
      css: view.css,
      ordinal: view.ordinal,
      media: await mediaFor(view.media),
      autoplay: true,
      focusTypeBox: side === "question" && view.typeAnswer,
    });
  };

  const advance = async () => {
    const next = await nextCard(col, deckId, { position: position.current });
    setCounts(next.counts);
    if (next.card) {
      setFinished(null);
      await present(next.card, next.kind, "question");
    } else {
      show(null);
      setFrame(null);
      setFinished(next);
    }
  };

  useEffect(() => {
    void unburyOnNewDay(col).then(advance);
  }, [col, deckId]);

  // A key sent by a card's frame acts only while that card is shown: actions queue, and by the time one runs the
  // card may have changed (a card's script sending "@" ten times must not suspend the cards after it).
  const keyFromCard = useRef<number | undefined>(undefined);
  const run = (action: () => Promise<void>) => {
    const onlyFor = keyFromCard.current;
    pendingActions.current++;
    setBusy(true);
    chain.current = chain.current.then(async () => {
      if (onlyFor !== undefined && showingRef.current?.card.id !== onlyFor) {
        if (--pendingActions.current === 0) setBusy(false);
        return;
      }
      setMessage(null);
      try {
        await action();
      } catch (error) {
        setMessage(errorInWords(error, "That did not work: "));
      } finally {
        if (--pendingActions.current === 0) setBusy(false);
        host.focusHome();
      }
    });
  };

  /** The answer side of the card shown; a type-in card compares what was typed ("" when nothing was). */
  const reveal = (showing: Showing, typed?: string) =>
    present(showing.card, showing.kind, "answer", typed ?? (showing.view.typeAnswer ? "" : undefined));

  const showAnswer = (typed?: string) =>
    run(async () => {
      const showing = showingRef.current;
      if (showing?.side === "question") await reveal(showing, typed);
    });

  /** Space and Enter: the answer on the question side, Good on the answer side, as in Anki. */
  const primary = () =>
    run(async () => {
      const showing = showingRef.current;
      if (showing?.side === "question") await reveal(showing);
      else if (showing?.side === "answer") await answerNow(showing, 3);
    });

  const answer = (ease: Ease) => {
    performance.mark("study:answer");
    run(async () => {
      const showing = showingRef.current;
      if (showing?.side === "answer") await answerNow(showing, ease);
    });
  };

  const answerNow = async (showing: Showing, ease: Ease) => {
    const result = await answerCard(col, showing.card.id, ease, { timeTakenMs: col.clock.now() - showing.shownAt });
    if (!result.ok) {
      setMessage(result.error);
      return;
    }
    history.current.push(result.value);
    position.current++;
    changed();
    await advance();
    // After advance, which clears nothing: Anki says so when a card becomes a leech.
    if (result.value.leech === "suspended") setMessage("The card was a leech: it is tagged leech and suspended.");
    else if (result.value.leech === "tagged") setMessage("The card is a leech: it is tagged leech.");
  };

  const undo = () =>
    run(async () => {
      const last = history.current.pop();
      if (!last) {
        setMessage("Nothing to undo.");
        return;
      }
      const result = await undoAnswer(col, last);
      if (!result.ok) {
        setMessage(result.error);
        return;
      }
      position.current = Math.max(0, position.current - 1);
      changed();
      const kind: CardKind = result.value.type === 0 ? "new" : result.value.type === 2 ? "review" : "learning";
      setFinished(null);
      setCounts((await nextCard(col, deckId, { position: position.current })).counts);
      await present(result.value, kind, "question");
      setMessage("Answer undone.");
    });

  const setAside = (what: "bury" | "suspend") =>
    run(async () => {
      const showing = showingRef.current;
      if (!showing) return;
      const result =
        what === "bury"
          ? await setBuried(col, [showing.card.id], true)
          : await setSuspended(col, [showing.card.id], true);
      if (!result.ok) {
        setMessage(result.error);
        return;
      }
      changed();
      await advance();
      setMessage(what === "bury" ? "Card buried until tomorrow." : "Card suspended.");
    });

  const flag = (value: number) =>
    run(async () => {
      const showing = showingRef.current;
      if (!showing) return;
      const next = (showing.card.flags & 7) === value ? 0 : value;
      const result = await setFlag(col, [showing.card.id], next);
      if (!result.ok) {
        setMessage(result.error);
        return;
      }
      const card = { ...showing.card, flags: (showing.card.flags & ~7) | next };
      show({ ...showing, card });
      changed();
      setMessage(next ? `Flag ${FLAG_NAMES[next]} set.` : "Flag removed.");
    });

  /** Does what a study key does; false for a key that means nothing here. */
  const onStudyKey = ({ key, ctrl, meta, alt }: KeyPress): boolean => {
    if (ctrl && /^[0-7]$/.test(key)) flag(Number(key));
    else if ((ctrl || meta) && key.toLowerCase() === "z") undo();
    else if (ctrl || meta || alt) return false;
    else if (key === "Escape") onExit();
    else if (key === " " || key === "Enter") primary();
    else if (/^[1-4]$/.test(key)) answer(Number(key) as Ease);
    else if (key === "u") undo();
    else if (key === "-") setAside("bury");
    else if (key === "@") setAside("suspend");
    else if (key === "r" || key === "F5") host.replay();
    else if (key === "e" && showingRef.current) onEdit(showingRef.current.card.noteId);
    else return false;
    return true;
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      const press = { key: event.key, ctrl: event.ctrlKey, meta: event.metaKey, alt: event.altKey };
      if (onStudyKey(press)) event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  useEffect(() => {
    host.focusHome();
    return () => host.show(null);
  }, []);
  host.events.current = {
    onTyped: (text) => showAnswer(text),
    onKey: (press, cardId) => {
      if (cardId === null || showingRef.current?.card.id !== cardId) return;
      keyFromCard.current = cardId;
      try {
        onStudyKey(press);
      } finally {
        keyFromCard.current = undefined;
      }
    },
    onStopped: (why) => {
      setMessage(
        why === "stuck"
          ? "A card's script did not finish within 5 seconds, so it was stopped. Answer, bury or edit the card as usual."
          : "A card tried to load another page, which cards may not do, so it was stopped.",
      );
      host.focusHome();
    },
    onShown: () => {
      // Marks for `npm run bench`: when each side reached the screen.
      performance.mark("study:card-shown");
      // The frame takes focus only while the person types an answer; otherwise keys come here.
      if (!frame.current?.focusTypeBox) host.focusHome();
    },
  };

  return (
    <section class="study" aria-label={`Studying ${deckName}`}>
      <header class="study-header row">
        <button type="button" class="secondary small" onClick={onExit} title="Back to the decks (Esc)">
          ← Decks
        </button>
        <strong class="grow study-deck" title={deckName}>
          {deckName}
        </strong>
        {counts && <Counts counts={counts} current={showing?.kind ?? null} />}
      </header>
      {finished && <Congratulations nextDue={finished.nextDue} now={col.clock.now()} onBack={onExit} />}
      {message && (
        <p class="study-message" role="status">
          {message}
        </p>
      )}
      {showing && (
        <footer class="study-actions">
          {showing.side === "question" ? (
            <button type="button" class="show-answer" disabled={busy} onClick={() => showAnswer()}>
              Show answer <kbd>Space</kbd>
            </button>
          ) : (
            <fieldset class="answer-buttons" aria-label="Answer">
              {BUTTONS.map((b) => (
                <button
                  key={b.ease}
                  type="button"
                  class={`answer ease${b.ease}`}
                  disabled={busy}
                  onClick={() => answer(b.ease)}
                  data-ease={b.ease}
                >
                  <span class="interval">{showing.intervals?.[b.ease] ?? ""}</span>
                  {b.label}
                  <kbd>{b.key}</kbd>
                </button>
              ))}
            </fieldset>
          )}
          <div class="row study-more">
            <button type="button" class="link" disabled={history.current.length === 0} onClick={undo}>
              Undo <kbd>u</kbd>
            </button>
            <button type="button" class="link" onClick={() => setAside("bury")}>
              Bury <kbd>-</kbd>
            </button>
            <button type="button" class="link" onClick={() => setAside("suspend")}>
              Suspend <kbd>@</kbd>
            </button>
            <select
              aria-label="Flag"
              class={`flag-select flag${showing.card.flags & 7}`}
              value={String(showing.card.flags & 7)}
              onChange={(e) => flag(Number(e.currentTarget.value))}
            >
              {FLAG_NAMES.map((name, i) => (
                <option key={name} value={String(i)}>
                  {i === 0 ? "No flag" : `${name} (Ctrl+${i})`}
                </option>
              ))}
            </select>
            <button type="button" class="link" onClick={() => onEdit(showing.card.noteId)}>
              Edit <kbd>e</kbd>
            </button>
            {/data-sound=/.test(showing.side === "question" ? showing.view.question : showing.view.answer) && (
              <button type="button" class="link" onClick={() => host.replay()} title="Play the sounds again (r or F5)">
                Replay <kbd>r</kbd>
              </button>
            )}
          </div>
        </footer>
      )}
      {finished && history.current.length > 0 && (
        <footer class="study-actions row">
          <button type="button" class="link" onClick={undo}>
            Undo the last answer <kbd>u</kbd>
          </button>
        </footer>
      )}
    </section>
  );
}

const FLAG_NAMES = ["None", "Red", "Orange", "Green", "Blue", "Pink", "Turquoise", "Purple"];

function Counts({ counts, current }: { counts: StudyCounts; current: CardKind | null }) {
  return (
    <span class="study-counts" data-testid="study-counts">
      <span class={`count new${current === "new" ? " current" : ""}`} title="New">
        {counts.newCount}
      </span>
      <span class={`count learn${current === "learning" ? " current" : ""}`} title="Learning">
        {counts.learnCount}
      </span>
      <span class={`count review${current === "review" ? " current" : ""}`} title="To review">
        {counts.reviewCount}
      </span>
    </span>
  );
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
