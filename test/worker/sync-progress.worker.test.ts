import { describe, expect, it } from "vitest";
import { writeRevlog } from "../../extension/lib/collection/revlog";
import { fullDownload, fullUpload, type SyncProgress, sync } from "../../extension/lib/sync/engine";
import type { RevlogEntry } from "../../shared/model";
import { accountWithDevice, Device } from "./devices";

/** Many reviews of one card, written in one transaction as answering would write them. */
async function reviews(device: Device, cardId: number, count: number) {
  const start = device.clock.tick();
  const usn = await device.pendingUsn();
  const rows: RevlogEntry[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      id: start + i,
      cardId,
      usn,
      ease: 3,
      ivl: 1,
      lastIvl: 0,
      factor: 2500,
      time: 3000,
      type: 1,
    });
  }
  await writeRevlog(device.col.db, rows);
  device.clock.tick(count);
}

const dones = (events: SyncProgress[]) => events.map((e) => e.done);

describe("progress of long syncs", () => {
  it("an upload, a push in chunks, a download and a pull each say what they send or receive and how much", async () => {
    const { account, device: a } = await accountWithDevice("A");
    const noteId = await a.addBasic("hola", "hello");
    const card = await a.cardOf(noteId);

    const uploading: SyncProgress[] = [];
    const uploaded = await fullUpload(a.col, a.client, { onProgress: (p) => uploading.push(p) });
    expect(uploaded).toMatchObject({ kind: "synced" });
    const records = uploaded.kind === "synced" ? uploaded.pushed : 0;
    expect(uploading[0]).toEqual({ phase: "sending", done: 0, total: records });
    expect(uploading.at(-1)).toEqual({ phase: "sending", done: records, total: records });

    await reviews(a, card.id, 2500);
    const pushing: SyncProgress[] = [];
    expect(await sync(a.col, a.client, { onProgress: (p) => pushing.push(p) })).toMatchObject({
      kind: "synced",
      pushed: 2500,
    });
    expect(pushing.every((p) => p.phase === "sending" && p.total === 2500)).toBe(true);
    // Chunks of at most 1,000 records: staged one by one, the last one with the commit.
    expect(dones(pushing)).toEqual([0, 1000, 2000, 2500]);

    const b = await Device.create("B", account.token, a.clock.time + 5_000);
    const downloading: SyncProgress[] = [];
    const downloaded = await fullDownload(b.col, b.client, { onProgress: (p) => downloading.push(p) });
    expect(downloaded).toMatchObject({ kind: "synced" });
    const received = downloaded.kind === "synced" ? downloaded.pulled : 0;
    expect(received).toBeGreaterThan(2500);
    expect(downloading.every((p) => p.phase === "receiving")).toBe(true);
    expect(downloading.length).toBeGreaterThan(1);
    expect(dones(downloading)).toEqual([...dones(downloading)].sort((x, y) => x - y));
    expect(downloading.at(-1)?.done).toBe(received);

    await reviews(a, card.id, 2100);
    await a.sync();
    const pulling: SyncProgress[] = [];
    b.clock.tick();
    expect(await sync(b.col, b.client, { onProgress: (p) => pulling.push(p) })).toMatchObject({
      kind: "synced",
      pulled: 2100,
    });
    // Pages of at most 2,000 records.
    expect(pulling).toEqual([
      { phase: "receiving", done: 2000, total: null },
      { phase: "receiving", done: 2100, total: null },
    ]);
  });
});
