// Small controls the manager's sections share.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

interface Named {
  id: number;
  name: string;
}

/**
 * A select of records (decks, note types, presets) by id, showing their names; with `caption`, inside a visible
 * label (beside it when `inline`), otherwise named by `label` for screen readers.
 */
export function IdSelect(props: {
  options: Named[];
  value: number | null;
  onChange: (id: number) => void;
  name?: string;
  label?: string;
  caption?: string;
  inline?: boolean;
}) {
  const select = (
    <select
      name={props.name}
      aria-label={props.label}
      value={props.value ?? ""}
      onChange={(e) => props.onChange(Number(e.currentTarget.value))}
    >
      {props.options.map((option) => (
        <option key={option.id} value={option.id}>
          {option.name}
        </option>
      ))}
    </select>
  );
  if (!props.caption) return select;
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the select above, held in a variable.
    <label class={props.inline ? "inline" : undefined}>
      {props.caption}
      {select}
    </label>
  );
}

/** A list to pick one record from, each with a short detail ("3 notes"). */
export function PickList<T extends Named>(props: {
  label: string;
  items: T[];
  selectedId: number | null;
  onSelect: (id: number) => void;
  detail: (item: T) => string;
}) {
  return (
    <ul class="plain-list" aria-label={props.label}>
      {props.items.map((item) => (
        <li key={item.id}>
          <button
            type="button"
            class={item.id === props.selectedId ? "link selected" : "link"}
            onClick={() => props.onSelect(item.id)}
          >
            {item.name} <span class="muted">({props.detail(item)})</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * A form that adds something by name: one text box and a button. The box empties when `onAdd` reports success
 * (a truthy value). Extra controls go in as children, after the box.
 */
export function AddByName(props: {
  name: string;
  placeholder: string;
  button: string;
  onAdd: (text: string) => Promise<unknown>;
  secondary?: boolean;
  stacked?: boolean;
  children?: ComponentChildren;
}) {
  const [text, setText] = useState("");
  return (
    <form
      class={props.stacked ? "stack" : "row"}
      onSubmit={(e) => {
        e.preventDefault();
        void props.onAdd(text).then((added) => added && setText(""));
      }}
    >
      <input
        name={props.name}
        placeholder={props.placeholder}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {props.children}
      <button type="submit" class={props.secondary ? "secondary" : undefined}>
        {props.button}
      </button>
    </form>
  );
}
