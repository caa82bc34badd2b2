// What the Browse page does to its selection: suspend, flag, change deck, tags, delete notes. The selection is a
// list of ids (cards, or notes in notes mode, possibly every match of the search); each action turns it into the
// ids it needs and runs as one transaction in the collection.
import { useEffect, useState } from "preact/hooks";
import type { Deck } from "../../../shared/model";
import { cardIdsOfNotes, setCardsDeck, setFlag, setSuspended } from "../../lib/collection/cards";
import type { Outcome } from "../../lib/collection/collection";
import { addTags, countNotesAndCards, deleteNotes, noteIdsOfCards, removeTags } from "../../lib/collection/notes";
import type { BrowseRow } from "../../lib/collection/search";
import { Messages } from "../messages";
import type { SectionProps } from "./context";
import { IdSelect } from "./controls";
import { TagsInput } from "./tags-input";
import { useAction } from "./use-action";

export const FLAGS = ["No flag", "Red", "Orange", "Green", "Blue", "Pink", "Turquoise", "Purple"];

export type BrowseMode = "cards" | "notes";

/** Which small form the selection bar shows under its buttons. */
type Picker = "deck" | "add-tags" | "remove-tags" | null;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The selection's actions, for the bar's buttons and the page's keyboard shortcuts alike. */
export function useBrowseActions(
  { col, changed }: Pick<SectionProps, "col" | "changed">,
  mode: BrowseMode,
  ids: readonly number[],
  current: BrowseRow | null,
  onDeleted: () => void,
) {
  const action = useAction(changed);
  const [picker, setPicker] = useState<Picker>(null);
  const cardIds = () => (mode === "cards" ? Promise.resolve([...ids]) : cardIdsOfNotes(col, ids));
  const noteIds = () => (mode === "notes" ? Promise.resolve([...ids]) : noteIdsOfCards(col, ids));
  const onCards = (work: (cards: number[]) => Promise<Outcome<number>>, done: (count: number) => string) =>
    ids.length === 0 ? undefined : action.run(async () => work(await cardIds()), done);
  const onNotes = (work: (notes: number[]) => Promise<Outcome<number>>, done: (count: number) => string) =>
    ids.length === 0 ? undefined : action.run(async () => work(await noteIds()), done);
  // As in Anki, one row (the one last clicked) says which way suspending and flags toggle.
  const suspended = current?.queue === -1;
  return {
    ...action,
    picker,
    setPicker: (next: Picker) => {
      if (ids.length > 0 || next === null) setPicker(next);
    },
    suspended,
    toggleSuspended: () =>
      onCards(
        (cards) => setSuspended(col, cards, !suspended),
        (n) => `${suspended ? "Unsuspended" : "Suspended"} ${plural(n, "card")}.`,
      ),
    /**
     * Sets a flag (0 for none). With `toggle`, as Ctrl+1–7 in Anki, the flag the current row already has is taken
     * off instead.
     */
    flag: (flag: number, toggle = false) => {
      const next = toggle && current?.flag === flag ? 0 : flag;
      return onCards(
        (cards) => setFlag(col, cards, next),
        (n) =>
          next === 0 ? `Flag removed from ${plural(n, "card")}.` : `Flagged ${plural(n, "card")} ${FLAGS[next]}.`,
      );
    },
    moveTo: (deck: Deck) =>
      onCards(
        (cards) => setCardsDeck(col, cards, deck.id),
        (n) => `Moved ${plural(n, "card")} to ${deck.name}.`,
      ),
    addTags: (tags: string) =>
      onNotes(
        (notes) => addTags(col, notes, tags),
        (n) => `Tags added to ${plural(n, "note")}.`,
      ),
    removeTags: (tags: string) =>
      onNotes(
        (notes) => removeTags(col, notes, tags),
        (n) => `Tags removed from ${plural(n, "note")}.`,
      ),
    deleteNotes: async () => {
      if (ids.length === 0) return;
      const notes = await noteIds();
      const count = await countNotesAndCards(col, notes);
      const question = `Delete ${plural(count.notes, "note")} and ${count.notes === 1 ? "its" : "their"} ${plural(count.cards, "card")}? The review history is kept.`;
      if (!window.confirm(question)) return;
      const deleted = await action.run(
        () => deleteNotes(col, notes),
        (r) => `Deleted ${plural(r.notes, "note")} and ${plural(r.cards, "card")}.`,
      );
      if (deleted) onDeleted();
    },
  };
}

export type BrowseActions = ReturnType<typeof useBrowseActions>;

interface BarProps {
  col: SectionProps["col"];
  version: number;
  actions: BrowseActions;
  mode: BrowseMode;
  count: number;
  total: number | null;
  selectingAll: boolean;
  onSelectAll: () => void;
  onClear: () => void;
  onChangeNoteType: () => void;
}

