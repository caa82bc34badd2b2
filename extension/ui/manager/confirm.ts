import type { Outcome } from "../../lib/collection/collection";

export interface ConfirmFlags {
  confirmSchemaChange?: boolean;
  confirmDeleteReviewed?: boolean;
}

/**
 * Runs an operation; when it asks for confirmation (a schema change, deleting reviewed cards), shows its warning
 * and runs it again with the person's consent, or stops with "Cancelled." when they decline.
 */
export async function runConfirmed<T>(
  run: (flags: ConfirmFlags) => Promise<Outcome<T>>,
  ask: (message: string) => boolean = (message) => window.confirm(message),
): Promise<Outcome<T>> {
  let flags: ConfirmFlags = {};
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await run(flags);
    if (result.ok || !result.confirm) return result;
    if (!ask(result.error)) return { ok: false, error: "Cancelled: nothing was changed." };
    flags = { ...flags, [result.confirm === "schema-change" ? "confirmSchemaChange" : "confirmDeleteReviewed"]: true };
  }
  return { ok: false, error: "The change still asks for confirmation; nothing was changed." };
}
