import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { loadAccount, loadRelayUrl } from "../../lib/account-store";
import { loadAutoSync, saveAutoSync } from "../../lib/auto-sync";
import { Collection } from "../../lib/collection/collection";
import { type BackupInfo, type BackupReason, listBackups, restoreBackup } from "../../lib/sync/backup";
import { type StepResult, testConnection } from "../../lib/sync/test-connection";
import { loadForceOneWay, type OneWayChoice, type SyncStatus, saveForceOneWay } from "../../lib/sync-service";
import { Messages } from "../messages";
import { OneWayPrompt } from "../one-way-prompt";
import { describeProgress, describeStatus, usePending, useSync } from "../use-sync";

/**
 * Sync now, with its progress; the one-way prompt (Upload, Download, Merge or Cancel, each explained, with what each
 * side holds); automatic sync and "force a one-way sync"; Test connection; and the backups taken before downloads.
 */
export function SyncSection({ profileId, changed }: { profileId: string; changed?: () => void }) {
  const { status, busy, sync } = useSync(profileId);
  const pending = usePending(profileId, status);
  const [force, setForce] = useState(false);
  const [auto, setAuto] = useState(true);
  const [promptHidden, setPromptHidden] = useState(false);
  useEffect(() => void loadForceOneWay(profileId).then(setForce), [profileId]);
  useEffect(() => void loadAutoSync(profileId).then(setAuto), [profileId]);
  const syncNow = async (choice?: OneWayChoice, allowEmpty?: boolean) => {
    setPromptHidden(false);
    await sync(choice, allowEmpty);
  };
  return (
    <div class="stack narrow">
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void syncNow()}>
          Sync now
        </button>
        <span data-testid="sync-status" class={status?.state === "error" ? "error" : "muted"}>
          {busy || status?.state === "syncing" ? "Syncing…" : describeStatus(status)}
        </span>
      </div>
      {pending && status?.state !== "needs-choice" && (
        <p class={pending.oneWay ? "error flush" : "muted flush"} data-testid="sync-pending">
          {pending.oneWay
            ? "A change that cannot be merged was made here: the next sync is one-way, and asks what to keep. "
            : ""}
          {pending.text}
        </p>
      )}
      {status?.state === "error" && status.failure === "signed-out" && (
        <p class="flush">
          <a href="#account">Sign in again on the Account page</a>
        </p>
      )}
      <Progress status={status} />
      {status?.state === "needs-choice" && status.choice && !promptHidden && (
        <OneWayPrompt status={status} busy={busy} onChoose={syncNow} onCancel={() => setPromptHidden(true)} />
      )}
      {status?.state === "needs-choice" && promptHidden && (
        <p class="muted" data-testid="prompt-cancelled">
          Nothing was changed. A one-way sync is still needed: the next sync asks again.
        </p>
      )}
      <PreferenceBox
        name="autoSync"
        checked={auto}
        onChange={(next) => {
          setAuto(next);
          void saveAutoSync(profileId, next);
        }}
      >
        Sync automatically when the popup opens and closes, when the browser starts, and every few minutes while changes
        wait
      </PreferenceBox>
      <PreferenceBox
        name="forceOneWay"
        checked={force}
        onChange={(next) => {
          setForce(next);
          void saveForceOneWay(profileId, next);
        }}
      >
        On next sync, force changes in one direction (you then choose Upload, Download or Merge)
      </PreferenceBox>
      <TestConnection profileId={profileId} />
      <Backups profileId={profileId} changed={changed} />
    </div>
  );
}

/** What a running sync is sending or receiving, and how much of it. */
function Progress({ status }: { status: SyncStatus | null }) {
  const progress = describeProgress(status);
  if (!progress) return null;
  return (
    <div class="stack" data-testid="sync-progress">
      {progress.total ? (
        <progress max={progress.total} value={progress.done} aria-label="Sync progress" />
      ) : (
        <progress aria-label="Sync progress" />
      )}
      <span class="muted">{progress.text}</span>
    </div>
  );
}

const MARKS: Record<StepResult["state"], string> = { ok: "✓", failed: "✗", skipped: "–" };

/** Runs each step between this browser and the relay and says which one fails. */
function TestConnection({ profileId }: { profileId: string }) {
  const [steps, setSteps] = useState<StepResult[] | null>(null);
  const [running, setRunning] = useState(false);
  const run = async () => {
    setRunning(true);
    setSteps(null);
    try {
      const account = await loadAccount(profileId);
      const relayUrl = account?.relayUrl ?? (await loadRelayUrl(profileId));
      setSteps(await testConnection(relayUrl, account?.token ?? null));
    } finally {
      setRunning(false);
    }
  };
  const failed = steps?.find((s) => s.state === "failed");
  return (
    <section class="stack" aria-label="Test connection">
      <h2>Connection</h2>
      <div class="row">
        <button type="button" class="secondary" disabled={running} onClick={() => void run()}>
          {running ? "Testing…" : "Test connection"}
        </button>
        {steps && (
          <span data-testid="connection-verdict" class={failed ? "error" : "notice"}>
            {failed ? `Failed at: ${failed.label}.` : "Every step works."}
          </span>
        )}
      </div>
      {steps && (
        <ol class="plain-list stack" data-testid="connection-steps">
          {steps.map((s) => (
            <li key={s.step} data-step={s.step} data-state={s.state} class={s.state === "failed" ? "error" : undefined}>
              <strong>
                {MARKS[s.state]} {s.label}
              </strong>
              <br />
              <span class={s.state === "failed" ? undefined : "muted"}>{s.detail}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const TAKEN_BEFORE: Record<BackupReason, string> = {
  download: "before a download",
  package: "before a collection package replaced the collection",
  restore: "before a restore",
};

function Backups({ profileId, changed }: { profileId: string; changed?: () => void }) {
  const [backups, setBackups] = useState<BackupInfo[]>([]);
  const [message, setMessage] = useState<{ error: string | null; notice: string | null }>({
    error: null,
    notice: null,
  });
  const reload = () => void listBackups(profileId).then(setBackups);
  useEffect(reload, [profileId]);
  const restore = async (backup: BackupInfo) => {
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
        <p class="muted">
          No backups yet: one is taken whenever a download, a collection package or a restore replaces this browser's
          collection.
        </p>
      ) : (
        <ul class="plain-list">
          {backups.map((b) => (
            <li key={b.id} class="row">
              <span class="grow">
                {new Date(b.time).toLocaleString()}
                {b.reason ? <span class="muted">, {TAKEN_BEFORE[b.reason]}</span> : null}
              </span>
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

/** A preference as a checkbox with its sentence beside it. */
function PreferenceBox(props: {
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ComponentChildren;
}) {
  return (
    <label class="inline">
      <input
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      {props.children}
    </label>
  );
}
