// Anki's own sync client (the code of Anki desktop and AnkiDroid, from Anki's Python library) against the relay,
// as a person sets it up: the relay's address as the custom sync server, and the account's username and password.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { testFolder } from "../e2e/browser";
import { runPython } from "./python";

let relay: RunningRelay;
let folder: string;

beforeAll(async () => {
  folder = testFolder("anki-login");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  const signUp = await fetch(`${relay.url}/v1/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "desktop.user", password: "a long password" }),
  });
  expect(signUp.status).toBe(201);
});

afterAll(async () => {
  await relay?.stop();
});

/** Anki's Collection.sync_login against the relay, in a new collection; the key it got, or the error it raised. */
function ankiLogin(username: string, password: string): Promise<{ key?: string; error?: string; kind?: string }> {
  return runPython(
    `
import json, os, tempfile
from anki.collection import Collection
from anki.errors import SyncError
col = Collection(os.path.join(tempfile.mkdtemp(dir=os.environ["FOLDER"]), "collection.anki2"))
try:
    auth = col.sync_login(os.environ["USERNAME"], os.environ["PASSWORD"], os.environ["ENDPOINT"])
    print(json.dumps({"key": auth.hkey}))
except SyncError as e:
    print(json.dumps({"error": str(e), "kind": str(e.kind)}))
finally:
    col.close()
`,
    { FOLDER: folder, USERNAME: username, PASSWORD: password, ENDPOINT: `${relay.url}/` },
  );
}

describe("Anki's apps signing in to the relay", () => {
  it("Anki's client logs in with the account's username and password, and its key is a session of the account", async () => {
    const answer = await ankiLogin("desktop.user", "a long password");
    expect(answer.error).toBeUndefined();
    expect(answer.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const account = await fetch(`${relay.url}/v1/accounts/current`, {
      headers: { authorization: `Bearer ${answer.key}` },
    });
    expect(account.status).toBe(200);
    expect(((await account.json()) as { username: string }).username).toBe("desktop.user");
  });

  it("a wrong password is an authentication failure for Anki's client, as with AnkiWeb", async () => {
    const answer = await ankiLogin("desktop.user", "not the password");
    expect(answer.key).toBeUndefined();
    expect(answer.kind).toMatch(/AUTH/);
  });

  it("a new Anki profile and an account without a collection have nothing to sync", async () => {
    const answer = await runPython<{ required?: number; error?: string }>(
      `
import json, os, tempfile
from anki.collection import Collection
col = Collection(os.path.join(tempfile.mkdtemp(dir=os.environ["FOLDER"]), "collection.anki2"))
auth = col.sync_login("desktop.user", "a long password", os.environ["ENDPOINT"])
try:
    print(json.dumps({"required": col.sync_collection(auth, False).required}))
except Exception as e:
    print(json.dumps({"error": str(e)}))
finally:
    col.close()
`,
      { FOLDER: folder, ENDPOINT: `${relay.url}/` },
    );
    expect(answer.error).toBeUndefined();
    // Anki's SyncCollectionResponse.ChangesRequired.NO_CHANGES
    expect(answer.required).toBe(0);
  });
});
