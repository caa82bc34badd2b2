// Runs the media sync after the collection's sync (a normal one or a one-way one, which leaves media alone), as the
// background's sync does. A media failure makes the sync's outcome a failure with the media's reason in words.

import type { Collection } from "../collection/collection";
import type { SyncOutcome } from "../sync/engine";
import { MediaClient } from "./client";
import { type MediaSyncOptions, syncMedia } from "./sync";

export async function syncMediaAfter(
  col: Collection,
  account: { relayUrl: string; token: string; username?: string },
  outcome: SyncOutcome,
  options: MediaSyncOptions & { fetch?: typeof fetch } = {},
): Promise<SyncOutcome> {
  if (outcome.kind !== "synced" && outcome.kind !== "none") return outcome;
  const client = new MediaClient(account.relayUrl, account.token, options.fetch);
  const media = await syncMedia(col, client, { account: `${account.relayUrl} ${account.username ?? ""}`, ...options });
  if (media.kind === "failed") return { kind: "failed", error: media.error, status: media.status };
  if (media.downloaded + media.deletedHere + media.restored > 0 && typeof BroadcastChannel !== "undefined") {
    // The pages that show media (the manager, the study screen) reload, as after any change to the collection.
    const channel = new BroadcastChannel("collection-changes");
    channel.postMessage(col.profileId);
    channel.close();
  }
  return outcome;
}
