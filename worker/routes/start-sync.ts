import { type CollectionSummary, StartRequest, type StartResponse } from "../../shared/sync/protocol";
import { countLive, findCollection, replacedUsn } from "../db/collections";
import { readBody } from "../lib/request";
import type { AuthedRequest } from "../lib/with-auth";

/** POST /v1/sync/start: says what a sync needs to do, in one request. */
export async function startSync(request: AuthedRequest, env: Env): Promise<Response> {
  const device = await readBody(request, StartRequest);
  const userId = request.user.id;
  const relay = await findCollection(env.DB, userId);
  let answer: StartResponse;
  if (!relay) {
    // Nothing on the relay: an untouched profile has nothing to send; anything else can only upload.
    answer = device.notes === 0 ? { action: "none", usn: 0 } : { action: "upload", relay: null };
    return Response.json(answer);
  }
  const [cards, notes] = await Promise.all([countLive(env.DB, userId, "card"), countLive(env.DB, userId, "note")]);
  const summary: CollectionSummary = {
    collectionId: relay.collectionId,
    cards,
    notes,
    mtime: relay.mtime,
    usn: relay.usn,
  };
  if (relay.collectionId !== device.collectionId) {
    if (device.lastSync > 0) answer = { action: "choose", reason: "other-collection", relay: summary };
    else if (device.notes === 0) answer = { action: "download", relay: summary };
    else if (notes === 0) answer = { action: "upload", relay: summary };
    else answer = { action: "choose", reason: "first-sync", relay: summary };
  } else if (device.forceOneWay) {
    answer = { action: "choose", reason: "forced", relay: summary };
  } else if (relay.scm !== device.scm || device.lastSyncUsn < (await replacedUsn(env.DB, userId))) {
    // Another device's upload replaced the collection after this device's last sync: its schema stamp (a time in ms)
    // may equal one this device made meanwhile, but it has not seen that collection.
    answer = { action: "choose", reason: "schema", relay: summary };
  } else if (relay.usn === device.lastSyncUsn && !device.pending) {
    answer = { action: "none", usn: relay.usn };
  } else {
    answer = { action: "normal", usn: relay.usn };
  }
  return Response.json(answer);
}
