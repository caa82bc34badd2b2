// The relay's protocol as a client written only from docs/protocol.md sees it: each test is a defect that such a
// client found, named after the behaviour the protocol promises.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readForUpload } from "../../extension/lib/sync/local";
import { MAX_NOTE_BYTES } from "../../shared/schemas";
import type { WireObject } from "../../shared/sync/protocol";
import { toWire } from "../../shared/sync/records";
import { accountWithDevice, Device } from "./devices";
import { call } from "./relay";

/** A device that uploaded a collection of `notes` Basic notes, and what a raw client needs to talk for it. */
async function uploaded(notes = 2) {
  const { account, device } = await accountWithDevice();
  for (let i = 0; i < notes; i++) await device.addBasic(`note ${i}`);
  expect(await device.upload()).toMatchObject({ kind: "synced" });
  const user = await env.DB.prepare("SELECT id FROM users WHERE username = ?1")
    .bind(account.username)
    .first<{ id: number }>();
  const usn = async () =>
    Number((await call({ method: "GET", path: "/v1/sync/digest", token: account.token })).json?.usn);
  const relayRow = (kind: string, id: number | string) =>
    env.DB.prepare("SELECT usn, mtime, deleted, body FROM objects WHERE user_id = ?1 AND kind = ?2 AND id = ?3")
      .bind(user?.id, kind, String(id))
      .first<{ usn: number; mtime: number; deleted: number; body: string }>();
  const put = (session: string, chunk: number, objects: WireObject[], kind = "pushes") =>
    call({
      method: "PUT",
      path: `/v1/sync/${kind}/${session}/chunks/${chunk}`,
      token: account.token,
      body: { objects },
    });
  const commit = async (session: string, chunks: number, objects: WireObject[] = [], baseUsn?: number) =>
    call({
      method: "POST",
      path: `/v1/sync/pushes/${session}/commit`,
      token: account.token,
      body: { baseUsn: baseUsn ?? (await usn()), chunks, objects },
    });
  const notesOf = async () => (await device.col.db.getAll("notes")).sort((a, b) => a.id - b.id);
  /** Every record a full upload of the device sends. */
  const uploadRecords = async () => {
    const records: WireObject[] = [];
    for await (const batch of readForUpload(device.col)) records.push(...batch);
    return records;
  };
  /** Commits an upload of one chunk, saying it holds the live records of `records` (kinds `counted` keeps). */
  const commitUpload = async (session: string, records: WireObject[], counted = (_kind: string) => true) => {
    const counts: Record<string, number> = {};
    for (const r of records) if (!r.deleted && counted(r.kind)) counts[r.kind] = (counts[r.kind] ?? 0) + 1;
    const meta = await device.col.meta();
    return call({
      method: "POST",
      path: `/v1/sync/uploads/${session}/commit`,
      token: account.token,
      body: { collectionId: meta.id, scm: meta.scm + 1, chunks: 1, counts },
    });
  };
  return { account, device, usn, relayRow, put, commit, notesOf, uploadRecords, commitUpload };
}

const edited = (note: { mtime: number; fields: string[]; usn: number } & Record<string, unknown>, text: string) =>
  toWire("note", { ...note, mtime: note.mtime + 1000, fields: [text, ...note.fields.slice(1)] });

