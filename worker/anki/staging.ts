// Rows that Anki's apps send, staged in parts (each part one JSON parameter of a D1 statement, as a chunk of the
// extension's push is) until the commit takes them all in one step.
import { type StagedRow, stageChunk } from "../db/collections";

/** Staged rows are written in parts of about this many bytes. */
const PART_BYTES = 800_000;

/** Stages `rows` as chunks `first`, `first + 1`, …; gives the number of chunks written. */
export async function stageRows(
  db: D1Database,
  userId: number,
  sessionId: string,
  first: number,
  rows: StagedRow[],
  before: D1PreparedStatement[] = [],
): Promise<number> {
  const parts: StagedRow[][] = [];
  let bytes = Number.POSITIVE_INFINITY;
  for (const row of rows) {
    const size = row.body.length + row.id.length;
    if (bytes + size > PART_BYTES) {
      parts.push([]);
      bytes = 0;
    }
    parts[parts.length - 1]?.push(row);
    bytes += size;
  }
  for (const [i, part] of parts.entries()) {
    await db.batch([...(i === 0 ? before : []), ...stageChunk(db, userId, sessionId, first + i, part)]);
  }
  if (parts.length === 0 && before.length > 0) await db.batch(before);
  return parts.length;
}
