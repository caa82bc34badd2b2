import { useEffect, useState } from "preact/hooks";
import type { NoteType } from "../../../shared/model";
import {
  addField,
  addNoteType,
  addTemplate,
  deleteNoteType,
  moveField,
  moveTemplate,
  removeField,
  removeTemplate,
  renameField,
  renameNoteType,
  renameTemplate,
  setSortField,
  updateCss,
  updateTemplate,
} from "../../lib/collection/notetypes";
import { Messages } from "../messages";
import { runConfirmed } from "./confirm";
import type { SectionProps } from "./context";
import { AddByName, IdSelect, PickList } from "./controls";
import { useAction } from "./use-action";

export function NoteTypesSection({ col, version, changed }: SectionProps) {
  const [noteTypes, setNoteTypes] = useState<{ noteType: NoteType; notes: number }[]>([]);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [copyOf, setCopyOf] = useState<number | null>(null);
  const action = useAction(changed);

  useEffect(() => {
    void (async () => {
      const types = (await col.db.getAll("notetypes")).sort((a, b) => a.name.localeCompare(b.name));
      const counts = await Promise.all(types.map((t) => col.db.countFromIndex("notes", "noteTypeId", t.id)));
      setNoteTypes(types.map((noteType, i) => ({ noteType, notes: counts[i] ?? 0 })));
      setSelectedId((id) => (id && types.some((t) => t.id === id) ? id : (types[0]?.id ?? null)));
      setCopyOf((id) => id ?? types[0]?.id ?? null);
    })();
  }, [col, version]);

  const selected = noteTypes.find((n) => n.noteType.id === selectedId);
  return (
    <div class="two-columns">
      <div class="stack side-list">
        <PickList
          label="Note types"
          items={noteTypes.map(({ noteType, notes }) => ({ id: noteType.id, name: noteType.name, notes }))}
          selectedId={selectedId}
          onSelect={setSelectedId}
          detail={(item) => `${item.notes} notes`}
        />
        <AddByName
          stacked
          name="newNoteType"
          placeholder="New note type name"
          button="Add note type"
          onAdd={async (name) => {
            if (copyOf === null) return null;
            const added = await action.run(
              () => addNoteType(col, name, copyOf),
              (n) => `Added "${n.name}".`,
            );
            if (added) setSelectedId(added.id);
            return added;
          }}
        >
          <IdSelect
            caption="As a copy of"
            options={noteTypes.map(({ noteType }) => noteType)}
            value={copyOf}
            onChange={setCopyOf}
          />
        </AddByName>
      </div>
      <div class="stack">
        <Messages error={action.error} notice={action.notice} />
        {selected && (
          <NoteTypeDetails
            key={selected.noteType.id}
            {...{ col, version, changed }}
            noteType={selected.noteType}
            notes={selected.notes}
            action={action}
          />
        )}
      </div>
    </div>
  );
}

interface DetailsProps extends SectionProps {
  noteType: NoteType;
  notes: number;
  action: ReturnType<typeof useAction>;
}

