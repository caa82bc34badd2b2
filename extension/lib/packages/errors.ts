// The one kind of error the package code throws for a bad file: its message is a sentence for the person. The
// public functions catch it and return it as a refusal; anything else that is thrown is a bug and says so.
import { PackageError } from "../../../shared/anki/errors";
import { type Outcome, refuse } from "../collection/collection";
import { isStorageFull, STORAGE_FULL } from "../collection/storage-full";

export { fail, PackageError } from "../../../shared/anki/errors";

/** Runs package work and turns a PackageError into a refusal. */
export async function guarded<T>(work: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await work();
  } catch (thrown) {
    if (thrown instanceof PackageError) return refuse(thrown.message);
    if (isStorageFull(thrown)) return refuse(STORAGE_FULL);
    const detail = thrown instanceof Error ? `${thrown.message} (${thrown.name})` : String(thrown);
    return refuse(`The package could not be read: ${detail}`);
  }
}
