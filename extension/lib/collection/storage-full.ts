// The browser's storage can be full (QuotaExceededError): IndexedDB then aborts the transaction, so nothing of it
// is written, and the person is told in words what happened and what to do.

/** What a person reads when a change could not be saved because the browser's storage is full. */
export const STORAGE_FULL =
  "The browser has no room left for this extension's data (the disk is full), so nothing was saved. Free some " +
  "disk space, or delete media you no longer need, then try again.";

/** Whether an error is the browser refusing to store more (directly, or as the cause of an aborted transaction). */
export function isStorageFull(error: unknown): boolean {
  for (let at: unknown = error, depth = 0; at && depth < 5; depth++) {
    const { name, message, cause } = at as { name?: unknown; message?: unknown; cause?: unknown };
    if (name === "QuotaExceededError") return true;
    if (typeof message === "string" && /QuotaExceeded|quota (has been )?exceeded/i.test(message)) return true;
    at = cause;
  }
  return false;
}

/** An error in words: the storage-full sentence when that is the cause, else `prefix` and the error's message. */
export function errorInWords(error: unknown, prefix: string): string {
  if (isStorageFull(error)) return STORAGE_FULL;
  return `${prefix}${error instanceof Error ? error.message : String(error)}`;
}
