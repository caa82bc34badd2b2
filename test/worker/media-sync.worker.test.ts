import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { syncMediaAfter } from "../../extension/lib/media/after-sync";
import { MediaClient } from "../../extension/lib/media/client";
import { deleteMedia, mediaSyncState, replaceMedia } from "../../extension/lib/media/store";
import { type MediaProgress, syncMedia } from "../../extension/lib/media/sync";
import { MediaDevice, twoMediaDevices } from "./media-devices";
import { BASE, call, signUp } from "./relay";

const uploads = (requests: string[]) => requests.filter((r) => r.startsWith("PUT /v1/media/files/"));
const downloads = (requests: string[]) => requests.filter((r) => r.startsWith("GET /v1/media/files/"));

describe("media sync between two devices", () => {
  it("a file added on A appears on B; a sync with nothing new is one request and sends no file", async () => {
    const { a, b } = await twoMediaDevices();
    await a.add("cat.jpg", "meow");
    await a.add("bell.mp3", "ding");
    expect(await a.syncMedia()).toMatchObject({ kind: "synced", uploaded: 2, usn: 1 });
    expect(await b.syncMedia()).toMatchObject({ kind: "synced", downloaded: 2, usn: 1 });
    expect(await b.files()).toEqual([
      ["bell.mp3", "ding"],
      ["cat.jpg", "meow"],
    ]);
    a.takeRequests();
    b.takeRequests();
    expect(await a.syncMedia()).toMatchObject({ kind: "synced", uploaded: 0, downloaded: 0 });
    expect(a.takeRequests()).toEqual(["GET /v1/media/changes"]);
    expect((await mediaSyncState(a.col)).inSync).toBe(true);
  });

  it("an edit on B under the same name reaches A; the same content under two names is downloaded once", async () => {
    const { a, b } = await twoMediaDevices();
    await a.add("diagram.png", "version 1");
    await a.syncMedia();
    await b.syncMedia();
    b.device.clock.tick(60_000);
    const edited = await replaceMedia(b.col, "diagram.png", new TextEncoder().encode("version 2"));
    expect(edited).toMatchObject({ ok: true, value: { name: "diagram.png" } });
    await b.add("copy.png", "version 2");
    b.takeRequests();
    expect(await b.syncMedia()).toMatchObject({ kind: "synced", uploaded: 1 });
    expect(uploads(b.takeRequests())).toHaveLength(1);
    a.takeRequests();
    expect(await a.syncMedia()).toMatchObject({ kind: "synced", downloaded: 2 });
    expect(downloads(a.takeRequests())).toHaveLength(1);
    expect(await a.files()).toEqual([
      ["copy.png", "version 2"],
      ["diagram.png", "version 2"],
    ]);
  });

  it("a deletion on A after Check Media removes the file on the relay and on B", async () => {
    const { a, b } = await twoMediaDevices();
    await a.add("unused.png", "nobody uses me");
    await a.add("kept.png", "still used");
    await a.syncMedia();
    await b.syncMedia();
    const hash = (await a.col.db.get("media", "unused.png"))?.sha1;
    expect(await deleteMedia(a.col, ["unused.png"])).toEqual({ ok: true, value: 1 });
    expect(await a.syncMedia()).toMatchObject({ kind: "synced", deletionsSent: 1 });
    const relay = await SELF.fetch(`${BASE}/v1/media/files/${hash}`, {
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(relay.status).toBe(404);
    expect(await b.syncMedia()).toMatchObject({ kind: "synced", deletedHere: 1 });
    expect(await b.files()).toEqual([["kept.png", "still used"]]);
    expect(await a.col.db.get("media", "unused.png")).toBeUndefined();
  });

  it("a deletion made before this device's media was in sync does not reach the relay: the file comes back", async () => {
    const { a, b } = await twoMediaDevices();
    await a.add("photo.jpg", "precious");
    await a.syncMedia();
    // B's first media sync is cut off after the list of changes, before it finished.
    b.device.network.before = (url) => {
      if (url.includes("/v1/media/missing")) throw new TypeError("network down");
    };
    await b.add("local.png", "b's own");
    expect(await b.syncMedia()).toMatchObject({ kind: "failed" });
    b.device.network.before = null;
    expect((await mediaSyncState(b.col)).inSync).toBe(false);
    await deleteMedia(b.col, ["photo.jpg"]);
    expect(await b.syncMedia()).toMatchObject({ kind: "synced", restored: 1, deletionsSent: 0 });
    expect(await b.files()).toEqual([
      ["local.png", "b's own"],
      ["photo.jpg", "precious"],
    ]);
    await a.syncMedia();
    expect(await a.files()).toEqual(await b.files());
    // Now in sync, the same deletion goes through.
    await deleteMedia(b.col, ["photo.jpg"]);
    expect(await b.syncMedia()).toMatchObject({ kind: "synced", deletionsSent: 1 });
    await a.syncMedia();
    expect(await a.files()).toEqual([["local.png", "b's own"]]);
  });

  it("a name changed on both sides ends with the later version on both, whichever syncs first", async () => {
    const { a, b } = await twoMediaDevices();
    await a.add("shared.png", "original");
    await a.syncMedia();
    await b.syncMedia();
    a.device.clock.time = 10_000_000_000_000;
    b.device.clock.time = 10_000_000_100_000;
    await replaceMedia(a.col, "shared.png", new TextEncoder().encode("A's edit"));
    await replaceMedia(b.col, "shared.png", new TextEncoder().encode("B's later edit"));
    await b.syncMedia();
    await a.syncMedia();
    await b.syncMedia();
    expect(await a.files()).toEqual([["shared.png", "B's later edit"]]);
    expect(await b.files()).toEqual(await a.files());

    // The other order: the earlier edit syncs last and still loses; a deletion loses to a later edit too.
    a.device.clock.time = 10_000_000_300_000;
    b.device.clock.time = 10_000_000_200_000;
    await replaceMedia(a.col, "shared.png", new TextEncoder().encode("A's later edit"));
    await deleteMedia(b.col, ["shared.png"]);
    await a.syncMedia();
    await b.syncMedia();
    await a.syncMedia();
    expect(await b.files()).toEqual([["shared.png", "A's later edit"]]);
    expect(await a.files()).toEqual(await b.files());
  });

  it("a forced one-way sync of the collection leaves media alone, and media syncs after it", async () => {
    const { account, a } = await twoMediaDevices();
    await a.device.addBasic("with a picture", '<img src="pic.png">');
    await a.add("pic.png", "pixels");
    const first = await a.device.upload();
    expect(
      await syncMediaAfter(a.col, { relayUrl: BASE, token: account.token }, first, { fetch: a.device.network.fetch }),
    ).toMatchObject({ kind: "synced" });
    const b = await MediaDevice.create("B", account.token, a.device.clock.time + 1000);
    await b.add("b-only.png", "b's picture");
    const download = await b.device.download();
    expect(download).toMatchObject({ kind: "synced" });
    // The download replaced B's collection, not its media; the media sync after it merges both sides' files.
    expect(await b.files()).toEqual([["b-only.png", "b's picture"]]);
    const after = await syncMediaAfter(b.col, { relayUrl: BASE, token: account.token }, download, {
      fetch: b.device.network.fetch,
    });
    expect(after).toMatchObject({ kind: "synced" });
    expect(await b.files()).toEqual([
      ["b-only.png", "b's picture"],
      ["pic.png", "pixels"],
    ]);
    // A forced upload from A does not take B's file off the relay.
    const forced = await a.device.upload();
    await syncMediaAfter(a.col, { relayUrl: BASE, token: account.token }, forced, { fetch: a.device.network.fetch });
    expect(await a.files()).toEqual(await b.files());
  });

  it("a failed collection sync does not start the media sync", async () => {
    const { account, a } = await twoMediaDevices();
    await a.add("x.png", "x");
    a.takeRequests();
    const failed = { kind: "failed" as const, error: "no", status: 500 };
    expect(
      await syncMediaAfter(a.col, { relayUrl: BASE, token: account.token }, failed, { fetch: a.device.network.fetch }),
    ).toBe(failed);
    expect(a.takeRequests()).toEqual([]);
  });
});

describe("a device that changes relay account", () => {
  it("sends every file again to an account that lacks them, whether it is told of the switch or finds the relay behind", async () => {
    const { a } = await twoMediaDevices();
    await a.add("one.png", "1");
    await a.add("two.png", "2");
    await a.add("three.png", "3");
    expect(await a.syncMedia({ account: "first" })).toMatchObject({ kind: "synced", usn: 1 });
    await deleteMedia(a.col, ["three.png"]);

    const second = await signUp();
    const told = new MediaClient(BASE, second.token, a.device.network.fetch);
    expect(await syncMedia(a.col, told, { account: "second" })).toMatchObject({ kind: "synced", uploaded: 2 });
    const listed = await call({ path: "/v1/media/changes?since=0", token: second.token });
    expect(listed.json?.entries).toMatchObject([{ name: "one.png" }, { name: "two.png" }]);

    // A third, empty account, and no word of the switch: its media usn (0) is behind this device's.
    const third = await signUp();
    await a.add("four.png", "4");
    const silent = new MediaClient(BASE, third.token, a.device.network.fetch);
    expect(await syncMedia(a.col, silent)).toMatchObject({ kind: "synced", uploaded: 3 });
    expect((await mediaSyncState(a.col)).usn).toBe(1);
  });
});

describe("interrupted media syncs", () => {
  it("an interrupted batch resumes without sending finished files again, with progress reported", async () => {
    const { a, b } = await twoMediaDevices();
    for (let i = 1; i <= 7; i++) await a.add(`file-${i}.png`, `content ${i}`);
    let puts = 0;
    a.device.network.before = (url, init) => {
      if (init.method === "PUT" && url.includes("/v1/media/files/") && ++puts === 4) throw new TypeError("cut off");
    };
    const cut = await a.syncMedia({ batchFiles: 3, parallel: 1 });
    expect(cut).toMatchObject({ kind: "failed", error: expect.stringContaining("Could not reach the relay") });
    a.device.network.before = null;
    // The first batch of three was committed; the fourth file never arrived.
    const relay = await call({ path: "/v1/media/changes?since=0", token: a.token });
    expect(relay.json?.entries).toHaveLength(3);
    a.takeRequests();
    const progress: MediaProgress[] = [];
    const resumed = await a.syncMedia({ batchFiles: 3, parallel: 1, onProgress: (p) => progress.push(p) });
    expect(resumed).toMatchObject({ kind: "synced", uploaded: 4 });
    expect(uploads(a.takeRequests())).toHaveLength(4);
    expect(progress.at(-1)).toEqual({ phase: "uploading", done: 4, total: 4 });
    expect(progress.every((p) => p.done <= p.total)).toBe(true);

    const bProgress: MediaProgress[] = [];
    expect(await b.syncMedia({ onProgress: (p) => bProgress.push(p) })).toMatchObject({ downloaded: 7 });
    expect(bProgress.filter((p) => p.phase === "downloading").map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await b.files()).toEqual(await a.files());
  });

  it("a download cut off halfway resumes with only the files still missing", async () => {
    const { a, b } = await twoMediaDevices();
    for (let i = 1; i <= 4; i++) await a.add(`d-${i}.png`, `data ${i}`);
    await a.syncMedia();
    let gets = 0;
    b.device.network.before = (url, init) => {
      if ((init.method ?? "GET") === "GET" && url.includes("/v1/media/files/") && ++gets === 3) {
        throw new TypeError("cut off");
      }
    };
    expect(await b.syncMedia({ parallel: 1 })).toMatchObject({ kind: "failed" });
    b.device.network.before = null;
    b.takeRequests();
    expect(await b.syncMedia()).toMatchObject({ kind: "synced", downloaded: 2 });
    expect(downloads(b.takeRequests())).toHaveLength(2);
    expect(await b.files()).toEqual(await a.files());
  });
});
