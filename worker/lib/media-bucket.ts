// Where an account's media files live in R2: one object per distinct content, under the account's own prefix, so
// that no request can name another account's file.
export function blobKey(userId: number, sha1: string): string {
  return `u/${userId}/${sha1}`;
}

/** Deletes objects by hash, 1,000 keys a call (R2's limit). */
export async function deleteBlobs(bucket: R2Bucket, userId: number, sha1s: string[]): Promise<void> {
  for (let i = 0; i < sha1s.length; i += 1000) {
    await bucket.delete(sha1s.slice(i, i + 1000).map((sha1) => blobKey(userId, sha1)));
  }
}

/** Deletes every object of an account, a listing page at a time. */
export async function deleteAccountBlobs(bucket: R2Bucket, userId: number): Promise<void> {
  const prefix = `u/${userId}/`;
  for (;;) {
    const listing = await bucket.list({ prefix, limit: 1000 });
    if (listing.objects.length === 0) return;
    await bucket.delete(listing.objects.map((o) => o.key));
    if (!listing.truncated) return;
  }
}
