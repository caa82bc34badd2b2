import type { NoteType } from "../../../shared/model";

interface Props {
  noteType: NoteType;
  values: string[];
  onChange: (values: string[]) => void;
}

/** One editor per field of the note type. Fields hold HTML, shown here as text. */
export function FieldsEditor({ noteType, values, onChange }: Props) {
  return (
    <div class="stack">
      {noteType.fields.map((field, index) => (
        <label key={`${noteType.id}-${field.ord}`}>
          {field.name}
          <textarea
            name={`field-${index}`}
            rows={field.name.length > 0 && index === 0 ? 3 : 2}
            dir={field.rtl ? "rtl" : undefined}
            value={values[index] ?? ""}
            onInput={(e) => {
              const next = [...values];
              next[index] = e.currentTarget.value;
              onChange(next);
            }}
          />
        </label>
      ))}
    </div>
  );
}
