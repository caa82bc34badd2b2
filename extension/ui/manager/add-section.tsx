import { useEffect, useState } from "preact/hooks";
import type { Deck, NoteType } from "../../../shared/model";
import { addNote } from "../../lib/collection/notes";
import { Messages } from "../messages";
import type { SectionProps } from "./context";
import { IdSelect } from "./controls";
import { FieldsEditor } from "./fields-editor";
import { TagsInput } from "./tags-input";
import { useAction } from "./use-action";

/** Adds notes: choose a note type and deck, fill in the fields; sticky fields keep their text. */
export function AddSection({ col, version, changed }: SectionProps) {
  const [noteTypes, setNoteTypes] = useState<NoteType[]>([]);
  const [decks, setDecks] = useState<Deck[]>([]);
  const [noteTypeId, setNoteTypeId] = useState<number | null>(null);
  const [deckId, setDeckId] = useState<number>(1);
  const [fields, setFields] = useState<string[]>([]);
  const [tags, setTags] = useState("");
  const action = useAction(changed);

  useEffect(() => {
    void (async () => {
      const types = (await col.db.getAll("notetypes")).sort((a, b) => a.name.localeCompare(b.name));
      setNoteTypes(types);
      // Notes cannot be added to a filtered deck.
      setDecks((await col.db.getAll("decks")).filter((d) => !d.filter).sort((a, b) => a.name.localeCompare(b.name)));
      setNoteTypeId((current) => (current && types.some((t) => t.id === current) ? current : (types[0]?.id ?? null)));
    })();
  }, [col, version]);

  const noteType = noteTypes.find((t) => t.id === noteTypeId) ?? null;
  useEffect(() => {
    if (noteType) setFields((old) => noteType.fields.map((_, i) => old[i] ?? ""));
    // What was said about a note of the previous type does not hold for this one.
    action.setError(null);
  }, [noteType?.id, noteType?.fields.length]);

  if (!noteType) return <p class="muted">Loading…</p>;
  const add = async () => {
    const note = await action.run(
      () => addNote(col, { noteTypeId: noteType.id, deckId, fields, tags }),
      () => "Added.",
    );
    if (note) setFields(noteType.fields.map((f, i) => (f.sticky ? (fields[i] ?? "") : "")));
  };
  return (
    <form
      class="stack add-form"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
      // Ctrl+Enter adds, from any field, as in Anki.
      onKeyDown={(e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !action.busy) {
          e.preventDefault();
          void add();
        }
      }}
    >
      <div class="row">
        <IdSelect
          caption="Type"
          inline
          name="noteType"
          options={noteTypes}
          value={noteType.id}
          onChange={setNoteTypeId}
        />
        <IdSelect caption="Deck" inline name="deck" options={decks} value={deckId} onChange={setDeckId} />
      </div>
      <FieldsEditor noteType={noteType} values={fields} onChange={setFields} col={col} />
      <TagsInput col={col} value={tags} onChange={setTags} />
      <div class="row">
        <button type="submit" disabled={action.busy}>
          Add
        </button>
      </div>
      <Messages error={action.error} notice={action.notice} />
    </form>
  );
}
