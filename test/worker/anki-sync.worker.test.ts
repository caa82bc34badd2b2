// Anki's sync protocol at the relay, as a hostile or broken client sends it: every wrong request gets a status
// and a line of text, never a stack trace, and nothing is signed in. (test/anki drives Anki's real client.)

import { SELF } from "cloudflare:test";
import { decompress } from "fzstd";
import { describe, expect, it } from "vitest";
import { zstdStored } from "../../worker/anki/zstd";
import { BASE, signUp } from "./relay";

const header = (k = "", v = 11) => JSON.stringify({ v, k, c: "test", s: "abc" });
const zstdJson = (value: unknown) => zstdStored(new TextEncoder().encode(JSON.stringify(value)));

async function post(method: string, body: BodyInit, headers: Record<string, string>) {
  const response = await SELF.fetch(`${BASE}/sync/${method}`, { method: "POST", body, headers });
  return { status: response.status, text: await response.text() };
}

describe("Anki's sync protocol at the relay", () => {
  it("refuses a missing or broken anki-sync header, an unknown version and a body that is not zstd, in words", async () => {
    expect(await post("hostKey", zstdJson({ u: "a", p: "b" }), {})).toMatchObject({
      status: 400,
      text: expect.stringMatching(/anki-sync header is missing/),
    });
    expect((await post("hostKey", zstdJson({ u: "a", p: "b" }), { "anki-sync": "{not json" })).status).toBe(400);
    expect(await post("hostKey", zstdJson({ u: "a", p: "b" }), { "anki-sync": header("", 99) })).toMatchObject({
      status: 400,
      text: "unsupported sync version: 99",
    });
    expect(await post("hostKey", '{"u":"a","p":"b"}', { "anki-sync": header() })).toMatchObject({
      status: 400,
      text: expect.stringMatching(/not a zstd frame/),
    });
    expect((await post("hostKey", zstdJson({ u: "a" }), { "anki-sync": header() })).status).toBe(400);
  });

  it("answers hostKey with a key for the right password and 403 otherwise; other methods need that key", async () => {
    const { username, password } = await signUp();
    expect(
      (await post("hostKey", zstdJson({ u: username, p: "wrong password" }), { "anki-sync": header() })).status,
    ).toBe(403);
    const response = await SELF.fetch(`${BASE}/sync/hostKey`, {
      method: "POST",
      body: zstdJson({ u: username, p: password }),
      headers: { "anki-sync": header() },
    });
    expect(response.status).toBe(200);
    const data = decompress(new Uint8Array(await response.arrayBuffer()));
    expect(Number(response.headers.get("anki-original-size"))).toBe(data.length);
    const { key } = JSON.parse(new TextDecoder().decode(data)) as { key: string };
    expect((await post("meta", zstdJson({ v: 11, cv: "test" }), { "anki-sync": header("not a key") })).status).toBe(
      403,
    );
    const meta = await SELF.fetch(`${BASE}/sync/meta`, {
      method: "POST",
      body: zstdJson({ v: 11, cv: "test" }),
      headers: { "anki-sync": header(key) },
    });
    expect(meta.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(decompress(new Uint8Array(await meta.arrayBuffer()))))).toMatchObject({
      // An account without a collection: Anki's apps upload theirs (or have nothing to sync when empty too).
      cont: true,
      mod: 0,
      usn: 1,
      empty: true,
      media_usn: 0,
    });
  });
});
