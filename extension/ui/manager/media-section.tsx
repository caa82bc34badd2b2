// The manager's Media section: the collection's pictures and sounds, where their sync stands, and Check Media
// (files no note uses, references to files that are missing, deleting the unused on request).
import { useEffect, useState } from "preact/hooks";
import { checkMedia, type MediaCheck } from "../../lib/media/check";
import { deleteMedia, listMedia, mediaSyncState, pendingMedia } from "../../lib/media/store";
import type { MediaInfo, MediaSyncState } from "../../lib/media/types";
import { ensurePersistentStorage, type StorageState } from "../../lib/storage-durability";
import { Messages } from "../messages";
import type { SectionProps } from "./context";
import { MediaThumb } from "./media-view";
import { useAction } from "./use-action";

const SHOWN = 200;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function MediaSection({ col, version, changed }: SectionProps) {
  const [files, setFiles] = useState<MediaInfo[] | null>(null);
  const [state, setState] = useState<MediaSyncState | null>(null);
  const [pending, setPending] = useState(0);
  const [check, setCheck] = useState<MediaCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const action = useAction(changed);

  useEffect(() => {
    void (async () => {
      setFiles((await listMedia(col)).sort((a, b) => a.name.localeCompare(b.name)));
      setState(await mediaSyncState(col));
      setPending((await pendingMedia(col)).length);
    })();
  }, [col, version]);

  const runCheck = async () => {
    setChecking(true);
    try {
      setCheck(await checkMedia(col));
    } finally {
      setChecking(false);
    }
  };

  const removeUnused = async () => {
    if (!check || check.unused.length === 0) return;
    const count = check.unused.length;
    if (!window.confirm(`Delete ${count} unused file(s)? The deletion syncs to your other devices.`)) return;
    const deleted = await action.run(
      () =>
        deleteMedia(
          col,
          check.unused.map((f) => f.name),
        ),
      (n) => `Deleted ${n} unused file(s).`,
    );
    if (deleted !== null) await runCheck();
  };

  const total = files?.reduce((sum, f) => sum + f.size, 0) ?? 0;
  return (
    <div class="stack media-section">
      <section class="stack" aria-labelledby="media-heading">
        <h2 id="media-heading">Media</h2>
        {files === null ? (
          <p class="muted">Loading…</p>
        ) : (
          <p>
            {files.length} file(s), {formatBytes(total)}.{" "}
            <span class="muted">
              {state?.lastSync
                ? `Media last synced ${new Date(state.lastSync).toLocaleString()}.`
                : "Media has not synced yet."}
              {pending > 0 ? ` ${pending} change(s) waiting to sync.` : ""}
            </span>
          </p>
        )}
      </section>

      <StorageLine />

      <section class="stack" aria-labelledby="check-media-heading">
        <h2 id="check-media-heading">Check Media</h2>
        <p class="muted">
          Finds files that no note uses and notes that refer to files the collection does not have. Files whose names
          begin with “_” count as used (note types load them).
        </p>
        <div class="row">
          <button type="button" disabled={checking} onClick={() => void runCheck()}>
            {checking ? "Checking…" : "Check Media"}
          </button>
          {check && check.unused.length > 0 && (
            <button type="button" class="danger" disabled={action.busy} onClick={() => void removeUnused()}>
              Delete {check.unused.length} unused file(s)
            </button>
          )}
        </div>
        {check && (
          <div class="stack" aria-live="polite">
            <p>
              {check.used} file(s) in use, {check.unused.length} unused, {check.missing.length} missing.
              {state && !state.inSync && check.unused.length > 0 && (
                <span class="muted">
                  {" "}
                  This device's media is not fully in sync yet: deletions made now stay on this device, and the next
                  sync brings the files back. Sync first to delete them everywhere.
                </span>
              )}
            </p>
            {check.unused.length > 0 && (
              <>
                <h3>Unused files</h3>
                <ul class="media-list" aria-label="Unused files">
                  {check.unused.map((f) => (
                    <li key={f.name} class="row">
                      <MediaThumb col={col} name={f.name} />
                      <span>{f.name}</span>
                      <span class="muted">{formatBytes(f.size)}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {check.missing.length > 0 && (
              <>
                <h3>Missing files</h3>
                <ul class="media-list" aria-label="Missing files">
                  {check.missing.map((m) => (
                    <li key={m.name}>
                      {m.name} <span class="muted">used by </span>
                      <a href={`#browse?q=${encodeURIComponent(`nid:${m.noteIds.join(",")}`)}`}>
                        {m.noteIds.length === 1 ? "1 note" : `${m.noteIds.length} notes`}
                      </a>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
        <Messages error={action.error} notice={action.notice} />
      </section>

      {files && files.length > 0 && (
        <section class="stack" aria-labelledby="all-media-heading">
          <h2 id="all-media-heading">All files</h2>
          <div class="table-wrap">
            <table class="media-table">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Name</th>
                  <th scope="col">Size</th>
                </tr>
              </thead>
              <tbody>
                {files.slice(0, SHOWN).map((f) => (
                  <tr key={f.name}>
                    <td>
                      <MediaThumb col={col} name={f.name} version={f.mtime} />
                    </td>
                    <td>{f.name}</td>
                    <td class="size">{formatBytes(f.size)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {files.length > SHOWN && (
            <p class="muted">
              The first {SHOWN} of {files.length} files, by name.
            </p>
          )}
        </section>
      )}
    </div>
  );
}

/** How much the browser holds for the extension, and whether it may clear it to free disk space. */
function StorageLine() {
  const [state, setState] = useState<StorageState | null>(null);
  useEffect(() => void ensurePersistentStorage().then(setState), []);
  if (!state) return null;
  const used = state.usage === null ? "" : `The browser holds ${formatBytes(state.usage)} for this extension. `;
  const kept = state.unlimited || state.persistent === true;
  return (
    <p class={kept ? "muted flush" : "error flush"} data-testid="storage-state">
      {used}
      {kept
        ? `Its storage is kept: ${state.unlimited ? "it has no quota, and " : ""}the browser does not clear it to free disk space.`
        : "Its storage is not protected: the browser may clear it when the disk runs low. Sync, or export a backup."}
    </p>
  );
}
