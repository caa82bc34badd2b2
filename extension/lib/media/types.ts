// The records of the collection's media stores (see collection/schema.ts).

/** A media file's entry: what it is and where its sync stands. Its bytes are in mediaBytes under the same name. */
export interface MediaRecord {
  /** NFC, checked by the rules in names.ts. */
  name: string;
  /** SHA-1 of the bytes, lower-case hex. For a pending deletion: of the version deleted. */
  sha1: string;
  size: number;
  /** When this version was made (ms); an edit always moves it on, so the newer version wins a conflict. */
  mtime: number;
  /** The relay's media usn of the version last in sync under this name; -1 when the relay never had the name. */
  usn: number;
  /** SHA-1 of that synced version, when there is one: what a withdrawn deletion brings back. */
  syncedSha1?: string;
  /** A change waiting to reach the relay; absent when there is none (then the record is not in the index). */
  pending?: "add" | "delete";
  /** For a pending deletion: made while this device's media was fully in sync, so the relay may apply it. */
  afterSync?: boolean;
}

/** Where this collection's media sync stands. */
export interface MediaSyncState {
  /** The relay's media usn this device has pulled up to. */
  usn: number;
  /** The last media sync finished: every change pulled, every file downloaded, every change pushed. */
  inSync: boolean;
  /** When a media sync last finished (ms); 0 before the first. */
  lastSync: number;
  /** Which relay account the usn belongs to ("<relay URL> <username>"); absent before the first media sync. */
  account?: string;
}

/** What callers see of a stored file. */
export interface MediaInfo {
  name: string;
  sha1: string;
  size: number;
  mtime: number;
}
