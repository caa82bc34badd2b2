// The extension's way into shared/anki/write.ts: the schema-11 writer with the extension's copy of sql.js.
import { type AnkiExport, writeAnkiCollection as writeWith } from "../../../shared/anki/write";
import { sqlite } from "./sqlite";

export type { AnkiExport };

export async function writeAnkiCollection(data: AnkiExport, progress: (fraction: number) => void): Promise<Uint8Array> {
  return writeWith(await sqlite(), data, progress);
}
