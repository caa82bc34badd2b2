import { useEffect, useState } from "preact/hooks";
import { isSelfOrDescendant, leafName } from "../../shared/deck-names";
import type { Deck } from "../../shared/model";
import type { Collection } from "../lib/collection/collection";
import { setDeckCollapsed } from "../lib/collection/decks";
import { type DeckCounts, deckCounts } from "../lib/collection/queue";

/** The last counts shown for a profile, kept in the page's localStorage: the popup shows them at once. */
const snapshotKey = (profileId: string) => `deckList:${profileId}`;

function readSnapshot(profileId: string): DeckCounts[] | null {
  try {
    const stored = JSON.parse(localStorage.getItem(snapshotKey(profileId)) ?? "null") as unknown;
    return Array.isArray(stored) ? (stored as DeckCounts[]) : null;
  } catch {
    return null;
  }
}

/**
 * The decks with what is due today: new (blue), learning (red) and review (green) counts, as in Anki. A deck with
 * sub-decks folds with its triangle; choosing a deck's name starts studying it. The counts last shown appear at
 * once, before the collection is even open, and are replaced by fresh ones a moment later.
 */
export function DeckList({
  profileId,
  col,
  version,
  changed,
  onStudy,
}: {
  profileId: string;
  col: Collection | null;
  version: number;
  changed: () => void;
  onStudy: (deck: Deck) => void;
}) {
  const [rows, setRows] = useState<DeckCounts[] | null>(() => readSnapshot(profileId));
  useEffect(() => {
    if (!col) return;
    void deckCounts(col).then((fresh) => {
      setRows(fresh);
      performance.mark("popup:decks-counted");
      try {
        localStorage.setItem(snapshotKey(profileId), JSON.stringify(fresh));
      } catch {
        // A full localStorage only costs the instant list next time.
      }
    });
  }, [col, version]);
  useEffect(() => {
    // Marks for `npm run bench`: the list on screen (perhaps with the last counts), then with fresh counts.
    if (rows && performance.getEntriesByName("popup:decks-shown").length === 0) performance.mark("popup:decks-shown");
  }, [rows]);
  if (!rows) return null;
  const hasChildren = (deck: Deck) =>
    rows.some((r) => r.deck.id !== deck.id && isSelfOrDescendant(r.deck.name, deck.name));
  // A deck is hidden when any deck above it is folded.
  const folded = rows.filter((r) => r.deck.collapsed).map((r) => r.deck.name);
  const visible = rows.filter(
    (r) => !folded.some((name) => r.deck.name !== name && isSelfOrDescendant(r.deck.name, name)),
  );
  const toggle = async (deck: Deck) => {
    if (!col) return;
    await setDeckCollapsed(col, deck.id, !deck.collapsed);
    changed();
  };
  return (
    <table class="deck-list" aria-label="Decks">
      <thead>
        <tr>
          <th>Deck</th>
          <th title="New">New</th>
          <th title="Learning">Learn</th>
          <th title="To review">Due</th>
        </tr>
      </thead>
      <tbody>
        {visible.map((row) => (
          <tr key={row.deck.id} data-deck={row.deck.name}>
            <td style={{ paddingLeft: `${0.25 + row.depth}rem` }}>
              {hasChildren(row.deck) ? (
                <button
                  type="button"
                  class="fold"
                  aria-expanded={!row.deck.collapsed}
                  aria-label={`${row.deck.collapsed ? "Show" : "Hide"} the sub-decks of ${row.deck.name}`}
                  onClick={() => void toggle(row.deck)}
                >
                  {row.deck.collapsed ? "▸" : "▾"}
                </button>
              ) : (
                <span class="fold-space" />
              )}
              <button
                type="button"
                class={row.deck.filter ? "deck-name filtered" : "deck-name"}
                title={`Study ${row.deck.name}${row.deck.filter ? " (a filtered deck)" : ""}`}
                onClick={() => onStudy(row.deck)}
              >
                {leafName(row.deck.name)}
              </button>
            </td>
            <td class={row.newCount ? "count new" : "count zero"}>{row.newCount}</td>
            <td class={row.learnCount ? "count learn" : "count zero"}>{row.learnCount}</td>
            <td class={row.reviewCount ? "count review" : "count zero"}>{row.reviewCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
