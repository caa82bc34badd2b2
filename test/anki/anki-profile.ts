// Anki's own apps in the tests: a profile folder with a collection, driven by Anki's Python library (the sync
// client of Anki desktop and AnkiDroid), against a relay.
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { RelayClient } from "../../extension/lib/relay-client";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { testFolder } from "../e2e/browser";
import { runPython } from "./python";

export const PASSWORD = "a long password";

export async function signUp(relayUrl: string, username: string): Promise<string> {
  const made = await new RelayClient(relayUrl, null).signUp(username, PASSWORD);
  if (!made.ok) throw new Error(made.error);
  return made.value.token;
}

export interface AnkiView {
  required?: number;
  error?: string;
  notes: number;
  revlog: number[];
  today: number;
  cards: { id: number; front: string; type: number; queue: number; due: number; ivl: number; deck: string }[];
  again?: number;
}

/**
 * Python run in a profile folder with Anki's library: opens (or makes) the profile's collection, runs `body` (which
 * may use col, auth and the helpers below), and prints what the collection holds then.
 */
export function inAnki(
  place: { relayUrl: string; folder: string },
  profile: string,
  username: string,
  body: string,
): Promise<AnkiView> {
  return runPython<AnkiView>(
    `
import json, os, sys
from anki.collection import Collection
folder = os.path.join(os.environ["FOLDER"], os.environ["PROFILE"])
os.makedirs(folder, exist_ok=True)
col = Collection(os.path.join(folder, "collection.anki2"))
auth = col.sync_login(os.environ["USERNAME"], os.environ["PASSWORD"], os.environ["ENDPOINT"])
result = {}

def full(upload):
    col.close_for_full_sync()
    col.full_upload_or_download(auth=auth, server_usn=None, upload=upload)
    col.reopen(after_full_sync=True)

${body}

def view():
    cards = []
    for cid in col.find_cards(""):
        c = col.get_card(cid)
        cards.append({"id": c.id, "front": c.note().fields[0], "type": c.type, "queue": c.queue, "due": c.due,
                      "ivl": c.ivl, "deck": col.decks.name(c.did)})
    return {"notes": col.note_count(), "revlog": sorted(col.db.list("select id from revlog")),
            "today": col.sched.today, "cards": cards}

result.update(view())
print(json.dumps(result))
col.close()
`,
    {
      FOLDER: place.folder,
      PROFILE: profile,
      USERNAME: username,
      PASSWORD,
      ENDPOINT: `${place.relayUrl}/`,
    },
  );
}

/** Anki's SyncOutput.required: what kind of sync the client found it needs. */
export const Required = { NO_CHANGES: 0, NORMAL_SYNC: 1, FULL_SYNC: 2, FULL_DOWNLOAD: 3, FULL_UPLOAD: 4 } as const;

/**
 * A relay of the test file's own (wrangler dev, started before its tests and stopped after them), with Anki
 * profiles in a folder beside its state: `url`, `signUp` and `inAnki` for the tests.
 */
export function relayForFile(name: string) {
  const place = { relayUrl: "", folder: "" };
  let relay: RunningRelay | undefined;
  beforeAll(async () => {
    place.folder = testFolder(name);
    relay = await startRelay({ stateDir: path.join(place.folder, "state"), tmpDir: path.join(place.folder, "tmp") });
    place.relayUrl = relay.url;
  });
  afterAll(async () => {
    await relay?.stop();
  });
  return {
    get url() {
      return place.relayUrl;
    },
    get folder() {
      return place.folder;
    },
    signUp: (username: string) => signUp(place.relayUrl, username),
    inAnki: (profile: string, username: string, body: string) => inAnki(place, profile, username, body),
  };
}
