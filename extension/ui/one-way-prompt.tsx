// The one-way prompt, shown where the person pressed Sync (the popup or the manager's Sync page), as Anki asks at
// its sync button: why a one-way sync is needed, what each side holds, and Upload, Download, Merge or Cancel, with a
// confirmation when the side kept has no cards.
import type { OneWayChoice, SyncStatus } from "../lib/sync-service";

const REASONS: Record<string, string> = {
  schema: "A change that cannot be merged (fields, card types or note types) was made on one side.",
  "first-sync": "This is the first sync, and both this browser and the relay hold cards.",
  "other-collection":
    "This account holds another collection than the one this profile synced before: another profile or browser " +
    "with different cards uploaded it. One account keeps one collection, so keep one of them here (or give this " +
    "profile its own account).",
  forced: "You asked for a one-way sync.",
};

interface PromptProps {
  status: SyncStatus;
  busy: boolean;
  onChoose: (choice: OneWayChoice, allowEmpty?: boolean) => Promise<void>;
  onCancel: () => void;
}

export function OneWayPrompt({ status, busy, onChoose, onCancel }: PromptProps) {
  const start = status.choice;
  if (!start) return null;
  const relay = start.relay;
  const local = status.local;
  const describe = (side: { notes: number; cards: number; mtime: number } | null) =>
    side
      ? `${count(side.notes, "note")}, ${count(side.cards, "card")}, ${side.mtime ? `last changed ${new Date(side.mtime).toLocaleString()}` : "never changed"}`
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
      <dl class="sides" data-testid="sides">
        <dt>This browser</dt>
        <dd data-testid="side-local">{describe(local)}</dd>
        <dt>The relay</dt>
        <dd data-testid="side-relay">{describe(relay ?? null)}</dd>
      </dl>
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
        <ChoiceButton busy={busy} label="Cancel" secondary onClick={onCancel}>
          Decide later: nothing changes on either side, and the next sync asks again.
        </ChoiceButton>
      </div>
    </section>
  );
}

function ChoiceButton(props: {
  label: string;
  busy: boolean;
  secondary?: boolean;
  onClick: () => void;
  children: string;
}) {
  return (
    <div class="row">
      <button
        type="button"
        class={props.secondary ? "secondary" : undefined}
        disabled={props.busy}
        onClick={props.onClick}
      >
        {props.label}
      </button>
      <span class="grow">{props.children}</span>
    </div>
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
