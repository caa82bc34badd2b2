import { useEffect, useState } from "preact/hooks";
import type { Card, Deck, Note, NoteType } from "../../../shared/model";
import { setCardsDeck, setFlag, setSuspended } from "../../lib/collection/cards";
import { deleteNotes, updateNote } from "../../lib/collection/notes";
import { Messages } from "../messages";
import type { SectionProps } from "./context";
import { IdSelect } from "./controls";
import { FieldsEditor } from "./fields-editor";
import { TagsInput } from "./tags-input";
import { useAction } from "./use-action";

const FLAGS = ["No flag", "Red", "Orange", "Green", "Blue", "Pink", "Turquoise", "Purple"];

interface Props extends SectionProps {
  noteId: number;
  cardId: number;
  onDeleted: () => void;
}

/** Edits the selected note, and the selected card's deck, flag and suspension. */
export function NoteEditor({ col, version, changed, noteId, cardId, onDeleted }: Props) {
  const [note, setNote] = useState<Note | null>(null);
  const [noteType, setNoteType] = useState<NoteType | null>(null);
  const [card, setCard] = useState<Card | null>(null);
  const [decks, setDecks] = useState<Deck[]>([]);
  const [fields, setFields] = useState<string[]>([]);
  const [tags, setTags] = useState("");
  const action = useAction(changed);

  useEffect(() => {
    void (async () => {
      const n = await col.db.get("notes", noteId);
      setNote(n ?? null);
      setCard((await col.db.get("cards", cardId)) ?? null);
      // A card is moved between normal decks only; a filtered deck borrows cards by its search.
      setDecks((await col.db.getAll("decks")).filter((d) => !d.filter).sort((a, b) => a.name.localeCompare(b.name)));
      if (n) {
        setNoteType((await col.db.get("notetypes", n.noteTypeId)) ?? null);
        setFields(n.fields);
        setTags(n.tags.join(" "));
      }
    })();
  }, [col, noteId, cardId, version]);

  if (!note || !noteType) return <p class="muted">This note no longer exists.</p>;
  const save = () =>
    action.run(
      () => updateNote(col, noteId, { fields, tags }),
      (r) => `Saved.${r.addedCards ? ` ${r.addedCards} new card(s).` : ""}`,
    );
  const remove = () => {
    if (!window.confirm("Delete this note and all its cards? Their review history is kept.")) return;
    void action
      .run(
        () => deleteNotes(col, [noteId]),
        () => "Deleted.",
      )
      .then((r) => r && onDeleted());
  };
  return (
    <section class="editor stack" aria-label="Edit note">
      <h2>
        Edit note <span class="muted">({noteType.name})</span>
      </h2>
      <FieldsEditor noteType={noteType} values={fields} onChange={setFields} col={col} />
      <TagsInput col={col} value={tags} onChange={setTags} />
      <div class="row">
        <button type="button" disabled={action.busy} onClick={save}>
          Save
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={remove}>
          Delete note
        </button>
      </div>
      {card && (
        <div class="row card-actions">
          <IdSelect
            caption="Deck"
            inline
            name="cardDeck"
            options={decks}
            value={card.odid || card.deckId}
            onChange={(deckId) =>
              action.run(
                () => setCardsDeck(col, [card.id], deckId),
                () => "Moved.",
              )
            }
          />
          <label class="inline">
            Flag
            <select
              name="cardFlag"
              value={card.flags & 7}
              onChange={(e) => action.run(() => setFlag(col, [card.id], Number(e.currentTarget.value)))}
            >
              {FLAGS.map((name, flag) => (
                <option key={name} value={flag}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            class="secondary"
            onClick={() => action.run(() => setSuspended(col, [card.id], card.queue !== -1))}
          >
            {card.queue === -1 ? "Unsuspend card" : "Suspend card"}
          </button>
        </div>
      )}
      <Messages error={action.error} notice={action.notice} />
    </section>
  );
}
