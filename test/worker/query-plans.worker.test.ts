// The pages of a sync are read with keyset cursors. SQLite must start each page at its cursor in the index:
// walking from the first record of the cursor's usn instead made a full download of one upload (every record at
// one usn) quadratic, 37.6 s for 451,000 records where it now takes 7.6 s.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CASCADE_SQL, changesPageSql } from "../../worker/db/collections";
import { MEDIA_CHANGES_SQL } from "../../worker/db/media";

async function plan(sql: string, ...params: unknown[]): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

describe("the pages of a sync seek their cursor in the index", () => {
  it.each([false, true])("changes and the whole collection (live only: %s)", async (liveOnly) => {
    const detail = await plan(changesPageSql(liveOnly), 1, 5, 10_000, 7, "card", "123", 2000);
    expect(detail).toContain("objects_by_usn (user_id=? AND (usn,kind,id)>(?,?,?) AND usn<?)");
  });

  it("media changes", async () => {
    const detail = await plan(MEDIA_CHANGES_SQL, 1, 5, 10_000, 7, "a.png", 2000);
    expect(detail).toContain("media_by_usn (user_id=? AND (usn,name)>(?,?) AND usn<?)");
  });
});

describe("a deletion finds what it takes along through an index", () => {
  it("the cards of a deleted note and the notes of a deleted note type", async () => {
    const detail = await plan(CASCADE_SQL, 1, "session");
    expect(detail).toContain("objects_by_ref (user_id=? AND kind=? AND ref=?)");
    expect(detail).not.toMatch(/SCAN (o|c|objects)\b/);
  });
});
