import { browser } from "wxt/browser";
import type { SignedInAccount } from "./account-store";

export interface BadgeLook {
  text: string;
  color: string;
  title: string;
}

/** What the toolbar button shows for a sign-in state. Later states (sync due, one-way, error) join here. */
export function badgeFor(account: SignedInAccount | null): BadgeLook {
  if (!account) {
    return { text: "off", color: "#6b7280", title: "Flashcard Relay — not signed in. Open the options to sign in." };
  }
  return { text: "", color: "#2563eb", title: `Flashcard Relay — signed in as ${account.username}` };
}

export async function showBadge(look: BadgeLook): Promise<void> {
  await Promise.all([
    browser.action.setBadgeText({ text: look.text }),
    browser.action.setBadgeBackgroundColor({ color: look.color }),
    browser.action.setTitle({ title: look.title }),
  ]);
}
