// Anki's normal sync at the relay, request by request, with what Anki's client cannot easily be made to do: two
// sessions at once, a device of the extension committing in the middle of Anki's sync, counts that disagree and
// rows that are not what Anki sends. (test/anki drives Anki's real client through whole syncs.)
import { SELF } from "cloudflare:test";
import { decompress } from "fzstd";
import { describe, expect, it } from "vitest";
import { updateNote } from "../../extension/lib/collection/notes";
import { zstdStored } from "../../worker/anki/zstd";
import { Device, pairedDevices } from "./devices";
import { BASE } from "./relay";

interface Answer {
  status: number;
  json?: unknown;
  text?: string;
}

/** One request of Anki's sync, with the account's token as its key (what hostKey gives) and session key `s`. */
async function anki(method: string, body: unknown, key: string, s = "s1"): Promise<Answer> {
  const response = await SELF.fetch(`${BASE}/sync/${method}`, {
    method: "POST",
    body: zstdStored(new TextEncoder().encode(JSON.stringify(body))),
    headers: { "anki-sync": JSON.stringify({ v: 11, k: key, c: "test", s }) },
  });
  if (response.status !== 200) return { status: response.status, text: await response.text() };
  const data = decompress(new Uint8Array(await response.arrayBuffer()));
  return { status: 200, json: JSON.parse(new TextDecoder().decode(data)) };
}

/** Anki's meta, then start from `minUsn`: by default the usn meta gives (as an app that synced last at that usn). */
async function begin(key: string, s = "s1", minUsn?: number) {
  const meta = (await anki("meta", { v: 11, cv: "test" }, key, s)).json as { usn: number };
  const start = await anki("start", { minUsn: minUsn ?? meta.usn, lnewer: false, graves: null }, key, s);
  expect(start.status).toBe(200);
  return meta;
}

const EMPTY_CHANGES = { changes: { models: [], decks: [[], []], tags: [] } };