describe("chunks", () => {
  it("a push chunk sent again replaces what it staged, so a record it no longer holds is not committed", async () => {
    const { put, commit, relayRow, notesOf } = await uploaded();
    const [first, second] = await notesOf();
    if (!first || !second) throw new Error("no notes");
    const session = "resent-push-chunk-0001";
    expect((await put(session, 0, [edited(first, "one"), edited(second, "two")])).status).toBe(200);
    expect(await put(session, 0, [edited(first, "one")])).toMatchObject({ status: 200, json: { staged: 1 } });
    expect((await commit(session, 1)).status).toBe(200);
    expect(JSON.parse((await relayRow("note", first.id))?.body ?? "{}").fields[0]).toBe("one");
    expect(JSON.parse((await relayRow("note", second.id))?.body ?? "{}").fields[0]).toBe("note 1");
  });

  it("an upload whose chunk was sent again with fewer records commits", async () => {
    const { put, notesOf, uploadRecords, commitUpload } = await uploaded();
    const records = await uploadRecords();
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const extra = toWire("note", { ...note, id: note.id + 500, guid: "extra-guid" });
    const session = "resent-upload-chunk-01";
    expect((await put(session, 0, [...records, extra], "uploads")).status).toBe(200);
    expect((await put(session, 0, records, "uploads")).status).toBe(200);
    expect((await commitUpload(session, records)).status).toBe(200);
  });
});

describe("the review log only grows", () => {
  it("a push that deletes a review is refused in words and changes nothing", async () => {
    const { device, commit, relayRow } = await uploaded(1);
    const [card] = await device.col.db.getAll("cards");
    if (!card) throw new Error("no card");
    const answered = await device.review(card.id, 3, 4);
    expect(await device.sync()).toMatchObject({ kind: "synced" });
    const refused = await commit("delete-a-review-000001", 0, [
      { kind: "revlog", id: String(answered), mtime: answered, deleted: true, body: null },
    ]);
    expect(refused.status).toBe(400);
    expect(String(refused.json?.error)).toMatch(/review log only grows/);
    expect(await relayRow("revlog", answered)).toMatchObject({ deleted: 0 });
  });

  it("a note over the size limit every side keeps is refused in words, naming the note, and changes nothing", async () => {
    const { commit, relayRow, notesOf } = await uploaded(1);
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const refused = await commit("a-note-far-too-large-1", 0, [edited(note, "x".repeat(MAX_NOTE_BYTES))]);
    expect(refused.status).toBe(400);
    expect(String(refused.json?.error)).toMatch(new RegExp(`${note.id}.*too large.*at most 900 kB`));
    expect(JSON.parse((await relayRow("note", note.id))?.body ?? "{}").fields).toEqual(note.fields);
  });
});

describe("what one account may stage", () => {
  it("chunk numbers stop at 9999, in words", async () => {
    const { put, notesOf } = await uploaded(1);
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const record = edited(note, "staged");
    expect((await put("chunk-numbers-000001", 9999, [record])).status).toBe(200);
    const refused = await put("chunk-numbers-000001", 10000, [record]);
    expect(refused.status).toBe(400);
    expect(String(refused.json?.error)).toMatch(/from 0 to 9999/);
    expect((await put("chunk-numbers-000002", 999999, [record])).status).toBe(400);
  });

  it("eight syncs under way at most: a ninth waits in words, unless older ones have been idle an hour", async () => {
    const { put, notesOf } = await uploaded(1);
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const record = edited(note, "staged");
    for (let i = 0; i < 8; i++) expect((await put(`many-sessions-00000${i}`, 0, [record])).status).toBe(200);
    // A chunk of a session already open is fine.
    expect((await put("many-sessions-000003", 1, [record])).status).toBe(200);
    const ninth = await put("many-sessions-000009", 0, [record]);
    expect(ninth.status).toBe(429);
    expect(String(ninth.json?.error)).toMatch(/8 syncs under way, the most at once/);
    await env.DB.prepare(
      "UPDATE sync_sessions SET created_at = created_at - 2 * 3600 * 1000 WHERE session_id = 'many-sessions-000000'",
    ).run();
    expect((await put("many-sessions-000009", 0, [record])).status).toBe(200);
    const staged = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM staged WHERE session_id = 'many-sessions-000000'",
    ).first<{ n: number }>();
    expect(staged?.n).toBe(0);
  });

  it("the records sent with a commit are bounded as a chunk's are: a ninth sync under way waits in words", async () => {
    const { put, commit, notesOf } = await uploaded(1);
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const record = edited(note, "staged");
    for (let i = 0; i < 8; i++) expect((await put(`commit-sessions-0000${i}`, 0, [record])).status).toBe(200);
    const ninth = await commit("commit-sessions-00009", 0, [record]);
    expect(ninth.status).toBe(429);
    expect(String(ninth.json?.error)).toMatch(/8 syncs under way, the most at once/);
  });

  it("at most 512 MiB staged: a chunk past it is refused with 413 in words, and a chunk sent again replaces its size", async () => {
    const { put, notesOf, account } = await uploaded(1);
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const user = await env.DB.prepare("SELECT id FROM users WHERE username = ?1")
      .bind(account.username)
      .first<{ id: number }>();
    // Another session of this account already holds nearly the most.
    await env.DB.prepare(
      "INSERT INTO sync_sessions (user_id, session_id, kind, created_at) VALUES (?1, 'almost-full-0000001', 'push', ?2)",
    )
      .bind(user?.id, Date.now())
      .run();
    await env.DB.prepare(
      "INSERT INTO staged_chunks (user_id, session_id, chunk, bytes) VALUES (?1, 'almost-full-0000001', 0, ?2)",
    )
      .bind(user?.id, 512 * 1024 * 1024 - 1.5 * JSON.stringify(edited(note, "small").body).length)
      .run();
    const small = edited(note, "small");
    expect((await put("staged-bytes-000001", 0, [small])).status).toBe(200);
    expect((await put("staged-bytes-000001", 0, [small])).status).toBe(200);
    const large = await put("staged-bytes-000001", 1, [edited(note, "x".repeat(10_000))]);
    expect(large.status).toBe(413);
    expect(String(large.json?.error)).toMatch(/512 MiB; commit or cancel the syncs under way/);
  });
});

