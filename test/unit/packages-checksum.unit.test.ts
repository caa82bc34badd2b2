// The checksum of a note's first field (`csum`) as Anki computes it, checked against every note of the real files
// Anki and AnkiDroid wrote: white space stays as it is, media tags leave their file names, entities are decoded.
// (The export once collapsed white space first, and about 3 % of notes had another checksum than Anki's.)
import { describe, expect, it } from "vitest";
import { looksLikeSqlite, readZip, unzstd } from "../../extension/lib/packages/archive";
import { openAnkiDatabase, rows } from "../../extension/lib/packages/sqlite";
import { fieldChecksum, stripHtmlKeepingMedia } from "../../shared/anki/text";
import { fixture, fixtureNames, HAVE_FIXTURES } from "./packages-helpers";

/** The collection database of a fixture: the newest variant a package holds, or the file itself. */
function collectionBytes(name: string): Uint8Array | null {
  const bytes = fixture(name);
  if (looksLikeSqlite(bytes)) return bytes;
  const entries = readZip(bytes).expand(["collection.anki21b", "collection.anki21", "collection.anki2"]);
  const newest = entries.get("collection.anki21b");
  if (newest) return unzstd(newest, 512 * 1024 * 1024, "collection");
  return entries.get("collection.anki21") ?? entries.get("collection.anki2") ?? null;
}

describe.skipIf(!HAVE_FIXTURES)("checksums of first fields", { timeout: 60_000 }, () => {
  it("equal Anki's for every note of every fixture that opens", async () => {
    let notes = 0;
    const wrong: string[] = [];
    for (const name of fixtureNames()) {
      if (name.includes("corrupt")) continue;
      const bytes = collectionBytes(name);
      if (!bytes) continue;
      const db = await openAnkiDatabase(bytes);
      try {
        for (const [flds, csum] of rows(db, "SELECT flds, csum FROM notes")) {
          notes += 1;
          const first = String(flds).split("\u001f")[0] ?? "";
          const mine = await fieldChecksum(first);
          if (mine !== Number(csum)) wrong.push(`${name}: ${JSON.stringify(first).slice(0, 80)}`);
        }
      } finally {
        db.close();
      }
    }
    expect(notes).toBeGreaterThan(3_000);
    expect(wrong).toEqual([]);
  });

  it("keep white space, media file names and decoded entities as Anki does", () => {
    expect(stripHtmlKeepingMedia("a  b\n<b>c</b>")).toBe("a  b\nc");
    expect(stripHtmlKeepingMedia('x<img src="Foto Kraków.png">y')).toBe("x Foto Kraków.png y");
    expect(stripHtmlKeepingMedia("<img src=a.jpg alt=z>")).toBe(" a.jpg ");
    expect(stripHtmlKeepingMedia("1&nbsp;&lt;2&amp;3<!-- c --><style>p{}</style>")).toBe("1 <2&3");
  });
});
