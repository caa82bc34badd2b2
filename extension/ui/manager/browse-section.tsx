import { useEffect, useState } from "preact/hooks";
import { type BrowseRow, type SearchResult, type SortColumn, search } from "../../lib/collection/search";
import type { SectionProps } from "./context";
import { NoteEditor } from "./note-editor";

const PAGE = 50;

interface Column {
  key: SortColumn;
  label: string;
  value: (row: BrowseRow) => string;
}

const CARD_COLUMNS: Column[] = [
  { key: "sortField", label: "Sort field", value: (r) => r.sortField },
  { key: "template", label: "Card", value: (r) => r.template },
  { key: "deck", label: "Deck", value: (r) => r.deck },
  { key: "due", label: "Due", value: (r) => r.due },
  { key: "interval", label: "Interval", value: (r) => (r.interval > 0 ? `${r.interval} d` : "") },
  { key: "reps", label: "Reviews", value: (r) => String(r.reps) },
  { key: "created", label: "Created", value: (r) => new Date(r.created).toLocaleDateString() },
];

const NOTE_COLUMNS: Column[] = [
  { key: "sortField", label: "Sort field", value: (r) => r.sortField },
  { key: "noteType", label: "Note type", value: (r) => r.noteType },
  { key: "deck", label: "Deck", value: (r) => r.deck },
  { key: "template", label: "Cards", value: (r) => String(r.cards) },
  { key: "created", label: "Created", value: (r) => new Date(r.created).toLocaleDateString() },
  { key: "modified", label: "Modified", value: (r) => new Date(r.modified).toLocaleDateString() },
];

interface Props extends SectionProps {
  initialQuery?: string;
}

export function BrowseSection(props: Props) {
  const { col, version } = props;
  const [input, setInput] = useState(props.initialQuery ?? "");
  const [query, setQuery] = useState(props.initialQuery ?? "");
  const [mode, setMode] = useState<"cards" | "notes">("cards");
  const [sort, setSort] = useState<SortColumn>("created");
  const [descending, setDescending] = useState(false);
  const [offset, setOffset] = useState(0);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<BrowseRow | null>(null);

  useEffect(() => {
    let stale = false;
    void (async () => {
      // The page first, then the count, which may need a pass over the whole collection.
      const first = await search(col, query, { mode, sort, descending, offset, limit: PAGE, countTotal: false });
      if (stale) return;
      if (!first.ok) return setError(first.error);
      setResult(first.value);
      setError(null);
      // Opened on one note (the study screen's Edit, "nid:…"): its editor opens at once.
      const only = first.value.rows[0];
      if (query === props.initialQuery && /^nid:\d+$/.test(query) && only) setSelected((current) => current ?? only);
      // For the benchmark: when the first page of the manager became visible.
      if (performance.getEntriesByName("manager:first-page").length === 0) performance.mark("manager:first-page");
      if (first.value.total !== null) return;
      const counted = await search(col, query, { mode, sort, descending, offset: 0, limit: 1 });
      if (!stale && counted.ok) setResult({ ...first.value, total: counted.value.total });
    })();
    return () => {
      stale = true;
    };
  }, [col, version, query, mode, sort, descending, offset]);

  const columns = mode === "cards" ? CARD_COLUMNS : NOTE_COLUMNS;
  const sortBy = (key: SortColumn) => {
    if (key === sort) setDescending(!descending);
    else {
      setSort(key);
      setDescending(false);
    }
    setOffset(0);
  };
  const total = result?.total ?? null;
  const shown = result?.rows.length ?? 0;
  return (
    <div class="browse">
      <form
        class="row search-bar"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(input);
          setOffset(0);
        }}
      >
        <input
          name="search"
          type="search"
          placeholder='Search: words, "phrases", deck:Name, tag:x, is:due, -word, a or b'
          value={input}
          onInput={(e) => setInput(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
        <select
          name="mode"
          value={mode}
          aria-label="Show cards or notes"
          onChange={(e) => {
            setMode(e.currentTarget.value as "cards" | "notes");
            setOffset(0);
          }}
        >
          <option value="cards">Cards</option>
          <option value="notes">Notes</option>
        </select>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="browse-body">
        <div class="table-wrap">
          <table class="browse-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} aria-sort={c.key === sort ? (descending ? "descending" : "ascending") : undefined}>
                    <button type="button" class="link" onClick={() => sortBy(c.key)}>
                      {c.label}
                      {c.key === sort ? (descending ? " ▼" : " ▲") : ""}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result?.rows.map((row) => (
                <tr
                  key={mode === "cards" ? row.cardId : row.noteId}
                  class={[
                    selected?.cardId === row.cardId ? "selected" : "",
                    row.queue === -1 ? "suspended" : "",
                    row.flag ? `flag-${row.flag}` : "",
                  ].join(" ")}
                  onClick={() => setSelected(row)}
                >
                  {columns.map((c) => (
                    <td key={c.key}>{c.value(row)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div class="row pager">
            <span data-testid="match-count">
              {shown === 0 && offset === 0
                ? "Nothing matches."
                : `${offset + 1}–${offset + shown} of ${total ?? "…"} ${mode}`}
            </span>
            <button
              type="button"
              class="secondary"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              Previous
            </button>
            <button
              type="button"
              class="secondary"
              disabled={shown < PAGE || (total !== null && offset + PAGE >= total)}
              onClick={() => setOffset(offset + PAGE)}
            >
              Next
            </button>
          </div>
        </div>
        {selected && (
          <NoteEditor
            {...props}
            noteId={selected.noteId}
            cardId={selected.cardId}
            onDeleted={() => setSelected(null)}
          />
        )}
      </div>
    </div>
  );
}
