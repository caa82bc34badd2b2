// Profiles: several per browser, each with its own collection database, settings and account. The list and the
// active one live in the extension's storage.
import { browser } from "wxt/browser";
import { deleteCollectionDb } from "./collection/schema";
import { deleteBackups } from "./sync/backup";

export interface Profile {
  id: string;
  name: string;
}

export interface ProfileList {
  profiles: Profile[];
  active: string;
}

export const PROFILES_KEY = "profiles";
export const FIRST_PROFILE: Profile = { id: "default", name: "Main" };

export async function loadProfiles(): Promise<ProfileList> {
  const stored = (await browser.storage.local.get(PROFILES_KEY))[PROFILES_KEY] as ProfileList | undefined;
  if (stored && Array.isArray(stored.profiles) && stored.profiles.length > 0) {
    const active = stored.profiles.some((p) => p.id === stored.active) ? stored.active : stored.profiles[0]?.id;
    return { profiles: stored.profiles, active: active ?? FIRST_PROFILE.id };
  }
  return { profiles: [FIRST_PROFILE], active: FIRST_PROFILE.id };
}

async function save(list: ProfileList): Promise<void> {
  await browser.storage.local.set({ [PROFILES_KEY]: list });
}

export async function activeProfile(): Promise<Profile> {
  const list = await loadProfiles();
  return list.profiles.find((p) => p.id === list.active) ?? FIRST_PROFILE;
}

export type ProfileOutcome = { ok: true; list: ProfileList } | { ok: false; error: string };

function checkName(name: string, list: ProfileList, except?: string): string | null {
  const trimmed = name.normalize("NFC").trim();
  if (!trimmed) return "The profile needs a name.";
  if (trimmed.length > 60) return "A profile name is at most 60 characters long.";
  if (/[\u0000-\u001f]/.test(trimmed)) return "A profile name cannot contain control characters.";
  if (list.profiles.some((p) => p.id !== except && p.name.toLowerCase() === trimmed.toLowerCase())) {
    return `A profile named "${trimmed}" exists already.`;
  }
  return null;
}

export async function addProfile(name: string): Promise<ProfileOutcome> {
  const list = await loadProfiles();
  const problem = checkName(name, list);
  if (problem) return { ok: false, error: problem };
  const id = crypto.randomUUID();
  const next = { profiles: [...list.profiles, { id, name: name.normalize("NFC").trim() }], active: id };
  await save(next);
  return { ok: true, list: next };
}

export async function renameProfile(id: string, name: string): Promise<ProfileOutcome> {
  const list = await loadProfiles();
  const problem = checkName(name, list, id);
  if (problem) return { ok: false, error: problem };
  const next = { ...list, profiles: list.profiles.map((p) => (p.id === id ? { ...p, name: name.trim() } : p)) };
  await save(next);
  return { ok: true, list: next };
}

export async function switchProfile(id: string): Promise<ProfileOutcome> {
  const list = await loadProfiles();
  if (!list.profiles.some((p) => p.id === id)) return { ok: false, error: "That profile no longer exists." };
  const next = { ...list, active: id };
  await save(next);
  return { ok: true, list: next };
}

/** Deletes a profile with its collection database, its backups and its settings. The last profile cannot be deleted. */
export async function deleteProfile(id: string): Promise<ProfileOutcome> {
  const list = await loadProfiles();
  if (list.profiles.length <= 1) return { ok: false, error: "The last profile cannot be deleted." };
  const remaining = list.profiles.filter((p) => p.id !== id);
  const next = {
    profiles: remaining,
    active: list.active === id ? (remaining[0]?.id ?? FIRST_PROFILE.id) : list.active,
  };
  await save(next);
  const keys = Object.keys(await browser.storage.local.get(null)).filter((k) => k.startsWith(`profile:${id}:`));
  await browser.storage.local.remove(keys);
  await deleteCollectionDb(id);
  await deleteBackups(id);
  return { ok: true, list: next };
}
