import { useState } from "preact/hooks";
import type { Outcome } from "../../lib/collection/collection";

/** Runs collection operations one at a time and keeps the last error or notice in words. */
export function useAction(changed: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function run<T>(work: () => Promise<Outcome<T>>, success?: (value: T) => string | null): Promise<T | null> {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const result = await work();
      if (!result.ok) {
        setError(result.error);
        return null;
      }
      setNotice(success ? success(result.value) : null);
      changed();
      return result.value;
    } catch (thrown) {
      setError(`Something went wrong: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      return null;
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, notice, run, setError, setNotice };
}
