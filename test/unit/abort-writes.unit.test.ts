// A write that IndexedDB refuses at once (a value that is no key) throws instead of failing its request, and does
// not end the transaction: the writes issued before it would be committed. Every bulk replacement (a download, a
// .colpkg import, a package merge, an answer) aborts with abortWrites instead.
import { describe, expect, it } from "vitest";
import { abortWrites } from "../../extension/lib/collection/collection";
import { freshCollection } from "./factories";

describe("abortWrites", () => {
  it("leaves a store as it was after a clear and a write that threw at once", async () => {
    const { col } = await freshCollection();
    const before = await col.db.getAll("notetypes");
    expect(before.length).toBeGreaterThan(0);
    const tx = col.db.transaction("notetypes", "readwrite");
    void tx.store.clear().catch(() => {});
    expect(() => tx.store.put({ id: { not: "a key" } } as never)).toThrow();
    await abortWrites(tx);
    expect(await col.db.getAll("notetypes")).toEqual(before);
  });

  it("is needed: without it, the clear before the refused write is committed", async () => {
    const { col } = await freshCollection();
    const tx = col.db.transaction("notetypes", "readwrite");
    void tx.store.clear();
    expect(() => tx.store.put({ id: { not: "a key" } } as never)).toThrow();
    await tx.done;
    expect(await col.db.getAll("notetypes")).toEqual([]);
  });

  it("does nothing harmful to a transaction that a failed write has aborted already", async () => {
    const { col } = await freshCollection();
    const before = await col.db.getAll("decks");
    const tx = col.db.transaction("decks", "readwrite");
    const [deck] = before;
    // The name index is unique: a second deck with the same name fails its request, which aborts the transaction.
    void tx.store.add({ ...(deck as NonNullable<typeof deck>), id: 999 }).catch(() => {});
    await tx.done.catch(() => {});
    await abortWrites(tx);
    expect(await col.db.getAll("decks")).toEqual(before);
  });
});