describe("a commit's answer", () => {
  it("is the same when asked again, and counts each record that changed the relay once", async () => {
    const { commit, notesOf, usn } = await uploaded();
    const [first, second] = await notesOf();
    if (!first || !second) throw new Error("no notes");
    const base = await usn();
    const objects = [edited(first, "a"), edited(second, "b"), toWire("note", first)];
    const session = "answer-asked-twice-001";
    const once = await commit(session, 0, objects.slice(0, 2), base);
    expect(once).toMatchObject({ status: 200, json: { usn: base + 1, applied: 2, lost: [] } });
    const again = await commit(session, 0, objects.slice(0, 2), base);
    expect(again.json).toEqual(once.json);
    // The older version of the first note loses to the relay's: it comes back, and is not counted.
    const older = await commit("answer-with-a-loser-01", 0, [objects[2] as WireObject]);
    expect(older).toMatchObject({ status: 200, json: { applied: 0 } });
    expect(older.json?.lost).toHaveLength(1);
  });

  it("a push that changes nothing leaves the usn, so other devices have nothing to pull", async () => {
    const { account, commit, notesOf, usn } = await uploaded();
    const other = await Device.create("B", account.token);
    expect(await other.download()).toMatchObject({ kind: "synced" });
    const [first] = await notesOf();
    if (!first) throw new Error("no note");
    const base = await usn();
    const same = await commit("push-of-nothing-new-01", 0, [toWire("note", first)], base);
    expect(same).toMatchObject({ status: 200, json: { usn: base, applied: 0, lost: [] } });
    expect(await usn()).toBe(base);
    expect(await other.sync()).toMatchObject({ kind: "none" });
  });
});

