import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { NoteType } from "../../../shared/model";
import type { Outcome } from "../../lib/collection/collection";
import { noteIdsOfCards, noteTypeIdsOf } from "../../lib/collection/notes";
import { type BrowseRow, type SearchResult, type SortColumn, search, searchIds } from "../../lib/collection/search";
import { Lazy, preload } from "../lazy";
import { type BrowseMode, SelectionBar, useBrowseActions } from "./browse-actions";
import type { SectionProps } from "./context";
import { FIRST_PAGE, PAGE } from "./startup";

// The editor and the note type form come when a row is chosen; their code loads once the first page is shown.
const loadNoteEditor = () => import("./note-editor").then((m) => m.NoteEditor);
const loadChangeNoteType = () => import("./change-notetype").then((m) => m.ChangeNoteTypePanel);

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
  /** Browse's first page when the page's start read it already (for this query, once), else null. */
  firstPage?: (query: string) => Promise<Outcome<SearchResult>> | null;
}

export function BrowseSection(props: Props) {
  const { col, version } = props;
  const section = { col, version, changed: props.changed };
  const [input, setInput] = useState(props.initialQuery ?? "");
  const [query, setQuery] = useState(props.initialQuery ?? "");
  // Browse opens on the search the page's start may have read already.
  const [mode, setMode] = useState<"cards" | "notes">(FIRST_PAGE.mode);
  const [sort, setSort] = useState<SortColumn>(FIRST_PAGE.sort);
  const [descending, setDescending] = useState<boolean>(FIRST_PAGE.descending);
  const [offset, setOffset] = useState<number>(FIRST_PAGE.offset);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The selection: ids of cards (or notes in notes mode), on this page or others; the row last clicked (the editor's
  // note, and which way suspending toggles); and the row a shift-click extends from.
  const [selection, setSelection] = useState<ReadonlySet<number>>(new Set());
  const [current, setCurrent] = useState<BrowseRow | null>(null);
  const [anchor, setAnchor] = useState<number | null>(null);
  const [selectingAll, setSelectingAll] = useState(false);
  const [changing, setChanging] = useState<{ noteIds: number[]; from: NoteType } | null>(null);
  const idOf = (row: BrowseRow) => (mode === "cards" ? row.cardId : row.noteId);
  const clearSelection = () => {
    setSelection(new Set());
    setCurrent(null);
    setAnchor(null);
  };
  // Which way suspending and flags toggle: the row last clicked when it is selected, else the first selected row.
  const reference =
    current && selection.has(idOf(current)) ? current : (result?.rows.find((r) => selection.has(idOf(r))) ?? null);
  const selectedIds = useMemo(() => [...selection], [selection]);
  const actions = useBrowseActions(props, mode, selectedIds, reference, clearSelection);
  // The note type form belongs to the notes it was opened for: another selection closes it.
  useEffect(() => setChanging(null), [selection]);

  // For the benchmark: when the manager's first page of rows is in the document (this runs after the rows were
  // committed, before the browser paints them).
  useLayoutEffect(() => {
    if (!result || result.rows.length === 0 || performance.getEntriesByName("manager:first-page").length > 0) return;
    performance.mark("manager:first-page");
    setTimeout(() => {
      preload(loadNoteEditor);
      preload(loadChangeNoteType);
    }, 0);
  }, [result]);
  // Whether the editor was opened for a link to one note ("nid:…"): once, even when the collection changed while
  // the page was starting (a sync finishing elsewhere), and never again after the person closes it.
  const openedLinkedNote = useRef(false);
  // A layout effect: the first search starts (or the one read at startup is taken) before the first paint.
  useLayoutEffect(() => {
    let stale = false;
    // A search that fails says so, and leaves no earlier results on screen to be taken for its own.
    const failed = (message: string) => {
      if (stale) return;
      setResult(null);
      setError(message);
    };
    void (async () => {
      // The page first, then the count, which may need a pass over the whole collection.
      // Browse's first search may have been read at the page's start (taken once: later searches read afresh).
      const first = await (props.firstPage?.(query) ??
        search(col, query, { mode, sort, descending, offset, limit: PAGE, countTotal: false }));
      if (stale) return;
      if (!first.ok) return failed(first.error);
      setResult(first.value);
      setError(null);
      // Opened on one note (the study screen's Edit, "nid:…"): its editor opens at once.
      const only = first.value.rows[0];
      if (query === props.initialQuery && /^nid:\d+$/.test(query) && only && !openedLinkedNote.current) {
        openedLinkedNote.current = true;
        setCurrent((row) => row ?? only);
        setSelection((ids) => (ids.size > 0 ? ids : new Set([mode === "cards" ? only.cardId : only.noteId])));
      }
      // The row last clicked follows the collection's changes (a suspended card shows as suspended).
      setCurrent((row) => first.value.rows.find((r) => r.cardId === row?.cardId && r.noteId === row?.noteId) ?? row);
      if (first.value.total !== null) return;
      const counted = await search(col, query, { mode, sort, descending, offset: 0, limit: 1 });
      if (!stale && counted.ok) setResult({ ...first.value, total: counted.value.total });
    })().catch((e: unknown) => failed(`The search failed: ${e instanceof Error ? e.message : String(e)}`));
    return () => {
      stale = true;
    };
  }, [col, version, query, mode, sort, descending, offset]);

  const columns = mode === "cards" ? CARD_COLUMNS : NOTE_COLUMNS;
  const rows = result?.rows ?? [];
  const sortBy = (key: SortColumn) => {
    if (key === sort) setDescending(!descending);
    else {
      setSort(key);
      setDescending(false);
    }
    setOffset(0);
  };
  const total = result?.total ?? null;
  const shown = rows.length;

  /** A click as in Anki's browser: alone it selects the row, with Ctrl or Cmd it toggles, with Shift a range. */
  const choose = (row: BrowseRow, { toggle = false, range = false } = {}) => {
    const id = idOf(row);
    const from = rows.findIndex((r) => idOf(r) === anchor);
    if (range && from >= 0) {
      const to = rows.indexOf(row);
      const span = rows.slice(Math.min(from, to), Math.max(from, to) + 1).map(idOf);
      setSelection((ids) => new Set([...(toggle ? ids : []), ...span]));
      setCurrent(row);
      return;
    }
    if (toggle) {
      const next = new Set(selection);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelection(next);
      setCurrent(next.has(id) ? row : null);
    } else {
      setSelection(new Set([id]));
      setCurrent(row);
    }
    setAnchor(id);
  };

  /** Ctrl+A: every match of the search, as ids only (one pass over the cards, as counting them takes). */
  const selectAll = async () => {
    setSelectingAll(true);
    const all = await searchIds(col, query, { mode });
    setSelectingAll(false);
    if (!all.ok) return setError(all.error);
    setSelection(new Set(all.value));
  };

  const openChangeNoteType = async () => {
    if (selection.size === 0) return;
    const noteIds = mode === "notes" ? [...selection] : await noteIdsOfCards(col, [...selection]);
    const types = await noteTypeIdsOf(col, noteIds);
    const noteTypes = await Promise.all(types.map((id) => col.db.get("notetypes", id)));
    const [from] = noteTypes;
    if (!from || types.length !== 1) {
      const names = noteTypes.map((n) => n?.name ?? "(missing)").join(", ");
      actions.setError(`The selected notes have different note types (${names}): select notes of one note type.`);
      return;
    }
    actions.setPicker(null);
    setChanging({ noteIds, from });
  };

  // Anki's browser shortcuts, while no text box has the focus.
  const keys = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keys.current = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (target?.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])")) return;
    const mod = e.ctrlKey || e.metaKey;
    const digit = /^Digit([0-7])$/.exec(e.code)?.[1] ?? (/^[0-7]$/.test(e.key) ? e.key : null);
    const act = (work: () => unknown) => {
      e.preventDefault();
      void work();
    };
    if (mod && !e.shiftKey && !e.altKey && e.code === "KeyA") return act(selectAll);
    if (mod && e.shiftKey && !e.altKey && e.code === "KeyA") return act(() => actions.setPicker("add-tags"));
    if (mod && e.shiftKey && e.altKey && e.code === "KeyA") return act(() => actions.setPicker("remove-tags"));
    if (mod && !e.shiftKey && e.code === "KeyJ") return act(actions.toggleSuspended);
    if (mod && !e.shiftKey && !e.altKey && digit !== null) return act(() => actions.flag(Number(digit), true));
    if (mod && !e.shiftKey && e.code === "KeyD") return act(() => actions.setPicker("deck"));
    if (mod && e.shiftKey && e.code === "KeyM") return act(openChangeNoteType);
    if (mod && (e.key === "Delete" || e.key === "Backspace")) return act(actions.deleteNotes);
    if (e.key === "Escape" && (actions.picker || changing)) {
      actions.setPicker(null);
      setChanging(null);
      return;
    }
    if (current && !mod && !e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      const at = rows.findIndex((r) => idOf(r) === idOf(current));
      const next = rows[e.key === "ArrowDown" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0)];
      if (next) act(() => choose(next, { range: e.shiftKey }));
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => keys.current(e);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);

  const single = selection.size === 1 && current && selection.has(idOf(current)) ? current : null;
  const side = changing ? (
    <Lazy
      key={changing.from.id}
      load={loadChangeNoteType}
      props={{
        ...section,
        noteIds: changing.noteIds,
        from: changing.from,
        onDone: (message: string) => {
          setChanging(null);
          actions.setError(null);
          actions.setNotice(message);
        },
        onClose: () => setChanging(null),
      }}
    />
  ) : single ? (
    <Lazy
      load={loadNoteEditor}
      props={{ ...section, noteId: single.noteId, cardId: single.cardId, onDeleted: clearSelection }}
    />
  ) : selection.size > 1 ? (
    <SelectionHelp count={selection.size} mode={mode} />
  ) : null;

  return (
    <div class="browse">
      <form
        class="row search-bar"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(input);
          setOffset(0);
          clearSelection();
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
            clearSelection();
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
      <SelectionBar
        col={col}
        version={version}
        actions={actions}
        mode={mode}
        count={selection.size}
        total={total}
        selectingAll={selectingAll}
        onSelectAll={() => void selectAll()}
        onClear={clearSelection}
        onChangeNoteType={() => void openChangeNoteType()}
      />
      {/* Without a panel beside it (nothing selected), the table takes the whole width. */}
      <div class={side ? "browse-body" : "browse-body alone"}>
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
              {rows.map((row) => (
                <tr
                  key={idOf(row)}
                  aria-selected={selection.has(idOf(row))}
                  class={[
                    selection.has(idOf(row)) ? "selected" : "",
                    current && idOf(current) === idOf(row) ? "current" : "",
                    row.queue === -1 ? "suspended" : "",
                    row.flag ? `flag-${row.flag}` : "",
                  ].join(" ")}
                  // Shift-click must not select the table's text.
                  onMouseDown={(e) => e.shiftKey && e.preventDefault()}
                  onClick={(e) => choose(row, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey })}
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
              {result === null
                ? error
                  ? "The search failed."
                  : "Searching…"
                : shown === 0 && offset === 0
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
        {side}
      </div>
    </div>
  );
}

/** Beside a selection of many rows: what the keyboard does to it. */
function SelectionHelp({ count, mode }: { count: number; mode: BrowseMode }) {
  return (
    <section class="editor stack" aria-label="Keyboard shortcuts">
      <h2>
        {count} {mode} selected
      </h2>
      <dl class="sides shortcuts">
        <dt>Click, Ctrl+click, Shift+click</dt>
        <dd>select a row, add or remove one, select a range</dd>
        <dt>Ctrl+A</dt>
        <dd>select every match of the search</dd>
        <dt>Ctrl+J</dt>
        <dd>suspend or unsuspend</dd>
        <dt>Ctrl+1 … Ctrl+7, Ctrl+0</dt>
        <dd>flag, or take the flag off</dd>
        <dt>Ctrl+D</dt>
        <dd>change deck</dd>
        <dt>Ctrl+Shift+A, Ctrl+Alt+Shift+A</dt>
        <dd>add tags, remove tags</dd>
        <dt>Ctrl+Shift+M</dt>
        <dd>change note type</dd>
        <dt>Ctrl+Delete</dt>
        <dd>delete the notes</dd>
      </dl>
    </section>
  );
}
