import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { backupCollection, listBackups, restoreBackup } from "../../extension/lib/sync/backup";
import { freshCollection, noteTypeByName } from "./factories";

describe("backups", () => {
  it("a backup restores the collection as it was, backs up the current one first, and forces a one-way sync", async () => {
    const { col, clock } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["kept", "x"], tags: "" });
    const backupId = await backupCollection(col, "test");
    clock.advance(60_000);
    await addNote(col, { noteTypeId: basic.id, deckId: 1, fields: ["added after the backup", "x"], tags: "" });
    const scmBefore = (await col.meta()).scm;

    clock.advance(60_000);
    await restoreBackup(col, backupId);
    const fronts = (await col.db.getAll("notes")).map((n) => n.fields[0]);
    expect(fronts).toEqual(["kept"]);
    expect((await col.meta()).scm).toBeGreaterThan(scmBefore);

    const backups = await listBackups(col.profileId);
    expect(backups.map((b) => b.id)).toContain(backupId);
    expect(backups.length).toBe(2);
    // The state before the restore is itself restorable.
    const newest = backups[0];
    if (!newest) throw new Error();
    await restoreBackup(col, newest.id);
    expect((await col.db.getAll("notes")).map((n) => n.fields[0]).sort()).toEqual(["added after the backup", "kept"]);
  });

  it("keeps only the last three backups", async () => {
    const { col, clock } = await freshCollection();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await backupCollection(col, "test");
    }
    expect((await listBackups(col.profileId)).length).toBe(3);
  });
});
