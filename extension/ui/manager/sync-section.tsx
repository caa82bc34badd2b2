import { useEffect, useState } from "preact/hooks";
import { Collection } from "../../lib/collection/collection";
import { listBackups, restoreBackup } from "../../lib/sync/backup";
import { loadForceOneWay, type OneWayChoice, type SyncStatus, saveForceOneWay } from "../../lib/sync-service";
import { Messages } from "../messages";
import { describeStatus, useSync } from "../use-sync";

/**
 * Sync now; the one-way prompt (Upload, Download, Merge or Cancel, each explained, with what each side holds); the
 * "force a one-way sync" preference; and the backups taken before downloads, to restore.
 */
export function SyncSection({ profileId, changed }: { profileId: string; changed?: () => void }) {
  const { status, busy, sync } = useSync(profileId);
  const [force, setForce] = useState(false);
  useEffect(() => void loadForceOneWay(profileId).then(setForce), [profileId]);
  return (
    <div class="stack narrow">
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void sync()}>
          Sync now
        </button>
        <span data-testid="sync-status" class={status?.state === "error" ? "error" : "muted"}>
          {busy ? "Syncing…" : describeStatus(status)}
        </span>
      </div>
      {status?.state === "needs-choice" && status.choice && (
        <OneWayPrompt status={status} busy={busy} onChoose={sync} />
      )}
      <label class="inline">
        <input
          type="checkbox"
          name="forceOneWay"
          checked={force}
          onChange={(e) => {
            const next = e.currentTarget.checked;
            setForce(next);
            void saveForceOneWay(profileId, next);
          }}
        />
        On next sync, force changes in one direction (you then choose Upload, Download or Merge)
      </label>
      <Backups profileId={profileId} changed={changed} />
    </div>
  );
}

function Backups({ profileId, changed }: { profileId: string; changed?: () => void }) {
  const [backups, setBackups] = useState<{ id: string; time: number }[]>([]);
  const [message, setMessage] = useState<{ error: string | null; notice: string | null }>({
    error: null,
    notice: null,
  });
  const reload = () => void listBackups(profileId).then(setBackups);
  useEffect(reload, [profileId]);
  const restore = async (backup: { id: string; time: number }) => {
    const when = new Date(backup.time).toLocaleString();
    const question = `Replace this profile's collection with the backup of ${when}? The current one is backed up first.`;
    if (!window.confirm(question)) return;
    const col = await Collection.open(profileId);
    try {
      await restoreBackup(col, backup.id);
      setMessage({ error: null, notice: `Restored the backup of ${when}. The next sync will ask which side to keep.` });
      changed?.();
    } catch (error) {
      setMessage({ error: (error as Error).message, notice: null });
    } finally {
      col.close();
      reload();
    }
  };
  return (
    <section class="stack" aria-label="Backups">
      <h2>Backups</h2>
      {backups.length === 0 ? (
        <p class="muted">No backups yet: one is taken before every download replaces this browser's collection.</p>
      ) : (
        <ul class="plain-list">
          {backups.map((b) => (
            <li key={b.id} class="row">
              <span class="grow">{new Date(b.time).toLocaleString()}</span>
              <button type="button" class="secondary" onClick={() => void restore(b)}>
                Restore
              </button>
            </li>
          ))}
        </ul>
      )}
      <Messages error={message.error} notice={message.notice} />
    </section>
  );
}

const REASONS: Record<string, string> = {
  schema: "A change that cannot be merged (fields, card types or note types) was made on one side.",
  "first-sync": "This is the first sync, and both this browser and the relay hold cards.",
  "other-collection": "This account holds another collection than this profile.",
  forced: "You asked for a one-way sync.",
};

interface PromptProps {
  status: SyncStatus;
  busy: boolean;
  onChoose: (choice: OneWayChoice, allowEmpty?: boolean) => Promise<void>;
}

function OneWayPrompt({ status, busy, onChoose }: PromptProps) {
  const start = status.choice;
  if (!start) return null;
  const relay = start.relay;
  const local = status.local;
  const describe = (side: { notes: number; cards: number; mtime: number } | null) =>
    side
      ? `${count(side.notes, "note")}, ${count(side.cards, "card")}, last changed ${new Date(side.mtime).toLocaleString()}`
      : "nothing";
  const choose = (choice: OneWayChoice) => {
    const emptyWins =
      (choice === "upload" && (local?.cards ?? 0) === 0) || (choice === "download" && (relay?.cards ?? 0) === 0);
    if (
      emptyWins &&
      !window.confirm("The side you chose to keep has no cards, and it will replace the other. Are you sure?")
    ) {
      return;
    }
    void onChoose(choice, emptyWins);
  };
  const heading =
    start.action === "upload"
      ? "The relay holds no collection yet."
      : start.action === "download"
        ? "This browser's collection is empty; the relay holds one."
        : (REASONS[start.reason] ?? "A one-way sync is needed.");
  return (
    <section class="danger-zone stack" aria-label="One-way sync">
      <strong>{heading}</strong>
      <p class="muted">
        This browser: {describe(local)}.<br />
        The relay: {describe(relay ?? null)}.
      </p>
      <div class="stack">
        {start.action !== "download" && (
          <ChoiceButton busy={busy} label="Upload" onClick={() => choose("upload")}>
            Replace the relay's collection with this browser's. Other browsers will then download it.
          </ChoiceButton>
        )}
        {start.action !== "upload" && (
          <ChoiceButton busy={busy} label="Download" onClick={() => choose("download")}>
            Replace this browser's collection with the relay's. This browser's is backed up first.
          </ChoiceButton>
        )}
        {start.action === "choose" && (
          <ChoiceButton busy={busy} label="Merge" onClick={() => choose("merge")}>
            Keep both: merge every note, card and review; where both changed the same thing, the later change wins.
          </ChoiceButton>
        )}
      </div>
      <p class="muted">Or do nothing now: nothing changes on either side until you choose.</p>
    </section>
  );
}

function ChoiceButton(props: { label: string; busy: boolean; onClick: () => void; children: string }) {
  return (
    <div class="row">
      <button type="button" disabled={props.busy} onClick={props.onClick}>
        {props.label}
      </button>
      <span class="grow">{props.children}</span>
    </div>
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
