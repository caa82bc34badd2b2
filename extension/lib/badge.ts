import { browser } from "wxt/browser";
import type { SignedInAccount } from "./account-store";
import type { SyncStatus } from "./sync-service";

export interface BadgeLook {
  text: string;
  color: string;
  title: string;
}

const BLUE = "#2563eb";
const RED = "#dc2626";
const GREY = "#6b7280";
const AMBER = "#b45309";

/** What the toolbar button shows: sign-in, sync state, and whether changes wait for a sync. */
export function badgeFor(account: SignedInAccount | null, status?: SyncStatus | null, pending = false): BadgeLook {
  if (!account) {
    return { text: "off", color: GREY, title: "Flashcard Relay — not signed in. Open the options to sign in." };
  }
  const last = status?.lastSuccess
    ? `Last synced ${new Date(status.lastSuccess).toLocaleString()}.`
    : "Not synced yet.";
  const who = `Flashcard Relay — ${account.username}.`;
  if (status?.state === "syncing") return { text: "…", color: GREY, title: `${who} Syncing… ${last}` };
  if (status?.state === "needs-choice") {
    return { text: "⇅", color: RED, title: `${who} A one-way sync is needed: open the manager to choose. ${last}` };
  }
  if (status?.state === "error") {
    return {
      text: "!",
      color: AMBER,
      title: `${who} The last sync failed: ${status.error ?? "unknown error"} ${last}`,
    };
  }
  if (pending) return { text: "•", color: BLUE, title: `${who} Changes wait for a sync. ${last}` };
  return { text: "", color: BLUE, title: `${who} ${last}` };
}

export async function showBadge(look: BadgeLook): Promise<void> {
  await Promise.all([
    browser.action.setBadgeText({ text: look.text }),
    browser.action.setBadgeBackgroundColor({ color: look.color }),
    browser.action.setTitle({ title: look.title }),
  ]);
}