describe("the collection on the relay stays whole", () => {
  it("a note deleted by a push takes along the cards it did not send, and the device is told of them", async () => {
    const { device, commit, relayRow, notesOf } = await uploaded(1);
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const [card] = await device.col.db.getAllFromIndex("cards", "noteId", note.id);
    if (!card) throw new Error("no card");
    const answer = await commit("delete-note-not-card-1", 0, [
      { kind: "note", id: String(note.id), mtime: note.mtime + 5, deleted: true, body: { guid: note.guid } },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.json?.lost).toEqual([
      expect.objectContaining({ kind: "card", id: String(card.id), deleted: true, body: { guid: note.guid } }),
    ]);
    expect(await relayRow("card", card.id)).toMatchObject({ deleted: 1 });
    // The device that holds the card receives the deletion and ends up like the relay.
    expect(await device.sync()).toMatchObject({ kind: "synced", repaired: [] });
    expect(await device.col.db.get("cards", card.id)).toBeUndefined();
  });

  it("a push that deletes a note and sends a live card of it is refused", async () => {
    const { device, commit, relayRow, notesOf } = await uploaded(1);
    const [note] = await notesOf();
    const [card] = await device.col.db.getAll("cards");
    if (!note || !card) throw new Error("no note");
    const refused = await commit("delete-note-keep-card1", 0, [
      { kind: "note", id: String(note.id), mtime: note.mtime + 5, deleted: true, body: { guid: note.guid } },
      toWire("card", { ...card, mtime: card.mtime + 5 }),
    ]);
    expect(refused.status).toBe(422);
    expect(await relayRow("note", note.id)).toMatchObject({ deleted: 0 });
  });
});

describe("pages", () => {
  it("follow a cursor that ends on a tag in any script", async () => {
    const { account, device } = await accountWithDevice();
    await device.addBasic("one", "back", "日本語 ελληνικά emoji🙂");
    expect(await device.upload()).toMatchObject({ kind: "synced" });
    for (const path of ["/v1/sync/changes?since=0", "/v1/sync/collection?x=1"]) {
      let after: string | null = null;
      let records = 0;
      const tags: string[] = [];
      do {
        const page = await call({
          path: `${path}&limit=1${after ? `&after=${encodeURIComponent(after)}` : ""}`,
          token: account.token,
        });
        expect(page.status, path).toBe(200);
        const objects = page.json?.objects as { kind: string; id: string }[];
        records += objects.length;
        for (const o of objects) if (o.kind === "tag") tags.push(o.id);
        after = page.json?.next as string | null;
      } while (after);
      expect(tags.sort(), path).toEqual(["emoji🙂", "ελληνικά", "日本語"].sort());
      expect(records).toBeGreaterThan(10);
    }
  });
});

describe("sessions", () => {
  it("an upload whose commit leaves a kind out of its counts is refused when it holds records of that kind", async () => {
    const { put, uploadRecords, commitUpload } = await uploaded();
    const records = await uploadRecords();
    const session = "counts-leave-out-note1";
    expect((await put(session, 0, records, "uploads")).status).toBe(200);
    const refused = await commitUpload(session, records, (kind) => kind !== "note");
    expect(refused.status).toBe(400);
    expect(String(refused.json?.error)).toMatch(/should hold 0 note records but holds 2/);
  });

  it("a chunk for a session that was committed or abandoned is refused, and one of the other kind too", async () => {
    const { account, put, commit, notesOf } = await uploaded();
    const [note] = await notesOf();
    if (!note) throw new Error("no note");
    const committed = "committed-session-0001";
    expect((await commit(committed, 0, [edited(note, "first")])).status).toBe(200);
    expect((await put(committed, 0, [edited(note, "late")])).status).toBe(409);
    const settled = "abandoned-session-0001";
    expect((await call({ method: "DELETE", path: `/v1/sync/pushes/${settled}`, token: account.token })).status).toBe(
      200,
    );
    expect(await put(settled, 0, [edited(note, "late")])).toMatchObject({ status: 409, json: { code: "abandoned" } });
    const upload = "upload-session-000001";
    expect((await put(upload, 0, [edited(note, "x")], "uploads")).status).toBe(200);
    const wrongKind = await commit(upload, 1);
    expect(wrongKind.status).toBe(409);
    expect(String(wrongKind.json?.error)).toMatch(/is an upload, not a push/);
  });
});
