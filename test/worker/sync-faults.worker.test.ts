import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addNotes } from "../../extension/lib/collection/notes";
import { readRevlog } from "../../extension/lib/collection/revlog";
import { STORAGE_FULL } from "../../extension/lib/collection/storage-full";
import { RelayClient } from "../../extension/lib/relay-client";
import { listBackups, restoreBackup } from "../../extension/lib/sync/backup";
import { fullDownload } from "../../extension/lib/sync/engine";
import { hasPending, pendingTotal } from "../../extension/lib/sync/local";
import { digest } from "../../worker/db/collections";
import { accountWithDevice, Device } from "./devices";
import { BASE, deleteAccount, recountedDigest, rowsOf } from "./relay";

async function relayRows(userId: number): Promise<string> {
  const { results } = await env.DB.prepare(
    "SELECT kind, id, usn, mtime, deleted, body FROM objects WHERE user_id = ?1 ORDER BY kind, id",
  )
    .bind(userId)
    .all();
  const collection = await env.DB.prepare("SELECT * FROM collections WHERE user_id = ?1").bind(userId).first();
  return JSON.stringify([collection, results]);
}

async function userIdOf(username: string): Promise<number> {
  const row = await env.DB.prepare("SELECT id FROM users WHERE username = ?1").bind(username).first<{ id: number }>();
  return row?.id ?? -1;
}

async function paired() {
  const { account, device: a } = await accountWithDevice("A");
  await a.addBasic("seed");
  await a.upload();
  const b = await Device.create("B", account.token, a.clock.time + 1000);
  await b.download();
  return { account, a, b, userId: await userIdOf(account.username) };
}

