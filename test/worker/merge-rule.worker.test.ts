import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { canonical, incomingWins } from "../../shared/sync/merge";
import type { WireObject } from "../../shared/sync/protocol";
import { commitPushStatements, stageChunk } from "../../worker/db/collections";
import { signUp } from "./relay";

let USER = -1;
beforeAll(async () => {
  const { username } = await signUp();
  const row = await env.DB.prepare("SELECT id FROM users WHERE username = ?1").bind(username).first<{ id: number }>();
  USER = row?.id ?? -1;
});

interface Case {
  name: string;
  current: Pick<WireObject, "kind" | "mtime" | "deleted" | "body">;
  incoming: Pick<WireObject, "kind" | "mtime" | "deleted" | "body">;
}

const note = (mtime: number, text: string) => ({
  kind: "note" as const,
  mtime,
  deleted: false,
  body: { id: 1, text, mtime },
});
const cases: Case[] = [
  { name: "later mtime wins", current: note(1, "a"), incoming: note(2, "b") },
  { name: "earlier mtime loses", current: note(3, "a"), incoming: note(2, "b") },
  { name: "equal mtime: greater body wins", current: note(5, "a"), incoming: note(5, "b") },
  { name: "equal mtime: smaller body loses", current: note(5, "b"), incoming: note(5, "a") },
  { name: "equal mtime, non-ASCII order", current: note(5, "\uffff"), incoming: note(5, "\u{1F600}") },
  {
    name: "a deletion beats a later edit",
    current: { kind: "note", mtime: 1, deleted: true, body: null },
    incoming: note(9, "x"),
  },
  {
    name: "an older deletion beats an edit",
    current: note(9, "x"),
    incoming: { kind: "note", mtime: 1, deleted: true, body: null },
  },
  {
    name: "a review never changes",
    current: { kind: "revlog", mtime: 7, deleted: false, body: { id: 7, ease: 1 } },
    incoming: { kind: "revlog", mtime: 7, deleted: false, body: { id: 7, ease: 4 } },
  },
];

describe("the relay's SQL merge agrees with shared/sync/merge.ts", () => {
  it.each(cases)("$name", async ({ current, incoming }) => {
    await env.DB.batch([
      env.DB.prepare("DELETE FROM objects WHERE user_id = ?1").bind(USER),
      env.DB.prepare(
        "INSERT OR REPLACE INTO collections (user_id, collection_id, scm, usn, mtime) VALUES (?1, 'c', 0, 0, 0)",
      ).bind(USER),
      env.DB.prepare(
        "INSERT INTO objects (user_id, kind, id, usn, mtime, deleted, ref, body) VALUES (?1, ?2, '1', 0, ?3, ?4, NULL, ?5)",
      ).bind(USER, current.kind, current.mtime, current.deleted ? 1 : 0, canonical(current.body)),
    ]);
    const session = `merge-rule-${Math.random().toString(36).slice(2)}`;
    await env.DB.batch(
      stageChunk(env.DB, USER, session, 0, [
        {
          kind: incoming.kind,
          id: "1",
          mtime: incoming.mtime,
          deleted: incoming.deleted,
          ref: null,
          body: canonical(incoming.body),
        },
      ]),
    );
    await env.DB.batch(commitPushStatements(env.DB, USER, session, 0, 1));
    const row = await env.DB.prepare("SELECT mtime, deleted, body FROM objects WHERE user_id = ?1").bind(USER).first<{
      mtime: number;
      deleted: number;
      body: string;
    }>();
    const expected = incomingWins(current, incoming) ? incoming : current;
    expect({ mtime: row?.mtime, deleted: row?.deleted === 1, body: row?.body }).toEqual({
      mtime: expected.mtime,
      deleted: expected.deleted,
      body: canonical(expected.body),
    });
  });
});
