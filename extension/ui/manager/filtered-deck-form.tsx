// The form of a filtered deck, for creating one and for changing its search: name (when creating), what to
// search for, how many cards, in which order, and whether answers reschedule the cards.
import { useState } from "preact/hooks";
import type { Deck, DeckFilter } from "../../../shared/model";
import { FILTER_ORDERS } from "../../lib/collection/filtered";

export interface FilteredDeckValues {
  name: string;
  filter: DeckFilter;
}

interface Props {
  /** The deck being changed; none when creating one. */
  deck?: Deck;
  /** What a new deck starts with, e.g. the decks' search Anki suggests. */
  initialSearch?: string;
  onSubmit: (values: FilteredDeckValues) => Promise<unknown>;
  onCancel: () => void;
}

export function FilteredDeckForm({ deck, initialSearch = "is:due", onSubmit, onCancel }: Props) {
  const first = deck?.filter?.terms[0];
  const [name, setName] = useState(deck?.name ?? "Filtered Deck 1");
  const [search, setSearch] = useState(first?.search ?? initialSearch);
  const [limit, setLimit] = useState(String(first?.limit ?? 100));
  const [order, setOrder] = useState(first?.order ?? 1);
  const [reschedule, setReschedule] = useState(deck?.filter?.reschedule ?? true);
  const title = deck ? `Change the search of ${deck.name}` : "New filtered deck";
  return (
    <form
      class="stack filtered-form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        // A second search kept from Anki stays as it was; this form edits the first.
        const rest = deck?.filter?.terms.slice(1) ?? [];
        void onSubmit({
          name,
          filter: { terms: [{ search, limit: Number(limit), order }, ...rest], reschedule },
        });
      }}
    >
      <strong>{title}</strong>
      {!deck && (
        <label>
          Name
          <input name="filteredName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
      )}
      <label>
        Search
        <input
          name="filteredSearch"
          value={search}
          placeholder='e.g. deck:"Spanish" is:due'
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
      </label>
      <div class="row">
        <label>
          Limit to
          <input
            name="filteredLimit"
            type="number"
            min={1}
            max={99_999}
            value={limit}
            onInput={(e) => setLimit(e.currentTarget.value)}
          />
          cards
        </label>
        <label>
          selected by
          <select name="filteredOrder" value={order} onChange={(e) => setOrder(Number(e.currentTarget.value))}>
            {FILTER_ORDERS.map((label, i) => (
              <option key={label} value={i}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label class="inline">
        <input
          type="checkbox"
          name="filteredReschedule"
          checked={reschedule}
          onChange={(e) => setReschedule(e.currentTarget.checked)}
        />
        Reschedule cards based on my answers in this deck
      </label>
      {!reschedule && (
        <p class="hint">
          Preview only: Again shows a card after 1 minute and Hard after 10 minutes; Good and Easy send it back to its
          deck as it was.
        </p>
      )}
      <div class="row">
        <button type="submit">{deck ? "Save and rebuild" : "Build"}</button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
