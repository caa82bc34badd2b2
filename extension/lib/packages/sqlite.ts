// SQLite in WebAssembly (sql.js): loaded once, from the extension's own copy of the wasm file. Node tests point
// it at node_modules with locateSqlWasm.
import initSqlJs, { type Database, type SqlJsStatic } from "sql.js";
import wasmUrl from "sql.js/dist/sql-wasm-browser.wasm?url";
import { openAnkiDatabase as openWith } from "../../../shared/anki/sqlite";

let locate: (file: string) => string = () => wasmUrl;
let loading: Promise<SqlJsStatic> | null = null;

/** Where the wasm file is (for Node, where the extension's URL does not exist). */
export function locateSqlWasm(locator: (file: string) => string): void {
  locate = locator;
  loading = null;
}

export function sqlite(): Promise<SqlJsStatic> {
  loading ??= initSqlJs({ locateFile: (file) => locate(file) });
  return loading;
}

/** Opens an Anki database from its bytes (see shared/anki/sqlite.ts). */
export async function openAnkiDatabase(bytes: Uint8Array): Promise<Database> {
  return openWith(await sqlite(), bytes);
}

export { describeSqliteError, rows, tableExists } from "../../../shared/anki/sqlite";
