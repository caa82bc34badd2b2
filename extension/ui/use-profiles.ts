import { useCallback, useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import {
  addProfile,
  deleteProfile,
  loadProfiles,
  PROFILES_KEY,
  type ProfileList,
  type ProfileOutcome,
  renameProfile,
  switchProfile,
} from "../lib/profiles";

/**
 * The profile list and the active profile, kept current across pages through storage events. A page that loaded the
 * list before its first render passes it as `loaded`.
 */
export function useProfiles(loaded: ProfileList | null = null) {
  const [list, setList] = useState<ProfileList | null>(loaded);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => setList(await loadProfiles()), []);

  useEffect(() => {
    if (!loaded) void reload();
    const listener = (changes: Record<string, unknown>) => {
      if (PROFILES_KEY in changes) void reload();
    };
    browser.storage.onChanged.addListener(listener);
    return () => browser.storage.onChanged.removeListener(listener);
  }, [reload]);

  const act = (work: () => Promise<ProfileOutcome>) => async () => {
    const result = await work();
    setError(result.ok ? null : result.error);
    if (result.ok) setList(result.list);
    return result.ok;
  };

  return {
    list,
    error,
    active: list?.profiles.find((p) => p.id === list.active) ?? null,
    add: (name: string) => act(() => addProfile(name))(),
    rename: (id: string, name: string) => act(() => renameProfile(id, name))(),
    remove: (id: string) => act(() => deleteProfile(id))(),
    switchTo: (id: string) => act(() => switchProfile(id))(),
  };
}
