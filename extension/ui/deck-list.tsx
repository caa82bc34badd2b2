import { useEffect, useState } from "preact/hooks";
import { leafName } from "../../shared/deck-names";
import { type DeckCounts, deckCounts } from "../lib/collection/queue";
import { useCollection } from "./use-collection";

/** The decks with what is due today: new (blue), learning (red) and review (green) counts, as in Anki. */
export function DeckList({ profileId }: { profileId: string }) {
  const { col, version } = useCollection(profileId);
  const [rows, setRows] = useState<DeckCounts[] | null>(null);
  useEffect(() => {
    if (col) void deckCounts(col).then(setRows);
  }, [col, version]);
  if (!rows) return null;
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
        {rows.map((row) => (
          <tr key={row.deck.id} data-deck={row.deck.name}>
            <td style={{ paddingLeft: `${0.25 + row.depth}rem` }}>{leafName(row.deck.name)}</td>
            <td class={row.newCount ? "count new" : "count zero"}>{row.newCount}</td>
            <td class={row.learnCount ? "count learn" : "count zero"}>{row.learnCount}</td>
            <td class={row.reviewCount ? "count review" : "count zero"}>{row.reviewCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
