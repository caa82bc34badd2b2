import { useEffect, useState } from "preact/hooks";
import type { Collection } from "../../lib/collection/collection";

interface Props {
  col: Collection;
  value: string;
  onChange: (value: string) => void;
  /** The input's name and visible label: "tags" and "Tags" unless given. */
  name?: string;
  label?: string;
  autoFocus?: boolean;
}

/** Tags separated by spaces, with completion of the word being typed from the collection's tags. */
export function TagsInput({ col, value, onChange, name = "tags", label = "Tags", autoFocus }: Props) {
  const [known, setKnown] = useState<string[]>([]);
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    void col.db.getAllKeys("tags").then(setKnown);
  }, [col]);
  const words = value.split(/\s+/);
  const current = words[words.length - 1] ?? "";
  const present = new Set(words.slice(0, -1).map((w) => w.toLowerCase()));
  const suggestions =
    current.length === 0
      ? []
      : known
          .filter(
            (t) => t.toLowerCase().startsWith(current.toLowerCase()) && t !== current && !present.has(t.toLowerCase()),
          )
          .slice(0, 8);
  const choose = (tag: string) => onChange([...words.slice(0, -1), tag, ""].join(" "));
  return (
    <div class="tags-input">
      <label>
        {label}
        <input
          name={name}
          // biome-ignore lint/a11y/noAutofocus: opened by the person's own click or shortcut, to type at once.
          autoFocus={autoFocus}
          value={value}
          autocomplete="off"
          onInput={(e) => onChange(e.currentTarget.value)}
          onFocus={() => setFocused(true)}
          onBlur={() => setTimeout(() => setFocused(false), 150)}
          onKeyDown={(e) => {
            if (e.key === "Tab" && suggestions[0] && focused) {
              e.preventDefault();
              choose(suggestions[0]);
            }
          }}
        />
      </label>
      {focused && suggestions.length > 0 && (
        <div class="suggestions">
          {suggestions.map((tag) => (
            <button key={tag} type="button" class="link" tabIndex={-1} onMouseDown={() => choose(tag)}>
              {tag}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
