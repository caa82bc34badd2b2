import { useEffect, useRef, useState } from "preact/hooks";
import { mediaReferences } from "../../../shared/media-refs";
import { fitFields, type NoteType } from "../../../shared/model";
import { clozeNumberFor, wrapCloze } from "../../lib/collection/cloze-edit";
import type { Collection } from "../../lib/collection/collection";
import { storeFiles } from "./media-insert";
import { MediaThumb } from "./media-view";

interface Props {
  noteType: NoteType;
  values: string[];
  onChange: (values: string[]) => void;
  /** With the collection, pictures and sounds can be added to fields (picked, pasted or dropped) and are shown. */
  col?: Collection;
}

/** One editor per field of the note type. Fields hold HTML, shown here as text, with their pictures and sounds. */
export function FieldsEditor({ noteType, values, onChange, col }: Props) {
  return (
    <div class="stack">
      {noteType.fields.map((field, index) => (
        <FieldInput
          key={`${noteType.id}-${field.ord}`}
          label={field.name}
          name={`field-${index}`}
          rows={field.name.length > 0 && index === 0 ? 3 : 2}
          rtl={field.rtl}
          value={values[index] ?? ""}
          col={col}
          cloze={(same) =>
            noteType.kind === "cloze"
              ? clozeNumberFor(values, same)
              : "Cloze deletions work only with a Cloze note type: choose one under Type."
          }
          onChange={(value) => {
            const next = fitFields(values, noteType.fields.length);
            next[index] = value;
            onChange(next);
          }}
        />
      ))}
    </div>
  );
}

interface FieldProps {
  label: string;
  name: string;
  rows: number;
  rtl?: boolean;
  value: string;
  onChange: (value: string) => void;
  col?: Collection;
  /** The cloze number for Ctrl+Shift+C (`same`: Ctrl+Shift+Alt+C), or why there is none. */
  cloze: (same: boolean) => number | string;
}

function FieldInput({ label, name, rows, rtl, value, onChange, col, cloze }: FieldProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [mediaVersion, setMediaVersion] = useState(0);
  // A field emptied (the note was added and the form cleared) drops what was said about its last files.
  useEffect(() => {
    if (value === "") setError(null);
  }, [value]);

  /** Stores the files and puts their references where the cursor is (or at the end). */
  const insert = async (files: File[]) => {
    if (!col || files.length === 0) return;
    const { references, errors } = await storeFiles(col, files);
    setError(errors.length > 0 ? errors.join(" ") : null);
    if (references.length === 0) return;
    const element = area.current;
    const text = element?.value ?? value;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    onChange(text.slice(0, start) + references.join(" ") + text.slice(end));
    // Not the collection's change notice: that would reload the note and lose the text not yet saved.
    setMediaVersion((v) => v + 1);
  };

  const references = col ? mediaReferences(value) : [];
  return (
    <div class={`field-input stack${dragging ? " drag-over" : ""}`}>
      <label>
        {label}
        <textarea
          ref={area}
          name={name}
          rows={rows}
          dir={rtl ? "rtl" : undefined}
          value={value}
          onInput={(e) => onChange(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (!(e.ctrlKey || e.metaKey) || !e.shiftKey || e.key.toLowerCase() !== "c") return;
            e.preventDefault();
            const n = cloze(e.altKey);
            if (typeof n === "string") {
              setError(n);
              return;
            }
            const target = e.currentTarget;
            const wrapped = wrapCloze(target.value, target.selectionStart, target.selectionEnd, n);
            onChange(wrapped.text);
            requestAnimationFrame(() => target.setSelectionRange(wrapped.cursor, wrapped.cursor));
          }}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (!col || files.length === 0) return;
            e.preventDefault();
            void insert(files);
          }}
          onDragOver={(e) => {
            if (!col || !e.dataTransfer?.types.includes("Files")) return;
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            setDragging(false);
            const files = [...(e.dataTransfer?.files ?? [])];
            if (!col || files.length === 0) return;
            e.preventDefault();
            void insert(files);
          }}
        />
      </label>
      {col && (
        <div class="field-tools">
          <button type="button" class="secondary" onClick={() => picker.current?.click()}>
            Add picture or sound…
          </button>
          <input
            ref={picker}
            type="file"
            accept="image/*,audio/*,video/*"
            multiple
            hidden
            name={`${name}-media`}
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = "";
              void insert(files);
            }}
          />
          {references.length === 0 && <span class="muted">or paste or drop one into the field</span>}
        </div>
      )}
      {col && references.length > 0 && (
        <div class="field-media">
          {references.map((ref) => (
            <MediaThumb key={ref} col={col} name={ref} version={mediaVersion} />
          ))}
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
