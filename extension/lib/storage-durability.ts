// Whether the browser may clear the collection to free disk space. The extension holds the unlimitedStorage
// permission, which exempts its storage from a web page's quota and from eviction (Chrome's documentation on
// extension storage), and it also asks for persistent storage, which a browser may grant or not.
import { browser } from "wxt/browser";

export interface StorageState {
  /** Bytes the extension's storage uses (the collection, media and backups), as the browser estimates them. */
  usage: number | null;
  /** True when the browser keeps the storage until the person clears it; null when the browser cannot say. */
  persistent: boolean | null;
  /** Whether the extension holds the unlimitedStorage permission (no quota, never evicted). */
  unlimited: boolean;
}

/** Asks for persistent storage when it is not granted yet, and says what the browser answers and uses. */
export async function ensurePersistentStorage(): Promise<StorageState> {
  const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
  const unlimited = await browser.permissions.contains({ permissions: ["unlimitedStorage"] }).catch(() => false);
  if (!storage) return { usage: null, persistent: null, unlimited };
  let persistent: boolean | null = null;
  try {
    persistent = await storage.persisted();
    if (!persistent) persistent = await storage.persist();
  } catch {
    persistent = null;
  }
  let usage: number | null = null;
  try {
    usage = (await storage.estimate()).usage ?? null;
  } catch {
    usage = null;
  }
  return { usage, persistent, unlimited };
}