describe("interrupted syncs", () => {
  it("10a. when the answer to a commit is lost, the retry completes it with no duplicate and no loss", async () => {
    const { a, b } = await paired();
    const noteId = await a.addBasic("lost answer");
    await a.review((await a.cardOf(noteId)).id, 3, 2);
    let dropped = false;
    a.network.after = (url) => {
      if (url.includes("/commit") && !dropped) {
        dropped = true;
        throw new TypeError("Failed to fetch");
      }
    };
    expect(await a.sync()).toMatchObject({ kind: "failed", status: null });
    expect(await hasPending(a.col)).toBe(true);
    a.network.after = null;
    expect(await a.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await hasPending(a.col)).toBe(false);
    await b.sync();
    expect(await readRevlog(b.col.db)).toHaveLength(1);
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("10b. a sync cut off before any one of its requests reaches the relay leaves both sides as they were", async () => {
    const { a, b, userId } = await paired();
    // Enough on both sides that the sync pulls pages and pushes several chunks.
    for (let i = 0; i < 30; i++) await b.addBasic(`from b ${i}`);
    await b.sync();
    for (let i = 0; i < 700; i++) await a.addBasic(`from a ${i}`);
    const steps: string[] = [];
    a.network.before = (url, init) => {
      steps.push(`${init.method ?? "GET"} ${new URL(url).pathname}`);
    };
    // Fail the sync at its k-th request, for k = 1, 2, … until a sync gets through whole.
    for (let k = 1; k < 20; k++) {
      const before = await relayRows(userId);
      const local = await a.snapshot();
      let n = 0;
      a.network.before = () => {
        n++;
        if (n === k) throw new TypeError("Failed to fetch");
      };
      const outcome = await a.sync();
      a.network.before = null;
      if (outcome.kind === "synced") {
        expect(k).toBeGreaterThan(3);
        break;
      }
      expect(outcome).toMatchObject({ kind: "failed" });
      expect(await relayRows(userId)).toBe(before);
      // Pulled pages may have been applied (they are the relay's own records); nothing of A's was lost.
      const after = await a.snapshot();
      expect((after.notes as unknown[]).length).toBeGreaterThanOrEqual((local.notes as unknown[]).length);
      expect(await hasPending(a.col)).toBe(true);
    }
    expect(await hasPending(a.col)).toBe(false);
    await b.sync();
    expect(await b.col.db.count("notes")).toBe(1 + 30 + 700);
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("two devices syncing at the same moment both succeed, one after the other", async () => {
    const { a, b } = await paired();
    await a.addBasic("from a at once");
    await b.addBasic("from b at once");
    const [x, y] = await Promise.all([a.sync(), b.sync()]);
    expect(x.kind).toBe("synced");
    expect(y.kind).toBe("synced");
    await a.sync();
    await b.sync();
    expect(await a.snapshot()).toEqual(await b.snapshot());
    expect(await a.col.db.count("notes")).toBe(3);
  });
});

describe("a full upload", () => {
  it("a review made while it runs, after its card was sent, is pushed by the next sync instead of being lost", async () => {
    const { account, device: a } = await accountWithDevice("A");
    // Enough records for several chunks: the review lands after the cards were read, before the upload commits.
    const first = await a.addBasic("reviewed during the upload");
    for (let i = 0; i < 700; i++) await a.addBasic(`note ${i}`);
    const cardId = (await a.cardOf(first)).id;
    let reviewedAt = 0;
    a.network.before = async (url, init) => {
      if (init.method === "PUT" && url.includes("/uploads/") && reviewedAt === 0) {
        reviewedAt = await a.review(cardId, 3, 9);
      }
    };
    expect(await a.upload()).toMatchObject({ kind: "synced" });
    a.network.before = null;
    expect(reviewedAt).toBeGreaterThan(0);
    // The card's new state did not travel with the upload: it is still waiting to be sent.
    const pending = (await a.pendingIn("cards")) as { id: number }[];
    expect(pending.map((c) => c.id)).toEqual([cardId]);
    // And nothing else is: the upload sent every other record, and wrote none of them again to say so.
    // The review's row too: the upload may have read it, but a change made after it began is pushed again, to the
    // same effect.
    expect(await pendingTotal(a.col)).toBe(2);
    expect(await a.sync()).toMatchObject({ kind: "synced", pushed: 2, repaired: [] });
    const b = await Device.create("B", account.token, a.clock.time + 1000);
    await b.download();
    expect(await b.col.db.get("cards", cardId)).toMatchObject({ ivl: 9, mtime: reviewedAt });
    expect((await readRevlog(b.col.db)).map((r) => r.id)).toEqual([reviewedAt]);
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });

  it("cut off at any of its requests, it leaves the relay as it was, and the next upload sends everything", async () => {
    const { a, account, userId } = await paired();
    for (let i = 0; i < 700; i++) await a.addBasic(`note ${i}`);
    const before = await relayRows(userId);
    const waiting = await pendingTotal(a.col);
    let cut = 0;
    for (let k = 1; ; k++) {
      let n = 0;
      a.network.before = () => {
        n++;
        if (n === k) throw new TypeError("Failed to fetch");
      };
      const outcome = await a.upload();
      a.network.before = null;
      if (outcome.kind === "synced") break;
      cut++;
      expect(outcome).toMatchObject({ kind: "failed" });
      expect(await relayRows(userId)).toBe(before);
      // Every change still waits to be sent.
      expect(await pendingTotal(a.col)).toBe(waiting);
      // The collection's schema stamp moved on: the next sync asks for a one-way sync again.
      expect(await a.sync()).toMatchObject({ kind: "needs-choice" });
    }
    expect(cut).toBeGreaterThan(2);
    // The upload that went through covers every change of the failed ones too.
    expect(await hasPending(a.col)).toBe(false);
    const b = await Device.create("B2", account.token, a.clock.time + 1000);
    await b.download();
    expect(await b.col.db.count("notes")).toBe(701);
    expect(await b.snapshot()).toEqual(await a.snapshot());
  });
});

describe("large notes", () => {
  it("two notes of 250,000 CJK characters each sync in requests under the relay's 1 MiB, measured in UTF-8 bytes", async () => {
    const { a, b } = await paired();
    await a.addBasic("漢".repeat(250_000));
    await a.addBasic("字".repeat(250_000));
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    expect(await b.sync()).toMatchObject({ kind: "synced" });
    expect(await b.col.db.count("notes")).toBe(await a.col.db.count("notes"));
  });
});

describe("a full download", () => {
  it("cut off at any of its pages, or sent a page it cannot store, leaves the device's collection as it was", async () => {
    const { a, b, account } = await paired();
    // Three pages of the relay's collection (2,000 records a page).
    const basic = await a.noteTypeId();
    const added = await addNotes(
      a.col,
      Array.from({ length: 2100 }, (_, i) => ({
        noteTypeId: basic,
        deckId: 1,
        fields: [`note ${i}`, "back"],
        tags: "",
      })),
    );
    expect(added.added).toHaveLength(2100);
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    // B has a change of its own, which a download that fails must not lose.
    await b.addBasic("only on B");
    const review = await b.review((await b.cardOf(await b.addBasic("reviewed on B"))).id, 3, 4);
    const before = { stores: await b.snapshot(), graves: await b.col.db.getAll("graves"), meta: await b.col.meta() };
    const backupsBefore = await listBackups(b.col.profileId);
    const pagesAsked = () => b.network.requests.filter((r) => r.url.includes("/v1/sync/collection")).length;
    for (let k = 1; k <= 3; k++) {
      const asked = pagesAsked();
      b.network.before = (url) => {
        if (url.includes("/v1/sync/collection") && pagesAsked() - asked === k - 1)
          throw new TypeError("Failed to fetch");
      };
      expect(await b.download()).toMatchObject({ kind: "failed", status: null });
      b.network.before = null;
      expect(await b.snapshot()).toEqual(before.stores);
      expect(await b.col.db.getAll("graves")).toEqual(before.graves);
      expect((await b.col.meta()).lastSyncUsn).toBe(before.meta.lastSyncUsn);
    }
    // A page with a record IndexedDB cannot store (an id that is no key) stops the download, with nothing written.
    const client = new RelayClient(BASE, account.token, async (input, init) => {
      const response = await SELF.fetch(String(input), init);
      if (!String(input).includes("/v1/sync/collection") || !String(input).includes("after=")) return response;
      const page = (await response.json()) as { objects: Record<string, unknown>[] };
      page.objects.push({ kind: "card", id: "x", mtime: 1, deleted: false, usn: 1, body: { id: { not: "a key" } } });
      return Response.json(page);
    });
    expect(await fullDownload(b.col, client)).toMatchObject({ kind: "failed" });
    expect(await b.snapshot()).toEqual(before.stores);
    expect((await readRevlog(b.col.db)).map((r) => r.id)).toContain(review);
    // The failed downloads' backups are gone: the collection is still here, and the older backups stay.
    expect(await listBackups(b.col.profileId)).toEqual(backupsBefore);
    // Once it gets through, B holds the relay's collection, and its own changes are kept in a backup.
    expect(await b.download()).toMatchObject({ kind: "synced" });
    expect(await b.snapshot()).toEqual(await a.snapshot());
    const backups = await listBackups(b.col.profileId);
    expect(backups).toHaveLength(Math.min(3, backupsBefore.length + 1));
    expect(backups[0]?.reason).toBe("download");
    expect(backups.slice(1)).toEqual(backupsBefore.slice(0, 2));
  });

  it("onto a full disk, says so in words and leaves the device's collection as it was", async () => {
    const { a, b } = await paired();
    await a.addBasic("on the relay");
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    await b.review((await b.cardOf(await b.addBasic("reviewed on B"))).id, 3, 4);
    const before = await b.snapshot();
    // IndexedDB refuses to store cards, as it does when the disk is full.
    const stores = globalThis.IDBObjectStore.prototype as unknown as Record<
      "put" | "add",
      (...a: unknown[]) => unknown
    >;
    const original = { put: stores.put, add: stores.add };
    for (const method of ["put", "add"] as const) {
      stores[method] = function (this: { name: string }, ...args: unknown[]) {
        if (this.name === "cards") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        return original[method].apply(this, args);
      };
    }
    try {
      expect(await b.download()).toMatchObject({ kind: "failed", error: STORAGE_FULL });
    } finally {
      stores.put = original.put;
      stores.add = original.add;
    }
    expect(await b.snapshot()).toEqual(before);
  });

  it("a review made while the pages arrive is in the backup the download leaves, not lost", async () => {
    const { a, b } = await paired();
    for (let i = 0; i < 2100; i++) await a.addBasic(`note ${i}`);
    expect(await a.sync()).toMatchObject({ kind: "synced" });
    const cardId = (await b.cardOf(await b.addBasic("reviewed during the download"))).id;
    const backupsBefore = (await listBackups(b.col.profileId)).length;
    let reviewedAt = 0;
    b.network.before = async (url) => {
      // The second page: the backup began with the first.
      if (url.includes("/v1/sync/collection") && url.includes("after=") && reviewedAt === 0) {
        reviewedAt = await b.review(cardId, 3, 5);
      }
    };
    expect(await b.download()).toMatchObject({ kind: "synced" });
    b.network.before = null;
    expect(reviewedAt).toBeGreaterThan(0);
    expect(await b.snapshot()).toEqual(await a.snapshot());
    // One backup more, taken again after the review.
    const backups = await listBackups(b.col.profileId);
    expect(backups).toHaveLength(Math.min(3, backupsBefore + 1));
    await restoreBackup(b.col, backups[0]?.id ?? "");
    expect((await readRevlog(b.col.db)).map((r) => r.id)).toContain(reviewedAt);
    expect((await b.col.db.get("cards", cardId))?.ivl).toBe(5);
  });
});

describe("refused input leaves the relay unchanged", () => {
  it("11a. an upload with a malformed record is refused in words", async () => {
    const { a, userId } = await paired();
    const before = await relayRows(userId);
    const bad = await a.client.putChunk("uploads", "malformed-upload-0001", 0, [
      { kind: "card", id: "5", mtime: 1, deleted: false, body: { id: 5, noteId: "not a number" } },
    ]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.status).toBe(400);
      expect(bad.error).toMatch(/Record 1 \(card "5"\): noteId: .*expected number/);
    }
    // A body that is not an object at all.
    for (const body of ["a card", [5], 5]) {
      const odd = await a.client.putChunk("uploads", "malformed-upload-0002", 0, [
        { kind: "card", id: "5", mtime: 1, deleted: false, body: body as never },
      ]);
      expect(odd).toMatchObject({ ok: false, status: 400, error: expect.stringMatching(/body must be an object/) });
    }
    expect(await relayRows(userId)).toBe(before);
  });

  it("11b. a truncated upload (fewer records or chunks than declared) is refused, and the collection stays", async () => {
    const { a, userId } = await paired();
    const before = await relayRows(userId);
    const session = "truncated-upload-0001";
    const [noteType] = await a.col.db.getAll("notetypes");
    if (!noteType) throw new Error();
    const { usn: _usn, ...body } = noteType;
    const record = { kind: "notetype" as const, id: String(noteType.id), mtime: noteType.mtime, deleted: false, body };
    const staged = await a.client.putChunk("uploads", session, 0, [record]);
    expect(staged.ok).toBe(true);
    const meta = await a.col.meta();
    const commit = await a.client.commitUpload(session, {
      collectionId: meta.id,
      scm: meta.scm,
      chunks: 2,
      counts: { notetype: 1 },
    });
    expect(commit).toMatchObject({ ok: false, status: 400, error: expect.stringMatching(/expected 2 chunks/) });
    const fewer = await a.client.commitUpload(session, {
      collectionId: meta.id,
      scm: meta.scm,
      chunks: 1,
      counts: { notetype: 1, note: 1 },
    });
    expect(fewer).toMatchObject({ ok: false, status: 400, error: expect.stringMatching(/should hold 1 note/) });
    expect(await relayRows(userId)).toBe(before);
  });

  it("11c. an upload without cards does not replace a collection with cards unless the person said so", async () => {
    const { account, userId } = await paired();
    const before = await relayRows(userId);
    const empty = await Device.create("empty", account.token);
    const refused = await empty.upload();
    expect(refused).toMatchObject({ kind: "failed", code: "empty-upload" });
    expect(await relayRows(userId)).toBe(before);
    expect(await empty.upload(true)).toMatchObject({ kind: "synced" });
  });

  it("12. a push of a note whose note type the relay has never seen is refused clearly; nothing changes", async () => {
    const { a, userId } = await paired();
    const before = await relayRows(userId);
    const note = {
      id: 123456789,
      guid: "orphan",
      noteTypeId: 999,
      fields: ["x"],
      tags: [],
      mtime: 5,
    };
    const base = (await a.col.meta()).lastSyncUsn;
    const result = await a.client.commitPush("orphan-note-push-01", {
      baseUsn: base,
      chunks: 0,
      objects: [{ kind: "note", id: "123456789", mtime: 5, deleted: false, body: note }],
    });
    expect(result).toMatchObject({
      ok: false,
      status: 422,
      error: expect.stringMatching(/Note 123456789 refers to note type 999, which the relay does not have/),
    });
    expect(await relayRows(userId)).toBe(before);
  });
});

describe("self-checking", () => {
  it("14. a mismatch found after a sync is repaired without losing rows on either side", async () => {
    const { a, b, userId } = await paired();
    const keepOnRelay = await a.addBasic("only the relay will lose this");
    await a.sync();
    await b.sync();
    // Damage both sides on purpose: the relay loses a note's row; B loses a card without a grave.
    await env.DB.prepare("DELETE FROM objects WHERE user_id = ?1 AND kind = 'note' AND id = ?2")
      .bind(userId, String(keepOnRelay))
      .run();
    const bCard = (await b.col.db.getAll("cards"))[0];
    if (!bCard) throw new Error();
    await b.col.db.delete("cards", bCard.id);
    // The relay's kept digest follows its rows, even a row removed behind its back.
    expect(await digest(env.DB, userId)).toEqual(await recountedDigest(userId));
    await a.addBasic("a normal change");
    const outcome = await a.sync();
    expect(outcome).toMatchObject({ kind: "synced", repaired: ["note"] });
    const bOutcome = await b.sync();
    expect(bOutcome).toMatchObject({ kind: "synced", repaired: ["card"] });
    await a.sync();
    expect(await b.col.db.get("cards", bCard.id)).toBeDefined();
    expect(await b.col.db.get("notes", keepOnRelay)).toBeDefined();
    expect(await a.snapshot()).toEqual(await b.snapshot());
  });

  it("deleting the account removes its records and its kept digest with it", async () => {
    const { account, userId } = await paired();
    expect(Object.keys(await digest(env.DB, userId)).length).toBeGreaterThan(0);
    expect((await deleteAccount(account)).status).toBe(204);
    for (const table of ["objects", "object_counts"]) expect(await rowsOf(table, userId), table).toBe(0);
  });
});
