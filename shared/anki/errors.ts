// The one kind of error the code reading and writing Anki's files throws for a bad file: its message is a sentence
// for the person. The extension turns it into a refusal, the relay into an answer Anki's apps show.

export class PackageError extends Error {
  override name = "PackageError";
}

/** Stops reading a file, with a message in words. */
export function fail(message: string): never {
  throw new PackageError(message);
}
