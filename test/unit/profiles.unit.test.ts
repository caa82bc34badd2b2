import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { Collection } from "../../extension/lib/collection/collection";
import { addProfile, deleteProfile, loadProfiles } from "../../extension/lib/profiles";
import { backupCollection, listBackups } from "../../extension/lib/sync/backup";

beforeEach(() => fakeBrowser.reset());

describe("profiles", () => {
  it("deleting a profile deletes its collection and its backups, and leaves the other profiles' alone", async () => {
    const added = await addProfile("Work");
    if (!added.ok) throw new Error(added.error);
    const work = added.list.profiles.find((p) => p.name === "Work");
    const main = added.list.profiles.find((p) => p.name !== "Work");
    if (!work || !main) throw new Error("both profiles are listed");
    for (const profile of [work, main]) {
      const col = await Collection.open(profile.id);
      await backupCollection(col, "download");
      col.close();
    }
    expect(await listBackups(work.id)).toHaveLength(1);

    const deleted = await deleteProfile(work.id);
    expect(deleted.ok).toBe(true);
    expect((await loadProfiles()).profiles.map((p) => p.id)).toEqual([main.id]);
    const names = (await indexedDB.databases()).map((d) => d.name ?? "");
    expect(names.filter((name) => name.includes(work.id))).toEqual([]);
    expect(await listBackups(main.id)).toHaveLength(1);
  });
});