/** The count of selected rows and the buttons that act on them, with the deck and tag pickers they open. */
export function SelectionBar(props: BarProps) {
  const { actions, count, mode } = props;
  const none = count === 0 || actions.busy;
  const unit = mode === "cards" ? "card" : "note";
  const toggle = (picker: Picker) => actions.setPicker(actions.picker === picker ? null : picker);
  return (
    <section class="selection-bar stack" aria-label="Selection">
      <div class="row">
        <span class="selection-count" data-testid="selection-count">
          {props.selectingAll
            ? "Selecting every match…"
            : count === 0
              ? `No ${unit}s selected`
              : `${plural(count, unit)} selected${props.total !== null && count === props.total && count > 1 ? " (all matches)" : ""}`}
        </span>
        {props.total !== null && count < props.total && (
          <button type="button" class="link" onClick={props.onSelectAll} title="Ctrl+A">
            Select all {props.total}
          </button>
        )}
        {count > 0 && (
          <button type="button" class="link" onClick={props.onClear}>
            Clear
          </button>
        )}
        <span class="grow" />
        <button type="button" class="secondary" disabled={none} onClick={actions.toggleSuspended} title="Ctrl+J">
          {actions.suspended ? "Unsuspend" : "Suspend"}
        </button>
        <select
          name="selectionFlag"
          aria-label="Flag the selected cards (Ctrl+1 to 7, Ctrl+0 for none)"
          disabled={none}
          value=""
          onChange={(e) => {
            const flag = Number(e.currentTarget.value);
            e.currentTarget.value = "";
            void actions.flag(flag);
          }}
        >
          <option value="" disabled>
            Flag…
          </option>
          {FLAGS.map((name, flag) => (
            <option key={name} value={flag}>
              {flag === 0 ? "No flag" : `${name} (Ctrl+${flag})`}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="secondary"
          disabled={none}
          aria-expanded={actions.picker === "deck"}
          onClick={() => toggle("deck")}
          title="Ctrl+D"
        >
          Change deck…
        </button>
        <button
          type="button"
          class="secondary"
          disabled={none}
          aria-expanded={actions.picker === "add-tags"}
          onClick={() => toggle("add-tags")}
          title="Ctrl+Shift+A"
        >
          Add tags…
        </button>
        <button
          type="button"
          class="secondary"
          disabled={none}
          aria-expanded={actions.picker === "remove-tags"}
          onClick={() => toggle("remove-tags")}
          title="Ctrl+Alt+Shift+A"
        >
          Remove tags…
        </button>
        <button type="button" class="secondary" disabled={none} onClick={props.onChangeNoteType} title="Ctrl+Shift+M">
          Change note type…
        </button>
        <button
          type="button"
          class="danger"
          disabled={none}
          onClick={actions.deleteNotes}
          title="Delete the notes (Ctrl+Delete)"
        >
          Delete
        </button>
      </div>
      {actions.picker === "deck" && <DeckPicker {...props} />}
      {(actions.picker === "add-tags" || actions.picker === "remove-tags") && (
        <TagsPicker {...props} adding={actions.picker === "add-tags"} />
      )}
      <Messages error={actions.error} notice={actions.notice} />
    </section>
  );
}

function DeckPicker({ col, version, actions, count, mode }: BarProps) {
  const [decks, setDecks] = useState<Deck[]>([]);
  const [deckId, setDeckId] = useState<number | null>(null);
  useEffect(() => {
    void col.db.getAll("decks").then((all) => {
      // Cards cannot be moved into a filtered deck.
      const sorted = all.filter((d) => !d.filter).sort((a, b) => a.name.localeCompare(b.name));
      setDecks(sorted);
      setDeckId((id) => id ?? sorted[0]?.id ?? null);
    });
  }, [col, version]);
  const deck = decks.find((d) => d.id === deckId);
  return (
    <form
      class="row picker"
      onSubmit={(e) => {
        e.preventDefault();
        if (!deck) return;
        void actions.moveTo(deck)?.then((moved) => moved !== null && actions.setPicker(null));
      }}
    >
      <IdSelect
        caption={`Move the ${mode === "cards" ? plural(count, "selected card") : `cards of ${plural(count, "selected note")}`} to`}
        inline
        name="targetDeck"
        options={decks}
        value={deckId}
        onChange={setDeckId}
      />
      <button type="submit" disabled={!deck || actions.busy}>
        Move
      </button>
      <button type="button" class="secondary" onClick={() => actions.setPicker(null)}>
        Cancel
      </button>
    </form>
  );
}

function TagsPicker({ col, actions, count, mode, adding }: BarProps & { adding: boolean }) {
  const [tags, setTags] = useState("");
  const notes = mode === "notes" ? plural(count, "selected note") : `the notes of ${plural(count, "selected card")}`;
  return (
    <form
      class="row picker"
      onSubmit={(e) => {
        e.preventDefault();
        const run = adding ? actions.addTags(tags) : actions.removeTags(tags);
        void run?.then((changed) => changed !== null && actions.setPicker(null));
      }}
    >
      <TagsInput
        col={col}
        name="selectionTags"
        label={adding ? `Tags to add to ${notes}` : `Tags to remove from ${notes}`}
        value={tags}
        onChange={setTags}
        autoFocus
      />
      <button type="submit" disabled={actions.busy}>
        {adding ? "Add tags" : "Remove tags"}
      </button>
      <button type="button" class="secondary" onClick={() => actions.setPicker(null)}>
        Cancel
      </button>
    </form>
  );
}