function NoteTypeDetails({ col, noteType, notes, action }: DetailsProps) {
  const [name, setName] = useState(noteType.name);
  const [templateOrd, setTemplateOrd] = useState(0);
  const template = noteType.templates[templateOrd] ?? noteType.templates[0];
  const [front, setFront] = useState(template?.qfmt ?? "");
  const [back, setBack] = useState(template?.afmt ?? "");
  const [css, setCss] = useState(noteType.css);
  useEffect(() => {
    setFront(template?.qfmt ?? "");
    setBack(template?.afmt ?? "");
  }, [template?.qfmt, template?.afmt, templateOrd]);
  useEffect(() => setCss(noteType.css), [noteType.css]);
  const id = noteType.id;
  const confirmed = <T,>(work: Parameters<typeof runConfirmed<T>>[0], message?: (v: T) => string | null) =>
    action.run(() => runConfirmed(work), message);
  const ask = (question: string, initial: string) => window.prompt(question, initial);

  return (
    <div class="stack">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(
            () => renameNoteType(col, id, name),
            () => "Renamed.",
          );
        }}
      >
        <input
          name="noteTypeName"
          aria-label="Note type name"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" class="secondary">
          Rename
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (notes > 0 && !window.confirm(`Delete "${noteType.name}" and its ${notes} notes with all their cards?`))
              return;
            void confirmed(
              (flags) => deleteNoteType(col, id, flags),
              (r) => `Deleted, with ${r.notes} notes.`,
            );
          }}
        >
          Delete note type
        </button>
      </form>

      <h2>Fields</h2>
      <ol class="edit-list">
        {noteType.fields.map((field, ord) => (
          <li key={field.name} class="row">
            <span class="grow">
              {field.name} {noteType.sortField === ord && <span class="muted">(sort field)</span>}
            </span>
            <button
              type="button"
              class="secondary"
              disabled={ord === 0}
              aria-label={`Move ${field.name} up`}
              onClick={() => confirmed((f) => moveField(col, id, ord, ord - 1, f))}
            >
              ↑
            </button>
            <button
              type="button"
              class="secondary"
              disabled={ord === noteType.fields.length - 1}
              aria-label={`Move ${field.name} down`}
              onClick={() => confirmed((f) => moveField(col, id, ord, ord + 1, f))}
            >
              ↓
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                const next = ask(`Rename the field "${field.name}" to:`, field.name);
                if (next !== null)
                  void action.run(
                    () => renameField(col, id, ord, next),
                    () => "Renamed; templates follow.",
                  );
              }}
            >
              Rename
            </button>
            <button
              type="button"
              class="secondary"
              disabled={noteType.sortField === ord}
              onClick={() => action.run(() => setSortField(col, id, ord))}
            >
              Sort by
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => {
                if (window.confirm(`Remove the field "${field.name}" and its content from all ${notes} notes?`))
                  void confirmed((f) => removeField(col, id, ord, f));
              }}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <AddByName
        secondary
        name="newField"
        placeholder="New field"
        button="Add field"
        onAdd={(name) =>
          confirmed(
            (f) => addField(col, id, name, f),
            () => "Field added.",
          )
        }
      />

      <h2>Card types</h2>
      <ol class="edit-list">
        {noteType.templates.map((t, ord) => (
          <li key={t.name} class="row">
            <button
              type="button"
              class={ord === templateOrd ? "link selected grow" : "link grow"}
              onClick={() => setTemplateOrd(ord)}
            >
              {t.name}
            </button>
            {noteType.kind === "standard" && (
              <>
                <button
                  type="button"
                  class="secondary"
                  disabled={ord === 0}
                  aria-label={`Move ${t.name} up`}
                  onClick={() => confirmed((f) => moveTemplate(col, id, ord, ord - 1, f))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  class="secondary"
                  disabled={ord === noteType.templates.length - 1}
                  aria-label={`Move ${t.name} down`}
                  onClick={() => confirmed((f) => moveTemplate(col, id, ord, ord + 1, f))}
                >
                  ↓
                </button>
              </>
            )}
            <button
              type="button"
              class="secondary"
              onClick={() => {
                const next = ask(`Rename the card type "${t.name}" to:`, t.name);
                if (next !== null)
                  void action.run(
                    () => renameTemplate(col, id, ord, next),
                    () => "Renamed.",
                  );
              }}
            >
              Rename
            </button>
            {noteType.kind === "standard" && (
              <button
                type="button"
                class="danger"
                onClick={() =>
                  confirmed(
                    (f) => removeTemplate(col, id, ord, f),
                    () => "Card type removed.",
                  )
                }
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ol>
      {noteType.kind === "standard" && (
        <AddByName
          secondary
          name="newTemplate"
          placeholder="New card type"
          button="Add card type"
          onAdd={(name) =>
            confirmed(
              (f) => addTemplate(col, id, name, f),
              () => "Card type added.",
            )
          }
        />
      )}
      {template && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(
              () => updateTemplate(col, id, templateOrd, { qfmt: front, afmt: back }),
              () => "Template saved.",
            );
          }}
        >
          <label>
            Front template of “{template.name}”
            <textarea
              name="qfmt"
              class="code"
              rows={5}
              value={front}
              onInput={(e) => setFront(e.currentTarget.value)}
            />
          </label>
          <label>
            Back template
            <textarea name="afmt" class="code" rows={5} value={back} onInput={(e) => setBack(e.currentTarget.value)} />
          </label>
          <div class="row">
            <button type="submit">Save templates</button>
          </div>
        </form>
      )}
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(
            () => updateCss(col, id, css),
            () => "Styling saved.",
          );
        }}
      >
        <label>
          Styling (CSS, shared by all card types)
          <textarea name="css" class="code" rows={6} value={css} onInput={(e) => setCss(e.currentTarget.value)} />
        </label>
        <div class="row">
          <button type="submit">Save styling</button>
        </div>
      </form>
    </div>
  );
}
