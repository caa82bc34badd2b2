import { beforeEach, describe, expect, it } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { badgeState, pendingInWords } from "../../extension/lib/badge";
import { addNote } from "../../extension/lib/collection/notes";
import { addField } from "../../extension/lib/collection/notetypes";
import { addMedia } from "../../extension/lib/media/store";
import { backupCollection, restoreBackup } from "../../extension/lib/sync/backup";
import { loadSyncStatus, profilePending, recoverInterruptedSync, statusKey } from "../../extension/lib/sync-service";
import { freshCollection, noteTypeByName } from "./factories";

beforeEach(() => fakeBrowser.reset());

describe("what waits for a sync", () => {
  it("nothing for an untouched profile; counts by kind once notes are added; one-way after a schema change", async () => {
    const { col, clock } = await freshCollection();
    expect(await profilePending(col.profileId)).toBeNull();

    const basic = await noteTypeByName(col, "Basic");
    const note = await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["hola", "hello"], tags: "" });
    expect(note.ok).toBe(true);
    expect(await profilePending(col.profileId)).toMatchObject({ notes: 1, cards: 1, reviews: 0, oneWay: false });

    // After a sync, a change that cannot be merged makes the next sync one-way: the badge turns red before it runs.
    clock.advance(60_000);
    await col.db.put("meta", { ...(await col.meta()), lastSync: clock.time, lastSyncUsn: 1 }, "collection");
    expect(await profilePending(col.profileId)).toMatchObject({ oneWay: false });
    clock.advance(60_000);
    expect((await addField(col, basic.id, "Example", { confirmSchemaChange: true })).ok).toBe(true);
    expect(await profilePending(col.profileId)).toMatchObject({ oneWay: true });
    col.close();
  });

  it("a media file alone waits for a sync too, and the tooltip says so", async () => {
    const { col, clock } = await freshCollection();
    await col.db.put("meta", { ...(await col.meta()), lastSync: clock.time, lastSyncUsn: 1 }, "collection");
    // Nothing of the collection waits (as right after a sync)...
    for (const store of ["notetypes", "decks", "deckconfigs", "config"] as const) {
      for (const record of await col.db.getAll(store)) await col.db.put(store, { ...record, usn: 0 } as never);
    }
    expect(await profilePending(col.profileId)).toBeNull();
    // ...then a picture is added: that alone makes the badge blue.
    expect((await addMedia(col, "owl.png", new Uint8Array([1, 2, 3]))).ok).toBe(true);
    const pending = await profilePending(col.profileId);
    expect(pending).toMatchObject({ media: 1, notes: 0, total: 1 });
    expect(pendingInWords(pending)).toBe("Changes wait for a sync: 1 media file.");
    col.close();
  });

  it("after restoring a backup whose records were all synced, the next sync is still shown as one-way", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["hola", "hello"], tags: "" });
    // As right after a sync: nothing waits.
    for (const store of ["notetypes", "decks", "deckconfigs", "config", "notes", "cards", "tags"] as const) {
      for (const record of await col.db.getAll(store)) await col.db.put(store, { ...record, usn: 1 } as never);
    }
    await col.db.put("meta", { ...(await col.meta()), lastSync: clock.time, lastSyncUsn: 1 }, "collection");
    const backupId = await backupCollection(col, "download");
    expect(await profilePending(col.profileId)).toBeNull();

    clock.advance(60_000);
    await restoreBackup(col, backupId);
    const pending = await profilePending(col.profileId);
    expect(pending).toMatchObject({ oneWay: true, total: 0 });
    expect(badgeState({ relayUrl: "https://relay.example", username: "a", token: "t" }, null, pending)).toBe(
      "needs-choice",
    );
    col.close();
  });

  it("is not fooled by a downloaded schema stamp from a device whose clock runs ahead", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["hola", "hello"], tags: "" });
    // Downloaded from a device 10 minutes ahead: scm is later than this device's lastSync.
    const scm = clock.time + 600_000;
    await col.db.put("meta", { ...(await col.meta()), scm, lastSync: clock.time, lastSyncUsn: 1 }, "collection");
    await fakeBrowser.storage.local.set({
      [statusKey(col.profileId)]: {
        state: "idle",
        lastSuccess: 1,
        error: null,
        choice: null,
        local: null,
        syncedScm: scm,
      },
    });
    expect(await profilePending(col.profileId)).toMatchObject({ oneWay: false });
    clock.advance(60_000);
    expect((await addField(col, basic.id, "Example", { confirmSchemaChange: true })).ok).toBe(true);
    expect(await profilePending(col.profileId)).toMatchObject({ oneWay: true });
    col.close();
  });

  it("a sync the stopped background left at 'syncing' becomes an error that says to sync again", async () => {
    const syncing = { state: "syncing", lastSuccess: 5, error: null, choice: null, local: null, progress: null };
    await fakeBrowser.storage.local.set({ [statusKey("p")]: syncing });
    expect(await recoverInterruptedSync("p")).toBe(true);
    expect(await loadSyncStatus("p")).toMatchObject({
      state: "error",
      lastSuccess: 5,
      error: expect.stringMatching(/interrupted.*sync again/),
    });
    expect(await recoverInterruptedSync("p")).toBe(false);
    expect(await recoverInterruptedSync("never-synced")).toBe(false);
  });
});
