import { useState } from "preact/hooks";
import type { Outcome } from "../../lib/collection/collection";
import { errorInWords } from "../../lib/collection/storage-full";

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
      setError(errorInWords(thrown, "Something went wrong: "));
      return null;
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, notice, run, setError, setNotice };
}
