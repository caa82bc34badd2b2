// The toolbar button's badge and tooltip: one state from the sign-in, the stored sync status and what waits for a
// sync, then how that state looks. The popup's sync button shows the same state (badgeState).
import { browser } from "wxt/browser";
import type { SignedInAccount } from "./account-store";
import type { SyncProgress } from "./sync/engine";
import type { PendingCounts, SyncStatus } from "./sync-service";

export interface BadgeLook {
  text: string;
  color: string;
  title: string;
}

export type BadgeState = "signed-out" | "syncing" | "needs-choice" | "error" | "pending" | "synced";

export const BADGE_COLORS = {
  blue: "#2563eb",
  red: "#dc2626",
  grey: "#6b7280",
  amber: "#b45309",
  purple: "#7c3aed",
} as const;

/** Which state wins: syncing over everything, then a needed choice, an error, waiting changes. */
export function badgeState(
  account: SignedInAccount | null,
  status?: SyncStatus | null,
  pending: boolean | PendingCounts | null = false,
): BadgeState {
  if (!account) return "signed-out";
  if (status?.state === "syncing") return "syncing";
  if (status?.state === "needs-choice") return "needs-choice";
  if (status?.state === "error") return status.failure === "signed-out" ? "signed-out" : "error";
  // A change that cannot be merged was made here: the next sync is one-way, as Anki's red button says.
  if (typeof pending === "object" && pending?.oneWay) return "needs-choice";
  if (pending) return "pending";
  return "synced";
}

/** What the toolbar button shows: sign-in, sync state, and whether changes wait for a sync. */
export function badgeFor(
  account: SignedInAccount | null,
  status?: SyncStatus | null,
  pending: boolean | PendingCounts | null = false,
): BadgeLook {
  const state = badgeState(account, status, pending);
  if (!account) {
    return {
      text: "off",
      color: BADGE_COLORS.grey,
      title: "Flashcard Relay — not signed in. Open the manager's Account page to sign in.",
    };
  }
  const last = status?.lastSuccess
    ? `Last synced ${new Date(status.lastSuccess).toLocaleString()}.`
    : "Not synced yet.";
  const waiting = pending ? ` ${pendingInWords(pending)}` : "";
  const who = `Flashcard Relay — ${account.username}.`;
  switch (state) {
    case "signed-out":
      return {
        text: "off",
        color: BADGE_COLORS.grey,
        title: `${who} ${status?.error ?? "Sign in again."} ${last}${waiting}`,
      };
    case "syncing": {
      const progress = status?.progress;
      const percent = progress?.total ? Math.min(99, Math.floor((progress.done / progress.total) * 100)) : null;
      return {
        text: percent === null ? "…" : `${percent}%`,
        color: BADGE_COLORS.purple,
        title: `${who} ${progressInWords(progress ?? null)} ${last}`,
      };
    }
    case "needs-choice":
      return {
        text: "⇅",
        color: BADGE_COLORS.red,
        title:
          status?.state === "needs-choice"
            ? `${who} A one-way sync is needed: open the popup (or the manager's Sync page) to choose. ${last}${waiting}`
            : `${who} A change that cannot be merged was made: the next sync is one-way, and asks what to keep. ${last}${waiting}`,
      };
    case "error":
      return {
        text: "!",
        color: BADGE_COLORS.amber,
        title: `${who} The last sync failed: ${status?.error ?? "unknown error"} ${last}${waiting}`,
      };
    case "pending":
      return { text: "•", color: BADGE_COLORS.blue, title: `${who}${waiting} ${last}` };
    default:
      return { text: "", color: BADGE_COLORS.blue, title: `${who} Everything is synced. ${last}` };
  }
}

/** "Changes wait for a sync: 12 reviews, 2 notes." */
export function pendingInWords(pending: boolean | PendingCounts | null): string {
  if (!pending) return "Nothing waits for a sync.";
  if (pending === true) return "Changes wait for a sync.";
  const parts = [
    count(pending.reviews, "review"),
    count(pending.notes, "note"),
    count(pending.cards, "card"),
    count(pending.deletions, "deletion"),
    count(pending.other, "other change"),
    count(pending.media, "media file"),
  ].filter((p): p is string => p !== null);
  return parts.length ? `Changes wait for a sync: ${parts.join(", ")}.` : "Changes wait for a sync.";
}

/** "Sending 1,400 of 3,000 changes…", "Receiving changes: 4,000 so far…", or "Syncing…". */
export function progressInWords(progress: SyncProgress | null): string {
  if (!progress) return "Syncing…";
  const done = progress.done.toLocaleString("en");
  const verb = progress.phase === "sending" ? "sending" : "receiving";
  const unit = progress.unit ?? "records";
  if (progress.total !== null) return `Syncing: ${verb} ${done} of ${progress.total.toLocaleString("en")} ${unit}…`;
  return `Syncing: ${verb} ${unit}, ${done} so far…`;
}

function count(n: number, noun: string): string | null {
  return n > 0 ? `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}` : null;
}

/** The toolbar button's API: `action` in Manifest V3 (Chrome), `browserAction` in the Manifest V2 Firefox build. */
export function toolbarAction(): typeof browser.action {
  const api = browser as unknown as { action?: typeof browser.action; browserAction?: typeof browser.action };
  const action = api.action ?? api.browserAction;
  if (!action) throw new Error("this browser offers no toolbar button API (action or browserAction)");
  return action;
}

export async function showBadge(look: BadgeLook): Promise<void> {
  const action = toolbarAction();
  await Promise.all([
    action.setBadgeText({ text: look.text }),
    action.setBadgeBackgroundColor({ color: look.color }),
    action.setTitle({ title: look.title }),
  ]);
}