describe("Anki's normal sync at the relay", () => {
  it("one session per account: a second app's start ends the first's, whose next request gets 409", async () => {
    const { account } = await pairedDevices();
    await begin(account.token, "first");
    expect((await anki("chunk", {}, account.token, "first")).status).toBe(200);
    await begin(account.token, "second");
    expect((await anki("chunk", {}, account.token, "first")).status).toBe(409);
    expect((await anki("chunk", {}, account.token, "second")).status).toBe(200);
    // meta ends the session under way, as in Anki's own server.
    await anki("meta", { v: 11, cv: "test" }, account.token, "second");
    expect((await anki("finish", {}, account.token, "second")).status).toBe(409);
  });

  it("a device's commit during Anki's sync makes it refuse with 409, and nothing Anki sent is applied until it syncs again", async () => {
    const { account, a, b } = await pairedDevices();
    const [card] = await a.col.db.getAll("cards");
    const review = [1_780_000_000_123, card?.id, 0, 3, 1, 0, 2500, 4000, 0];
    const { usn: lastSync } = await begin(account.token);
    expect((await anki("applyChanges", EMPTY_CHANGES, account.token)).status).toBe(200);
    expect((await anki("chunk", {}, account.token)).json).toMatchObject({ done: true });
    expect((await anki("applyChunk", { chunk: { done: true, revlog: [review] } }, account.token)).status).toBe(200);
    // Another device commits in the middle: what it sent was not in Anki's chunks.
    await b.addBasic("made on B while Anki synced");
    expect((await b.sync()).kind).toBe("synced");
    const counts = [[0, 0, 0], 0, 0, 0, 0, 0, 0, 0];
    const refused = await anki("sanityCheck2", { client: counts }, account.token);
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/another device synced/);
    expect((await a.sync()).kind).toBe("synced");
    expect(await a.col.db.count("revlogBlocks")).toBe(0);
    // Synced again, from the start: Anki gets B's note and its review is kept.
    await begin(account.token, "s1", lastSync);
    await anki("applyChanges", EMPTY_CHANGES, account.token);
    const chunk = (await anki("chunk", {}, account.token)).json as { notes?: unknown[][] };
    expect(chunk.notes?.some((n) => String(n[6]).startsWith("made on B while Anki synced"))).toBe(true);
    await anki("applyChunk", { chunk: { done: true, revlog: [review] } }, account.token);
    const sane = await anki("sanityCheck2", { client: counts }, account.token);
    expect(sane.status).toBe(200);
    expect((await anki("finish", {}, account.token)).status).toBe(200);
    expect((await a.sync()).kind).toBe("synced");
    expect(await a.col.db.count("revlogBlocks")).toBe(1);
  });

  it("counts that differ from the relay's get 'bad', so that Anki's app asks for a full sync", async () => {
    const { account } = await pairedDevices();
    await begin(account.token);
    await anki("applyChanges", EMPTY_CHANGES, account.token);
    await anki("chunk", {}, account.token);
    await anki("applyChunk", { chunk: { done: true } }, account.token);
    const answer = (await anki("sanityCheck2", { client: [[0, 0, 0], 99, 99, 0, 0, 1, 1, 1] }, account.token)).json as {
      status: string;
      s: number[];
    };
    expect(answer.status).toBe("bad");
    expect(answer.s[1]).toBe(1);
    expect(answer.s[2]).toBe(1);
  });

  it("rows that are not what Anki sends get 400 with the reason, end the session and change nothing", async () => {
    const { account, a } = await pairedDevices();
    await begin(account.token);
    await anki("applyChanges", EMPTY_CHANGES, account.token);
    const bad = await anki(
      "applyChunk",
      { chunk: { done: true, notes: [[1, "guid", "not a number"]] } },
      account.token,
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/applyChunk: chunk\.notes\.0/);
    expect((await anki("finish", {}, account.token)).status).toBe(409);
    await begin(account.token);
    await anki("applyChanges", EMPTY_CHANGES, account.token);
    const orphan = [1_780_000_000_001, "orphan-guid", 424242, 1_780_000_000, -1, "", "front\u001fback", "", "", 0, ""];
    await anki("applyChunk", { chunk: { done: true, notes: [orphan] } }, account.token);
    const refused = await anki("sanityCheck2", { client: [[0, 0, 0], 1, 1, 0, 0, 1, 1, 1] }, account.token);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/refers to 424242/);
    expect((await a.sync()).kind).toBe("none");
  });

  it("an app's edit of a note it has already seen wins over the relay's, even when another device's clock ran ahead", async () => {
    const { account, a } = await pairedDevices();
    // A device whose clock is an hour fast edits the note and syncs; the app then syncs once and sees that edit.
    const fast = await Device.create("fast", account.token, Date.now() + 3_600_000);
    expect((await fast.download()).kind).toBe("synced");
    const [note] = await fast.col.db.getAll("notes");
    if (!note) throw new Error("no note");
    expect((await updateNote(fast.col, note.id, { fields: ["seed", "from the fast clock"], tags: "" })).ok).toBe(true);
    expect((await fast.sync()).kind).toBe("synced");
    const seen = (await begin(account.token)).usn;
    await anki("applyChanges", EMPTY_CHANGES, account.token);
    await anki("chunk", {}, account.token);
    await anki("applyChunk", { chunk: { done: true } }, account.token);
    await anki("sanityCheck2", { client: [[0, 0, 0], 1, 1, 0, 0, 1, 1, 1] }, account.token);
    expect((await anki("finish", {}, account.token)).status).toBe(200);
    // Now the app edits it (at the real time, an hour behind that edit's mtime) and syncs from what it has seen.
    const edited = [
      note.id,
      note.guid,
      note.noteTypeId,
      Math.floor(Date.now() / 1000),
      -1,
      "",
      "seed\u001ffrom Anki",
      "",
      "",
      0,
      "",
    ];
    await begin(account.token, "s1", seen + 1);
    await anki("applyChanges", EMPTY_CHANGES, account.token);
    expect((await anki("chunk", {}, account.token)).json).toMatchObject({ done: true });
    await anki("applyChunk", { chunk: { done: true, notes: [edited] } }, account.token);
    expect((await anki("sanityCheck2", { client: [[0, 0, 0], 1, 1, 0, 0, 1, 1, 1] }, account.token)).status).toBe(200);
    expect((await anki("finish", {}, account.token)).status).toBe(200);
    for (const device of [a, fast]) {
      expect(["synced", "none"]).toContain((await device.sync()).kind);
      expect((await device.col.db.get("notes", note.id))?.fields[1]).toBe("from Anki");
    }
  });
});
