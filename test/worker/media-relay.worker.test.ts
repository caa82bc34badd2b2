import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, call, deleteAccount, rowsOf, signUp } from "./relay";

const encode = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;

async function sha1(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function upload(
  token: string,
  bytes: Uint8Array<ArrayBuffer>,
  hash?: string,
  headers: Record<string, string> = {},
) {
  const response = await SELF.fetch(`${BASE}/v1/media/files/${hash ?? (await sha1(bytes))}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream", ...headers },
    body: bytes,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function download(token: string, hash: string) {
  const response = await SELF.fetch(`${BASE}/v1/media/files/${hash}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
}

const commit = (token: string, changes: unknown[], requestId = crypto.randomUUID().replace(/-/g, "")) =>
  call({ method: "POST", path: "/v1/media/commit", token, body: { requestId, changes } });

const changes = (token: string, query = "since=0") => call({ path: `/v1/media/changes?${query}`, token });

describe("media files", () => {
  it("an uploaded file is stored once, read back by its owner only, and reported as present", async () => {
    const { token } = await signUp();
    const bytes = encode("a small picture");
    const hash = await sha1(bytes);
    expect(await upload(token, bytes)).toEqual({ status: 201, json: { sha1: hash, size: bytes.byteLength } });
    expect((await upload(token, bytes)).status).toBe(200);
    const read = await download(token, hash);
    expect(read.status).toBe(200);
    expect(new TextDecoder().decode(read.bytes)).toBe("a small picture");

    const other = await signUp();
    expect((await download(other.token, hash)).status).toBe(404);
    const asked = await call({
      method: "POST",
      path: "/v1/media/missing",
      token: other.token,
      body: { sha1s: [hash] },
    });
    expect(asked.json).toEqual({ missing: [hash] });
    // Another account cannot record a name for a file it does not hold itself.
    const borrowed = await commit(other.token, [{ name: "stolen.png", sha1: hash, mtime: 1 }]);
    expect(borrowed).toMatchObject({ status: 409, json: { code: "missing-files" } });

    const mine = await call({
      method: "POST",
      path: "/v1/media/missing",
      token,
      body: { sha1s: [hash, "f".repeat(40)] },
    });
    expect(mine.json).toEqual({ missing: ["f".repeat(40)] });
    const usage = await call({ path: "/v1/media/usage", token });
    expect(usage.json).toMatchObject({ usn: 0, files: 1, bytes: bytes.byteLength });
    expect((await call({ path: "/v1/media/files/abc", token })).status).toBe(400);
    expect((await call({ path: `/v1/media/files/${hash}` })).status).toBe(401);
  });

  it("bytes that do not match the SHA-1 in the address are refused and nothing is stored", async () => {
    const { token } = await signUp();
    const claimed = await sha1(encode("what was promised"));
    const result = await upload(token, encode("something else"), claimed);
    expect(result.status).toBe(400);
    expect(result.json.error).toContain("do not have the SHA-1");
    expect((await download(token, claimed)).status).toBe(404);
    expect((await call({ path: "/v1/media/usage", token })).json).toMatchObject({ files: 0, bytes: 0 });
  });

  it("refuses a file over 100 MiB, a body without its length or shorter than it, and bytes not sent as octet-stream", async () => {
    const { token } = await signUp();
    const big = new Uint8Array(100 * 1024 * 1024 + 1);
    const tooBig = await upload(token, big, "a".repeat(40));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toContain("at most 100.0 MiB");
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(encode("streamed"));
        controller.close();
      },
    });
    const unsized = await SELF.fetch(`${BASE}/v1/media/files/${"b".repeat(40)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: stream,
    });
    expect(unsized.status).toBe(411);
    const short = new ReadableStream({
      start(controller) {
        controller.enqueue(encode("only part"));
        controller.close();
      },
    });
    const cut = await SELF.fetch(`${BASE}/v1/media/files/${"c".repeat(40)}`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/octet-stream",
        "content-length": "100",
      },
      body: short,
    });
    expect(cut.status).toBe(400);
    expect(((await cut.json()) as { error: string }).error).toContain("ended before the 100 bytes");
    expect((await call({ path: "/v1/media/usage", token })).json).toMatchObject({ files: 0, bytes: 0 });
    const asJson = await upload(token, encode("x"), undefined, { "content-type": "application/json" });
    expect(asJson.status).toBe(415);
  });

  it("an upload beyond the account's quota is refused with the quota and the use in words", async () => {
    const { token, username } = await signUp();
    await upload(token, encode("first file"));
    const user = await env.DB.prepare("SELECT id FROM users WHERE username = ?1")
      .bind(username)
      .first<{ id: number }>();
    await env.DB.prepare("INSERT INTO media_state (user_id, usn, quota_bytes) VALUES (?1, 0, 20)").bind(user?.id).run();
    const refused = await upload(token, encode("a second, longer file"));
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({ code: "quota" });
    expect(refused.json.error).toMatch(/quota of 0\.0 MiB \(0\.0 MiB used/);
    expect(await upload(token, encode("tiny"))).toMatchObject({ status: 201 });
  });
});

describe("media names and the media usn", () => {
  it("a commit records names at a new media usn; changes come back page by page", async () => {
    const { token } = await signUp();
    const a = encode("A");
    const b = encode("B");
    await upload(token, a);
    await upload(token, b);
    const first = await commit(token, [
      { name: "a.png", sha1: await sha1(a), mtime: 1000 },
      { name: "b.mp3", sha1: await sha1(b), mtime: 1000 },
      { name: "日本.png", sha1: await sha1(a), mtime: 1000 },
    ]);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ usn: 1, previousUsn: 0 });
    expect(first.json?.entries).toHaveLength(3);
    const page1 = await changes(token, "since=0&limit=2");
    expect(page1.json).toMatchObject({ usn: 1, entries: [{ name: "a.png", size: 1, usn: 1 }, { name: "b.mp3" }] });
    const next = String(page1.json?.next);
    const page2 = await changes(token, `since=0&upto=1&limit=2&after=${encodeURIComponent(next)}`);
    expect(page2.json).toMatchObject({ entries: [{ name: "日本.png" }], next: null });
    expect((await changes(token, "since=1")).json).toEqual({ usn: 1, entries: [], next: null });
    expect((await changes(token, "since=0&after=nonsense")).status).toBe(400);
  });

  it("refuses bad names, naming the change, and records nothing", async () => {
    const { token } = await signUp();
    const a = encode("x");
    await upload(token, a);
    const hash = await sha1(a);
    for (const [name, words] of [
      ["dir/a.png", "/ or \\"],
      ["a\\b.png", "/ or \\"],
      ["bell\u0007.png", "control characters"],
      ["cafe\u0301.png", "normal form C"],
      ["photo\u202egnp.exe", "change the direction of text"],
      [`${"x".repeat(121)}`, "at most 120 bytes"],
      ["..", "not a file name"],
    ] as const) {
      const result = await commit(token, [
        { name: "fine.png", sha1: hash, mtime: 1 },
        { name, sha1: hash, mtime: 1 },
      ]);
      expect(result.status).toBe(400);
      expect(String(result.json?.error)).toContain("change 2");
      expect(String(result.json?.error)).toContain(words);
    }
    const twice = await commit(token, [
      { name: "a.png", sha1: hash, mtime: 1 },
      { name: "a.png", sha1: null, mtime: 2 },
    ]);
    expect(twice.status).toBe(400);
    expect((await changes(token)).json).toMatchObject({ usn: 0, entries: [] });
  });

  it("bounds what one request may carry: 500 changes, 1,000 hashes", async () => {
    const { token } = await signUp();
    const changes = Array.from({ length: 501 }, (_, i) => ({ name: `f${i}.png`, sha1: null, mtime: 1 }));
    const many = await commit(token, changes);
    expect(many.status).toBe(400);
    expect(String(many.json?.error)).toContain("at most 500 changes");
    const asked = await call({
      method: "POST",
      path: "/v1/media/missing",
      token,
      body: { sha1s: Array.from({ length: 1001 }, () => "a".repeat(40)) },
    });
    expect(asked.status).toBe(400);
    const badHash = await call({ method: "POST", path: "/v1/media/missing", token, body: { sha1s: ["XYZ"] } });
    expect(badHash.status).toBe(400);
    expect(String(badHash.json?.error)).toContain("40 lower-case hexadecimal");
  });

  it("a change to a file that was never uploaded is refused and changes nothing", async () => {
    const { token } = await signUp();
    const ok = encode("uploaded");
    await upload(token, ok);
    const result = await commit(token, [
      { name: "ok.png", sha1: await sha1(ok), mtime: 1 },
      { name: "never.png", sha1: "c".repeat(40), mtime: 1 },
    ]);
    expect(result).toMatchObject({ status: 409, json: { code: "missing-files" } });
    expect(String(result.json?.error)).toContain("c".repeat(40));
    expect((await changes(token)).json).toMatchObject({ usn: 0, entries: [] });
  });

  it("of two versions of a name the later one wins, whichever arrives last; equal content changes nothing", async () => {
    const { token } = await signUp();
    const one = encode("one");
    const two = encode("two");
    await upload(token, one);
    await upload(token, two);
    await commit(token, [{ name: "f.png", sha1: await sha1(two), mtime: 2000 }]);
    const older = await commit(token, [{ name: "f.png", sha1: await sha1(one), mtime: 1000 }]);
    expect(older.json).toMatchObject({ usn: 1, previousUsn: 1, entries: [{ name: "f.png", sha1: await sha1(two) }] });
    const same = await commit(token, [{ name: "f.png", sha1: await sha1(two), mtime: 3000 }]);
    expect(same.json).toMatchObject({ usn: 1, entries: [{ mtime: 2000 }] });
    // At equal times a file beats a deletion.
    const tie = await commit(token, [{ name: "f.png", sha1: null, mtime: 2000 }]);
    expect(tie.json).toMatchObject({ entries: [{ sha1: await sha1(two) }] });
    const later = await commit(token, [{ name: "f.png", sha1: null, mtime: 2001 }]);
    expect(later.json).toMatchObject({ usn: 2, previousUsn: 1, entries: [{ name: "f.png", sha1: null, usn: 2 }] });
  });

  it("a repeated request id changes nothing more and answers how the names stand", async () => {
    const { token } = await signUp();
    const bytes = encode("once");
    await upload(token, bytes);
    const change = [{ name: "once.png", sha1: await sha1(bytes), mtime: 5 }];
    const first = await commit(token, change, "request-0123456789");
    const again = await commit(token, change, "request-0123456789");
    expect(first.json).toMatchObject({ usn: 1 });
    expect(again.json).toMatchObject({ usn: 1, entries: [{ name: "once.png", usn: 1 }] });
    expect((await commit(token, change, "short")).status).toBe(400);
  });

  it("a deleted name's file leaves R2 once no other name uses it", async () => {
    const { token } = await signUp();
    const shared = encode("shared content");
    const hash = await sha1(shared);
    await upload(token, shared);
    await commit(token, [
      { name: "one.png", sha1: hash, mtime: 1 },
      { name: "two.png", sha1: hash, mtime: 1 },
    ]);
    await commit(token, [{ name: "one.png", sha1: null, mtime: 2 }]);
    expect((await download(token, hash)).status).toBe(200);
    const gone = await commit(token, [{ name: "two.png", sha1: null, mtime: 2 }]);
    expect(gone.json).toMatchObject({ usn: 3 });
    expect((await download(token, hash)).status).toBe(404);
    expect((await call({ path: "/v1/media/usage", token })).json).toMatchObject({ files: 0, bytes: 0 });
    const since = await changes(token, "since=1");
    expect(since.json?.entries).toEqual([
      { name: "one.png", sha1: null, size: 0, mtime: 2, usn: 2 },
      { name: "two.png", sha1: null, size: 0, mtime: 2, usn: 3 },
    ]);
  });

  it("deleting the account deletes its media in R2 and D1", async () => {
    const account = await signUp();
    const bytes = encode("to be deleted");
    await upload(account.token, bytes);
    await commit(account.token, [{ name: "d.png", sha1: await sha1(bytes), mtime: 1 }]);
    const user = await env.DB.prepare("SELECT user_id AS id FROM media WHERE name = 'd.png'").first<{ id: number }>();
    expect((await env.MEDIA.list({ prefix: `u/${user?.id}/` })).objects).toHaveLength(1);
    expect((await deleteAccount(account)).status).toBe(204);
    expect((await env.MEDIA.list({ prefix: `u/${user?.id}/` })).objects).toHaveLength(0);
    for (const table of ["media", "media_blobs", "media_state"]) expect(await rowsOf(table, user?.id), table).toBe(0);
  });
});
