import { useEffect, useState } from "preact/hooks";
import { isSelfOrDescendant, leafName } from "../../../shared/deck-names";
import type { Deck, DeckConfig } from "../../../shared/model";
import { addDeck, deleteDeck, renameDeck, setDeckPreset } from "../../lib/collection/decks";
import {
  addFilteredDeck,
  emptyFilteredDeck,
  rebuildFilteredDeck,
  updateFilteredDeck,
} from "../../lib/collection/filtered";
import { Messages } from "../messages";
import type { SectionProps } from "./context";
import { AddByName, IdSelect } from "./controls";
import { FilteredDeckForm } from "./filtered-deck-form";
import { useAction } from "./use-action";

interface DeckRow {
  deck: Deck;
  depth: number;
  cards: number;
}

export function DecksSection({ col, version, changed }: SectionProps) {
  const [rows, setRows] = useState<DeckRow[]>([]);
  const [presets, setPresets] = useState<DeckConfig[]>([]);
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const [deleting, setDeleting] = useState<{ id: number; target: number } | null>(null);
  /** The filtered deck form: "new", or the id of the filtered deck whose search is being changed. */
  const [filtering, setFiltering] = useState<"new" | number | null>(null);
  const action = useAction(changed);

  useEffect(() => {
    void (async () => {
      const decks = (await col.db.getAll("decks")).sort((a, b) => a.name.localeCompare(b.name));
      const counts = await Promise.all(decks.map((d) => col.db.countFromIndex("cards", "deckId", d.id)));
      setRows(decks.map((deck, i) => ({ deck, depth: deck.name.split("::").length - 1, cards: counts[i] ?? 0 })));
      setPresets(await col.db.getAll("deckconfigs"));
    })();
  }, [col, version]);

  return (
    <div class="stack">
      <AddByName
        name="newDeck"
        placeholder="New deck, e.g. Languages::Spanish"
        button="Create deck"
        onAdd={(name) =>
          action.run(
            () => addDeck(col, name),
            (d) => `Created "${d.name}".`,
          )
        }
      />
      {filtering === null ? (
        <div class="row">
          <button type="button" class="secondary" onClick={() => setFiltering("new")}>
            Create filtered deck
          </button>
          <span class="hint">
            Borrows the cards a search finds, to study them apart; they go back when it is emptied.
          </span>
        </div>
      ) : (
        <FilteredDeckForm
          deck={filtering === "new" ? undefined : rows.find((r) => r.deck.id === filtering)?.deck}
          onCancel={() => setFiltering(null)}
          onSubmit={({ name, filter }) =>
            action
              .run(
                () =>
                  filtering === "new"
                    ? addFilteredDeck(col, { name, ...filter })
                    : updateFilteredDeck(col, filtering, filter),
                (r) => `${r.deck.name} holds ${r.cards} card${r.cards === 1 ? "" : "s"}.`,
              )
              .then((r) => r && setFiltering(null))
          }
        />
      )}
      <Messages error={action.error} notice={action.notice} />
      <table class="decks-table">
        <thead>
          <tr>
            <th>Deck</th>
            <th>Cards</th>
            <th>Options</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map(({ deck, depth, cards }) => (
            <tr key={deck.id} data-deck={deck.name} class={deck.filter ? "filtered-deck" : undefined}>
              <td style={{ paddingLeft: `${0.5 + depth * 1.25}rem` }}>
                {renaming?.id === deck.id ? (
                  <form
                    class="row"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void action
                        .run(
                          () => renameDeck(col, deck.id, renaming.name),
                          () => "Renamed.",
                        )
                        .then((r) => r && setRenaming(null));
                    }}
                  >
                    <input
                      name="renameDeck"
                      value={renaming.name}
                      onInput={(e) => setRenaming({ id: deck.id, name: e.currentTarget.value })}
                    />
                    <button type="submit">Save</button>
                    <button type="button" class="secondary" onClick={() => setRenaming(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  leafName(deck.name)
                )}
              </td>
              <td>{cards}</td>
              <td>
                {deck.filter ? (
                  <span class="filter-summary" title="A filtered deck: its cards keep their home decks' options">
                    Filtered: {deck.filter.terms.map((t) => t.search).join(" · ")}
                  </span>
                ) : (
                  <IdSelect
                    label={`Options preset of ${deck.name}`}
                    options={presets}
                    value={deck.configId}
                    onChange={(id) => action.run(() => setDeckPreset(col, deck.id, id))}
                  />
                )}
              </td>
              <td class="row">
                {deck.filter && (
                  <>
                    <button
                      type="button"
                      onClick={() =>
                        action.run(
                          () => rebuildFilteredDeck(col, deck.id),
                          (r) => `Rebuilt: ${r.cards} card${r.cards === 1 ? "" : "s"}.`,
                        )
                      }
                    >
                      Rebuild
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      onClick={() =>
                        action.run(
                          () => emptyFilteredDeck(col, deck.id),
                          (n) => `Emptied: ${n} card${n === 1 ? "" : "s"} back in their decks.`,
                        )
                      }
                    >
                      Empty
                    </button>
                    <button type="button" class="secondary" onClick={() => setFiltering(deck.id)}>
                      Search…
                    </button>
                  </>
                )}
                <button type="button" class="secondary" onClick={() => setRenaming({ id: deck.id, name: deck.name })}>
                  Rename
                </button>
                {deck.id !== 1 && (
                  <button type="button" class="danger" onClick={() => setDeleting({ id: deck.id, target: 1 })}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {deleting && (
        <DeleteDeckDialog
          deck={rows.find((r) => r.deck.id === deleting.id)?.deck ?? null}
          targets={rows
            .map((r) => r.deck)
            .filter(
              (d) =>
                !d.filter && !isSelfOrDescendant(d.name, rows.find((r) => r.deck.id === deleting.id)?.deck.name ?? ""),
            )}
          onCancel={() => setDeleting(null)}
          onDelete={(choice) =>
            void action
              .run(
                () => deleteDeck(col, deleting.id, choice),
                (r) =>
                  rows.find((row) => row.deck.id === deleting.id)?.deck.filter
                    ? "Deleted the filtered deck; its cards are back in their own decks."
                    : `Deleted ${r.decks} deck(s); ${r.cards} card(s) ${choice.cards === "move" ? "moved" : "deleted"}.`,
              )
              .then((r) => r && setDeleting(null))
          }
        />
      )}
    </div>
  );
}

interface DialogProps {
  deck: Deck | null;
  targets: Deck[];
  onCancel: () => void;
  onDelete: (choice: { cards: "delete" } | { cards: "move"; toDeckId: number }) => void;
}

/** Asks what happens to the cards of a deck being deleted. */
function DeleteDeckDialog({ deck, targets, onCancel, onDelete }: DialogProps) {
  const [target, setTarget] = useState(targets[0]?.id ?? 1);
  if (!deck) return null;
  // A filtered deck's cards go back to their own decks: there is nothing to choose.
  return (
    <div class="danger-zone stack" role="dialog" aria-label="Delete deck">
      {deck.filter ? (
        <p>
          Delete the filtered deck <strong>{deck.name}</strong>? Its cards go back to their own decks, as they are.
        </p>
      ) : (
        <p>
          Delete <strong>{deck.name}</strong> and its sub-decks? Choose what happens to their cards.
        </p>
      )}
      <div class="row">
        <button type="button" class="danger" onClick={() => onDelete({ cards: "delete" })}>
          {deck.filter ? "Delete the filtered deck" : "Delete the cards too"}
        </button>
        {!deck.filter && (
          <>
            <span>or move them to</span>
            <IdSelect label="Move cards to" options={targets} value={target} onChange={setTarget} />
            <button type="button" onClick={() => onDelete({ cards: "move", toDeckId: target })}>
              Move cards and delete the deck
            </button>
          </>
        )}
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
