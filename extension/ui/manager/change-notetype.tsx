// Anki's "Change Notetype…": the selected notes, all of one note type, take another (or the same one with fields
// rearranged). Each new field takes an old field's content or nothing, each new card type an old card type's
// cards or none; cards no new card type takes are deleted. A schema change: the next sync is one-way.
import { useEffect, useState } from "preact/hooks";
import type { NoteType } from "../../../shared/model";
import { changeNoteType, defaultMapping, type NoteTypeMapping } from "../../lib/collection/notetypes";
import { Messages } from "../messages";
import { runConfirmed } from "./confirm";
import type { SectionProps } from "./context";
import { IdSelect } from "./controls";
import { useAction } from "./use-action";

interface Props extends SectionProps {
  noteIds: number[];
  from: NoteType;
  /** Called with what was done, in words, once the notes changed. */
  onDone: (message: string) => void;
  onClose: () => void;
}

export function ChangeNoteTypePanel({ col, version, changed, noteIds, from, onDone, onClose }: Props) {
  const [noteTypes, setNoteTypes] = useState<NoteType[]>([]);
  const [toId, setToId] = useState(from.id);
  const [mapping, setMapping] = useState<NoteTypeMapping>(() => defaultMapping(from, from));
  const action = useAction(changed);

  useEffect(() => {
    void col.db.getAll("notetypes").then((all) => setNoteTypes(all.sort((a, b) => a.name.localeCompare(b.name))));
  }, [col, version]);

  const to = noteTypes.find((n) => n.id === toId) ?? from;
  const choose = (id: number) => {
    const next = noteTypes.find((n) => n.id === id);
    if (!next) return;
    setToId(id);
    setMapping(defaultMapping(from, next));
  };
  const setField = (index: number, old: number | null) =>
    setMapping((m) => ({ ...m, fields: m.fields.map((f, i) => (i === index ? old : f)) }));
  // An old card type's cards can go to one new card type only: choosing it again takes it from the other.
  const setTemplate = (index: number, old: number | null) =>
    setMapping((m) => ({
      ...m,
      templates: m.templates?.map((t, i) => (i === index ? old : t === old ? null : t)) ?? null,
    }));

  const lostFields = from.fields.filter((_, i) => !mapping.fields.includes(i)).map((f) => f.name);
  const templates = mapping.templates;
  const lostTemplates =
    templates === null ? [] : from.templates.filter((_, i) => !templates.includes(i)).map((t) => t.name);
  const notes = `${noteIds.length} ${noteIds.length === 1 ? "note" : "notes"}`;

  const apply = async () => {
    const result = await action.run(() =>
      runConfirmed((flags) => changeNoteType(col, { noteIds, fromId: from.id, toId: to.id, mapping }, flags)),
    );
    if (!result) return;
    const count = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;
    onDone(
      `Changed ${count(result.notes, "note")} to ${to.name}: ${count(result.movedCards, "card")} moved, ` +
        `${result.addedCards} added, ${result.deletedCards} deleted.`,
    );
  };

  return (
    <section class="editor stack change-notetype" aria-label="Change note type">
      <h2>Change note type</h2>
      <p class="flush">
        {notes} of <strong>{from.name}</strong>
      </p>
      <IdSelect caption="New note type" name="targetNoteType" options={noteTypes} value={to.id} onChange={choose} />
      <table class="mapping">
        <caption>Fields</caption>
        <thead>
          <tr>
            <th scope="col">{to.name}</th>
            <th scope="col">takes the content of</th>
          </tr>
        </thead>
        <tbody>
          {to.fields.map((field, index) => (
            <tr key={`${to.id}-${field.name}`}>
              <th scope="row">{field.name}</th>
              <td>
                <OldSelect
                  name={`field-map-${index}`}
                  label={`Content for ${field.name}`}
                  options={from.fields.map((f) => f.name)}
                  value={mapping.fields[index] ?? null}
                  onChange={(old) => setField(index, old)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {lostFields.length > 0 && (
        <p class="notice">The content of {lostFields.map((f) => `“${f}”`).join(", ")} will be lost.</p>
      )}
      {templates !== null ? (
        <table class="mapping">
          <caption>Card types</caption>
          <thead>
            <tr>
              <th scope="col">{to.name}</th>
              <th scope="col">takes the cards of</th>
            </tr>
          </thead>
          <tbody>
            {to.templates.map((template, index) => (
              <tr key={`${to.id}-${template.name}`}>
                <th scope="row">{template.name}</th>
                <td>
                  <OldSelect
                    name={`template-map-${index}`}
                    label={`Cards for ${template.name}`}
                    options={from.templates.map((t) => t.name)}
                    value={templates[index] ?? null}
                    onChange={(old) => setTemplate(index, old)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="notice">
          {from.kind === "cloze" && to.kind === "standard"
            ? `Cloze cards keep their numbers: the cards of cloze 1 to ${to.templates.length} become ${to.templates
                .map((t) => `“${t.name}”`)
                .join(", ")}; the cards of higher cloze numbers are deleted.`
            : "Cards keep their numbers: the first card type's cards become cloze 1, the second's cloze 2, and so on."}
        </p>
      )}
      {lostTemplates.length > 0 && (
        <p class="notice">The cards of {lostTemplates.map((t) => `“${t}”`).join(", ")} will be deleted.</p>
      )}
      <p class="notice">
        Cards the new note type makes that the notes lack are added. This change cannot be merged with other devices:
        once the collection has synced, the next sync will have to be one-way.
      </p>
      <div class="row">
        <button type="button" disabled={action.busy} onClick={apply}>
          Change note type
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
      <Messages error={action.error} notice={action.notice} />
    </section>
  );
}

/** A select of the old note type's fields or card types by position, with "(nothing)" first. */
function OldSelect(props: {
  name: string;
  label: string;
  options: string[];
  value: number | null;
  onChange: (old: number | null) => void;
}) {
  return (
    <select
      name={props.name}
      aria-label={props.label}
      value={props.value === null ? "" : String(props.value)}
      onChange={(e) => props.onChange(e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
    >
      <option value="">(nothing)</option>
      {props.options.map((name, i) => (
        <option key={name} value={i}>
          {name}
        </option>
      ))}
    </select>
  );
}
