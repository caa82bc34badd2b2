// The collection's media files (images, sounds): adding, editing, reading, listing and deleting them, each change
// in one transaction and marked for the media sync. Names follow names.ts; a file whose name is taken by different
// content is stored under a unique name, which the caller gets back and puts in the note.
import { mediaNameProblem, mediaSizeProblem } from "../../../shared/media";
import { abortWrites, type Collection, done, type Outcome, refuse } from "../collection/collection";
import type { WriteStore } from "../collection/schema";
import { isStorageFull, STORAGE_FULL } from "../collection/storage-full";
import { alternativeName, mediaMimeType, normalizeMediaName } from "./names";
import type { MediaInfo, MediaRecord, MediaSyncState } from "./types";

export type { MediaInfo, MediaRecord, MediaSyncState } from "./types";

/** A file checked and hashed, ready to be written inside a transaction (hashing cannot happen inside one). */
export interface PreparedMedia {
  name: string;
  sha1: string;
  size: number;
  bytes: ArrayBuffer;
}

/** The stores a media write needs, from any read-write transaction that spans them (notes may be in it too). */
export interface MediaTx {
  objectStore(name: "media"): WriteStore<"media">;
  objectStore(name: "mediaBytes"): WriteStore<"mediaBytes">;
}

export async function sha1Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function ownBuffer(bytes: Uint8Array | ArrayBuffer): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Checks a name (after NFC) and a size against the rules and hashes the bytes; refuses with the reason. */
export async function prepareMedia(name: string, bytes: Uint8Array | ArrayBuffer): Promise<Outcome<PreparedMedia>> {
  const normal = normalizeMediaName(name);
  const problem = mediaNameProblem(normal) ?? mediaSizeProblem(normal, bytes.byteLength);
  if (problem) return refuse(problem.charAt(0).toUpperCase() + problem.slice(1));
  const buffer = ownBuffer(bytes);
  return done({ name: normal, sha1: await sha1Hex(buffer), size: buffer.byteLength, bytes: buffer });
}

/**
 * Writes a prepared file inside the caller's transaction and returns the name used: the same name when it is free
 * or already holds these bytes; with `replace`, the same name with the new bytes (an edit); otherwise a unique
 * name ("photo-1a2b3c4d.jpg").
 */
export async function writeMedia(
  tx: MediaTx,
  file: PreparedMedia,
  now: number,
  { replace = false }: { replace?: boolean } = {},
): Promise<string> {
  const media = tx.objectStore("media");
  let name = file.name;
  let current = await media.get(name);
  for (let attempt = 1; !replace && current && current.pending !== "delete"; attempt++) {
    if (current.sha1 === file.sha1) return name;
    name = alternativeName(file.name, file.sha1, attempt);
    current = await media.get(name);
  }
  if (current && current.pending !== "delete" && current.sha1 === file.sha1) return name;
  const record: MediaRecord = {
    name,
    sha1: file.sha1,
    size: file.size,
    // An edit always moves the time on, so that it wins over the version it replaces even with a slow clock.
    mtime: current ? Math.max(now, current.mtime + 1) : now,
    usn: current?.usn ?? -1,
    pending: "add",
  };
  if (current?.syncedSha1) record.syncedSha1 = current.syncedSha1;
  await media.put(record);
  await tx.objectStore("mediaBytes").put(file.bytes, name);
  return name;
}

/** Adds a file; returns the name actually used (see writeMedia) and the file's hash. */
export async function addMedia(
  col: Collection,
  name: string,
  bytes: Uint8Array | ArrayBuffer,
): Promise<Outcome<{ name: string; sha1: string }>> {
  return store(col, name, bytes, false);
}

/** Puts new bytes under an existing (or new) name: an edit of the file, which syncs as such. */
export async function replaceMedia(
  col: Collection,
  name: string,
  bytes: Uint8Array | ArrayBuffer,
): Promise<Outcome<{ name: string; sha1: string }>> {
  return store(col, name, bytes, true);
}

async function store(
  col: Collection,
  name: string,
  bytes: Uint8Array | ArrayBuffer,
  replace: boolean,
): Promise<Outcome<{ name: string; sha1: string }>> {
  const prepared = await prepareMedia(name, bytes);
  if (!prepared.ok) return prepared;
  const tx = col.db.transaction(["media", "mediaBytes"], "readwrite");
  try {
    const used = await writeMedia(tx, prepared.value, col.clock.now(), { replace });
    await tx.done;
    return done({ name: used, sha1: prepared.value.sha1 });
  } catch (error) {
    await abortWrites(tx);
    if (isStorageFull(error)) return refuse(STORAGE_FULL);
    throw error;
  }
}

function info(record: MediaRecord): MediaInfo {
  return { name: record.name, sha1: record.sha1, size: record.size, mtime: record.mtime };
}

/** A stored file's name, hash, size and time; undefined when there is none (or it was deleted). */
export async function mediaInfo(col: Collection, name: string): Promise<MediaInfo | undefined> {
  const record = await col.db.get("media", normalizeMediaName(name));
  return record && record.pending !== "delete" ? info(record) : undefined;
}

/** A stored file with its bytes and MIME type (from its extension); undefined when there is none. */
export async function readMedia(
  col: Collection,
  name: string,
): Promise<(MediaInfo & { bytes: Uint8Array; type: string }) | undefined> {
  const key = normalizeMediaName(name);
  const tx = col.db.transaction(["media", "mediaBytes"]);
  const [record, bytes] = await Promise.all([tx.objectStore("media").get(key), tx.objectStore("mediaBytes").get(key)]);
  if (!record || record.pending === "delete" || !bytes) return undefined;
  return { ...info(record), bytes: new Uint8Array(bytes), type: mediaMimeType(key) };
}

/** Every stored file (without bytes), by name. */
export async function listMedia(col: Collection): Promise<MediaInfo[]> {
  const all = await col.db.getAll("media");
  return all.filter((r) => r.pending !== "delete").map(info);
}

/**
 * Deletes files; the deletion syncs. A file the relay never had simply goes. A deletion made while this device's
 * media is not fully in sync stays on this device only: the next media sync brings the relay's file back instead of
 * deleting it everywhere. Returns how many files were deleted.
 */
export async function deleteMedia(col: Collection, names: string[]): Promise<Outcome<number>> {
  const now = col.clock.now();
  const tx = col.db.transaction(["media", "mediaBytes", "mediaSync"], "readwrite");
  const state = await tx.objectStore("mediaSync").get("state");
  let deleted = 0;
  for (const raw of names) {
    const name = normalizeMediaName(raw);
    const record = await tx.objectStore("media").get(name);
    if (!record || record.pending === "delete") continue;
    await tx.objectStore("mediaBytes").delete(name);
    deleted++;
    if (record.usn < 0) {
      await tx.objectStore("media").delete(name);
      continue;
    }
    await tx.objectStore("media").put({
      ...record,
      size: 0,
      mtime: Math.max(now, record.mtime + 1),
      pending: "delete",
      afterSync: state?.inSync ?? false,
    });
  }
  await tx.done;
  return done(deleted);
}

/** Where media sync stands; a collection that never synced media is at usn 0 and not in sync. */
export async function mediaSyncState(col: Collection): Promise<MediaSyncState> {
  return (await col.db.get("mediaSync", "state")) ?? { usn: 0, inSync: false, lastSync: 0 };
}

/** Files with a change waiting to reach the relay (additions, edits, deletions). */
export async function pendingMedia(col: Collection): Promise<MediaRecord[]> {
  return col.db.getAllFromIndex("media", "pending");
}
