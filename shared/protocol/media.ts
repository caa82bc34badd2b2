// The media sync's wire types and their validators. docs/protocol.md ("Media") describes the exchange.
import { z } from "zod";
import { SHA1_PATTERN } from "../media";

/** Most changes in one media commit, and most hashes asked about at once. */
export const MAX_MEDIA_CHANGES = 500;
export const MAX_MEDIA_QUERY = 1000;

const Sha1 = z.string().regex(SHA1_PATTERN, { error: "a SHA-1 must be 40 lower-case hexadecimal characters" });

/** A change of one name: its new content (by hash, uploaded before), or null for a deletion. */
export const MediaChange = z.strictObject({
  name: z.string().min(1).max(500),
  sha1: Sha1.nullable(),
  mtime: z.number().int().nonnegative().safe(),
});
export type MediaChange = z.output<typeof MediaChange>;

export const MediaCommitRequest = z.strictObject({
  /** Made up by the device (16 to 64 of A-Z a-z 0-9 - _); a repeated commit changes nothing more. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, {
    error: "requestId must be 16 to 64 letters, digits, - or _",
  }),
  changes: z
    .array(MediaChange)
    .min(1)
    .max(MAX_MEDIA_CHANGES, {
      error: `a media commit carries at most ${MAX_MEDIA_CHANGES} changes; send the rest in another`,
    }),
});
export type MediaCommitRequest = z.input<typeof MediaCommitRequest>;

export const MediaMissingRequest = z.strictObject({
  sha1s: z.array(Sha1).max(MAX_MEDIA_QUERY, { error: `ask about at most ${MAX_MEDIA_QUERY} files at once` }),
});

/** A name as the relay holds it: its content's hash and size, or sha1 null for a deletion. */
export interface MediaEntry {
  name: string;
  sha1: string | null;
  size: number;
  mtime: number;
  usn: number;
}

export interface MediaChangesPage {
  /** The relay's media usn when the first page was read: pass it as `upto` with the further pages. */
  usn: number;
  entries: MediaEntry[];
  /** Pass as `after` for the next page; null when this was the last. */
  next: string | null;
}

export interface MediaCommitResponse {
  /** The media usn after the commit, and before it: when `previousUsn` is the device's, it may take `usn`. */
  usn: number;
  previousUsn: number;
  /** How every name of the commit stands now: the device's version, or the one that beat it. */
  entries: MediaEntry[];
}

export interface MediaUploaded {
  sha1: string;
  size: number;
}

export interface MediaUsage {
  usn: number;
  files: number;
  bytes: number;
  quota: number;
}
