// Where a profile's relay address and sign-in live: the extension's own storage, which no web page can read.
import { browser } from "wxt/browser";
import { DEFAULT_RELAY_URL } from "./relay-url-default";

export interface SignedInAccount {
  relayUrl: string;
  username: string;
  token: string;
}

export const DEFAULT_PROFILE = "default";

const relayKey = (profile: string) => `profile:${profile}:relayUrl`;
const accountKey = (profile: string) => `profile:${profile}:account`;

export async function loadRelayUrl(profile = DEFAULT_PROFILE): Promise<string> {
  const key = relayKey(profile);
  const stored = await browser.storage.local.get(key);
  const value = stored[key];
  return typeof value === "string" ? value : DEFAULT_RELAY_URL;
}

export async function saveRelayUrl(url: string, profile = DEFAULT_PROFILE): Promise<void> {
  await browser.storage.local.set({ [relayKey(profile)]: url });
}

export async function loadAccount(profile = DEFAULT_PROFILE): Promise<SignedInAccount | null> {
  const key = accountKey(profile);
  const stored = await browser.storage.local.get(key);
  return isAccount(stored[key]) ? stored[key] : null;
}

export async function saveAccount(account: SignedInAccount, profile = DEFAULT_PROFILE): Promise<void> {
  await browser.storage.local.set({ [accountKey(profile)]: account });
}

export async function clearAccount(profile = DEFAULT_PROFILE): Promise<void> {
  await browser.storage.local.remove(accountKey(profile));
}

function isAccount(value: unknown): value is SignedInAccount {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.relayUrl === "string" && typeof v.username === "string" && typeof v.token === "string";
}
