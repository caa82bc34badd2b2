import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import { databaseName, openCollectionDb } from "../../extension/lib/collection/schema";
import { alternativeName, safeMediaName } from "../../extension/lib/media/names";
import {
  addMedia,
  deleteMedia,
  listMedia,
  mediaInfo,
  pendingMedia,
  prepareMedia,
  readMedia,
  replaceMedia,
  writeMedia,
} from "../../extension/lib/media/store";
import { MAX_MEDIA_BYTES } from "../../shared/media";
import { freshCollection } from "./factories";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("media store", () => {
  it("stores a file under its name with its SHA-1 and size, and reads the same bytes back", async () => {
    const { col } = await freshCollection();
    const added = await addMedia(col, "cat.jpg", bytes("meow"));
    expect(added).toEqual({ ok: true, value: { name: "cat.jpg", sha1: "7d5c2a2d6136fbf166211d5183bf66214a247f31" } });
    expect(await mediaInfo(col, "cat.jpg")).toMatchObject({ name: "cat.jpg", size: 4 });
    const read = await readMedia(col, "cat.jpg");
    expect(new TextDecoder().decode(read?.bytes)).toBe("meow");
    expect(read?.type).toBe("image/jpeg");
    expect((await pendingMedia(col)).map((r) => [r.name, r.pending])).toEqual([["cat.jpg", "add"]]);
  });

  it("keeps one copy when the same file is added twice, and a unique name when other bytes have the name", async () => {
    const { col } = await freshCollection();
    await addMedia(col, "cat.jpg", bytes("meow"));
    expect(await addMedia(col, "cat.jpg", bytes("meow"))).toMatchObject({ ok: true, value: { name: "cat.jpg" } });
    const other = await addMedia(col, "cat.jpg", bytes("purr"));
    expect(other.ok && other.value.name).toMatch(/^cat-[0-9a-f]{8}\.jpg$/);
    // The same other bytes again find their earlier name instead of making a third.
    const again = await addMedia(col, "cat.jpg", bytes("purr"));
    expect(again.ok && again.value.name).toBe(other.ok && other.value.name);
    expect((await listMedia(col)).map((m) => m.name)).toEqual(
      expect.arrayContaining(["cat.jpg", other.ok ? other.value.name : ""]),
    );
    expect(await listMedia(col)).toHaveLength(2);
    expect(new TextDecoder().decode((await readMedia(col, "cat.jpg"))?.bytes)).toBe("meow");
  });

  it("normalises names to NFC, so a decomposed name finds the stored file", async () => {
    const { col } = await freshCollection();
    const added = await addMedia(col, "cafe\u0301.png", bytes("x"));
    expect(added.ok && added.value.name).toBe("café.png");
    expect(await mediaInfo(col, "cafe\u0301.png")).toBeDefined();
  });

  it("refuses bad names and files over 100 MiB with a sentence, storing nothing", async () => {
    const { col } = await freshCollection();
    for (const [name, words] of [
      ["dir/cat.jpg", "/ or \\"],
      ["dir\\cat.jpg", "/ or \\"],
      ["bell\u0007.mp3", "control characters"],
      ["", "needs a name"],
      ["..", "not a file name"],
      [`${"é".repeat(61)}.png`, "at most 120 bytes"],
    ] as const) {
      const result = await addMedia(col, name, bytes("x"));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain(words);
    }
    const big = await prepareMedia("huge.wav", new Uint8Array(MAX_MEDIA_BYTES + 1));
    expect(big).toMatchObject({ ok: false, error: expect.stringContaining("at most 100 MiB") });
    expect(await listMedia(col)).toEqual([]);
  });

  it("an edit under the same name keeps the name, changes the hash and moves the time on", async () => {
    const { col, clock } = await freshCollection();
    await addMedia(col, "a.png", bytes("one"));
    const before = await mediaInfo(col, "a.png");
    clock.time -= 60_000; // a clock that went back still makes the edit the newer version
    const edited = await replaceMedia(col, "a.png", bytes("two"));
    expect(edited).toMatchObject({ ok: true, value: { name: "a.png" } });
    const after = await mediaInfo(col, "a.png");
    expect(after?.sha1).not.toBe(before?.sha1);
    expect(after?.mtime).toBeGreaterThan(before?.mtime ?? 0);
  });

  it("deleting a file the relay never had removes it; one it had stays as a pending deletion", async () => {
    const { col } = await freshCollection();
    await addMedia(col, "new.png", bytes("n"));
    await addMedia(col, "synced.png", bytes("s"));
    const record = await col.db.get("media", "synced.png");
    if (!record) throw new Error("missing");
    await col.db.put("media", { ...record, usn: 3, syncedSha1: record.sha1, pending: undefined });
    expect(await deleteMedia(col, ["new.png", "synced.png", "absent.png"])).toEqual({ ok: true, value: 2 });
    expect(await listMedia(col)).toEqual([]);
    expect(await readMedia(col, "synced.png")).toBeUndefined();
    expect(await col.db.get("media", "new.png")).toBeUndefined();
    expect(await col.db.get("media", "synced.png")).toMatchObject({ pending: "delete", afterSync: false, usn: 3 });
    expect(await col.db.get("mediaBytes", "synced.png")).toBeUndefined();
  });

  it("writes media in the caller's transaction together with other stores", async () => {
    const { col } = await freshCollection();
    const prepared = await prepareMedia("in-tx.gif", bytes("gif"));
    if (!prepared.ok) throw new Error(prepared.error);
    const tx = col.db.transaction(["media", "mediaBytes", "config"], "readwrite");
    const name = await writeMedia(tx, prepared.value, col.clock.now());
    await tx.objectStore("config").put({ key: "imported", value: true, mtime: 1, usn: -1 });
    await tx.done;
    expect(name).toBe("in-tx.gif");
    expect(await mediaInfo(col, "in-tx.gif")).toBeDefined();
  });

  it("a version-1 collection database gains the media stores and keeps its records", async () => {
    const id = `v1-${Math.random().toString(36).slice(2)}`;
    const v1 = await openDB(databaseName(id), 1, {
      upgrade(db) {
        db.createObjectStore("notes", { keyPath: "id" });
      },
    });
    await v1.put("notes", { id: 7, fields: ["kept"] });
    v1.close();
    const db = await openCollectionDb(id);
    expect([...db.objectStoreNames]).toEqual(expect.arrayContaining(["media", "mediaBytes", "mediaSync", "notes"]));
    expect(await db.get("notes", 7)).toMatchObject({ fields: ["kept"] });
    db.close();
  });
});

describe("media names", () => {
  it("cleans names from outside: separators and Windows-reserved characters become _, long names keep the extension", () => {
    expect(safeMediaName("a/b:c?.png")).toBe("a_b_c_.png");
    expect(safeMediaName("  ")).toBe("file");
    const long = safeMediaName(`${"ж".repeat(100)}.jpeg`);
    expect(new TextEncoder().encode(long).byteLength).toBeLessThanOrEqual(120);
    expect(long.endsWith(".jpeg")).toBe(true);
    expect(alternativeName("x.png", "0123456789abcdef0123456789abcdef01234567", 2)).toBe("x-01234567-2.png");
  });
});
