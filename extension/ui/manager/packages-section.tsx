// Import / Export: Anki packages in (a file picker or a dropped file, a progress bar, the summary at the end) and
// out (a deck or the whole collection, with or without scheduling and media, as .apkg or .colpkg, downloaded).
import { useEffect, useState } from "preact/hooks";
import type { Deck } from "../../../shared/model";
import { collectionMedia } from "../../lib/packages/collection-media";
import { exportPackage } from "../../lib/packages/export";
import { importMode, importPackage } from "../../lib/packages/import";
import { Messages } from "../messages";
import type { SectionProps } from "./context";
import "./packages-section.css";

interface Progress {
  fraction: number;
  label: string;
}

const REPLACE_WARNING =
  "is a collection package: importing it replaces your whole collection with the one in the file, as Anki does. " +
  "The current collection is kept as a backup first, and the next sync will ask which side to keep. Go on?";

function download(bytes: Uint8Array, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function PackagesSection({ col, version, changed }: SectionProps) {
  const [decks, setDecks] = useState<Deck[]>([]);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [summary, setSummary] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [running, setRunning] = useState<"import" | "export">("import");
  const [importScheduling, setImportScheduling] = useState(true);
  const [format, setFormat] = useState<"apkg" | "colpkg">("apkg");
  const [target, setTarget] = useState("all");
  const [withScheduling, setWithScheduling] = useState(true);
  const [withMedia, setWithMedia] = useState(true);

  useEffect(() => {
    void col.db.getAll("decks").then((all) => setDecks(all.sort((a, b) => a.name.localeCompare(b.name))));
  }, [col, version]);

  async function work(kind: "import" | "export", run: () => Promise<void>) {
    setRunning(kind);
    setBusy(true);
    setError(null);
    setNotice(null);
    setSummary(null);
    setProgress({ fraction: 0, label: "Starting" });
    try {
      await run();
    } catch (thrown) {
      setError(`Something went wrong: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }

  async function importFile(file: File) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (importMode(file.name, bytes) === "replace" && !window.confirm(`"${file.name}" ${REPLACE_WARNING}`)) {
      setRunning("import");
      setNotice("Cancelled: nothing was imported.");
      return;
    }
    await work("import", async () => {
      const result = await importPackage(col, bytes, file.name, {
        media: collectionMedia(col),
        withScheduling: importScheduling,
        onProgress: (fraction, label) => setProgress({ fraction, label }),
      });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setSummary([`Imported "${file.name}".`, ...result.value.lines]);
      changed();
    });
  }

  async function exportFile() {
    await work("export", async () => {
      const result = await exportPackage(col, {
        format,
        deckId: format === "apkg" && decks.some((d) => String(d.id) === target) ? Number(target) : null,
        withScheduling,
        withMedia,
        media: collectionMedia(col),
        onProgress: (fraction, label) => setProgress({ fraction, label }),
      });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      const { bytes, fileName, notes, cards, revlog, media } = result.value;
      download(bytes, fileName);
      const count = (n: number, one: string) => `${n.toLocaleString("en")} ${n === 1 ? one : `${one}s`}`;
      setNotice(
        `Exported ${count(notes, "note")}, ${count(cards, "card")}, ${count(revlog, "review")} and ` +
          `${count(media, "media file")} as ${fileName}.`,
      );
    });
  }

  const status = (
    <>
      {progress && (
        <div class="stack progress-block">
          <progress max={1} value={progress.fraction} aria-label="Progress" />
          <span class="muted">{progress.label}…</span>
        </div>
      )}
      <Messages error={error} notice={notice} />
      {summary && (
        <ul class="import-summary" aria-label="Import summary">
          {summary.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </>
  );
  const colpkg = format === "colpkg";
  // A deck chosen before may be gone (a .colpkg replaced the collection): then the whole collection.
  const chosen = decks.some((d) => String(d.id) === target) ? target : "all";
  return (
    <div class="stack narrow packages">
      <section class="stack" aria-labelledby="import-heading">
        <h2 id="import-heading">Import</h2>
        <p class="muted">
          Anki packages: a deck package (.apkg) is merged into this collection; a collection package (.colpkg) or a
          collection file (.anki2) replaces it, after a backup.
        </p>
        <label
          class={`drop-zone${dragging ? " dragging" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            const file = e.dataTransfer?.files[0];
            if (file && !busy) void importFile(file);
          }}
        >
          <span>Drop an .apkg or .colpkg file here, or choose one</span>
          <input
            type="file"
            name="package"
            accept=".apkg,.colpkg,.anki2,.anki21"
            disabled={busy}
            onChange={(e) => {
              const input = e.currentTarget;
              const file = input.files?.[0];
              input.value = "";
              if (file) void importFile(file);
            }}
          />
        </label>
        <label class="inline">
          <input
            type="checkbox"
            name="importScheduling"
            checked={importScheduling}
            onChange={(e) => setImportScheduling(e.currentTarget.checked)}
          />
          Import learning progress (card states and review history)
        </label>
        {running === "import" && status}
      </section>

      <section class="stack" aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <fieldset class="row export-format">
          <legend>Format</legend>
          <label class="inline">
            <input type="radio" name="format" checked={!colpkg} onChange={() => setFormat("apkg")} />
            Anki deck package (.apkg)
          </label>
          <label class="inline">
            <input type="radio" name="format" checked={colpkg} onChange={() => setFormat("colpkg")} />
            Anki collection package (.colpkg)
          </label>
        </fieldset>
        <label>
          What to export
          <select
            name="exportDeck"
            value={colpkg ? "all" : chosen}
            disabled={colpkg}
            onChange={(e) => setTarget(e.currentTarget.value)}
          >
            <option value="all">The whole collection</option>
            {decks.map((d) => (
              <option key={d.id} value={String(d.id)}>
                {d.name.replace(/::/g, " › ")}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          <input
            type="checkbox"
            name="withScheduling"
            checked={colpkg || withScheduling}
            disabled={colpkg}
            onChange={(e) => setWithScheduling(e.currentTarget.checked)}
          />
          Include scheduling information (without it, cards are new and there is no review history)
        </label>
        <label class="inline">
          <input
            type="checkbox"
            name="withMedia"
            checked={colpkg || withMedia}
            disabled={colpkg}
            onChange={(e) => setWithMedia(e.currentTarget.checked)}
          />
          Include media
        </label>
        <div class="row">
          <button type="button" disabled={busy} onClick={() => void exportFile()}>
            Export
          </button>
        </div>
        {running === "export" && status}
      </section>
    </div>
  );
}
